//! Throughput of the training step, the same code on every backend: what `webdistill bench`
//! (natively) and the browser benchmark (through `src/web.rs`) measure.

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::data::Mnist;
use crate::data::{NUM_CLASSES, TransferConfig};
use crate::distill::Objective;
use crate::error::Result;
use crate::eval::Latency;
use crate::experiment::{DistillSettings, Lab, latency_profile};
use crate::model::StudentConfig;

/// One training-throughput measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingBenchSpec {
    pub hidden: Vec<usize>,
    pub batch_size: usize,
    /// Steps whose losses are read one by one (to compare with a peer), untimed.
    pub checked_steps: usize,
    /// Further untimed steps (kernel compilation, allocator warm-up).
    pub warmup: usize,
    /// Timed steps; the loss is read back once, after the last.
    pub steps: usize,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// Hinton KD at T = 4, α = 0.9 (the workload) on an all-labeled transfer set of one
/// shard, batches in order: `checked_steps` steps read one at a time, `warmup` more, then
/// `steps` timed.
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
    let settings = DistillSettings {
        student: StudentConfig::new(spec.hidden.clone())?,
        objective: Objective::Hinton {
            temperature: 4.0,
            alpha: 0.9,
        },
        epochs: 1,
        batch_size: spec.batch_size,
        learning_rate: 1e-3,
        seed: spec.seed,
        transfer: TransferConfig::all_labeled(size, spec.seed),
    };
    let prepared = lab.prepare(&settings.transfer, false).await?;
    let (trainer, _) = lab.trainers(&settings, &prepared)?;
    let mut trainer = trainer.in_order();
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
        backend: crate::eval::backend_name(&lab.device),
        ms_per_step: seconds * 1000.0 / spec.steps as f64,
        examples_per_s: (spec.steps * spec.batch_size) as f64 / seconds,
        first_losses,
        final_loss: done.loss.unwrap_or(f32::NAN),
        replay: Replay {
            initial_weights,
            rows: prepared.transfer.indices[..size].to_vec(),
            teacher_logits: prepared.teacher_logits[..size * NUM_CLASSES].to_vec(),
        },
    })
}

/// Latency of a freshly initialised student (seed 1): inference time does not depend on what
/// the weights learned.
pub async fn fresh_student_latency(
    config: &StudentConfig,
    test: &Mnist,
    device: &burn::prelude::Device,
) -> Result<Vec<Latency>> {
    device.seed(1);
    latency_profile(&config.init(device), test, device).await
}
