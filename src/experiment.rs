//! The comparison the project is about: the teacher, a student distilled from it, and the same
//! student trained from the labels alone (same architecture, seed and number of steps).

use std::collections::BTreeMap;
use std::sync::Arc;

use burn::module::Module;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Mnist, NUM_CLASSES, TrainingSet, TransferConfig, TransferSet};
use crate::distill::Objective;
use crate::error::Result;
use crate::eval::{Evaluation, Latency, evaluate, measure_latency, predict_logits, read_floats};
use crate::live::{LiveRun, Phase, Update};
use crate::model::{Classifier, Student, StudentConfig, Teacher};
use crate::quantize::{QuantizedReport, quantized_reports};
use crate::train::{TrainConfig, Trainer};
use crate::weights::to_safetensors;

/// Everything that defines a comparison run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistillSettings {
    pub student: StudentConfig,
    /// The distilled student's loss (the scratch student always uses the labels alone).
    pub objective: Objective,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub seed: u64,
    pub transfer: TransferConfig,
}

impl Default for DistillSettings {
    /// Hinton 2015 §3's student (800-800) and temperature range, trained briefly: 3 epochs of
    /// Adam at batch 128 over all 60,000 labeled training images.
    fn default() -> Self {
        Self {
            student: StudentConfig {
                hidden: vec![800, 800],
            },
            objective: Objective::Hinton {
                temperature: 4.0,
                alpha: 0.9,
            },
            epochs: 3,
            batch_size: 128,
            learning_rate: 1e-3,
            seed: 1,
            transfer: TransferConfig::all_labeled(60_000, 1),
        }
    }
}

impl DistillSettings {
    pub fn distilled_config(&self) -> TrainConfig {
        TrainConfig {
            student: self.student.clone(),
            objective: self.objective,
            epochs: self.epochs,
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            seed: self.seed,
        }
    }

    /// The twin: same everything but the loss, which sees hard labels only.
    pub fn scratch_config(&self) -> TrainConfig {
        TrainConfig {
            objective: Objective::Labels,
            ..self.distilled_config()
        }
    }

    pub fn validate(&self) -> Result<()> {
        self.distilled_config().validate()
    }

    /// Every invalid setting (training and transfer set), checked against the training labels:
    /// what a settings form shows beside its fields.
    pub fn problems(&self, train_labels: &[u8]) -> Vec<crate::Error> {
        let mut problems = self.distilled_config().problems();
        if let Err(e) = crate::data::pool_size(train_labels, &self.transfer) {
            problems.push(e);
        }
        problems
    }
}

/// One model's line in the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    pub architecture: String,
    /// Test-set accuracy, 0 to 1.
    pub accuracy: f64,
    pub errors: usize,
    pub params: usize,
    /// Size of the weights as serialised (safetensors, f32).
    pub bytes: usize,
    /// Inference time per image at batch [`THROUGHPUT_BATCH`], median after warm-up.
    pub ms_per_image: f64,
    /// How many times faster than the teacher per image (the teacher's own is 1).
    pub speedup: f64,
    pub latency: Vec<Latency>,
    pub evaluation: Evaluation,
}

/// The batch at which per-image time is reported (and the one issue benchmarks use).
pub const THROUGHPUT_BATCH: usize = 256;
/// Latency is also measured one image at a time, as a user drawing a digit sees it.
pub const LATENCY_BATCHES: [usize; 2] = [1, THROUGHPUT_BATCH];
const LATENCY_WARMUP: usize = 3;
const LATENCY_REPEATS: usize = 15;

/// `model`'s latency at each of [`LATENCY_BATCHES`] (median after warm-up), on `test`'s first
/// images: what the page, the report and the benchmark show.
pub async fn latency_profile(
    model: &impl Classifier,
    test: &Mnist,
    device: &Device,
) -> Result<Vec<Latency>> {
    let mut latency = Vec::with_capacity(LATENCY_BATCHES.len());
    for batch in LATENCY_BATCHES {
        latency.push(
            measure_latency(model, test, batch, LATENCY_WARMUP, LATENCY_REPEATS, device).await?,
        );
    }
    Ok(latency)
}

