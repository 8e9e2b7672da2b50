//! Everything that defines a comparison run, in one flat struct whose fields are the keys the
//! page's form, its links and the CLI's flags use ([`schema`] describes each one: label, kind,
//! limits, help, default). The presets of the page and the CLI are in [`presets`].
//!
//! The defaults are the page's *few labels* experiment, chosen by a measured sweep to show what
//! distillation is for: a student much smaller and faster than the teacher that is nearly as
//! accurate, while its twin trained on the same few labels alone is far behind (README, "The
//! default run", has the sweep).

pub mod presets;
pub mod schema;
pub mod text;
pub mod wording;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{Task, TransferConfig};
use crate::distill::Objective;
use crate::error::{Error, Result};
use crate::model::{StudentConfig, StudentKind};
use crate::train::TrainConfig;

pub use presets::{DEFAULT_PRESET, PRESETS, Preset, default_preset};
pub use schema::{Kind, SCHEMA, SettingSpec};
pub use wording::message;

/// The largest seed: 2^53 - 1, the largest whole number a JavaScript number (the page's form, a
/// link's value read back, a results file) holds exactly, so every seed a run reports reruns it.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// The distilled student's loss (the scratch student always learns from the labels alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Hinton KD: soft targets at temperature T, weight α.
    Hinton,
    /// Logit matching (Ba & Caruana 2014), weight α.
    Logits,
    /// Hinton KD plus a FitNets hint on the hidden layer, weight β.
    Hint,
}

/// Every setting of a comparison run. Field names are the settings' keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct DistillSettings {
    /// The dataset (cards written before there was a choice are MNIST's).
    #[serde(default)]
    pub task: Task,
    /// The bundled teacher's id among the task's ([`crate::teacher_card::BUNDLED_TEACHERS`]).
    pub teacher: String,
    /// The student's kind.
    pub student: StudentKind,
    /// Units of each hidden layer of an MLP student.
    pub hidden: Vec<usize>,
    /// Channels of a CNN student's two convolutions.
    pub channels: Vec<usize>,
    /// Depth of a soft-tree student.
    pub depth: usize,
    /// Units of each hidden layer of a teacher assistant (Mirzadeh et al. 2020), distilled from
    /// the teacher first and then distilling the student; empty for none.
    pub assistant: Vec<usize>,
    pub loss: Loss,
    pub temperature: f32,
    pub alpha: f32,
    pub beta: f32,
    /// Images in the transfer set.
    pub size: usize,
    /// How many of them keep their labels.
    pub labeled: usize,
    /// Classes left out of the transfer set.
    pub omit: Vec<u8>,
    /// Training images held out of the transfer set.
    pub holdout: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub seed: u64,
}

impl Default for DistillSettings {
    /// Every setting at its [`schema`] default.
    fn default() -> Self {
        let mut settings = Self::empty();
        for spec in SCHEMA {
            (spec.set)(&mut settings, spec.default).expect("every default parses");
        }
        settings
    }
}

/// Settings as text, keyed by setting: what a form, a link or a command line holds.
pub type Values = BTreeMap<String, String>;

impl DistillSettings {
    /// A blank to fill from the schema (not a valid run).
    fn empty() -> Self {
        Self {
            task: Task::Digits,
            teacher: String::new(),
            student: StudentKind::Mlp,
            hidden: Vec::new(),
            channels: Vec::new(),
            depth: 0,
            assistant: Vec::new(),
            loss: Loss::Hinton,
            temperature: 0.0,
            alpha: 0.0,
            beta: 0.0,
            size: 0,
            labeled: 0,
            omit: Vec::new(),
            holdout: 0,
            epochs: 0,
            learning_rate: 0.0,
            batch_size: 0,
            seed: 0,
        }
    }

    /// The settings `values` describe, or their first problem: what a run starts from (a form
    /// flags every problem at once, with [`Self::from_values`] and [`Self::problems`]).
    pub fn parse(values: &Values) -> Result<Self> {
        let settings = Self::from_values(values).map_err(|mut problems| problems.remove(0))?;
        settings.validate()?;
        Ok(settings)
    }

    /// The defaults with `values` applied. Every value that does not parse, and every unknown
    /// key, is a problem naming its key; the range and consistency checks are [`Self::problems`].
    pub fn from_values(values: &Values) -> std::result::Result<Self, Vec<Error>> {
        let mut settings = Self::default();
        let mut problems = Vec::new();
        for (key, text) in values {
            match schema::spec(key) {
                Some(spec) => {
                    if let Err(e) = (spec.set)(&mut settings, text.trim()) {
                        problems.push(e);
                    }
                }
                None => problems.push(Error::setting(key, "there is no such setting")),
            }
        }
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }

    /// Every setting as text, as the form, links and flags write it.
    pub fn to_values(&self) -> Values {
        SCHEMA
            .iter()
            .map(|spec| (spec.key.to_string(), (spec.get)(self)))
            .collect()
    }

