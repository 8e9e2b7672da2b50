//! The distilled student at lower precision, for what would ship to a phone: each weight matrix
//! and convolution kernel stored as f16, or as int8 with one scale per output unit or channel (symmetric, per-channel: the scheme
//! of Jacob et al. 2018 and TFLite's weight quantisation); biases stay f32 (a few hundred
//! numbers). Sizes are the safetensors files' bytes; accuracy is measured on the weights as they
//! come back (dequantised), so it shows exactly what the rounding cost.

use std::collections::BTreeMap;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Mnist;
use crate::error::Result;
use crate::eval::evaluate;
use crate::model::{Student, StudentConfig};
use crate::weights::{
    Dtype, RawTensor, SafeTensors, StoredTensor, load_safetensors, write_safetensors,
};

/// How the weight matrices are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    F32,
    F16,
    Int8,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F16 => "f16",
            Precision::Int8 => "int8 (per-channel)",
        }
    }
}

/// A matrix `[inputs, outputs]` as int8 with one f32 scale per output column:
/// `w[i][j] ≈ values[i·outputs + j] · scales[j]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Int8Matrix {
    pub values: Vec<i8>,
    pub scales: Vec<f32>,
    pub outputs: usize,
}

impl Int8Matrix {
    /// Symmetric per-column quantisation: `scale = max|w| / 127`, `q = round(w / scale)`; each
    /// weight comes back within `scale / 2` of where it was.
    pub fn quantize(weights: &[f32], outputs: usize) -> Self {
        let mut scales = vec![0.0f32; outputs];
        for row in weights.chunks_exact(outputs) {
            for (s, &w) in scales.iter_mut().zip(row) {
                *s = s.max(w.abs());
            }
        }
        for s in &mut scales {
            // An all-zero column: any scale reproduces it; 1 avoids dividing by zero.
            *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
        }
        let values = weights
            .chunks_exact(outputs)
            .flat_map(|row| {
                row.iter()
                    .zip(&scales)
                    .map(|(&w, &s)| (w / s).round().clamp(-127.0, 127.0) as i8)
            })
            .collect();
        Self {
            values,
            scales,
            outputs,
        }
    }

    pub fn dequantize(&self) -> Vec<f32> {
        self.values
            .chunks_exact(self.outputs)
            .flat_map(|row| row.iter().zip(&self.scales).map(|(&q, &s)| q as f32 * s))
            .collect()
    }
}

/// The row-major `[rows, cols]` matrix `values` as `[cols, rows]`.
fn transpose<T: Copy>(values: &[T], rows: usize, cols: usize) -> Vec<T> {
    (0..cols)
        .flat_map(|c| (0..rows).map(move |r| values[r * cols + c]))
        .collect()
}

/// `values` rounded to the nearest f16 and back.
pub fn f16_round_trip(values: &[f32]) -> Vec<f32> {
    values
        .iter()
        .map(|&v| half::f16::from_f32(v).to_f32())
        .collect()
}

/// The student's tensors stored at `precision`: the file that would ship, and the f32 values the
/// device would compute with after loading it.
pub fn quantize_tensors(
    tensors: &BTreeMap<String, StoredTensor>,
    precision: Precision,
    metadata: &BTreeMap<String, String>,
) -> Result<(Vec<u8>, SafeTensors)> {
    let mut raw = Vec::new();
    let mut restored = SafeTensors::default();
    for (name, t) in tensors {
        // Weight matrices and convolution kernels are quantised; biases (1-D) stay f32.
        let (stored, values) = match (precision, t.shape.as_slice()) {
            (Precision::F16, [_, _] | [_, _, _, _]) => {
                let tensor = RawTensor::f16(name.clone(), t.shape.clone(), &t.values);
                (vec![tensor], f16_round_trip(&t.values))
            }
            (Precision::Int8, &[_, outputs]) => {
                let q = Int8Matrix::quantize(&t.values, outputs);
                let values = q.dequantize();
                let tensor = RawTensor {
                    name: name.clone(),
                    dtype: Dtype::I8,
                    shape: t.shape.clone(),
                    bytes: q.values.iter().map(|&v| v as u8).collect(),
                };
                let scales = RawTensor::f32(format!("{name}_scale"), vec![outputs], &q.scales);
                (vec![tensor, scales], values)
            }
            (Precision::Int8, &[outputs, _, _, _]) => {
                // A kernel [out, in, k, k]: one scale per output channel, as for a matrix's
                // column: quantised as the [in·k·k, out] matrix, stored in its own layout.
                let rest = t.values.len() / outputs;
                let q = Int8Matrix::quantize(&transpose(&t.values, outputs, rest), outputs);
                let values = transpose(&q.dequantize(), rest, outputs);
                let tensor = RawTensor {
                    name: name.clone(),
                    dtype: Dtype::I8,
                    shape: t.shape.clone(),
                    bytes: transpose(&q.values, rest, outputs)
                        .iter()
                        .map(|&v| v as u8)
                        .collect(),
                };
                let scales = RawTensor::f32(format!("{name}_scale"), vec![outputs], &q.scales);
                (vec![tensor, scales], values)
            }
            _ => (
                vec![RawTensor::f32(name.clone(), t.shape.clone(), &t.values)],
                t.values.clone(),
            ),
        };
        raw.extend(stored);
        restored.tensors.insert(
            name.clone(),
            StoredTensor {
                shape: t.shape.clone(),
                dtype: Dtype::F32,
                values,
            },
        );
    }
    let mut metadata = metadata.clone();
    // The f32 file is the plain one (the size the comparison reports); the others say what
    // they are.
    if precision != Precision::F32 {
        metadata.insert("precision".into(), precision.name().into());
    }
    Ok((write_safetensors(&raw, &metadata)?, restored))
}

/// The student at one precision, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct QuantizedReport {
    pub precision: Precision,
    /// Size of the safetensors file at this precision.
    pub bytes: usize,
    /// Test-set accuracy of the weights as stored, 0 to 1.
    pub accuracy: f64,
    pub errors: usize,
    /// The largest change of any weight from its f32 value.
    pub max_weight_error: f32,
}

/// The student at f32 (as trained: `f32_evaluation` is its score, nothing is re-run), f16 and
/// int8: each stored, loaded back and evaluated on `test`. `weights` is the student's one host
/// copy (see [`crate::weights::read_weights`]).
pub async fn quantized_reports(
    weights: &SafeTensors,
    f32_evaluation: &crate::eval::Evaluation,
    config: &StudentConfig,
    test: &Mnist,
    device: &Device,
) -> Result<Vec<QuantizedReport>> {
    let plain = BTreeMap::new();
    let mut reports = Vec::new();
    for precision in [Precision::F32, Precision::F16, Precision::Int8] {
        let (file, restored) = quantize_tensors(&weights.tensors, precision, &plain)?;
        let max_weight_error = weights
            .tensors
            .iter()
            .flat_map(|(name, t)| {
                let back = &restored.tensors[name].values;
                t.values.iter().zip(back).map(|(a, b)| (a - b).abs())
            })
            .fold(0.0f32, f32::max);
        let evaluation = match precision {
            Precision::F32 => f32_evaluation.clone(),
            _ => {
                let model: Student =
                    load_safetensors(config.init(device), &restored.to_f32_file()?)?;
                evaluate(&model, test, device).await?
            }
        };
        reports.push(QuantizedReport {
            precision,
            bytes: file.len(),
            accuracy: evaluation.accuracy,
            errors: evaluation.errors,
            max_weight_error,
        });
    }
    Ok(reports)
}
