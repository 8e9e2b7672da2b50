//! Weights as safetensors (huggingface.co/docs/safetensors), the format every framework reads:
//! an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
//! byte range, then the raw little-endian data.
//!
//! We write it ourselves rather than through burn-store because saving must read the weights back
//! asynchronously (synchronous reads panic on WebGPU), and the format is a page long. Tensor names
//! are module paths (`hidden.0.weight`); linear weights are stored as burn keeps them,
//! `[inputs, outputs]` (y = x·W + b), the transpose of PyTorch's layout.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::eval::read_floats;

/// A header larger than this is refused (ours are a few hundred bytes; a hostile file must not
/// make us parse gigabytes of JSON).
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// Serialises every float parameter of `module` as F32 safetensors, with `metadata` in the
/// header's `__metadata__`.
pub async fn to_safetensors<M: Module>(
    module: &M,
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    let mut collector = Collector::default();
    module.visit(&mut collector);
    let mut entries = Vec::with_capacity(collector.tensors.len());
    for (name, shape, tensor) in collector.tensors {
        let values = read_floats(tensor).await?;
        entries.push(RawTensor::f32(name, shape, &values));
    }
    write_safetensors(&entries, metadata)
}

/// One tensor to write: its dtype as safetensors names it (`F32`, `F16`, `I8`) and its
/// little-endian bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTensor {
    pub name: String,
    pub dtype: &'static str,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

impl RawTensor {
    pub fn f32(name: String, shape: Vec<usize>, values: &[f32]) -> Self {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Self {
            name,
            dtype: "F32",
            shape,
            bytes,
        }
    }
}

/// Writes `tensors` (in the order given) as a safetensors file.
pub fn write_safetensors(
    tensors: &[RawTensor],
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    let mut header = Map::new();
    if !metadata.is_empty() {
        header.insert("__metadata__".into(), json!(metadata));
    }
    let mut offset = 0;
    for t in tensors {
        let end = offset + t.bytes.len();
        header.insert(
            t.name.clone(),
            json!({ "dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, end] }),
        );
        offset = end;
    }
    let mut header = serde_json::to_vec(&Value::Object(header))
        .map_err(|e| Error::Weights(format!("cannot encode the header: {e}")))?;
    // The spec lets the header be padded with spaces; 8-byte alignment lets readers map the
    // data as f32 in place.
    while header.len() % 8 != 0 {
        header.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    for t in tensors {
        out.extend_from_slice(&t.bytes);
    }
    Ok(out)
}

/// One tensor of a parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// A parsed safetensors file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SafeTensors {
    pub tensors: BTreeMap<String, StoredTensor>,
    pub metadata: BTreeMap<String, String>,
}

impl SafeTensors {
    /// Parses and validates a file: header length, JSON, dtypes, shapes and byte ranges.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let bad = |msg: String| Error::Weights(msg);
        if bytes.len() < 8 {
            return Err(bad(format!(
                "{} bytes is too short for a safetensors file",
                bytes.len()
            )));
        }
        let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        if header_len > MAX_HEADER_BYTES || header_len > (bytes.len() - 8) as u64 {
            return Err(bad(format!(
                "not a safetensors file (its header claims {header_len} bytes of a {}-byte file)",
                bytes.len()
            )));
        }
        let data = &bytes[8 + header_len as usize..];
        let header: Map<String, Value> = serde_json::from_slice(&bytes[8..8 + header_len as usize])
            .map_err(|e| bad(format!("the header is not valid JSON ({e})")))?;
        let mut parsed = Self::default();
        for (name, entry) in header {
            if name == "__metadata__" {
                let map: BTreeMap<String, String> = serde_json::from_value(entry)
                    .map_err(|e| bad(format!("__metadata__ is not a map of strings ({e})")))?;
                parsed.metadata = map;
                continue;
            }
            let tensor = parse_entry(&name, &entry, data)?;
            parsed.tensors.insert(name, tensor);
        }
        Ok(parsed)
    }
}

impl SafeTensors {
    /// Writes these tensors back as an F32 file (with their metadata).
    pub fn to_f32_file(&self) -> Result<Vec<u8>> {
        let raw: Vec<RawTensor> = (self.tensors.iter())
            .map(|(name, t)| RawTensor::f32(name.clone(), t.shape.clone(), &t.values))
            .collect();
        write_safetensors(&raw, &self.metadata)
    }
}

fn parse_entry(name: &str, entry: &Value, data: &[u8]) -> Result<StoredTensor> {
    let bad = |what: &str| Error::Weights(format!("tensor {name}: {what}"));
    let dtype = entry["dtype"].as_str().ok_or_else(|| bad("no dtype"))?;
    if dtype != "F32" {
        return Err(bad(&format!("dtype {dtype}; only F32 is supported")));
    }
    let shape: Vec<usize> = serde_json::from_value(entry["shape"].clone())
        .map_err(|_| bad("the shape is not a list of sizes"))?;
    let [begin, end]: [usize; 2] = serde_json::from_value(entry["data_offsets"].clone())
        .map_err(|_| bad("data_offsets is not a pair of offsets"))?;
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad("its shape is impossibly large"))?;
    if begin > end || end > data.len() || end - begin != count.saturating_mul(4) {
        return Err(bad(&format!(
            "bytes {begin}..{end} do not hold {count} f32 values within the {} bytes of data",
            data.len()
        )));
    }
    let values = data[begin..end]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok(StoredTensor { shape, values })
}