impl ModelReport {
    /// Evaluates `model` on all of `test`, serialises it for its size and times it.
    pub async fn measure<M: Module + Classifier>(
        architecture: String,
        model: &M,
        test: &Mnist,
        device: &Device,
    ) -> Result<Self> {
        let evaluation = evaluate(model, test, device).await?;
        let bytes = to_safetensors(model, &BTreeMap::new()).await?.len();
        let latency = latency_profile(model, test, device).await?;
        let ms_per_image = latency.last().map(|l| l.ms_per_image).unwrap_or_default();
        Ok(Self {
            architecture,
            accuracy: evaluation.accuracy,
            errors: evaluation.errors,
            params: model.num_params(),
            bytes,
            ms_per_image,
            speedup: 1.0,
            latency,
            evaluation,
        })
    }

    /// Sets `speedup` relative to the teacher's time per image.
    pub fn relative_to(mut self, teacher: &ModelReport) -> Self {
        self.speedup = if self.ms_per_image > 0.0 {
            teacher.ms_per_image / self.ms_per_image
        } else {
            0.0
        };
        self
    }
}

/// The result of a comparison run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub settings: DistillSettings,
    pub backend: String,
    pub transfer_size: usize,
    pub labeled: usize,
    pub steps: usize,
    pub teacher: ModelReport,
    pub distilled: ModelReport,
    /// Absent when no example keeps its label: a student cannot learn from nothing.
    pub scratch: Option<ModelReport>,
    /// The distilled student stored as f32, f16 and int8: size and test accuracy of each.
    pub quantized: Vec<QuantizedReport>,
}

/// The data and the teacher a comparison runs against.
pub struct Lab {
    pub device: Device,
    pub train: Arc<Mnist>,
    pub test: Arc<Mnist>,
    pub teacher: Teacher,
    pub teacher_architecture: String,
}

/// A transfer set with the teacher's logits on it: computed once, shared by every run that uses
/// the same transfer-set settings (the logits do not depend on T).
pub struct Prepared {
    pub transfer: TransferSet,
    pub teacher_logits: Arc<Vec<f32>>,
    /// The teacher's hidden dense layer on the transfer set, when a hint loss needs it.
    pub teacher_hidden: Option<Arc<Vec<f32>>>,
}

/// The teacher's logits for `rows` of `data` (`[n × 10]`), and its hidden activations
/// (`[n × hidden_units]`) when `with_hidden`.
pub async fn teacher_outputs(
    teacher: &Teacher,
    data: &Mnist,
    rows: &[u32],
    with_hidden: bool,
    device: &Device,
) -> Result<(Vec<f32>, Option<Vec<f32>>)> {
    if !with_hidden {
        return Ok((predict_logits(teacher, data, rows, device).await?, None));
    }
    let mut logits = Vec::with_capacity(rows.len() * NUM_CLASSES);
    let mut hidden = Vec::with_capacity(rows.len() * teacher.hidden_units());
    for chunk in rows.chunks(crate::eval::EVAL_BATCH) {
        let (h, l) = teacher.forward_with_hidden(data.images_tensor(chunk, device));
        logits.extend(read_floats(l).await?);
        hidden.extend(read_floats(h).await?);
    }
    Ok((logits, Some(hidden)))
}

impl Lab {
    /// Selects the transfer set and runs the teacher over it (keeping its hidden layer too
    /// when `with_hidden`).
    pub async fn prepare(&self, config: &TransferConfig, with_hidden: bool) -> Result<Prepared> {
        let transfer = TransferSet::select(&self.train, config)?;
        let (logits, hidden) = teacher_outputs(
            &self.teacher,
            &self.train,
            &transfer.indices,
            with_hidden,
            &self.device,
        )
        .await?;
        Ok(Prepared {
            transfer,
            teacher_logits: Arc::new(logits),
            teacher_hidden: hidden.map(Arc::new),
        })
    }

