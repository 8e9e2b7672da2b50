//! Throughput of the training step, the same code on every backend: what `webdistill bench`
//! (natively) and the browser benchmark (through `src/web.rs`) measure.

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::data::{Mnist, NUM_CLASSES, TrainingSet, TransferConfig, TransferSet};
use crate::error::Result;
use crate::eval::latency::{LatencyProfile, latency_profile};
use crate::model::{StudentConfig, StudentKind};
use crate::run::{LABEL_BATCH, Lab, teacher_outputs};
use crate::settings::DistillSettings;
use crate::train::Trainer;

/// One training-throughput measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TrainingBenchSpec {
    /// An MLP student's hidden layers (ignored for a CNN).
    #[serde(default)]
    pub hidden: Vec<usize>,
    /// A CNN student's two convolutions' channels (`src/model/student/cnn.rs`); empty (or left
    /// out) for an MLP.
    #[serde(default)]
    pub channels: Vec<usize>,
    pub batch_size: usize,
    /// Steps whose losses are read one by one (to compare with a peer), untimed.
    pub checked_steps: usize,
    /// Further untimed steps (kernel compilation, allocator warm-up).
    pub warmup: usize,
    /// Timed steps; the loss is read back once, after the last.
    pub steps: usize,
    pub seed: u64,
    /// The loss and step size: the page's defaults unless given.
    #[serde(default = "default_temperature")]
    pub temperature: f32,
    #[serde(default = "default_alpha")]
    pub alpha: f32,
    #[serde(default = "default_learning_rate")]
    pub learning_rate: f64,
}

impl TrainingBenchSpec {
    /// A spec with every field but the loss and step size to be filled in (`..page_defaults()`).
    pub fn page_defaults() -> Self {
        Self {
            hidden: Vec::new(),
            channels: Vec::new(),
            batch_size: 0,
            checked_steps: 0,
            warmup: 0,
            steps: 0,
            seed: 0,
            temperature: default_temperature(),
            alpha: default_alpha(),
            learning_rate: default_learning_rate(),
        }
    }
}

fn default_temperature() -> f32 {
    DistillSettings::default().temperature
}

fn default_alpha() -> f32 {
    DistillSettings::default().alpha
}

fn default_learning_rate() -> f64 {
    DistillSettings::default().learning_rate
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TrainingBench {
    pub spec: TrainingBenchSpec,
    pub backend: String,
    pub ms_per_step: f64,
    pub examples_per_s: f64,
    /// The loss of each of the first `checked_steps` steps, from the initial weights.
    pub first_losses: Vec<f32>,
    /// Mean loss over the timed steps.
    pub final_loss: f32,
    /// The student's initial weights (safetensors) and the transfer-set rows of the batches, in
    /// order, with the teacher's logits for them: what a peer needs to replay the same steps.
    #[serde(skip)]
    pub replay: Replay,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Replay {
    pub initial_weights: Vec<u8>,
    pub rows: Vec<u32>,
    pub teacher_logits: Vec<f32>,
}

/// Hinton KD (the spec's T, α and step size) on an all-labeled transfer set drawn from the
/// loaded images, batches in order: `checked_steps` steps read one at a time, `warmup` more,
/// then `steps` timed.
pub async fn training_throughput(lab: &Lab, spec: &TrainingBenchSpec) -> Result<TrainingBench> {
    let total = spec.checked_steps + spec.warmup + spec.steps;
    let size = total * spec.batch_size;
    // One pass over the loaded images: past its end the trainer has no batches left, and the
    // steps it did not run would still divide the time (a too-fast, false number).
    if spec.steps == 0 || size > lab.train.len() {
        return Err(crate::error::Error::setting(
            "benchmark",
            format!(
                "{total} steps of {} need {size} training images and at least one timed step; {} are loaded",
                spec.batch_size,
                lab.train.len()
            ),
        ));
    }
    let student = match spec.channels.is_empty() {
        true => StudentKind::Mlp,
        false => StudentKind::Cnn,
    };
    let settings = DistillSettings {
        student,
        hidden: spec.hidden.clone(),
        channels: spec.channels.clone(),
        assistant: Vec::new(),
        loss: crate::settings::Loss::Hinton,
        temperature: spec.temperature,
        alpha: spec.alpha,
        epochs: 1,
        batch_size: spec.batch_size,
        learning_rate: spec.learning_rate,
        seed: spec.seed,
        ..DistillSettings::default()
    };
    settings.validate()?;
    let transfer = TransferSet::select(&lab.train, &TransferConfig::all_labeled(size, spec.seed))?;
    let (logits, _) = teacher_outputs(lab, &lab.train, &transfer.indices, false).await?;
    let logits = std::sync::Arc::new(logits);
    let set = TrainingSet::distillation(lab.train.clone(), &transfer, logits.clone())?;
    let config = settings.distilled_config();
    let steps = config.steps_for(transfer.len());
    let mut trainer = Trainer::new(config, set, steps, &lab.device)?.in_order();
    let initial_weights = trainer.weights().await?;
    let mut first_losses = Vec::with_capacity(spec.checked_steps);
    for _ in 0..spec.checked_steps {
        first_losses.extend(trainer.advance(1).await?.loss);
    }
    trainer.advance(spec.warmup).await?;
    let start = Instant::now();
    let done = trainer.advance(spec.steps).await?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(TrainingBench {
        spec: spec.clone(),
        backend: lab.backend.name().to_string(),
        ms_per_step: seconds * 1000.0 / spec.steps as f64,
        examples_per_s: (spec.steps * spec.batch_size) as f64 / seconds,
        first_losses,
        final_loss: done.loss.unwrap_or(f32::NAN),
        replay: Replay {
            initial_weights,
            rows: transfer.indices[..size].to_vec(),
            teacher_logits: logits[..size * NUM_CLASSES].to_vec(),
        },
    })
}

/// The teacher labelling images, as a run labels its transfer set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct LabellingBench {
    pub images: usize,
    /// Images per forward pass ([`LABEL_BATCH`]).
    pub batch: usize,
    pub seconds: f64,
    pub images_per_s: f64,
    pub backend: String,
}

/// The teacher labelling the first `images` test images in batches of [`LABEL_BATCH`], logits
/// read back (after one untimed pass: kernels compiled, weights resident): what a run's
/// labelling phase does.
pub async fn labelling_throughput(lab: &Lab, images: usize) -> Result<LabellingBench> {
    let images = images.min(lab.test.len()).max(1);
    let rows: Vec<u32> = (0..images as u32).collect();
    let label = || teacher_outputs(lab, &lab.test, &rows, false);
    label().await?;
    let start = Instant::now();
    label().await?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(LabellingBench {
        images,
        batch: LABEL_BATCH,
        seconds,
        images_per_s: images as f64 / seconds,
        backend: lab.backend.name().to_string(),
    })
}

/// Latency of a freshly initialised student (seed 1): inference time does not depend on what
/// the weights learned.
pub async fn fresh_student_latency(
    config: &StudentConfig,
    test: &Mnist,
    device: &burn::prelude::Device,
) -> Result<LatencyProfile> {
    let student = crate::model::seeded(device, 1, || config.init(device));
    latency_profile(&student, test, device).await
}
