//! A whole comparison run, advanced one time slice at a time: the teacher's logits on the
//! transfer set, then the distilled and the scratch student side by side (so their curves grow
//! together), then the measurements. A browser worker calls [`LiveRun::advance`] in a loop,
//! posts each [`Update`] to the page and checks for *Stop* between calls; the CLI runs the
//! same loop.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::data::{Mnist, NUM_CLASSES, TransferSet};
use crate::error::Result;
use crate::eval::{Evaluation, predict_logits};
use crate::experiment::{Comparison, DistillSettings, Lab, Prepared, teacher_outputs};
use crate::train::{Progress, Trainer};

/// Test images scored for the live accuracy curves (the final numbers use all 10,000): enough
/// for a curve accurate to about ±1%, cheap enough to score ~20 times per run.
pub const LIVE_EVAL_IMAGES: usize = 1000;
/// Points on each live accuracy curve.
const LIVE_EVAL_POINTS: usize = 20;
/// Teacher rows per slice while computing its logits.
const TEACHER_ROWS_PER_SLICE: usize = 1000;

/// What the run is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    TeacherLogits,
    Training,
    Done,
}

/// One student's state in an [`Update`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunUpdate {
    #[serde(flatten)]
    pub progress: Progress,
    /// Accuracy on the first [`LIVE_EVAL_IMAGES`] test images, when scored in this slice.
    pub live_accuracy: Option<f64>,
}

/// What one slice did, for the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    pub phase: Phase,
    /// Transfer-set images the teacher has labeled so far, and how many there are.
    pub teacher_done: usize,
    pub teacher_total: usize,
    pub distilled: Option<RunUpdate>,
    pub scratch: Option<RunUpdate>,
    /// Seconds since the run started, and the estimate of those left.
    pub elapsed_s: f64,
    pub eta_s: Option<f64>,
}

/// A comparison in progress.
pub struct LiveRun {
    settings: DistillSettings,
    transfer: TransferSet,
    /// The teacher's logits (and hidden layer, for a hint loss) while they are being computed...
    pending_logits: Vec<f32>,
    pending_hidden: Option<Vec<f32>>,
    /// ...and once they are complete.
    prepared: Option<Prepared>,
    trainers: Option<(Trainer, Option<Trainer>)>,
    eval_rows: Vec<u32>,
    eval_every: usize,
    /// Steps per slice, adapted so a slice takes about `slice_ms`.
    steps_per_slice: usize,
    slice_ms: f64,
    started: Instant,
    training_started: Option<Instant>,
}

impl LiveRun {
    /// Validates the settings and selects the transfer set; no heavy work yet. Slices aim at
    /// `slice_ms` milliseconds each.
    pub fn new(lab: &Lab, settings: DistillSettings, slice_ms: f64) -> Result<Self> {
        settings.validate()?;
        let transfer = TransferSet::select(&lab.train, &settings.transfer)?;
        let total_steps = settings.distilled_config().steps_for(transfer.len());
        let pending_hidden = settings.objective.hint_weight().map(|_| Vec::new());
        let eval_rows = (0..LIVE_EVAL_IMAGES.min(lab.test.len()) as u32).collect();
        Ok(Self {
            settings,
            pending_logits: Vec::with_capacity(transfer.len() * NUM_CLASSES),
            pending_hidden,
            prepared: None,
            transfer,
            trainers: None,
            eval_rows,
            eval_every: (total_steps / LIVE_EVAL_POINTS).max(1),
            steps_per_slice: 1,
            slice_ms,
            started: Instant::now(),
            training_started: None,
        })
    }

    pub fn settings(&self) -> &DistillSettings {
        &self.settings
    }

    pub fn transfer(&self) -> &TransferSet {
        &self.transfer
    }

    pub fn phase(&self) -> Phase {
        match &self.trainers {
            None => Phase::TeacherLogits,
            Some((d, s)) if !d.is_done() || s.as_ref().is_some_and(|s| !s.is_done()) => {
                Phase::Training
            }
            Some(_) => Phase::Done,
        }
    }

    /// Does one slice of work and says where the run stands.
    pub async fn advance(&mut self, lab: &Lab) -> Result<Update> {
        match self.phase() {
            Phase::TeacherLogits => self.teacher_slice(lab).await,
            Phase::Training => self.training_slice(lab).await,
            Phase::Done => Ok(self.update(Phase::Done, None, None)),
        }
    }