    /// The two trainers of a comparison: distilled and (when any label is kept) scratch, with
    /// the same number of steps.
    pub fn trainers(
        &self,
        settings: &DistillSettings,
        prepared: &Prepared,
    ) -> Result<(Trainer, Option<Trainer>)> {
        settings.validate()?;
        let transfer = &prepared.transfer;
        let config = settings.distilled_config();
        let steps = config.steps_for(transfer.len());
        let mut distilled_set = TrainingSet::distillation(
            self.train.clone(),
            transfer,
            prepared.teacher_logits.clone(),
        )?;
        if let Some(hidden) = &prepared.teacher_hidden {
            distilled_set =
                distilled_set.with_teacher_hidden(hidden.clone(), self.teacher.hidden_units())?;
        }
        let distilled = Trainer::new(config, distilled_set, steps, &self.device)?;
        let scratch = if transfer.labeled.iter().any(|&l| l) {
            let set = TrainingSet::labeled_only(self.train.clone(), transfer)?;
            Some(Trainer::new(
                settings.scratch_config(),
                set,
                steps,
                &self.device,
            )?)
        } else {
            None
        };
        Ok((distilled, scratch))
    }

    /// Measures the teacher and the two trained students on the test set.
    pub async fn report(
        &self,
        settings: &DistillSettings,
        prepared: &Prepared,
        distilled: &Student,
        scratch: Option<&Student>,
    ) -> Result<Comparison> {
        let teacher = ModelReport::measure(
            self.teacher_architecture.clone(),
            &self.teacher,
            &self.test,
            &self.device,
        )
        .await?;
        let architecture = settings.student.describe();
        let distilled_report =
            ModelReport::measure(architecture.clone(), distilled, &self.test, &self.device)
                .await?
                .relative_to(&teacher);
        let scratch_report = match scratch {
            Some(student) => Some(
                ModelReport::measure(architecture, student, &self.test, &self.device)
                    .await?
                    .relative_to(&teacher),
            ),
            None => None,
        };
        let quantized =
            quantized_reports(distilled, &settings.student, &self.test, &self.device).await?;
        Ok(Comparison {
            settings: settings.clone(),
            backend: crate::eval::backend_name(&self.device),
            transfer_size: prepared.transfer.len(),
            labeled: prepared.transfer.labeled.iter().filter(|&&l| l).count(),
            steps: settings
                .distilled_config()
                .steps_for(prepared.transfer.len()),
            teacher,
            distilled: distilled_report,
            scratch: scratch_report,
            quantized,
        })
    }

    /// Runs a whole comparison, calling `on_update` after every slice of work.
    pub async fn compare(
        &self,
        settings: &DistillSettings,
        on_update: &mut dyn FnMut(&Update),
    ) -> Result<Comparison> {
        let mut run = LiveRun::new(self, settings.clone(), SLICE_MS)?;
        while run.phase() != Phase::Done {
            let update = run.advance(self).await?;
            on_update(&update);
        }
        run.finish(self).await
    }
}

/// How long a slice of a natively driven run lasts: progress twice a second.
const SLICE_MS: f64 = 500.0;

/// Adds `delta` to one class's logit in every row of `[n × 10]` logits: exactly what raising
/// that class's output bias by `delta` does to the student.
pub fn shift_class_logit(logits: &[f32], class: usize, delta: f32) -> Vec<f32> {
    let mut shifted = logits.to_vec();
    for row in shifted.chunks_exact_mut(NUM_CLASSES) {
        row[class] += delta;
    }
    shifted
}

/// The bias shift for `class`, from a grid of 0 to 10 in steps of 0.1, that maximises accuracy
/// on held-out logits and labels (ties go to the smaller shift). Returns `(shift, accuracy)`.
pub fn fit_class_bias(logits: &[f32], labels: &[u8], class: usize) -> (f32, f64) {
    let mut best = (0.0f32, -1.0f64);
    for step in 0..=100 {
        let delta = step as f32 * 0.1;
        let accuracy =
            Evaluation::from_logits(&shift_class_logit(logits, class, delta), labels).accuracy;
        if accuracy > best.1 {
            best = (delta, accuracy);
        }
    }
    best
}
