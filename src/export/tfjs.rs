//! A student as a TF.js layers model: `model.json` (the Keras-style topology TF.js's
//! `tf.loadLayersModel` reads, and a manifest of the weights) and one binary weights file, for
//! the kinds that map onto TF.js layers: the linear model, MLPs and CNNs. (A soft tree's most
//! probable path needs comparisons that no TF.js layer makes; its ONNX file serves instead.)
//!
//! The input is raw grey levels 0–255, as the ONNX file's, in TF.js's own channels-last layout
//! `[N, 28, 28, 1]`; a `Rescaling` layer does the page's normalisation. Format: TF.js's
//! `ModelArtifacts` as `tf.io` saves them (tfjs-layers, `models.ts`, and the converter's
//! documentation of `model.json`).

use serde_json::{Value, json};

use crate::data::{IMAGE_SIDE, NUM_CLASSES, PIXEL_MEAN, PIXEL_STD};
use crate::error::{Error, Result};
use crate::export::card::StudentCard;
use crate::model::StudentConfig;
use crate::weights::SafeTensors;

/// How the TF.js model reads an image.
pub const INPUT: &str = "pixels: float32 [N, 28, 28, 1] (channels last, as TF.js lays images \
    out), raw grey levels 0-255 (0 = background), normalised inside the model";

/// A TF.js layers model: the `model.json` text and the weights file it names.
pub struct TfjsModel {
    pub model_json: String,
    pub weights: Vec<u8>,
}

/// Whether a student of this architecture has a TF.js layers form.
pub fn supports(student: &StudentConfig) -> bool {
    !matches!(student, StudentConfig::Tree { .. })
}

/// The TF.js model of the student `card` describes, with its `weights` (the f32 safetensors as
/// exported); `weights_file` is the name `model.json` gives the weights, fetched from beside it.
pub fn to_tfjs(card: &StudentCard, weights: &SafeTensors, weights_file: &str) -> Result<TfjsModel> {
    let mut m = Builder::default();
    // (x/255 − mean)/std = x · 1/(255·std) − mean/std.
    m.layers.push(json!({
        "class_name": "Rescaling",
        "config": {
            "name": "normalise", "trainable": false, "dtype": "float32",
            "batch_input_shape": [null, IMAGE_SIDE, IMAGE_SIDE, 1],
            "scale": 1.0 / (255.0 * PIXEL_STD as f64), "offset": -(PIXEL_MEAN as f64) / PIXEL_STD as f64,
        }
    }));
    match &card.student {
        StudentConfig::Mlp { hidden } => {
            m.layer("Flatten", "flatten", json!({}));
            for i in 0..hidden.len() {
                m.dense(
                    weights,
                    &format!("hidden.{i}"),
                    &format!("hidden_{i}"),
                    "relu",
                    None,
                )?;
            }
            m.dense(weights, "output", "output", "linear", None)?;
        }
        StudentConfig::Cnn { channels } => {
            for (i, conv) in ["conv1", "conv2"].into_iter().enumerate() {
                m.conv(weights, conv)?;
                m.layer(
                    "MaxPooling2D",
                    &format!("pool{}", i + 1),
                    json!({"pool_size": [2, 2], "strides": [2, 2], "padding": "valid", "data_format": "channels_last"}),
                );
            }
            m.layer("Flatten", "flatten", json!({}));
            // TF.js flattens the pooled map as [h, w, c]; burn flattened it as [c, h, w].
            let order = channels_last_rows(channels[1], crate::model::student::cnn::FEATURE_SIDE);
            m.dense(weights, "output", "output", "linear", Some(&order))?;
        }
        StudentConfig::Tree { .. } => {
            return Err(Error::Weights(
                "a soft tree has no TF.js layers form (its most probable path compares scores); use its ONNX file".into(),
            ));
        }
    }
    let classes: Vec<String> = (0..NUM_CLASSES).map(|c| c.to_string()).collect();
    let model = json!({
        "format": "layers-model",
        "generatedBy": format!("webdistill {}", env!("CARGO_PKG_VERSION")),
        "convertedBy": null,
        "modelTopology": {
            "class_name": "Sequential",
            "config": { "name": card.student.file_stem().replace('-', "_"), "layers": m.layers },
            "keras_version": "tfjs-layers 4.22.0",
            "backend": "tensor_flow.js",
        },
        "weightsManifest": [{ "paths": [weights_file], "weights": m.manifest }],
        "userDefinedMetadata": {
            "classes": classes, "architecture": card.architecture, "role": card.role,
            "objective": card.objective, "taught_by": card.taught_by,
            "test_accuracy": card.test_accuracy, "test_errors": card.test_errors,
            "input": INPUT, "safetensors_sha256": card.sha256,
        },
    });
    Ok(TfjsModel {
        model_json: serde_json::to_string_pretty(&model)
            .map_err(|e| Error::Weights(format!("model.json could not be written: {e}")))?,
        weights: m.data,
    })
}

