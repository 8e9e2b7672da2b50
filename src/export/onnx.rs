//! A student as an ONNX model (opset 13), written with the ONNX project's own protobuf schema
//! (the `onnx-protobuf` crate): input `pixels`, float32 `[N, 1, 28, 28]` of raw grey levels 0–255,
//! normalised inside the graph exactly as the page feeds its models; output `logits`
//! `[N, 10]`. The class names and the card's facts go in the model's metadata.

use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::tensor_shape_proto::{Dimension, dimension};
use onnx_protobuf::type_proto::{Tensor as TensorType, Value as TypeValue};
use onnx_protobuf::{
    AttributeProto, GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
    attribute_proto::AttributeType,
};

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES, PIXEL_MEAN, PIXEL_STD};
use crate::error::{Error, Result};
use crate::export::card::StudentCard;
use crate::model::StudentConfig;
use crate::weights::SafeTensors;

/// The operator set the graph uses (every op here is in opset 13, where Slice and Unsqueeze take
/// their axes as inputs).
pub const OPSET: i64 = 13;
/// The IR version that goes with opset 13 (onnx/docs/Versioning.md).
const IR_VERSION: i64 = 7;

/// The ONNX file of a student described by `card`, with its `weights` (the f32 safetensors as
/// exported).
pub fn to_onnx(card: &StudentCard, weights: &SafeTensors) -> Result<Vec<u8>> {
    let mut g = Graph::default();
    let x = g.normalised_input();
    let logits = match &card.student {
        StudentConfig::Mlp { hidden } => mlp(&mut g, weights, hidden.len(), &x)?,
        StudentConfig::Cnn { channels } => cnn(&mut g, weights, channels[1], &x)?,
        StudentConfig::Tree { depth } => tree(&mut g, weights, *depth, &x)?,
    };
    g.proto
        .output
        .push(value_info("logits", &[None, Some(NUM_CLASSES)]));
    g.proto
        .node
        .push(node("Identity", &[&logits], "logits", vec![]));
    g.proto.name = format!("webdistill {}", card.architecture);
    let mut model = ModelProto::new();
    model.ir_version = IR_VERSION;
    model.producer_name = "webdistill".into();
    model.producer_version = env!("CARGO_PKG_VERSION").into();
    model.doc_string = format!(
        "{} student ({}), {:.2}% on the MNIST test set. Input: {}.",
        card.role,
        card.architecture,
        card.test_accuracy * 100.0,
        INPUT
    );
    let mut opset = OperatorSetIdProto::new();
    opset.version = OPSET;
    model.opset_import.push(opset);
    let classes: Vec<String> = (0..NUM_CLASSES).map(|c| c.to_string()).collect();
    for (key, value) in [
        ("classes", classes.join(",")),
        ("architecture", card.architecture.clone()),
        ("role", card.role.clone()),
        ("objective", card.objective.clone()),
        ("taught_by", card.taught_by.join("; ")),
        ("test_accuracy", card.test_accuracy.to_string()),
        ("test_errors", card.test_errors.to_string()),
        ("input", INPUT.to_string()),
        ("safetensors_sha256", card.sha256.clone()),
    ] {
        let mut entry = StringStringEntryProto::new();
        entry.key = key.into();
        entry.value = value;
        model.metadata_props.push(entry);
    }
    model.graph = Some(g.proto).into();
    model
        .write_to_bytes()
        .map_err(|e| Error::Weights(format!("the ONNX model could not be written: {e}")))
}

/// How the ONNX model reads an image.
pub const INPUT: &str = "pixels: float32 [N, 1, 28, 28], raw grey levels 0-255 (0 = background), \
    normalised inside the model";

fn mlp(g: &mut Graph, w: &SafeTensors, layers: usize, x: &str) -> Result<String> {
    let shape = g.init_i64("flat_shape", &[-1, IMAGE_PIXELS as i64]);
    let mut h = g.op("Reshape", &[x, &shape], vec![]);
    for i in 0..layers {
        h = g.dense(w, &format!("hidden.{i}"), &h)?;
        h = g.op("Relu", &[&h], vec![]);
    }
    g.dense(w, "output", &h)
}

