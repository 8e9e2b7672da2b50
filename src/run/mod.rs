//! The comparison the project is about, as one run advanced a time slice at a time: the teacher
//! labels the transfer set; an optional teacher assistant learns from it and labels the set in
//! turn; the distilled student and its twin trained from the labels alone (same architecture,
//! seed and number of steps) train side by side, so their curves grow together; then every model
//! is measured on the full test set. The page's worker, the CLI and the report all drive this
//! one loop: [`Run::advance`] until [`Phase::Done`], then [`Run::finish`] ([`run_to_end`] does
//! both).

use std::sync::Arc;

use web_time::Instant;

use crate::data::{TrainingSet, TransferSet};
use crate::error::{Error, Result};
use crate::eval::{Evaluation, ModelReport, predict_logits};
use crate::quantize::{QuantizedReport, quantized_reports};
use crate::settings::DistillSettings;
use crate::soft_targets::{self, SoftTargets, Source};
use crate::train::Trainer;
use crate::weights::SafeTensors;

mod files;
mod finish;
mod lab;
mod labelling;
mod limits;
mod measure;
mod outcome;
mod plan;

pub use lab::{Caches, Lab};
use labelling::Labelling;
pub use labelling::{
    LABEL_BATCH, LabellingPlan, labelling_plan, provide_soft_targets, soft_targets_kept,
    teacher_outputs, transfer_rows,
};
pub use limits::{Limits, check_assistant, check_memory, memory_estimate};
use measure::{student_report, teacher_report};
pub use outcome::{
    Comparison, Finished, Part, PartResult, Phase, RunUpdate, TrainedStudent, Update,
};
pub use plan::{ModelSize, Plan, plan};

/// Test images scored for the live accuracy curves (the final numbers use all 10,000): enough
/// for a curve accurate to about ±1%, cheap enough to score ~20 times per run.
pub const LIVE_EVAL_IMAGES: usize = 1000;
/// Points on each live accuracy curve.
const LIVE_EVAL_POINTS: usize = 20;

/// A measurement still to make in [`Phase::Measuring`].
#[derive(Clone, Copy)]
enum Measure {
    Teacher,
    Assistant,
    Distilled,
    Scratch,
    Quantized,
}

/// A comparison in progress.
pub struct Run {
    settings: DistillSettings,
    part: Part,
    /// Measurements planned once the students are trained (for progress).
    planned: usize,
    transfer: TransferSet,
    soft_source: Source,
    labelling: Labelling,
    teacher_targets: Option<SoftTargets>,
    assistant: Option<Trainer>,
    assistant_targets: Option<SoftTargets>,
    students: Option<(Trainer, Option<Trainer>)>,
    measures: Vec<Measure>,
    measured: Measured,
    eval_rows: Vec<u32>,
    eval_every: usize,
    /// Steps per slice (training) and rows per slice (labelling), adapted so a slice takes
    /// about `slice_ms`.
    steps_per_slice: usize,
    rows_per_slice: usize,
    slice_ms: f64,
    started: Instant,
    phase_started: Instant,
    /// Wall time of the run, frozen when the last measurement is made.
    seconds: Option<f64>,
    /// Seconds helpers spent labelling its transfer set before it started (its own wall time
    /// does not see them).
    labelled_before_s: f64,
}

/// What [`Phase::Measuring`] has found so far.
#[derive(Default)]
struct Measured {
    teacher: Option<ModelReport>,
    assistant: Option<ModelReport>,
    distilled: Option<(ModelReport, SafeTensors)>,
    scratch: Option<(ModelReport, SafeTensors)>,
    quantized: Vec<QuantizedReport>,
}

impl Run {
    /// Validates the settings against the lab and selects the transfer set; no heavy work yet.
    /// Soft targets cached from an earlier run on the same teacher and images are reused.
    /// Slices aim at `slice_ms` milliseconds each.
    pub fn new(lab: &Lab, settings: DistillSettings, slice_ms: f64) -> Result<Self> {
        Self::part(lab, settings, slice_ms, Part::Both)
    }

