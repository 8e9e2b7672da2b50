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
use crate::eval::{Evaluation, predict_logits};
use crate::model::Student;
use crate::settings::DistillSettings;
use crate::soft_targets::{SoftTargets, Source};
use crate::train::Trainer;

mod files;
mod finish;
mod lab;
mod labelling;
mod limits;
mod measure;
mod outcome;
mod plan;
mod prepared;
mod twin;

pub use lab::{Caches, Lab, helpers_share};
use labelling::Labelling;
pub use labelling::{
    LABEL_BATCH, LabellingPlan, labelling_plan, provide_soft_targets, soft_targets_kept,
    teacher_outputs, teacher_test_elsewhere,
};
pub use limits::{Limits, check_memory, memory_estimate, problems};
use measure::{Measure, Measured};
pub use outcome::{
    Comparison, Finished, Part, PartResult, Phase, RunUpdate, TrainedStudent, Update,
};
pub use plan::{ModelSize, Plan, plan};
pub use prepared::Prepared;
use twin::Twin;

/// Test images scored for the live accuracy curves (the final numbers use all 10,000): enough
/// for a curve accurate to about ±1%, cheap enough to score ~20 times per run.
pub const LIVE_EVAL_IMAGES: usize = 1000;
/// Points on each live accuracy curve.
const LIVE_EVAL_POINTS: usize = 20;

/// A comparison in progress.
pub struct Run {
    settings: DistillSettings,
    part: Part,
    /// Measurements planned once the students are trained (for progress).
    planned: usize,
    transfer: TransferSet,
    soft_targets_key: String,
    soft_source: Source,
    stage: Stage,
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
    /// Whether the scratch twin trains elsewhere ([`Self::train_scratch_elsewhere`]), and the
    /// twin joined before this run's students started.
    scratch_elsewhere: bool,
    joined_scratch: Option<Student>,
}

/// Where a run stands. Each stage holds what it works on, so the phase is read off the stage
/// and each slice moves the run to the next stage when its own work is done:
/// labelling → (assistant → assistant labelling →) training → measuring → done.
enum Stage {
    /// The teacher labels the transfer set.
    Labelling(Labelling),
    /// The teacher assistant learns from the teacher's soft targets.
    Assistant(Trainer),
    /// The trained assistant labels the transfer set for the students.
    AssistantLabelling {
        assistant: Trainer,
        labelling: Labelling,
    },
    Training(Students),
    /// The trained models measured one at a time; what is left, taken from the end.
    Measuring {
        students: Students,
        measures: Vec<Measure>,
    },
    Done(Students),
}

/// A run's students: the distilled one and (when any label is kept) its scratch twin; a run of
/// one part has its student in `distilled`'s place. The assistant, once it has labelled the
/// transfer set, stays with them to be measured.
struct Students {
    distilled: Trainer,
    scratch: Option<Twin>,
    assistant: Option<Trainer>,
}