/// Loads `bytes` into `module`: every parameter must be present with the shape the architecture
/// gives it, and the file must hold nothing else.
pub fn load_safetensors<M: Module>(module: M, bytes: &[u8]) -> Result<M> {
    let file = SafeTensors::parse(bytes)?;
    let mut shapes = ShapeCollector::default();
    module.visit(&mut shapes);
    for (name, expected) in &shapes.shapes {
        match file.tensors.get(name) {
            None => {
                return Err(Error::Weights(format!(
                    "it has no tensor {name}; it was not made for this architecture"
                )));
            }
            Some(t) if &t.shape != expected => {
                return Err(Error::Weights(format!(
                    "tensor {name} has shape {:?}, the architecture needs {expected:?}",
                    t.shape
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = file
        .tensors
        .keys()
        .find(|k| !shapes.shapes.contains_key(*k))
    {
        return Err(Error::Weights(format!(
            "it holds a tensor {extra} that this architecture does not have"
        )));
    }
    let mut loader = Loader {
        path: Vec::new(),
        file,
    };
    Ok(module.map(&mut loader))
}

// The three walkers below track the module path (`hidden.0.weight`): burn calls enter_module
// for every field, the parameter's own name included.

#[derive(Default)]
struct Collector {
    path: Vec<String>,
    tensors: Vec<(String, Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, _container: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let flat = tensor.reshape([shape.iter().product::<usize>()]);
        self.tensors.push((self.path.join("."), shape, flat));
    }
}

#[derive(Default)]
struct ShapeCollector {
    path: Vec<String>,
    shapes: BTreeMap<String, Vec<usize>>,
}

impl ModuleVisitor for ShapeCollector {
    fn enter_module(&mut self, name: &str, _container: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.shapes
            .insert(self.path.join("."), param.lazy_shape().to_vec());
    }
}

struct Loader {
    path: Vec<String>,
    file: SafeTensors,
}

impl ModuleMapper for Loader {
    fn enter_module(&mut self, name: &str, _container: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        // Presence and shape were checked before mapping.
        let stored = self
            .file
            .tensors
            .remove(&self.path.join("."))
            .expect("checked before mapping");
        let device = param.lazy_device();
        let id = param.id;
        let tensor = Tensor::from_data(TensorData::new(stored.values, stored.shape), &device);
        param.transform_for_load(tensor, id)
    }
}