    /// The student's architecture: its kind, with that kind's size setting.
    pub fn student(&self) -> StudentConfig {
        match self.student {
            StudentKind::Mlp => StudentConfig::Mlp {
                hidden: self.hidden.clone(),
            },
            StudentKind::Linear => StudentConfig::Mlp { hidden: Vec::new() },
            StudentKind::Cnn => StudentConfig::Cnn {
                channels: [
                    self.channels.first().copied().unwrap_or(0),
                    self.channels.get(1).copied().unwrap_or(0),
                ],
            },
            StudentKind::Tree => StudentConfig::Tree { depth: self.depth },
        }
    }

    /// These settings with `student` as the student: its kind and that kind's size setting (the
    /// inverse of [`Self::student`]).
    pub fn with_student(&self, student: &StudentConfig) -> DistillSettings {
        let mut s = self.clone();
        s.student = student.kind();
        match student {
            StudentConfig::Mlp { hidden } if !hidden.is_empty() => s.hidden = hidden.clone(),
            StudentConfig::Mlp { .. } => {}
            StudentConfig::Cnn { channels } => s.channels = channels.to_vec(),
            StudentConfig::Tree { depth } => s.depth = *depth,
        }
        s
    }

    /// The teacher assistant's architecture (an MLP), when there is one.
    pub fn assistant(&self) -> Option<StudentConfig> {
        (!self.assistant.is_empty()).then(|| StudentConfig::Mlp {
            hidden: self.assistant.clone(),
        })
    }

    /// The distilled student's loss.
    pub fn objective(&self) -> Objective {
        let (temperature, alpha, beta) = (self.temperature, self.alpha, self.beta);
        match self.loss {
            Loss::Hinton => Objective::Hinton { temperature, alpha },
            Loss::Logits => Objective::LogitMatching { alpha },
            Loss::Hint => Objective::Hint {
                temperature,
                alpha,
                beta,
            },
        }
    }

    pub fn transfer(&self) -> TransferConfig {
        TransferConfig {
            size: self.size,
            labeled: self.labeled,
            omit_classes: self.omit.clone(),
            holdout: self.holdout,
            seed: self.seed,
        }
    }

    /// How the distilled student trains.
    pub fn distilled_config(&self) -> TrainConfig {
        TrainConfig {
            student: self.student(),
            objective: self.objective(),
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

    /// How the teacher assistant trains: as the distilled student does (Hinton KD, or logit
    /// matching; an assistant with a hint loss is refused by [`Self::problems`]).
    pub fn assistant_config(&self) -> Option<TrainConfig> {
        self.assistant().map(|student| TrainConfig {
            student,
            ..self.distilled_config()
        })
    }

    pub fn validate(&self) -> Result<()> {
        match self.problems(None).into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every invalid setting, so a form can flag them all at once; with `train_labels`, also
    /// whether the training split can supply the transfer set.
    pub fn problems(&self, train_labels: Option<&[u8]>) -> Vec<Error> {
        let mut problems = self.distilled_config().problems();
        if self.teacher != crate::teacher_card::OWN_TEACHER
            && let Err(e) = crate::teacher_card::BundledTeacher::get(self.task, &self.teacher)
        {
            problems.push(e);
        }
        if self.student == StudentKind::Mlp && self.hidden.is_empty() {
            problems.push(Error::setting(
                "hidden",
                "give at least one hidden layer, e.g. 800,800 (the linear student is its own kind)",
            ));
        }
        if self.student == StudentKind::Cnn && self.channels.len() != 2 {
            problems.push(Error::setting(
                "channels",
                format!(
                    "{} values; give the two convolutions' channels, e.g. 4,8",
                    self.channels.len()
                ),
            ));
        }
        if self.loss == Loss::Hint
            && let Err(why) = self.student().hint_width()
        {
            problems.push(Error::setting("loss", why));
        }
        if let Some(assistant) = self.assistant() {
            match assistant.validate() {
                Err(e) => problems.push(Error::setting("assistant", e.reason())),
                Ok(()) if self.loss == Loss::Hint => problems.push(Error::setting(
                    "assistant",
                    "the hint loss matches the teacher's own hidden layer; use it without an assistant",
                )),
                Ok(()) if assistant.params() <= self.student().params() => {
                    problems.push(Error::setting(
                        "assistant",
                        format!(
                            "{} has {} parameters, no more than the student's {}: an assistant sits between teacher and student, so it must be larger than the student",
                            assistant.describe(),
                            assistant.params(),
                            self.student().params()
                        ),
                    ))
                }
                Ok(()) => {}
            }
        }
        let transfer = self.transfer();
        let checked = match train_labels {
            Some(labels) => crate::data::pool_size(labels, &transfer).map(|_| ()),
            None => transfer.validate(),
        };
        if let Err(e) = checked {
            problems.push(e);
        }
        if self.seed > MAX_SEED {
            problems.push(Error::setting(
                "seed",
                format!("{}; the largest seed is {MAX_SEED}", self.seed),
            ));
        }
        problems
    }
}