    /// A run of the students `part` names (see [`Part`]); [`Self::finish_part`] gives its result.
    pub fn part(lab: &Lab, settings: DistillSettings, slice_ms: f64, part: Part) -> Result<Self> {
        settings.validate()?;
        lab.check_task(&settings)?;
        if part == Part::Scratch && settings.labeled == 0 {
            return Err(Error::setting(
                "labeled",
                "the student trained without a teacher needs at least one labeled example",
            ));
        }
        check_assistant(lab, &settings)?;
        check_memory(lab, &settings)?;
        let transfer = TransferSet::select(&lab.train, &settings.transfer())?;
        let total_steps = settings.distilled_config().steps_for(transfer.len());
        let with_hidden = settings.objective().hint_weight().is_some();
        let eval_rows = (0..LIVE_EVAL_IMAGES.min(lab.test.len()) as u32).collect();
        let mut run = Self {
            labelling: Labelling::new(transfer.len(), with_hidden),
            settings,
            part,
            planned: 0,
            soft_source: Source::Computed,
            teacher_targets: None,
            assistant: None,
            assistant_targets: None,
            students: None,
            transfer,
            measures: Vec::new(),
            measured: Measured::default(),
            eval_rows,
            eval_every: (total_steps / LIVE_EVAL_POINTS).max(1),
            steps_per_slice: 1,
            rows_per_slice: LABEL_BATCH,
            slice_ms,
            started: Instant::now(),
            phase_started: Instant::now(),
            seconds: None,
            labelled_before_s: 0.0,
        };
        if part == Part::Scratch {
            // No teacher at all: the labels alone, at once.
            let none = SoftTargets {
                logits: Arc::new(Vec::new()),
                hidden: None,
            };
            run.start_students(lab, &none)?;
            run.teacher_targets = Some(none);
            return Ok(run);
        }
        let key = soft_targets::key(&lab.teacher_id, &run.transfer.indices, with_hidden);
        if let Some((targets, source, seconds)) = lab.caches.soft_targets.take(&key) {
            run.soft_source = source;
            run.labelled_before_s = seconds;
            run.teacher_labelled(lab, targets)?;
        }
        Ok(run)
    }

    pub fn settings(&self) -> &DistillSettings {
        &self.settings
    }

    pub fn transfer(&self) -> &TransferSet {
        &self.transfer
    }

    pub fn phase(&self) -> Phase {
        if self.teacher_targets.is_none() {
            return Phase::Labelling;
        }
        if let Some(assistant) = &self.assistant {
            if !assistant.is_done() {
                return Phase::Assistant;
            }
            if self.assistant_targets.is_none() {
                return Phase::AssistantLabelling;
            }
        }
        match &self.students {
            Some((d, s)) if !d.is_done() || s.as_ref().is_some_and(|s| !s.is_done()) => {
                Phase::Training
            }
            Some(_) if !self.measures.is_empty() => Phase::Measuring,
            Some(_) => Phase::Done,
            None => Phase::Training,
        }
    }

    /// Does one slice of work and says where the run stands.
    pub async fn advance(&mut self, lab: &Lab) -> Result<Update> {
        let before = self.phase();
        let mut update = match before {
            Phase::Labelling | Phase::AssistantLabelling => {
                self.labelling_slice(lab).await?;
                Default::default()
            }
            Phase::Assistant => self.assistant_slice(lab).await?,
            Phase::Training => self.training_slice(lab).await?,
            Phase::Measuring => {
                self.measuring_slice(lab).await?;
                Default::default()
            }
            Phase::Done => Default::default(),
        };
        if self.phase() != before {
            self.phase_started = Instant::now();
            self.rows_per_slice = LABEL_BATCH;
            self.steps_per_slice = 1;
        }
        update.fill(self);
        Ok(update)
    }