fn cnn(g: &mut Graph, w: &SafeTensors, c2: usize, x: &str) -> Result<String> {
    let mut h = x.to_string();
    for conv in ["conv1", "conv2"] {
        let kernel = g.weight(w, &format!("{conv}.weight"))?;
        let bias = g.weight(w, &format!("{conv}.bias"))?;
        h = g.op("Conv", &[&h, &kernel, &bias], vec![]);
        h = g.op("Relu", &[&h], vec![]);
        // 2×2 max-pooling, stride 2 (src/model/teacher.rs, pool_2x2).
        h = g.op(
            "MaxPool",
            &[&h],
            vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])],
        );
    }
    // Flattened channel first, as burn's flatten of [N, c2, 4, 4].
    let shape = g.init_i64("features_shape", &[-1, (c2 * 16) as i64]);
    let features = g.op("Reshape", &[&h, &shape], vec![]);
    g.dense(w, "output", &features)
}

/// The soft tree's most probable path (src/model/student/tree.rs, `most_probable_path`): hard
/// decisions at every node, the one-hot leaf reached level by level, its log-distribution out.
fn tree(g: &mut Graph, w: &SafeTensors, depth: usize, x: &str) -> Result<String> {
    let shape = g.init_i64("flat_shape", &[-1, IMAGE_PIXELS as i64]);
    let flat = g.op("Reshape", &[x, &shape], vec![]);
    let scores = g.dense(w, "inner", &flat)?;
    // σ(s) > ½ exactly when s > 0.
    let zero = g.init_f32("zero", &[], &[0.0]);
    let one = g.init_f32("one", &[], &[1.0]);
    let right = g.op("Greater", &[&scores, &zero], vec![]);
    let right = g.op("Cast", &[&right], vec![int("to", DataType::FLOAT as i64)]);
    // Reach of the root: a column of ones, [N, 1] (from the first score column × 0 + 1).
    let (s0, e0, axis) = (
        g.init_i64("root_start", &[0]),
        g.init_i64("root_end", &[1]),
        g.init_i64("axis1", &[1]),
    );
    let first = g.op("Slice", &[&scores, &s0, &e0, &axis], vec![]);
    let nothing = g.op("Mul", &[&first, &zero], vec![]);
    let mut reach = g.op("Add", &[&nothing, &one], vec![]);
    let axis2 = g.init_i64("axis2", &[2]);
    for level in 0..depth {
        let (start, count) = ((1usize << level) - 1, 1usize << level);
        let s = g.init_i64(&format!("level{level}_start"), &[start as i64]);
        let e = g.init_i64(&format!("level{level}_end"), &[(start + count) as i64]);
        let p = g.op("Slice", &[&right, &s, &e, &axis], vec![]);
        let q = g.op("Sub", &[&one, &p], vec![]);
        let left = g.op("Mul", &[&reach, &q], vec![]);
        let go_right = g.op("Mul", &[&reach, &p], vec![]);
        let left = g.op("Unsqueeze", &[&left, &axis2], vec![]);
        let go_right = g.op("Unsqueeze", &[&go_right, &axis2], vec![]);
        let pair = g.op("Concat", &[&left, &go_right], vec![int("axis", 2)]);
        let next = g.init_i64(&format!("level{level}_shape"), &[-1, (2 * count) as i64]);
        reach = g.op("Reshape", &[&pair, &next], vec![]);
    }
    let leaves = w
        .tensors
        .get("leaves")
        .ok_or_else(|| Error::Weights("the tree's weights have no leaves".into()))?;
    let log_distributions: Vec<f32> = leaves
        .values
        .chunks_exact(NUM_CLASSES)
        .flat_map(log_softmax)
        .collect();
    let table = g.init_f32("leaf_log_distributions", &leaves.shape, &log_distributions);
    Ok(g.op("MatMul", &[&reach, &table], vec![]))
}

fn log_softmax(row: &[f32]) -> Vec<f32> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = row.iter().map(|v| (v - max).exp()).sum::<f32>().ln() + max;
    row.iter().map(|v| v - log_sum).collect()
}

