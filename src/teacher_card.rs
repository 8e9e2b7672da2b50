//! The bundled teacher: its weights (safetensors) and its card (JSON: architecture and members,
//! accuracy measured on the weights as stored, size, checksum and how it was trained), written by
//! `train-teacher`. The teachers that ship with the page are listed in [`BUNDLED_TEACHERS`].

use burn::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::data::Task;
use crate::error::{Error, Result};
use crate::model::{Teacher, TeacherConfig};
use crate::weights::load_safetensors;

/// A teacher that ships with the page and the CLI: `id` is the `teacher` setting's value, `file`
/// the stem of its two files in `assets/` (and beside the page): `<file>.safetensors` and
/// `<file>.json`, its card.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct BundledTeacher {
    /// The dataset it teaches; ids are unique within a task.
    pub task: Task,
    pub id: &'static str,
    pub name: &'static str,
    /// Why one would choose it, in a sentence.
    pub about: &'static str,
    pub file: &'static str,
}

/// The teacher a run uses unless it names another.
pub const DEFAULT_TEACHER: &str = "cnn";
/// The `teacher` setting's value for a teacher of one's own, loaded on the page from its files
/// (the CLI takes `--teacher PATH` instead).
pub const OWN_TEACHER: &str = "own";
/// The least test accuracy a teacher of one's own must reach to teach (ten classes: chance is
/// 10%; below half right, its soft targets mislead more than they teach).
pub const MIN_OWN_TEACHER_ACCURACY: f64 = 0.5;

/// Every bundled teacher, each task's default first. Their cards hold the measured figures; the
/// README's "Teachers" has how each was trained and why the soft one exists.
pub const BUNDLED_TEACHERS: [BundledTeacher; 3] = [
    BundledTeacher {
        task: Task::Digits,
        id: "cnn",
        name: "CNN, 20 epochs with distortions",
        about: "The most accurate: trained long, with dropout and distorted images, so it is very sure of itself.",
        file: "teacher",
    },
    BundledTeacher {
        task: Task::Digits,
        id: "soft",
        name: "Soft CNN, 3 epochs",
        about: "Trained briefly, without distortions or dropout (closer to Hinton et al.'s teacher): less accurate, less sure, so its soft targets say more about the other classes.",
        file: "teacher-soft",
    },
    BundledTeacher {
        task: Task::Fashion,
        id: "cnn",
        name: "CNN, wider, with mirrored and shifted images",
        about: "A wider CNN trained on mirrored and shifted clothes. Far from perfect (its card has its errors), so its soft targets say which clothes look alike.",
        file: "teacher-fashion",
    },
];

/// The `teacher` setting's choices: `(id, name)` of the digits' bundled teachers (every task has
/// a `cnn`, its default; the page lists the chosen task's own from [`BUNDLED_TEACHERS`]).
pub const TEACHER_CHOICES: [(&str, &str); 2] = [
    (BUNDLED_TEACHERS[0].id, BUNDLED_TEACHERS[0].name),
    (BUNDLED_TEACHERS[1].id, BUNDLED_TEACHERS[1].name),
];

impl BundledTeacher {
    /// `task`'s bundled teacher `id`.
    pub fn get(task: Task, id: &str) -> Result<&'static BundledTeacher> {
        let of_task = || BUNDLED_TEACHERS.iter().filter(move |t| t.task == task);
        of_task().find(|t| t.id == id).ok_or_else(|| {
            let ids: Vec<&str> = of_task().map(|t| t.id).collect();
            Error::setting(
                "teacher",
                format!(
                    "{id:?}; {}'s bundled teachers are {}",
                    task.dataset(),
                    ids.join(", ")
                ),
            )
        })
    }

    /// The first bundled teacher called `id`, of any task (to check a value before the task
    /// is known).
    pub fn any(id: &str) -> Result<&'static BundledTeacher> {
        BUNDLED_TEACHERS.iter().find(|t| t.id == id).ok_or_else(|| {
            let mut ids: Vec<&str> = BUNDLED_TEACHERS.iter().map(|t| t.id).collect();
            ids.dedup();
            Error::setting(
                "teacher",
                format!("{id:?}; the bundled teachers are {}", ids.join(", ")),
            )
        })
    }
}

/// What is known about a trained teacher, stored beside its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TeacherCard {
    /// The dataset it was trained on and is scored against (cards from before there was a
    /// choice are MNIST's).
    #[serde(default)]
    pub task: Task,
    pub architecture: TeacherConfig,
    /// A one-line description of the architecture (`ensemble of 3 CNNs (…)`).
    pub summary: String,
    /// Each member alone, as stored.
    pub members: Vec<MemberScore>,
    /// Accuracy of the teacher as stored (after any conversion to `storage`) on the full
    /// 10,000-image MNIST test set, 0 to 1.
    pub test_accuracy: f64,
    pub test_errors: usize,
    pub params: usize,
    /// Multiply-adds of one image's forward pass.
    pub macs_per_image: usize,
    /// How the weights file stores its values: `F32` or `F16`.
    pub storage: String,
    /// Size of the weights file in bytes (as stored; the comparison on the page measures every
    /// model as f32 safetensors).
    pub bytes: usize,
    /// SHA-256 of the weights file, hex.
    pub sha256: String,
    /// How the pixels are fed in.
    pub input: String,
    pub training: TeacherTraining,
}

/// One member of the teacher, alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct MemberScore {
    pub seed: u64,
    pub test_accuracy: f64,
    pub test_errors: usize,
}

/// How the teacher was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TeacherTraining {
    pub data: String,
    pub epochs: usize,
    pub optimizer: String,
    pub augmentation: String,
    pub backend: String,
    /// Wall time of training every member, on the machine `backend` ran on.
    pub seconds: f64,
    pub command: String,
}

impl TeacherCard {
    pub fn from_json(json: &str) -> Result<Self> {
        let card: Self = serde_json::from_str(json)
            .map_err(|e| Error::Weights(format!("the teacher card is not valid ({e})")))?;
        card.architecture.validate()?;
        Ok(card)
    }

    /// Refuses a teacher of another task than the data's, naming both.
    pub fn check_task(&self, data: Task) -> Result<()> {
        if self.task != data {
            return Err(Error::Weights(format!(
                "this teacher was trained on {}, and the data is {}: choose a {} teacher, or the task {}",
                self.task.dataset(),
                data.dataset(),
                data.dataset(),
                self.task.key()
            )));
        }
        Ok(())
    }

    /// Checks the weights' checksum against the card, then loads them into the card's
    /// architecture on `device`.
    pub fn load_teacher(&self, weights: &[u8], device: &Device) -> Result<Teacher> {
        let found = sha256_hex(weights);
        if found != self.sha256 {
            return Err(Error::ChecksumMismatch {
                expected: self.sha256.clone(),
                found,
            });
        }
        self.architecture.validate()?;
        load_safetensors(self.architecture.init(device), weights)
    }
}

/// A teacher of one's own, measured on the test set before it teaches: refused below
/// [`MIN_OWN_TEACHER_ACCURACY`], with the measured figure and the card's claim.
pub fn check_own_teacher(card: &TeacherCard, measured_accuracy: f64) -> Result<()> {
    if measured_accuracy < MIN_OWN_TEACHER_ACCURACY {
        return Err(Error::Weights(format!(
            "this teacher scores {:.2}% on the test set as loaded (its card says {:.2}%), below the {:.0}% a teacher needs to teach anything",
            measured_accuracy * 100.0,
            card.test_accuracy * 100.0,
            MIN_OWN_TEACHER_ACCURACY * 100.0
        )));
    }
    Ok(())
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