    /// One slice of labelling by the teacher, or (after the assistant trained) by the assistant.
    async fn labelling_slice(&mut self, lab: &Lab) -> Result<()> {
        let started = Instant::now();
        let done = self.labelling.done();
        let end = (done + self.rows_per_slice).min(self.transfer.len());
        let rows = &self.transfer.indices[done..end];
        match &self.assistant {
            Some(assistant) if self.teacher_targets.is_some() => {
                let student = assistant.student();
                let logits = predict_logits(&student, &lab.train, rows, &lab.device).await?;
                self.labelling.logits.extend(logits);
            }
            _ => {
                let with_hidden = self.labelling.hidden.is_some();
                let (logits, hidden) =
                    teacher_outputs(&lab.teacher, &lab.train, rows, with_hidden, &lab.device)
                        .await?;
                self.labelling.logits.extend(logits);
                if let (Some(pending), Some(hidden)) = (&mut self.labelling.hidden, hidden) {
                    pending.extend(hidden);
                }
            }
        }
        self.rows_per_slice = adapt(self.rows_per_slice, started, self.slice_ms, LABEL_BATCH);
        if end < self.transfer.len() {
            return Ok(());
        }
        let labelling = std::mem::replace(&mut self.labelling, Labelling::new(0, false));
        let targets = SoftTargets {
            logits: Arc::new(labelling.logits),
            hidden: labelling.hidden.map(Arc::new),
        };
        if self.teacher_targets.is_none() {
            let key = soft_targets::key(
                &lab.teacher_id,
                &self.transfer.indices,
                targets.hidden.is_some(),
            );
            // Only logits are kept: a hint layer over 60,000 images is hundreds of MB.
            if targets.hidden.is_none() {
                lab.caches.soft_targets.put(key, targets.clone());
            }
            self.teacher_labelled(lab, targets)
        } else {
            self.start_students(lab, &targets)?;
            self.assistant_targets = Some(targets);
            Ok(())
        }
    }

    /// The teacher's soft targets are complete: the assistant (when there is one) or the
    /// students start.
    fn teacher_labelled(&mut self, lab: &Lab, targets: SoftTargets) -> Result<()> {
        match self.settings.assistant_config() {
            Some(config) => {
                let steps = config.steps_for(self.transfer.len());
                let set = TrainingSet::distillation(
                    lab.train.clone(),
                    &self.transfer,
                    targets.logits.clone(),
                )?;
                self.assistant = Some(Trainer::new(config, set, steps, &lab.device)?);
                self.labelling = Labelling::new(self.transfer.len(), false);
            }
            None => self.start_students(lab, &targets)?,
        }
        self.teacher_targets = Some(targets);
        Ok(())
    }

    /// Starts both students on `targets`, and plans what to measure once they are trained.
    fn start_students(&mut self, lab: &Lab, targets: &SoftTargets) -> Result<()> {
        self.students = Some(self.students_taught_by(lab, targets)?);
        self.measures = self.plan_measures();
        self.planned = self.measures.len();
        Ok(())
    }

    /// The trainers, with the same number of steps: distilled from `targets` and (when any label
    /// is kept) scratch; for a run of one student, that one first and alone.
    fn students_taught_by(
        &self,
        lab: &Lab,
        targets: &SoftTargets,
    ) -> Result<(Trainer, Option<Trainer>)> {
        let config = self.settings.distilled_config();
        let steps = config.steps_for(self.transfer.len());
        let scratch = || -> Result<Trainer> {
            let set = TrainingSet::labeled_only(lab.train.clone(), &self.transfer)?;
            Trainer::new(self.settings.scratch_config(), set, steps, &lab.device)
        };
        if self.part == Part::Scratch {
            return Ok((scratch()?, None));
        }
        let mut set =
            TrainingSet::distillation(lab.train.clone(), &self.transfer, targets.logits.clone())?;
        if let Some(hidden) = &targets.hidden {
            set = set.with_teacher_hidden(hidden.clone(), lab.teacher.hidden_units())?;
        }
        let distilled = Trainer::new(config, set, steps, &lab.device)?;
        let labeled = self.transfer.labeled.iter().any(|&l| l);
        let scratch = match self.part == Part::Both && labeled {
            true => Some(scratch()?),
            false => None,
        };
        Ok((distilled, scratch))
    }