/// A graph being built: nodes get fresh output names, weights become initializers.
#[derive(Default)]
struct Graph {
    proto: GraphProto,
    next: usize,
}

impl Graph {
    /// The `pixels` input, normalised: `(pixels / 255 − mean) / std`.
    fn normalised_input(&mut self) -> String {
        let shape = [None, Some(1), Some(IMAGE_SIDE), Some(IMAGE_SIDE)];
        self.proto.input.push(value_info("pixels", &shape));
        let scale = self.init_f32("scale", &[], &[255.0]);
        let mean = self.init_f32("mean", &[], &[PIXEL_MEAN]);
        let std = self.init_f32("std", &[], &[PIXEL_STD]);
        let x = self.op("Div", &["pixels", &scale], vec![]);
        let x = self.op("Sub", &[&x, &mean], vec![]);
        self.op("Div", &[&x, &std], vec![])
    }

    /// `x · W + b` of the linear layer `name` (burn keeps W as [inputs, outputs]).
    fn dense(&mut self, w: &SafeTensors, name: &str, x: &str) -> Result<String> {
        let weight = self.weight(w, &format!("{name}.weight"))?;
        let bias = self.weight(w, &format!("{name}.bias"))?;
        let y = self.op("MatMul", &[x, &weight], vec![]);
        Ok(self.op("Add", &[&y, &bias], vec![]))
    }

    /// The student's tensor `name` as an initializer of the same name.
    fn weight(&mut self, w: &SafeTensors, name: &str) -> Result<String> {
        let t = w
            .tensors
            .get(name)
            .ok_or_else(|| Error::Weights(format!("the student's weights have no {name}")))?;
        Ok(self.init_f32(name, &t.shape, &t.values))
    }

    fn init_f32(&mut self, name: &str, dims: &[usize], values: &[f32]) -> String {
        let mut t = TensorProto::new();
        t.name = name.into();
        t.dims = dims.iter().map(|&d| d as i64).collect();
        t.data_type = DataType::FLOAT as i32;
        t.raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.proto.initializer.push(t);
        name.into()
    }

    fn init_i64(&mut self, name: &str, values: &[i64]) -> String {
        let mut t = TensorProto::new();
        t.name = name.into();
        t.dims = vec![values.len() as i64];
        t.data_type = DataType::INT64 as i32;
        t.int64_data = values.to_vec();
        self.proto.initializer.push(t);
        name.into()
    }

    /// Appends `op` on `inputs`; returns its output's name.
    fn op(&mut self, op: &str, inputs: &[&str], attributes: Vec<AttributeProto>) -> String {
        self.next += 1;
        let out = format!("{}_{}", op.to_lowercase(), self.next);
        self.proto.node.push(node(op, inputs, &out, attributes));
        out
    }
}

fn node(op: &str, inputs: &[&str], output: &str, attribute: Vec<AttributeProto>) -> NodeProto {
    let mut n = NodeProto::new();
    n.op_type = op.into();
    n.name = output.into();
    n.input = inputs.iter().map(|s| s.to_string()).collect();
    n.output = vec![output.into()];
    n.attribute = attribute;
    n
}

fn int(name: &str, value: i64) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = name.into();
    a.type_ = AttributeType::INT.into();
    a.i = value;
    a
}

fn ints(name: &str, values: &[i64]) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = name.into();
    a.type_ = AttributeType::INTS.into();
    a.ints = values.to_vec();
    a
}

/// A float32 tensor's name and shape (`None`: the batch, any size).
fn value_info(name: &str, dims: &[Option<usize>]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for d in dims {
        let mut dim = Dimension::new();
        dim.value = Some(match d {
            Some(n) => dimension::Value::DimValue(*n as i64),
            None => dimension::Value::DimParam("N".into()),
        });
        shape.dim.push(dim);
    }
    let mut tensor = TensorType::new();
    tensor.elem_type = DataType::FLOAT as i32;
    tensor.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.value = Some(TypeValue::TensorType(tensor));
    let mut info = ValueInfoProto::new();
    info.name = name.into();
    info.type_ = Some(ty).into();
    info
}
