//! The experiments the page offers as one-click choices and the CLI as `--preset`: each is a set
//! of setting values over the defaults, with what the paper found beside it. Every number the page
//! shows for a preset is reproducible with `webdistill distill --preset ID`.

use serde::Serialize;

use super::{DistillSettings, Values};
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

pub static PRESETS: &[Preset] = &[
    Preset {
        id: "few-labels",
        name: "Few labels (default)",
        what: "A small student learns from the teacher on every training image, but only a few images keep their labels: its twin without a teacher has those few alone.",
        paper: "No MNIST figure in the paper; its §6 (speech) trained on 3% of the data: 44.5% frame accuracy from hard targets, 57.0% from soft targets, 58.9% with all the data.",
        values: &[],
    },
    Preset {
        id: "small-student",
        name: "Hinton's student (§3)",
        what: "Hinton's 800-800 student on all 60,000 labeled images, soft targets at T = 20.",
        paper: "§3: the 800-800 net alone makes 146 test errors; distilled at T = 20 from a 1200-1200 teacher (67 errors), 74.",
        values: &[
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
        values: &[("alpha", "1"), ("labeled", "0")],
    },
    Preset {
        id: "omit-3",
        name: "Omit the 3s (§3)",
        what: "No 3 in the transfer set: the distilled student has never seen one. 3,000 training images are held out to fit the 3s' bias on afterwards. It is taught by the soft teacher, because which teacher matters here: natively (seed 1) its student gets 885 of the 1,010 test 3s right, the sharper default teacher's only 288.",
        paper: "§3: 206 test errors, 133 of them on the 1,010 3s; with the 3s' bias raised by 3.5, 109 errors, 14 on 3s.",
        values: &[
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
];

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
