//! The one table of settings: key, label, kind, limits, help and default of each. The page builds
//! its form and checks its links from it (the wasm module exports it), the CLI derives its flags
//! from it (`--learning-rate` for `learning_rate`), and [`DistillSettings`]'s fields carry the
//! same keys. Limits live with the code that enforces them (the constants cited below); the
//! table repeats them for the form to show, and a test checks they agree.

use serde::Serialize;

use super::text::{MAX_LIST_VALUES, list, parse_int, parse_list, parse_number, shown};
use super::{DistillSettings, Loss};
use crate::data::{NUM_CLASSES, TRAINING_IMAGES, Task};
use crate::distill::{MAX_HINT_WEIGHT, MAX_TEMPERATURE};
use crate::error::{Error, Result};
use crate::model::{MAX_CHANNELS, MAX_DEPTH, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, StudentKind};
use crate::teacher_card::{BundledTeacher, DEFAULT_TEACHER, OWN_TEACHER, TEACHER_CHOICES};
use crate::train::{MAX_BATCH_SIZE, MAX_EPOCHS};

/// How a setting is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A whole number, at least 0.
    Int,
    /// A decimal number (`0.003`, `3e-3`).
    Float,
    /// Whole numbers separated by commas (`800,800`); may be empty.
    List,
    /// One of `choices`.
    Choice,
}

/// One setting.
#[derive(Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SettingSpec {
    /// The field of [`DistillSettings`], the form's field, the link's key, and (with `-` for
    /// `_`) the CLI's flag.
    pub key: &'static str,
    pub label: &'static str,
    /// The panel a form puts it in: `student`, `teacher`, `data` or `training`.
    pub group: &'static str,
    /// The student kind this setting sizes (`hidden` the MLP's, ...): a form shows it only for
    /// that kind. `None`: every kind's.
    pub for_student: Option<&'static str>,
    pub kind: Kind,
    /// `(value, text)` of each choice, for [`Kind::Choice`].
    pub choices: &'static [(&'static str, &'static str)],
    /// The least and greatest value (of each element, for a list), where there are limits.
    pub min: Option<f64>,
    /// Whether `min` itself is refused (a value must be above it: a temperature, a step size).
    pub min_exclusive: bool,
    pub max: Option<f64>,
    /// For a list, how many values it takes, least and most (`None` for other kinds).
    pub items: Option<(usize, usize)>,
    pub default: &'static str,
    pub help: &'static str,
    #[serde(skip)]
    pub get: fn(&DistillSettings) -> String,
    #[serde(skip)]
    pub set: fn(&mut DistillSettings, &str) -> Result<()>,
}

/// The spec of `key`.
pub fn spec(key: &str) -> Option<&'static SettingSpec> {
    SCHEMA.iter().find(|s| s.key == key)
}

/// What the page and messages call setting `key` (`key` itself for names outside the table).
pub fn label(key: &str) -> &str {
    spec(key).map_or(key, |s| s.label)
}

const STUDENTS: &[(&str, &str)] = &[
    ("mlp", "MLP (hidden layers of units)"),
    ("linear", "Linear (softmax regression, 784 → 10)"),
    ("cnn", "CNN (two small convolutions)"),
    ("tree", "Soft decision tree (Frosst & Hinton 2017)"),
];

const LOSSES: &[(&str, &str)] = &[
    ("hinton", "Hinton KD (soft targets at temperature T)"),
    ("logits", "Logit matching (MSE)"),
    ("hint", "Hinton KD + FitNets hint (hidden layer)"),
];

/// The `task` setting's choices: `(key, dataset)` of each task.
const TASKS: [(&str, &str); Task::ALL.len()] = {
    let mut choices = [("", ""); Task::ALL.len()];
    let mut i = 0;
    while i < choices.len() {
        choices[i] = (Task::ALL[i].key(), Task::ALL[i].dataset());
        i += 1;
    }
    choices
};