    async fn assistant_slice(&mut self, lab: &Lab) -> Result<Update> {
        let started = Instant::now();
        let trainer = self.assistant.as_mut().expect("assistant phase");
        let steps = steps_before_eval(trainer, self.steps_per_slice, self.eval_every);
        let update = run_slice(trainer, steps, &self.eval_rows, self.eval_every, lab).await?;
        self.steps_per_slice = adapt(self.steps_per_slice, started, self.slice_ms, 1);
        Ok(Update {
            assistant: Some(update),
            ..Default::default()
        })
    }

    async fn training_slice(&mut self, lab: &Lab) -> Result<Update> {
        let started = Instant::now();
        let (distilled, scratch) = self.students.as_mut().expect("training phase");
        let steps = steps_before_eval(distilled, self.steps_per_slice, self.eval_every);
        let d = run_slice(distilled, steps, &self.eval_rows, self.eval_every, lab).await?;
        let s = match scratch {
            Some(s) => Some(run_slice(s, steps, &self.eval_rows, self.eval_every, lab).await?),
            None => None,
        };
        self.steps_per_slice = adapt(self.steps_per_slice, started, self.slice_ms, 1);
        let (distilled, scratch) = match self.part {
            Part::Scratch => (None, Some(d)),
            _ => (Some(d), s),
        };
        Ok(Update {
            distilled,
            scratch,
            ..Default::default()
        })
    }

    fn plan_measures(&self) -> Vec<Measure> {
        // The scratch student alone is reported on its own: its speed-up comes from the row it
        // joins, so the teacher need not be measured again on this worker.
        let mut plan = match self.part {
            Part::Scratch => Vec::new(),
            _ => vec![Measure::Teacher],
        };
        if self.assistant.is_some() {
            plan.push(Measure::Assistant);
        }
        plan.push(Measure::Distilled);
        if matches!(&self.students, Some((_, Some(_)))) {
            plan.push(Measure::Scratch);
        }
        if self.part != Part::Scratch {
            plan.push(Measure::Quantized);
        }
        // Taken from the end.
        plan.reverse();
        plan
    }

    /// Measures one model on the full test set.
    async fn measuring_slice(&mut self, lab: &Lab) -> Result<()> {
        let Some(next) = self.measures.last().copied() else {
            return Ok(());
        };
        let (distilled, scratch) = self.students.as_ref().expect("students trained");
        match next {
            Measure::Teacher => self.measured.teacher = Some(teacher_report(lab).await?),
            Measure::Assistant => {
                let student = self.assistant.as_ref().expect("assistant").student();
                let config = self.settings.assistant().expect("an assistant");
                let (report, _) = student_report(lab, &student, &config, None).await?;
                self.measured.assistant = Some(report);
            }
            Measure::Distilled => {
                let config = self.settings.student();
                self.measured.distilled =
                    Some(student_report(lab, &distilled.student(), &config, None).await?)
            }
            Measure::Scratch => {
                let student = scratch.as_ref().expect("scratch student").student();
                let config = self.settings.student();
                let twin = self.measured.distilled.as_ref().map(|(r, _)| r);
                self.measured.scratch = Some(student_report(lab, &student, &config, twin).await?);
            }
            Measure::Quantized => {
                let (report, weights) = self.measured.distilled.as_ref().expect("measured first");
                self.measured.quantized = quantized_reports(
                    weights,
                    &report.evaluation,
                    &self.settings.student(),
                    &lab.test,
                    &lab.device,
                )
                .await?;
            }
        }
        self.measures.pop();
        if self.measures.is_empty() {
            self.finalise_reports();
            self.seconds = Some(self.started.elapsed().as_secs_f64() + self.labelled_before_s);
        }
        Ok(())
    }

