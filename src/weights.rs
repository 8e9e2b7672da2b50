//! Weights as safetensors (huggingface.co/docs/safetensors), the format every framework reads,
//! through the `safetensors` crate (the format's own implementation: header, offsets and dtypes
//! validated there).
//!
//! Saving reads the weights back asynchronously first (synchronous reads panic on WebGPU), which
//! is why this goes through the crate's byte-level API rather than burn-store's recorders. Tensor
//! names are module paths (`hidden.0.weight`); linear weights are stored as burn keeps them,
//! `[inputs, outputs]` (y = x·W + b), the transpose of PyTorch's layout. Files hold F32 or F16
//! values (the bundled teacher ships as F16); both load into f32 parameters.

use std::collections::{BTreeMap, HashMap};

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;
pub use safetensors::Dtype;
use safetensors::tensor::TensorView;

use crate::error::{Error, Result};
use crate::eval::read_floats;

/// Every float parameter of `module`, read back to the host (asynchronously: synchronous reads
/// panic on WebGPU). Read a trained model once and make every file of it from this copy.
pub async fn read_weights<M: Module>(module: &M) -> Result<SafeTensors> {
    let mut collector = Collector::default();
    module.visit(&mut collector);
    let mut weights = SafeTensors::default();
    for (name, shape, tensor) in collector.tensors {
        let values = read_floats(tensor).await?;
        let tensor = StoredTensor {
            shape,
            dtype: Dtype::F32,
            values,
        };
        weights.tensors.insert(name, tensor);
    }
    Ok(weights)
}

/// Serialises every float parameter of `module` as F32 safetensors, with `metadata` in the
/// header's `__metadata__`.
pub async fn to_safetensors<M: Module>(
    module: &M,
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    to_safetensors_as(module, metadata, Dtype::F32).await
}

/// [`to_safetensors`] storing every tensor as `dtype`: F32, or F16 (half the bytes; each value
/// rounded to the nearest f16).
pub async fn to_safetensors_as<M: Module>(
    module: &M,
    metadata: &BTreeMap<String, String>,
    dtype: Dtype,
) -> Result<Vec<u8>> {
    let weights = SafeTensors {
        metadata: metadata.clone(),
        ..read_weights(module).await?
    };
    weights.to_file(dtype)
}

/// One tensor to write: its dtype and its little-endian bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTensor {
    pub name: String,
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

impl RawTensor {
    pub fn f32(name: String, shape: Vec<usize>, values: &[f32]) -> Self {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Self {
            name,
            dtype: Dtype::F32,
            shape,
            bytes,
        }
    }

    /// `values` rounded to the nearest f16.
    pub fn f16(name: String, shape: Vec<usize>, values: &[f32]) -> Self {
        let bytes = values
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect();
        Self {
            name,
            dtype: Dtype::F16,
            shape,
            bytes,
        }
    }
}

