//! What a run reports: the phase it is in, its updates after each slice, the finished comparison
//! with its trained students, and the result of a run of one student (a sweep's part).

use serde::{Deserialize, Serialize};

use crate::eval::{Backend, ModelReport};
use crate::model::{Student, StudentConfig};
use crate::quantize::QuantizedReport;
use crate::settings::DistillSettings;
use crate::soft_targets::Source;
use crate::train::Progress;
use crate::weights::SafeTensors;

/// What the run is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The teacher labels the transfer set.
    Labelling,
    /// The teacher assistant learns from the teacher.
    Assistant,
    /// The trained assistant labels the transfer set for the student.
    AssistantLabelling,
    /// Both students train.
    Training,
    /// Every model is measured on the full test set.
    Measuring,
    Done,
}

/// One trainer's state in an [`Update`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct RunUpdate {
    #[serde(flatten)]
    pub progress: Progress,
    /// Accuracy on the first [`LIVE_EVAL_IMAGES`] test images, when scored in this slice.
    pub live_accuracy: Option<f64>,
}

/// What one slice did, for the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Update {
    pub phase: Phase,
    /// Transfer-set images labelled so far by the model labelling now (the teacher, or the
    /// assistant), and how many there are.
    pub labelled: usize,
    pub to_label: usize,
    /// Whether the teacher's soft targets were computed in this run or reused.
    pub soft_targets: Source,
    pub assistant: Option<RunUpdate>,
    pub distilled: Option<RunUpdate>,
    pub scratch: Option<RunUpdate>,
    /// Models measured so far on the full test set, of how many.
    pub measured: usize,
    pub to_measure: usize,
    /// Everything else is measured, and the run waits for its scratch twin, trained elsewhere,
    /// to be joined ([`super::Run::join_scratch`]).
    pub waiting: bool,
    /// Seconds since the run started, and the estimate of those left in the current phase.
    pub elapsed_s: f64,
    pub eta_s: Option<f64>,
}

/// The result of a comparison run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Comparison {
    pub settings: DistillSettings,
    /// The distilled student's loss in words (`Objective::describe`).
    #[serde(default)]
    pub loss: String,
    pub backend: Backend,
    pub transfer_size: usize,
    pub labeled: usize,
    /// Steps of each student (and of the assistant, when there is one).
    pub steps: usize,
    pub soft_targets: Source,
    pub teacher: ModelReport,
    pub assistant: Option<ModelReport>,
    pub distilled: ModelReport,
    /// Absent when no example keeps its label: a student cannot learn from nothing.
    pub scratch: Option<ModelReport>,
    /// The distilled student stored as f32, f16 and int8: size and test accuracy of each.
    pub quantized: Vec<QuantizedReport>,
    /// Wall time of the whole run, seconds.
    pub seconds: f64,
}

/// A trained student with its weights read back once (size, quantisation and download all use
/// this copy).
pub struct TrainedStudent {
    pub model: Student,
    pub weights: SafeTensors,
}

/// A finished run: the comparison and the trained students.
pub struct Finished {
    pub comparison: Comparison,
    pub distilled: TrainedStudent,
    pub scratch: Option<TrainedStudent>,
    /// The teacher assistant's architecture, when there was one (for the students' cards).
    pub assistant: Option<String>,
}

/// Which students a run trains: both (the comparison), or one of them, so that a sweep can put
/// a size's two students on two workers (cores) at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Both,
    /// The distilled student alone (it still needs the teacher's soft targets).
    Distilled,
    /// The student trained from the labels alone: no teacher, no labelling.
    Scratch,
}

/// What a run of one student measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct PartResult {
    pub part: Part,
    /// The student's architecture, to match a part to its twin.
    pub shape: StudentConfig,
    /// The teacher, as measured beside the distilled student (none for the scratch student).
    pub teacher: Option<ModelReport>,
    pub student: ModelReport,
    /// The distilled student at f32, f16 and int8 (none for the scratch student).
    pub quantized: Vec<QuantizedReport>,
}

impl Update {
    /// The teacher labelling a run's transfer set before the run (the page's helper workers, one
    /// slice each): `labelled` of `to_label` after `elapsed_s` seconds, and the seconds left at
    /// that pace.
    pub fn labelling(labelled: usize, to_label: usize, elapsed_s: f64) -> Self {
        Self {
            labelled,
            to_label,
            elapsed_s,
            eta_s: eta(elapsed_s, labelled as f64 / to_label.max(1) as f64),
            ..Self::default()
        }
    }
}

/// Seconds left of a phase that is `fraction` done after `elapsed_s`, at its pace so far; none
/// before anything is done.
pub fn eta(elapsed_s: f64, fraction: f64) -> Option<f64> {
    (fraction > 0.0).then(|| elapsed_s * (1.0 - fraction) / fraction)
}

impl Default for Update {
    fn default() -> Self {
        Self {
            phase: Phase::Labelling,
            labelled: 0,
            to_label: 0,
            soft_targets: Source::Computed,
            assistant: None,
            distilled: None,
            scratch: None,
            measured: 0,
            to_measure: 0,
            waiting: false,
            elapsed_s: 0.0,
            eta_s: None,
        }
    }
}
