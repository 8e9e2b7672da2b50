//! The experiments the page offers as one-click choices and the CLI as `--preset`: each is a set
//! of setting values over the defaults, with what the paper found beside it. Every number the page
//! shows for a preset is reproducible with `webdistill distill --preset ID`.

use serde::Serialize;

use super::{DistillSettings, Values};
use crate::data::Task;
use crate::error::{Error, Result};

/// One experiment.
#[derive(Debug, Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    /// What it shows, in a sentence.
    pub what: &'static str,
    /// What the paper reports for it (or that it has no such figure).
    pub paper: &'static str,
    /// Settings that differ from the defaults, as text.
    pub values: &'static [(&'static str, &'static str)],
}

/// The preset whose values are the defaults: what a first visit and a bare `distill` run.
pub const DEFAULT_PRESET: &str = "few-labels";

/// Each task's default experiment: what `distill --task KEY` runs, and what the page's task
/// switcher applies.
pub fn default_preset(task: Task) -> &'static str {
    match task {
        Task::Digits => DEFAULT_PRESET,
        Task::Fashion => "fashion",
    }
}

pub static PRESETS: &[Preset] = &[
    Preset {
        id: "few-labels",
        name: "Few labels (default)",
        what: "A small student learns from the teacher on every training image, but only a few images keep their labels: its twin without a teacher has those few alone.",
        paper: "No MNIST figure in the paper; its §6 (speech) trained on 3% of the data: 44.5% frame accuracy from hard targets, 57.0% from soft targets, 58.9% with all the data.",
        values: &[("task", "digits")],
    },
    Preset {
        id: "small-student",
        name: "Hinton's student (§3)",
        what: "Hinton's 800-800 student on all 60,000 labeled images, soft targets at T = 20.",
        paper: "§3: the 800-800 net alone makes 146 test errors; distilled at T = 20 from a 1200-1200 teacher (67 errors), 74.",
        values: &[
            ("task", "digits"),
            ("hidden", "800,800"),
            ("temperature", "20"),
            ("labeled", "60000"),
            ("learning_rate", "0.001"),
        ],
    },
    Preset {
        id: "no-labels",
        name: "Soft targets only",
        what: "No image keeps its label (α = 1): everything the student learns comes from the teacher's probabilities. No scratch student can be trained.",
        paper: "No MNIST figure in the paper; in §6 (speech) soft targets from 3% of the data nearly matched training on all of it.",
        values: &[("task", "digits"), ("alpha", "1"), ("labeled", "0")],
    },
    Preset {
        id: "omit-3",
        name: "Omit the 3s (§3)",
        what: "No 3 in the transfer set: the distilled student has never seen one. 3,000 training images are held out to fit the 3s' bias on afterwards. It is taught by the soft teacher, because which teacher matters here: natively (seed 1) its student gets 890 of the 1,010 test 3s right, the sharper default teacher's only 248.",
        paper: "§3: 206 test errors, 133 of them on the 1,010 3s; with the 3s' bias raised by 3.5, 109 errors, 14 on 3s.",
        values: &[
            ("task", "digits"),
            ("teacher", "soft"),
            ("hidden", "800,800"),
            ("temperature", "20"),
            ("size", "50000"),
            ("labeled", "50000"),
            ("omit", "3"),
            ("holdout", "3000"),
            ("epochs", "2"),
            ("learning_rate", "0.001"),
        ],
    },
    Preset {
        id: "fashion",
        name: "Fashion: few labels",
        what: "Fashion-MNIST's default: the same small student and its twin, with a teacher that is itself often wrong, so its soft targets carry much more than on the digits.",
        paper: "Not in the paper. Published small-student results on Fashion-MNIST show distillation helping even with all labels (a 3-layer CNN: 92.43% alone, 92.97% taught by a ResNet-18 at T = 4).",
        values: FASHION_FEW_LABELS,
    },
    Preset {
        id: "fashion-all-labels",
        name: "Fashion: all labels",
        what: "Every Fashion-MNIST training image keeps its label: does the teacher still help a student that has all the answers?",
        paper: "Not in the paper; on the digits, its §3 student gained 146 → 74 errors with all labels.",
        values: &[
            ("task", "fashion"),
            ("hidden", "256"),
            ("labeled", "60000"),
            ("epochs", "6"),
            ("learning_rate", "0.001"),
        ],
    },
    Preset {
        id: "fashion-omit-shirt",
        name: "Fashion: omit the shirts",
        what: "No shirt in the transfer set: the distilled student has never seen one, only the teacher's sense of how much a T-shirt, a pullover or a coat looks like a shirt. 3,000 training images are held out to fit the shirts' bias on afterwards.",
        paper: "The digits' version is §3's omit-3 experiment.",
        values: &[
            ("task", "fashion"),
            ("hidden", "800,800"),
            ("temperature", "20"),
            ("size", "50000"),
            ("labeled", "50000"),
            ("omit", "6"),
            ("holdout", "3000"),
            ("epochs", "2"),
            ("learning_rate", "0.001"),
        ],
    },
];

/// Fashion-MNIST's few-labels default (README, "The default run", has the sweep it came from).
const FASHION_FEW_LABELS: &[(&str, &str)] = &[("task", "fashion")];

impl Preset {
    /// The preset `id`.
    pub fn get(id: &str) -> Result<&'static Preset> {
        PRESETS.iter().find(|p| p.id == id).ok_or_else(|| {
            let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
            Error::setting("preset", format!("{id:?}; presets are {}", ids.join(", ")))
        })
    }

    /// The preset's values over the defaults, then `overrides` over those.
    pub fn with(&self, overrides: &Values) -> std::result::Result<DistillSettings, Vec<Error>> {
        let mut values: Values = self
            .values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        values.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
        DistillSettings::from_values(&values)
    }

    pub fn settings(&self) -> DistillSettings {
        self.with(&Values::new()).expect("presets are valid")
    }
}