    /// Measures the three models on the whole test set. Call when [`Self::phase`] is `Done`.
    pub async fn finish(&self, lab: &Lab) -> Result<Comparison> {
        let (Some((distilled, scratch)), Some(prepared)) = (&self.trainers, &self.prepared) else {
            return Err(crate::Error::setting(
                "run",
                "the run has not trained its students yet",
            ));
        };
        let scratch = scratch.as_ref().map(Trainer::student);
        lab.report(
            &self.settings,
            prepared,
            &distilled.student(),
            scratch.as_ref(),
        )
        .await
    }

    /// The trained (or training) students: distilled, and scratch when there is one.
    pub fn students(&self) -> Option<(crate::model::Student, Option<crate::model::Student>)> {
        self.trainers
            .as_ref()
            .map(|(d, s)| (d.student(), s.as_ref().map(Trainer::student)))
    }

    async fn teacher_slice(&mut self, lab: &Lab) -> Result<Update> {
        let done = self.pending_logits.len() / NUM_CLASSES;
        let end = (done + TEACHER_ROWS_PER_SLICE).min(self.transfer.len());
        let rows = &self.transfer.indices[done..end];
        let with_hidden = self.pending_hidden.is_some();
        let (logits, hidden) =
            teacher_outputs(&lab.teacher, &lab.train, rows, with_hidden, &lab.device).await?;
        self.pending_logits.extend(logits);
        if let (Some(pending), Some(hidden)) = (&mut self.pending_hidden, hidden) {
            pending.extend(hidden);
        }
        if end == self.transfer.len() {
            let prepared = Prepared {
                transfer: self.transfer.clone(),
                teacher_logits: Arc::new(std::mem::take(&mut self.pending_logits)),
                teacher_hidden: self.pending_hidden.take().map(Arc::new),
            };
            self.trainers = Some(lab.trainers(&self.settings, &prepared)?);
            self.prepared = Some(prepared);
            self.training_started = Some(Instant::now());
        }
        Ok(self.update(self.phase(), None, None))
    }

    async fn training_slice(&mut self, lab: &Lab) -> Result<Update> {
        let slice = Instant::now();
        let (distilled, scratch) = self.trainers.as_mut().expect("training phase");
        // Never cross a live-evaluation point inside a slice.
        let step = distilled.progress(None).step;
        let to_eval = self.eval_every - step % self.eval_every;
        let steps = self.steps_per_slice.min(to_eval);
        let d = run_slice(
            distilled,
            steps,
            &lab.test,
            &self.eval_rows,
            self.eval_every,
            lab,
        )
        .await?;
        let s = match scratch {
            Some(s) => {
                Some(run_slice(s, steps, &lab.test, &self.eval_rows, self.eval_every, lab).await?)
            }
            None => None,
        };
        // Aim the next slice at `slice_ms`: double while well under, halve when well over.
        let took = slice.elapsed().as_secs_f64() * 1000.0;
        if took < self.slice_ms / 2.0 {
            self.steps_per_slice *= 2;
        } else if took > self.slice_ms * 2.0 && self.steps_per_slice > 1 {
            self.steps_per_slice /= 2;
        }
        Ok(self.update(self.phase(), Some(d), s))
    }

    fn update(
        &self,
        phase: Phase,
        distilled: Option<RunUpdate>,
        scratch: Option<RunUpdate>,
    ) -> Update {
        let eta_s = match (&self.training_started, &distilled) {
            (Some(start), Some(d)) if d.progress.step > 0 => {
                let per_step = start.elapsed().as_secs_f64() / d.progress.step as f64;
                Some(per_step * (d.progress.total_steps - d.progress.step) as f64)
            }
            _ => None,
        };
        Update {
            phase,
            teacher_done: match self.prepared {
                Some(_) => self.transfer.len(),
                None => self.pending_logits.len() / NUM_CLASSES,
            },
            teacher_total: self.transfer.len(),
            distilled,
            scratch,
            elapsed_s: self.started.elapsed().as_secs_f64(),
            eta_s,
        }
    }
}

/// `steps` steps of one trainer, then its live accuracy if it reached an evaluation point.
async fn run_slice(
    trainer: &mut Trainer,
    steps: usize,
    test: &Mnist,
    eval_rows: &[u32],
    eval_every: usize,
    lab: &Lab,
) -> Result<RunUpdate> {
    let progress = trainer.advance(steps).await?;
    let live_accuracy = if progress.step % eval_every == 0 || trainer.is_done() {
        let student = trainer.student();
        let logits = predict_logits(&student, test, eval_rows, &lab.device).await?;
        let labels: Vec<u8> = eval_rows
            .iter()
            .map(|&i| test.labels()[i as usize])
            .collect();
        Some(Evaluation::from_logits(&logits, &labels).accuracy)
    } else {
        None
    };
    Ok(RunUpdate {
        progress,
        live_accuracy,
    })
}