/// Writes `tensors` as a safetensors file (the crate orders them by alignment, then name, and
/// pads the header so the data is 8-byte aligned).
pub fn write_safetensors(
    tensors: &[RawTensor],
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    let views = tensors
        .iter()
        .map(|t| {
            let view = TensorView::new(t.dtype, t.shape.clone(), &t.bytes)
                .map_err(|e| Error::Weights(format!("tensor {}: {e}", t.name)))?;
            Ok((t.name.as_str(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata: Option<HashMap<String, String>> =
        (!metadata.is_empty()).then(|| metadata.clone().into_iter().collect());
    safetensors::serialize(views, metadata)
        .map_err(|e| Error::Weights(format!("cannot write the file: {e}")))
}

/// One tensor of a parsed file, as f32 values.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTensor {
    pub shape: Vec<usize>,
    /// The dtype it was stored as.
    pub dtype: Dtype,
    pub values: Vec<f32>,
}

/// A parsed safetensors file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SafeTensors {
    pub tensors: BTreeMap<String, StoredTensor>,
    pub metadata: BTreeMap<String, String>,
}

impl SafeTensors {
    /// Parses and validates a file (the crate checks the header, dtypes, shapes and byte
    /// ranges) and widens every tensor to f32. F32 and F16 tensors are accepted.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let bad = |e: safetensors::SafeTensorError| {
            Error::Weights(format!("not a valid safetensors file ({e})"))
        };
        let file = safetensors::SafeTensors::deserialize(bytes).map_err(bad)?;
        let (_, header) = safetensors::SafeTensors::read_metadata(bytes).map_err(bad)?;
        let mut parsed = Self {
            metadata: header
                .metadata()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            ..Self::default()
        };
        for (name, view) in file.tensors() {
            let data = view.data();
            let values = match view.dtype() {
                Dtype::F32 => data
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                Dtype::F16 => data
                    .chunks_exact(2)
                    .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
                other => {
                    return Err(Error::Weights(format!(
                        "tensor {name}: dtype {other:?}; only F32 and F16 are supported"
                    )));
                }
            };
            let tensor = StoredTensor {
                shape: view.shape().to_vec(),
                dtype: view.dtype(),
                values,
            };
            parsed.tensors.insert(name, tensor);
        }
        Ok(parsed)
    }

    /// Writes these tensors back as an F32 file (with their metadata).
    pub fn to_f32_file(&self) -> Result<Vec<u8>> {
        self.to_file(Dtype::F32)
    }

    /// Writes every tensor as `dtype` (F32 or F16), with the metadata.
    pub fn to_file(&self, dtype: Dtype) -> Result<Vec<u8>> {
        let raw = (self.tensors.iter())
            .map(|(name, t)| match dtype {
                Dtype::F32 => Ok(RawTensor::f32(name.clone(), t.shape.clone(), &t.values)),
                Dtype::F16 => Ok(RawTensor::f16(name.clone(), t.shape.clone(), &t.values)),
                other => Err(Error::Weights(format!(
                    "cannot store weights as {other:?}; use F32 or F16"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        write_safetensors(&raw, &self.metadata)
    }
}

/// Every float parameter's name (module path) and shape.
pub fn parameter_shapes<M: Module>(module: &M) -> BTreeMap<String, Vec<usize>> {
    let mut shapes = ShapeCollector::default();
    module.visit(&mut shapes);
    shapes.shapes
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
// for every field, the parameter's own name included, and for the variant of an enum module
// (`Mlp` of `Student`), which adds nothing to the name: a file names what the kind holds.

/// The path segment `enter_module` adds: the field's name, nothing for an enum's variant.
fn segment(name: &str, container: &str) -> String {
    match container.starts_with("Enum:") {
        true => String::new(),
        false => name.to_string(),
    }
}

/// The tensor's name: the non-empty segments joined with dots.
fn joined(path: &[String]) -> String {
    path.iter()
        .filter(|s| !s.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(".")
}

#[derive(Default)]
struct Collector {
    path: Vec<String>,
    tensors: Vec<(String, Vec<usize>, Tensor<1>)>,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, container: &str) {
        self.path.push(segment(name, container));
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        let flat = tensor.reshape([shape.iter().product::<usize>()]);
        self.tensors.push((joined(&self.path), shape, flat));
    }
}

#[derive(Default)]
struct ShapeCollector {
    path: Vec<String>,
    shapes: BTreeMap<String, Vec<usize>>,
}

impl ModuleVisitor for ShapeCollector {
    fn enter_module(&mut self, name: &str, container: &str) {
        self.path.push(segment(name, container));
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.shapes
            .insert(joined(&self.path), param.lazy_shape().to_vec());
    }
}

struct Loader {
    path: Vec<String>,
    file: SafeTensors,
}

impl ModuleMapper for Loader {
    fn enter_module(&mut self, name: &str, container: &str) {
        self.path.push(segment(name, container));
    }
    fn exit_module(&mut self, _name: &str, _container: &str) {
        self.path.pop();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        // Presence and shape were checked before mapping.
        let stored = self
            .file
            .tensors
            .remove(&joined(&self.path))
            .expect("checked before mapping");
        let device = param.lazy_device();
        let id = param.id;
        let tensor = Tensor::from_data(TensorData::new(stored.values, stored.shape), &device);
        param.transform_for_load(tensor, id)
    }
}