/// Every setting, in the order a form shows them. Defaults: see each comment.
pub static SCHEMA: &[SettingSpec] = &[
    SettingSpec {
        key: "task",
        label: "Task",
        group: "data",
        for_student: None,
        kind: Kind::Choice,
        choices: &TASKS,
        min: None,
        min_exclusive: false,
        max: None,
        items: None,
        // The digits: everyone's first dataset, and the paper's.
        default: "digits",
        help: "What the models learn to recognise: handwritten digits (MNIST) or clothes (Fashion-MNIST), where the teacher is far from perfect.",
        get: |s| s.task.key().into(),
        set: |s, t| {
            s.task = Task::from_key(t).ok_or_else(|| {
                Error::setting("task", format!("{}; choose digits or fashion", shown(t)))
            })?;
            Ok(())
        },
    },
    SettingSpec {
        key: "teacher",
        label: "Teacher",
        group: "teacher",
        for_student: None,
        kind: Kind::Choice,
        choices: &TEACHER_CHOICES,
        min: None,
        min_exclusive: false,
        max: None,
        items: None,
        default: DEFAULT_TEACHER,
        help: "Which teacher labels the transfer set. The sharper one is more accurate; the softer one says more about the classes it did not pick. On the page, \"own\" is a teacher you loaded from files (the CLI takes --teacher PATH).",
        get: |s| s.teacher.clone(),
        set: |s, t| {
            // Whether the task has this teacher is checked with the other settings
            // (`DistillSettings::problems`): the task may be set after the teacher.
            s.teacher = match t {
                OWN_TEACHER => OWN_TEACHER.to_string(),
                id => BundledTeacher::any(id)?.id.to_string(),
            };
            Ok(())
        },
    },
    SettingSpec {
        key: "student",
        label: "Student kind",
        group: "student",
        for_student: None,
        kind: Kind::Choice,
        choices: STUDENTS,
        min: None,
        min_exclusive: false,
        max: None,
        items: None,
        // The MLP: Hinton et al. 2015's student, and the one the defaults were measured on.
        default: "mlp",
        help: "What kind of model learns from the teacher: any model can learn from another's soft outputs.",
        get: |s| s.student.id().into(),
        set: |s, t| {
            s.student = match t {
                "mlp" => StudentKind::Mlp,
                "linear" => StudentKind::Linear,
                "cnn" => StudentKind::Cnn,
                "tree" => StudentKind::Tree,
                other => {
                    return Err(Error::setting(
                        "student",
                        format!("{}; choose mlp, linear, cnn or tree", shown(other)),
                    ));
                }
            };
            Ok(())
        },
    },
    SettingSpec {
        key: "hidden",
        label: "Student hidden layers",
        group: "student",
        for_student: Some("mlp"),
        kind: Kind::List,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(MAX_HIDDEN_UNITS as f64),
        items: Some((1, MAX_HIDDEN_LAYERS)),
        // One layer of 64: 50,890 parameters (204 KB as f32, 10.8× smaller than the teacher)
        // that still reach 97.4-97.7% distilled with 300 labels; 48 units reached 97.0% and 32
        // units 95.7% (README, "The default run", has the sweep).
        default: "64",
        help: "MLP only: units of each hidden layer, comma-separated (Hinton's student: 800,800).",
        get: |s| list(&s.hidden),
        set: |s, t| {
            s.hidden = parse_list("hidden", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "channels",
        label: "CNN channels",
        group: "student",
        for_student: Some("cnn"),
        kind: Kind::List,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(MAX_CHANNELS as f64),
        items: Some((2, 2)),
        // 4 and 8: 2,202 parameters (9 KB), 98.7% distilled with 300 labels against 87.3%
        // without the teacher (README, "Student kinds").
        default: "4,8",
        help: "CNN only: channels of its two 5×5 convolutions.",
        get: |s| list(&s.channels),
        set: |s, t| {
            s.channels = parse_list("channels", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "depth",
        label: "Tree depth",
        group: "student",
        for_student: Some("tree"),
        kind: Kind::Int,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(MAX_DEPTH as f64),
        items: None,
        // 8, Frosst & Hinton's (2017) depth on MNIST: 255 filters, 256 leaves (811 KB, 2.7×
        // smaller than the teacher). On the default run it reached 94.23% distilled against
        // 82.74% without the teacher; depth 6 (200 KB) only 84.36% against 81.33% in 4 epochs
        // (README, "Student kinds").
        default: "8",
        help: "Soft tree only: levels of decisions (2^depth leaves).",
        get: |s| s.depth.to_string(),
        set: |s, t| {
            s.depth = parse_int("depth", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "loss",
        label: "Loss",
        group: "teacher",
        for_student: None,
        kind: Kind::Choice,
        choices: LOSSES,
        min: None,
        min_exclusive: false,
        max: None,
        items: None,
        // Hinton et al. 2015's loss, the one the page is about.
        default: "hinton",
        help: "What the student matches: the teacher's softened probabilities, its raw logits, or its probabilities and its hidden layer (through a learned projection).",
        get: |s| {
            match s.loss {
                Loss::Hinton => "hinton",
                Loss::Logits => "logits",
                Loss::Hint => "hint",
            }
            .into()
        },
        set: |s, t| {
            s.loss = match t {
                "hinton" => Loss::Hinton,
                "logits" => Loss::Logits,
                "hint" => Loss::Hint,
                other => {
                    return Err(Error::setting(
                        "loss",
                        format!("{other:?}; choose hinton, logits or hint"),
                    ));
                }
            };
            Ok(())
        },
    },
    SettingSpec {
        key: "temperature",
        label: "Temperature T",
        group: "teacher",
        for_student: None,
        kind: Kind::Float,
        choices: &[],
        min: Some(0.0),
        min_exclusive: true,
        max: Some(MAX_TEMPERATURE as f64),
        items: None,
        // Hinton et al. 2015 §3 found 2.5-4 best for small students; the sweep agreed: 97.0%
        // at T = 2, 97.4% at 4, 96.9% at 8 (3 epochs).
        default: "4",
        help: "Softens both softmaxes; higher T exposes more of the teacher's small probabilities.",
        get: |s| s.temperature.to_string(),
        set: |s, t| {
            s.temperature = parse_number("temperature", t)? as f32;
            Ok(())
        },
    },
    SettingSpec {
        key: "alpha",
        label: "α (soft-target weight)",
        group: "teacher",
        for_student: None,
        kind: Kind::Float,
        choices: &[],
        min: Some(0.0),
        min_exclusive: false,
        max: Some(1.0),
        items: None,
        // With 300 labels the soft targets carry nearly all the information (α = 1 scored the
        // same, 97.43% against 97.40%); the labels keep the remaining 10%.
        default: "0.9",
        help: "Weight of the teacher's targets; 1 − α goes to the labels (where an example has one).",
        get: |s| s.alpha.to_string(),
        set: |s, t| {
            s.alpha = parse_number("alpha", t)? as f32;
            Ok(())
        },
    },
    SettingSpec {
        key: "beta",
        label: "β (hint weight)",
        group: "teacher",
        for_student: None,
        kind: Kind::Float,
        choices: &[],
        min: Some(0.0),
        min_exclusive: false,
        max: Some(MAX_HINT_WEIGHT as f64),
        items: None,
        // Measured on 784-64 with 300 labels of 10,000 (2 epochs, T = 4, α = 0.9): β = 0 → 1,071
        // test errors, 0.1 → 1,067, 1 → 1,045, 10 → 1,071, 100 → 1,412 (the hint then drowns the
        // soft targets).
        default: "1",
        help: "FitNets hint only: weight of matching the student's last hidden layer to the teacher's (Romero et al. 2015).",
        get: |s| s.beta.to_string(),
        set: |s, t| {
            s.beta = parse_number("beta", t)? as f32;
            Ok(())
        },
    },
    SettingSpec {
        key: "assistant",
        label: "Teacher assistant hidden layers",
        group: "teacher",
        for_student: None,
        kind: Kind::List,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(MAX_HIDDEN_UNITS as f64),
        items: Some((0, MAX_HIDDEN_LAYERS)),
        // None: the direct teacher → student route is the paper's.
        default: "",
        help: "Optional: an MLP between teacher and student (Mirzadeh et al. 2020). It learns from the teacher first, then teaches the student. Empty for none.",
        get: |s| list(&s.assistant),
        set: |s, t| {
            s.assistant = parse_list("assistant", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "size",
        label: "Transfer set size",
        group: "data",
        for_student: None,
        kind: Kind::Int,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(TRAINING_IMAGES as f64),
        items: None,
        // Every training image: the distilled student's accuracy grows with the images the
        // teacher labels (96.3% on 30,000, 97.4% on 60,000 at 3 epochs), and the teacher labels
        // 60,000 in well under half a minute on a CPU.
        default: "60000",
        help: "Training images the students learn from (up to 60,000).",
        get: |s| s.size.to_string(),
        set: |s, t| {
            s.size = parse_int("size", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "labeled",
        label: "Labeled examples",
        group: "data",
        for_student: None,
        kind: Kind::Int,
        choices: &[],
        min: Some(0.0),
        min_exclusive: false,
        max: Some(TRAINING_IMAGES as f64),
        items: None,
        // 30 per digit on average: where soft targets help most (the scratch twin stays near 85%).
        default: "300",
        help: "How many of them keep their labels. The scratch student learns from these alone.",
        get: |s| s.labeled.to_string(),
        set: |s, t| {
            s.labeled = parse_int("labeled", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "omit",
        label: "Classes left out",
        group: "data",
        for_student: None,
        kind: Kind::List,
        choices: &[],
        min: Some(0.0),
        min_exclusive: false,
        max: Some((NUM_CLASSES - 1) as f64),
        items: Some((0, MAX_LIST_VALUES)),
        default: "",
        help: "Classes (by number, 0–9) removed from the transfer set entirely, e.g. 3 (Hinton 2015 §3 left out the digit 3).",
        get: |s| list(&s.omit),
        set: |s, t| {
            let digits = parse_list("omit", t)?;
            s.omit = digits
                .into_iter()
                .map(|d| {
                    u8::try_from(d)
                        .map_err(|_| Error::setting("omit", format!("{d} is not a class")))
                })
                .collect::<Result<_>>()?;
            Ok(())
        },
    },
    SettingSpec {
        key: "holdout",
        label: "Held-out images",
        group: "data",
        for_student: None,
        kind: Kind::Int,
        choices: &[],
        min: Some(0.0),
        min_exclusive: false,
        // At least one image must remain to draw the transfer set from.
        max: Some((TRAINING_IMAGES - 1) as f64),
        items: None,
        default: "0",
        help: "Training images set aside before the transfer set is drawn, to fit the class-bias shift on (not the test set).",
        get: |s| s.holdout.to_string(),
        set: |s, t| {
            s.holdout = parse_int("holdout", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "epochs",
        label: "Epochs",
        group: "training",
        for_student: None,
        kind: Kind::Int,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(MAX_EPOCHS as f64),
        items: None,
        // Four passes: 96.6% after 2, 97.4% after 3, 97.7% after 4 (seeds 1-3 at 4: 97.73,
        // 97.49, 97.52%); both 64-unit students train in seconds on a CPU.
        default: "4",
        help: "Passes over the transfer set; the scratch student takes as many steps.",
        get: |s| s.epochs.to_string(),
        set: |s, t| {
            s.epochs = parse_int("epochs", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "learning_rate",
        label: "Learning rate",
        group: "training",
        for_student: None,
        kind: Kind::Float,
        choices: &[],
        min: Some(0.0),
        min_exclusive: true,
        max: Some(1.0),
        items: None,
        // 3e-3, not Adam's usual 1e-3: a short run of a small student gains from the larger
        // step (96.1% at 1e-3, 97.4% at 3e-3, 97.5% at 5e-3; 3 epochs).
        default: "0.003",
        help: "Adam's step size.",
        get: |s| s.learning_rate.to_string(),
        set: |s, t| {
            s.learning_rate = parse_number("learning_rate", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "batch_size",
        label: "Batch size",
        group: "training",
        for_student: None,
        kind: Kind::Int,
        choices: &[],
        min: Some(1.0),
        min_exclusive: false,
        max: Some(MAX_BATCH_SIZE as f64),
        items: None,
        // 128: small enough for ~470 steps an epoch, large enough to keep a CPU's SIMD busy.
        default: "128",
        help: "Examples per training step.",
        get: |s| s.batch_size.to_string(),
        set: |s, t| {
            s.batch_size = parse_int("batch_size", t)?;
            Ok(())
        },
    },
    SettingSpec {
        key: "seed",
        label: "Seed",
        group: "training",
        for_student: None,
        kind: Kind::Int,
        choices: &[],
        min: Some(0.0),
        min_exclusive: false,
        max: Some(super::MAX_SEED as f64),
        items: None,
        default: "1",
        help: "Decides the transfer set, the initial weights and the batch order: same seed, same run.",
        get: |s| s.seed.to_string(),
        set: |s, t| {
            s.seed = parse_int::<u64>("seed", t)?;
            Ok(())
        },
    },
];
