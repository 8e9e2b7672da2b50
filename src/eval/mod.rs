//! Evaluation: accuracy, errors, per-class accuracy and the confusion matrix on a whole split
//! ([`Evaluation`]); time per image ([`latency`]); a model's whole line in a comparison
//! ([`report`]).

pub mod latency;
pub mod report;

pub use latency::{Latency, LatencyProfile, measure_latency};
pub use report::{Backend, ModelReport};

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Mnist, NUM_CLASSES};
use crate::error::{Error, Result};
use crate::model::Classifier;

/// Rows per forward pass when predicting a whole split. 256 as for labelling
/// (`run::LABEL_BATCH`): the teacher's 10,000 test logits took 1.47–1.55 s natively on one
/// thread in batches of 256 and 1.96–1.99 s in batches of 1,000, with the same values to the bit
/// (its convolution's scratch buffers outgrow the caches).
pub const EVAL_BATCH: usize = 256;

/// How a classifier did on a labeled split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Evaluation {
    /// Fraction right, 0 to 1.
    pub accuracy: f64,
    pub errors: usize,
    pub total: usize,
    /// Accuracy on the examples of each digit.
    pub per_class_accuracy: Vec<f64>,
    /// Examples of each digit classified wrong, and how many there are.
    pub per_class_errors: Vec<u32>,
    pub per_class_total: Vec<u32>,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<u32>>,
    /// How sure the model is: its mean top softmax probability (T = 1), 0 to 1.
    #[serde(default)]
    pub mean_confidence: f64,
    /// Expected calibration error over [`CALIBRATION_BINS`] equal-width confidence bins (Guo et
    /// al. 2017, "On Calibration of Modern Neural Networks", eq. 3): how far the confidence is
    /// from the accuracy, weighted by how many examples have it. 0 to 1.
    #[serde(default)]
    pub calibration_error: f64,
}

/// Confidence bins of the expected calibration error: Guo et al. 2017 used 15.
pub const CALIBRATION_BINS: usize = 15;

impl Evaluation {
    /// Scores `[n × 10]` logits against `n` labels.
    pub fn from_logits(logits: &[f32], labels: &[u8]) -> Self {
        let mut confusion = vec![vec![0u32; NUM_CLASSES]; NUM_CLASSES];
        // Per confidence bin: examples, sum of confidences, examples right.
        let mut bins = [(0usize, 0.0f64, 0usize); CALIBRATION_BINS];
        let mut confidence_sum = 0.0;
        for (row, &label) in logits.chunks_exact(NUM_CLASSES).zip(labels) {
            let predicted = argmax(row);
            confusion[label as usize][predicted] += 1;
            let confidence = top_probability(row);
            confidence_sum += confidence;
            let bin = &mut bins
                [((confidence * CALIBRATION_BINS as f64) as usize).min(CALIBRATION_BINS - 1)];
            bin.0 += 1;
            bin.1 += confidence;
            bin.2 += usize::from(predicted == label as usize);
        }
        let total = labels.len();
        let n = total.max(1) as f64;
        let calibration_error = bins
            .iter()
            .filter(|b| b.0 > 0)
            .map(|&(_, confidences, right)| (confidences - right as f64).abs() / n)
            .sum();
        let right: u32 = (0..NUM_CLASSES).map(|c| confusion[c][c]).sum();
        let per_class_accuracy = confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let n: u32 = row.iter().sum();
                if n == 0 {
                    0.0
                } else {
                    row[c] as f64 / n as f64
                }
            })
            .collect();
        let per_class_total: Vec<u32> = confusion.iter().map(|row| row.iter().sum()).collect();
        let per_class_errors = (0..NUM_CLASSES)
            .map(|c| per_class_total[c] - confusion[c][c])
            .collect();
        Self {
            per_class_errors,
            per_class_total,
            accuracy: if total == 0 {
                0.0
            } else {
                right as f64 / total as f64
            },
            errors: total - right as usize,
            total,
            per_class_accuracy,
            confusion,
            mean_confidence: confidence_sum / n,
            calibration_error,
        }
    }

    /// How many examples of `class` were classified right.
    pub fn class_right(&self, class: usize) -> u32 {
        self.confusion[class][class]
    }

    /// How many examples of `class` the split holds.
    pub fn class_total(&self, class: usize) -> u32 {
        self.confusion[class].iter().sum()
    }
}