/// For each row of a channels-last flattening of a `[channels, side, side]` map, the row of the
/// channels-first one that holds the same feature.
fn channels_last_rows(channels: usize, side: usize) -> Vec<usize> {
    let mut rows = Vec::with_capacity(channels * side * side);
    for y in 0..side {
        for x in 0..side {
            for c in 0..channels {
                rows.push(c * side * side + y * side + x);
            }
        }
    }
    rows
}

/// Layers, the weights' manifest and their bytes, built in order.
#[derive(Default)]
struct Builder {
    layers: Vec<Value>,
    manifest: Vec<Value>,
    data: Vec<u8>,
}

impl Builder {
    fn layer(&mut self, class: &str, name: &str, mut config: Value) {
        config["name"] = json!(name);
        config["trainable"] = json!(false);
        config["dtype"] = json!("float32");
        self.layers
            .push(json!({ "class_name": class, "config": config }));
    }

    /// A weight of the layer `layer` (`kernel`, `bias`), appended to the weights file.
    fn weight(&mut self, layer: &str, which: &str, shape: &[usize], values: &[f32]) {
        self.manifest.push(
            json!({ "name": format!("{layer}/{which}"), "shape": shape, "dtype": "float32" }),
        );
        self.data
            .extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }

    /// The dense layer of burn's linear layer `name` (its weight is `[inputs, outputs]`, as a
    /// TF.js kernel), its rows reordered by `rows` where the input's order differs.
    fn dense(
        &mut self,
        w: &SafeTensors,
        name: &str,
        layer: &str,
        activation: &str,
        rows: Option<&[usize]>,
    ) -> Result<()> {
        let (shape, kernel) = tensor(w, &format!("{name}.weight"))?;
        let (_, bias) = tensor(w, &format!("{name}.bias"))?;
        let [inputs, outputs] = [shape[0], shape[1]];
        let kernel: Vec<f32> = match rows {
            Some(rows) if rows.len() == inputs => rows
                .iter()
                .flat_map(|&r| kernel[r * outputs..(r + 1) * outputs].iter().copied())
                .collect(),
            Some(rows) => {
                return Err(Error::Weights(format!(
                    "{name}: {inputs} inputs, but the features are {}",
                    rows.len()
                )));
            }
            None => kernel.to_vec(),
        };
        self.layer(
            "Dense",
            layer,
            json!({"units": outputs, "activation": activation, "use_bias": true}),
        );
        self.weight(layer, "kernel", &[inputs, outputs], &kernel);
        self.weight(layer, "bias", &[outputs], bias);
        Ok(())
    }

    /// The convolution `name` (burn: `[out, in, kh, kw]`; TF.js: `[kh, kw, in, out]`), valid
    /// padding and stride 1, with its ReLU.
    fn conv(&mut self, w: &SafeTensors, name: &str) -> Result<()> {
        let (shape, kernel) = tensor(w, &format!("{name}.weight"))?;
        let (_, bias) = tensor(w, &format!("{name}.bias"))?;
        let [out, inp, kh, kw] = [shape[0], shape[1], shape[2], shape[3]];
        let mut hwio = vec![0.0; kernel.len()];
        for o in 0..out {
            for i in 0..inp {
                for y in 0..kh {
                    for x in 0..kw {
                        hwio[((y * kw + x) * inp + i) * out + o] =
                            kernel[((o * inp + i) * kh + y) * kw + x];
                    }
                }
            }
        }
        self.layer(
            "Conv2D",
            name,
            json!({"filters": out, "kernel_size": [kh, kw], "strides": [1, 1], "padding": "valid",
                   "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": true}),
        );
        self.weight(name, "kernel", &[kh, kw, inp, out], &hwio);
        self.weight(name, "bias", &[out], bias);
        Ok(())
    }
}

fn tensor<'a>(w: &'a SafeTensors, name: &str) -> Result<(&'a [usize], &'a [f32])> {
    let t = w
        .tensors
        .get(name)
        .ok_or_else(|| Error::Weights(format!("the student's weights have no {name}")))?;
    Ok((&t.shape, &t.values))
}