impl Students {
    /// Whether every student trained here is trained (a twin trained elsewhere is waited for
    /// when it is to be measured, not here).
    fn are_trained(&self) -> bool {
        self.distilled.is_done()
            && match &self.scratch {
                Some(Twin::Here(trainer)) => trainer.is_done(),
                _ => true,
            }
    }
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
        Self::prepared(lab, Prepared::new(lab, settings)?, slice_ms, part)
    }

    /// A run of settings checked and a transfer set selected already ([`Prepared::new`]).
    pub fn prepared(lab: &Lab, prepared: Prepared, slice_ms: f64, part: Part) -> Result<Self> {
        // Where its soft targets are kept between runs (teacher, rows, with or without hints).
        let soft_targets_key = prepared.soft_targets_key(lab);
        let Prepared { settings, transfer } = prepared;
        // A run prepared for another lab (the task switched since) is refused, not mixed.
        lab.check_task(&settings)?;
        if part == Part::Scratch && settings.labeled == 0 {
            return Err(Error::setting(
                "labeled",
                "the student trained without a teacher needs at least one labeled example",
            ));
        }
        let total_steps = settings.distilled_config().steps_for(transfer.len());
        let with_hidden = settings.objective().hint_weight().is_some();
        let eval_rows = (0..LIVE_EVAL_IMAGES.min(lab.test.len()) as u32).collect();
        let mut run = Self {
            stage: Stage::Labelling(Labelling::new(transfer.len(), with_hidden)),
            settings,
            part,
            planned: 0,
            soft_source: Source::Computed,
            soft_targets_key,
            transfer,
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
            scratch_elsewhere: false,
            joined_scratch: None,
        };
        if part == Part::Scratch {
            // No teacher at all: the labels alone, at once.
            let none = SoftTargets {
                logits: Arc::new(Vec::new()),
                hidden: None,
            };
            run.start_students(lab, &none, None)?;
            return Ok(run);
        }
        if let Some((targets, source, seconds)) =
            lab.caches.soft_targets.take(&run.soft_targets_key)
        {
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
        match &self.stage {
            Stage::Labelling(_) => Phase::Labelling,
            Stage::Assistant(_) => Phase::Assistant,
            Stage::AssistantLabelling { .. } => Phase::AssistantLabelling,
            Stage::Training(_) => Phase::Training,
            Stage::Measuring { .. } => Phase::Measuring,
            Stage::Done(_) => Phase::Done,
        }
    }

    /// The stage, leaving a placeholder for the caller to replace: how a stage hands what it
    /// holds to the next.
    fn take_stage(&mut self) -> Stage {
        std::mem::replace(&mut self.stage, Stage::Labelling(Labelling::new(0, false)))
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
        let (labelling, assistant) = match &mut self.stage {
            Stage::Labelling(labelling) => (labelling, None),
            Stage::AssistantLabelling {
                assistant,
                labelling,
            } => (labelling, Some(&*assistant)),
            _ => return Ok(()),
        };
        let done = labelling.done();
        let end = (done + self.rows_per_slice).min(self.transfer.len());
        let rows = &self.transfer.indices[done..end];
        match assistant {
            Some(assistant) => {
                let student = assistant.student();
                let logits = predict_logits(&student, &lab.train, rows, &lab.device).await?;
                labelling.logits.extend(logits);
            }
            None => {
                let with_hidden = labelling.hidden.is_some();
                let (logits, hidden) = teacher_outputs(lab, &lab.train, rows, with_hidden).await?;
                labelling.logits.extend(logits);
                if let (Some(pending), Some(hidden)) = (&mut labelling.hidden, hidden) {
                    pending.extend(hidden);
                }
            }
        }
        self.rows_per_slice = adapt(self.rows_per_slice, started, self.slice_ms, LABEL_BATCH);
        if end < self.transfer.len() {
            return Ok(());
        }
        match self.take_stage() {
            Stage::Labelling(labelling) => {
                let targets = labelling.into_targets();
                // Only logits are kept: a hint layer over 60,000 images is hundreds of MB.
                if targets.hidden.is_none() {
                    let key = self.soft_targets_key.clone();
                    lab.caches.soft_targets.put(key, targets.clone());
                }
                self.teacher_labelled(lab, targets)
            }
            Stage::AssistantLabelling {
                assistant,
                labelling,
            } => self.start_students(lab, &labelling.into_targets(), Some(assistant)),
            other => {
                self.stage = other;
                Ok(())
            }
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
                self.stage = Stage::Assistant(Trainer::new(config, set, steps, &lab.device)?);
                Ok(())
            }
            None => self.start_students(lab, &targets, None),
        }
    }

    /// Starts the students on `targets` (the assistant beside them, when it taught them), and
    /// plans what to measure once they are trained.
    fn start_students(
        &mut self,
        lab: &Lab,
        targets: &SoftTargets,
        assistant: Option<Trainer>,
    ) -> Result<()> {
        let (distilled, scratch) = self.students_taught_by(lab, targets)?;
        let students = Students {
            distilled,
            scratch,
            assistant,
        };
        self.planned = self.plan_measures(&students).len();
        self.stage = Stage::Training(students);
        Ok(())
    }

    /// The trainers, with the same number of steps: distilled from `targets` and (when any label
    /// is kept) scratch; for a run of one student, that one first and alone.
    fn students_taught_by(
        &mut self,
        lab: &Lab,
        targets: &SoftTargets,
    ) -> Result<(Trainer, Option<Twin>)> {
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
        let scratch = match (self.has_scratch_twin(), self.scratch_elsewhere) {
            (false, _) => None,
            (true, false) => Some(Twin::Here(scratch()?)),
            (true, true) => Some(match self.joined_scratch.take() {
                Some(student) => Twin::Joined(student),
                None => Twin::Awaited,
            }),
        };
        Ok((distilled, scratch))
    }

    async fn assistant_slice(&mut self, lab: &Lab) -> Result<Update> {
        let started = Instant::now();
        let Stage::Assistant(trainer) = &mut self.stage else {
            return Ok(Update::default());
        };
        let steps = steps_before_eval(trainer, self.steps_per_slice, self.eval_every);
        let update = run_slice(trainer, steps, &self.eval_rows, self.eval_every, lab).await?;
        self.steps_per_slice = adapt(self.steps_per_slice, started, self.slice_ms, 1);
        if trainer.is_done() {
            if let Stage::Assistant(assistant) = self.take_stage() {
                self.stage = Stage::AssistantLabelling {
                    assistant,
                    labelling: Labelling::new(self.transfer.len(), false),
                };
            }
        }
        Ok(Update {
            assistant: Some(update),
            ..Default::default()
        })
    }

    async fn training_slice(&mut self, lab: &Lab) -> Result<Update> {
        let started = Instant::now();
        let Stage::Training(students) = &mut self.stage else {
            return Ok(Update::default());
        };
        let steps = steps_before_eval(&students.distilled, self.steps_per_slice, self.eval_every);
        let (eval_rows, eval_every) = (&self.eval_rows, self.eval_every);
        let d = run_slice(&mut students.distilled, steps, eval_rows, eval_every, lab).await?;
        let s = match &mut students.scratch {
            Some(Twin::Here(s)) => Some(run_slice(s, steps, eval_rows, eval_every, lab).await?),
            _ => None,
        };
        let trained = students.are_trained();
        self.steps_per_slice = adapt(self.steps_per_slice, started, self.slice_ms, 1);
        if trained && let Stage::Training(students) = self.take_stage() {
            let measures = self.plan_measures(&students);
            self.stage = Stage::Measuring { students, measures };
        }
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

    /// Seconds left in the current phase, from its pace so far.
    fn eta(&self) -> Option<f64> {
        let elapsed = self.phase_started.elapsed().as_secs_f64();
        let fraction = match &self.stage {
            Stage::Labelling(labelling) | Stage::AssistantLabelling { labelling, .. } => {
                labelling.done() as f64 / self.transfer.len().max(1) as f64
            }
            Stage::Assistant(trainer) => trainer.fraction_done(),
            Stage::Training(students) => students.distilled.fraction_done(),
            Stage::Measuring { .. } | Stage::Done(_) => return None,
        };
        outcome::eta(elapsed, fraction)
    }
}

impl Update {
    /// Fills in what the run as a whole says.
    fn fill(&mut self, run: &Run) {
        self.phase = run.phase();
        self.to_label = run.transfer.len();
        self.labelled = match &run.stage {
            Stage::Labelling(labelling) | Stage::AssistantLabelling { labelling, .. } => {
                labelling.done()
            }
            _ => run.transfer.len(),
        };
        self.soft_targets = run.soft_source;
        let planned = run.planned;
        self.to_measure = planned;
        self.measured = match &run.stage {
            Stage::Measuring { measures, .. } => planned - measures.len(),
            Stage::Done(_) => planned,
            _ => 0,
        };
        self.waiting = run.waiting_for_twin();
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
