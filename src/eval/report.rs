//! One model's line in a comparison: accuracy on the whole test set, size as serialised, time per
//! image, and how many times faster than the teacher.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Mnist;
use crate::error::Result;
use crate::eval::latency::{LatencyProfile, latency_profile};
use crate::eval::{Evaluation, predict_all};
use crate::model::Classifier;

/// Where a model runs. Whoever creates the device names it; nothing guesses it from the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// burn's flex backend: natively with SIMD on every core, in the browser as wasm SIMD128.
    Cpu,
    /// burn-wgpu on the browser's WebGPU.
    #[serde(rename = "webgpu")]
    WebGpu,
    /// burn-wgpu natively (Vulkan, Metal, DX12).
    Gpu,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "CPU (flex)",
            Backend::WebGpu => "WebGPU",
            Backend::Gpu => "GPU (wgpu)",
        }
    }
}

/// One model's line in the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct ModelReport {
    pub architecture: String,
    /// Test-set accuracy, 0 to 1.
    pub accuracy: f64,
    pub errors: usize,
    pub params: usize,
    /// Size of the weights as serialised (safetensors, f32).
    pub bytes: usize,
    /// Time per image at the throughput batch (the profile's last); an upper bound when the
    /// clock could not resolve it (`ms_per_image_resolved` false).
    pub ms_per_image: f64,
    pub ms_per_image_resolved: bool,
    /// How many times faster than the teacher per image (the teacher's own is 1); absent when
    /// either time is only a bound.
    pub speedup: Option<f64>,
    /// How many times smaller than the teacher (its bytes over these).
    pub times_smaller: f64,
    /// The teacher's accuracy minus this one, 0 to 1 (negative when this one is better).
    pub accuracy_gap: f64,
    pub latency: LatencyProfile,
    pub evaluation: Evaluation,
    /// The time is its twin's: students of one shape do the same arithmetic, so the comparison
    /// times the shape once (two measurements would differ by noise alone).
    #[serde(default)]
    pub time_shared: bool,
}

impl ModelReport {
    /// Scores `model` on all of `test` (from `test_logits` when they are known already) and
    /// times it; `bytes` is its size as the caller serialised it.
    pub async fn measure(
        architecture: String,
        model: &impl Classifier,
        params: usize,
        bytes: usize,
        test: &Mnist,
        test_logits: Option<&[f32]>,
        device: &Device,
    ) -> Result<Self> {
        let evaluation = match test_logits {
            Some(logits) => Evaluation::from_logits(logits, test.labels()),
            None => {
                Evaluation::from_logits(&predict_all(model, test, device).await?, test.labels())
            }
        };
        let latency = latency_profile(model, test, device).await?;
        Ok(Self::new(architecture, params, bytes, evaluation, latency))
    }

    /// A line from what was measured (as its own reference: relative to itself).
    pub fn new(
        architecture: String,
        params: usize,
        bytes: usize,
        evaluation: Evaluation,
        latency: LatencyProfile,
    ) -> Self {
        let throughput = latency.last().expect("the profile has batch sizes");
        Self {
            architecture,
            accuracy: evaluation.accuracy,
            errors: evaluation.errors,
            params,
            bytes,
            ms_per_image: throughput.ms_per_image,
            ms_per_image_resolved: throughput.timing.resolved,
            speedup: Some(1.0),
            times_smaller: 1.0,
            accuracy_gap: 0.0,
            latency,
            evaluation,
            time_shared: false,
        }
    }

    /// Sets `speedup` relative to the teacher's time per image: only from two resolved times.
    pub fn relative_to(mut self, teacher: &ModelReport) -> Self {
        self.speedup = (self.ms_per_image_resolved
            && teacher.ms_per_image_resolved
            && self.ms_per_image > 0.0)
            .then(|| teacher.ms_per_image / self.ms_per_image);
        self.times_smaller = teacher.bytes as f64 / self.bytes.max(1) as f64;
        self.accuracy_gap = teacher.accuracy - self.accuracy;
        self
    }
}