/// The largest softmax probability of one row of logits.
fn top_probability(row: &[f32]) -> f64 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = row.iter().map(|&v| (v as f64 - max).exp()).sum();
    1.0 / sum
}

/// Index of the largest value (the first on ties).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Logits of `model` for the rows `indices` of `data`, read back to the host: `[n × 10]`.
pub async fn predict_logits(
    model: &impl Classifier,
    data: &Mnist,
    indices: &[u32],
    device: &Device,
) -> Result<Vec<f32>> {
    let mut out = Vec::with_capacity(indices.len() * NUM_CLASSES);
    for chunk in indices.chunks(EVAL_BATCH) {
        let logits = model.logits(data.images_tensor(chunk, device));
        out.extend(read_floats(logits).await?);
    }
    Ok(out)
}

/// Logits for every row of `data`.
pub async fn predict_all(
    model: &impl Classifier,
    data: &Mnist,
    device: &Device,
) -> Result<Vec<f32>> {
    let indices: Vec<u32> = (0..data.len() as u32).collect();
    predict_logits(model, data, &indices, device).await
}

/// Accuracy and friends of `model` on every example of `data`.
pub async fn evaluate(
    model: &impl Classifier,
    data: &Mnist,
    device: &Device,
) -> Result<Evaluation> {
    let logits = predict_all(model, data, device).await?;
    Ok(Evaluation::from_logits(&logits, data.labels()))
}

/// Reads a float tensor back to the host (asynchronously: synchronous reads panic on WebGPU).
pub async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| Error::Device(format!("reading a result back failed: {e:?}")))?;
    data.try_to_vec::<f32>()
        .map_err(|e| Error::Device(format!("unexpected result type: {e:?}")))
}

/// A model's logits over the whole test set, computed when first asked for and then kept: one
/// pass over 10,000 images takes minutes on SwiftShader, and the explorer asks again and again.
#[derive(Default)]
pub struct TestLogits(RefCell<Option<Rc<Vec<f32>>>>);

impl TestLogits {
    /// `model`'s test logits (row-major, 10 per image): the kept ones, or computed now. The cell
    /// is not borrowed across the await, so a second caller meanwhile computes them too rather
    /// than failing.
    pub async fn get(
        &self,
        model: &impl Classifier,
        test: &Mnist,
        device: &Device,
    ) -> Result<Rc<Vec<f32>>> {
        if let Some(logits) = self.0.borrow().clone() {
            return Ok(logits);
        }
        let logits = Rc::new(predict_all(model, test, device).await?);
        *self.0.borrow_mut() = Some(logits.clone());
        Ok(logits)
    }

    /// Whether the logits are kept (the next [`Self::get`] computes nothing).
    pub fn is_kept(&self) -> bool {
        self.0.borrow().is_some()
    }

    /// Keeps logits computed elsewhere (another worker's pass of the same model over the same
    /// `test` split); refused unless there are 10 per test image.
    pub fn keep(&self, logits: Vec<f32>, test: &Mnist) -> Result<()> {
        let expected = test.len() * crate::data::NUM_CLASSES;
        if logits.len() != expected {
            return Err(crate::error::Error::setting(
                "test logits",
                format!(
                    "{} values, but {expected} are needed: 10 for each of the {} test images",
                    logits.len(),
                    test.len()
                ),
            ));
        }
        *self.0.borrow_mut() = Some(Rc::new(logits));
        Ok(())
    }
}