    /// Speed-ups relative to the teacher, once everything is measured.
    fn finalise_reports(&mut self) {
        let Some(teacher) = self.measured.teacher.clone() else {
            return;
        };
        let m = &mut self.measured;
        m.assistant = m.assistant.take().map(|r| r.relative_to(&teacher));
        if let Some((r, _)) = &mut m.distilled {
            *r = r.clone().relative_to(&teacher);
        }
        if let Some((r, _)) = &mut m.scratch {
            *r = r.clone().relative_to(&teacher);
        }
    }

    /// Seconds left in the current phase, from its pace so far.
    fn eta(&self) -> Option<f64> {
        let elapsed = self.phase_started.elapsed().as_secs_f64();
        let fraction = match self.phase() {
            Phase::Labelling | Phase::AssistantLabelling => {
                self.labelling.done() as f64 / self.transfer.len().max(1) as f64
            }
            Phase::Assistant => self.assistant.as_ref().map(Trainer::fraction_done)?,
            Phase::Training => self.students.as_ref().map(|(d, _)| d.fraction_done())?,
            Phase::Measuring | Phase::Done => return None,
        };
        (fraction > 0.0).then(|| elapsed * (1.0 - fraction) / fraction)
    }
}

impl Update {
    /// Fills in what the run as a whole says.
    fn fill(&mut self, run: &Run) {
        self.phase = run.phase();
        self.to_label = run.transfer.len();
        self.labelled = match self.phase {
            Phase::Labelling | Phase::AssistantLabelling => run.labelling.done(),
            _ => run.transfer.len(),
        };
        self.soft_targets = run.soft_source;
        let planned = run.planned;
        self.to_measure = planned;
        self.measured = match self.phase {
            Phase::Measuring => planned - run.measures.len(),
            Phase::Done => planned,
            _ => 0,
        };
        self.elapsed_s = run.started.elapsed().as_secs_f64();
        self.eta_s = run.eta();
    }
}

/// Doubles `per_slice` while a slice is well under `slice_ms`, halves it (not below `least`)
/// when well over.
fn adapt(per_slice: usize, started: Instant, slice_ms: f64, least: usize) -> usize {
    let took = started.elapsed().as_secs_f64() * 1000.0;
    if took < slice_ms / 2.0 {
        per_slice * 2
    } else if took > slice_ms * 2.0 {
        (per_slice / 2).max(least)
    } else {
        per_slice
    }
}

/// Steps for the next slice: never crossing a live-evaluation point.
fn steps_before_eval(trainer: &Trainer, per_slice: usize, eval_every: usize) -> usize {
    let step = trainer.progress(None).step;
    per_slice.min(eval_every - step % eval_every)
}

/// `steps` steps of one trainer, then its live accuracy if it reached an evaluation point.
async fn run_slice(
    trainer: &mut Trainer,
    steps: usize,
    eval_rows: &[u32],
    eval_every: usize,
    lab: &Lab,
) -> Result<RunUpdate> {
    let progress = trainer.advance(steps).await?;
    let live_accuracy = if progress.step % eval_every == 0 || trainer.is_done() {
        let student = trainer.student();
        let logits = predict_logits(&student, &lab.test, eval_rows, &lab.device).await?;
        let labels: Vec<u8> = eval_rows
            .iter()
            .map(|&i| lab.test.labels()[i as usize])
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

/// How long a slice of a natively driven run lasts: progress twice a second.
pub const NATIVE_SLICE_MS: f64 = 500.0;

/// Runs a whole comparison, calling `on_update` after every slice.
pub async fn run_to_end(
    lab: &Lab,
    settings: &DistillSettings,
    on_update: &mut dyn FnMut(&Update),
) -> Result<Finished> {
    let mut run = Run::new(lab, settings.clone(), NATIVE_SLICE_MS)?;
    while run.phase() != Phase::Done {
        let update = run.advance(lab).await?;
        on_update(&update);
    }
    run.finish(lab)
}
