//! The student, of one of four kinds (issue 19: any model can learn from a teacher's soft
//! outputs): a multilayer perceptron ([`mlp`]; with no hidden layer, the linear model), a small
//! convolutional net ([`cnn`]), or a soft decision tree ([`tree`], Frosst & Hinton 2017). Every
//! kind maps normalised images `[batch, 784]` to logits `[batch, 10]`, so the same trainer,
//! losses, evaluation, export and timing serve them all.

pub mod cnn;
pub mod mlp;
pub mod tree;

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Classifier, draw_now};

pub use cnn::{CnnStudent, MAX_CHANNELS};
pub use mlp::{MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, Mlp};
pub use tree::{MAX_DEPTH, SoftTree};

/// The kinds of student, as the `student` setting names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum StudentKind {
    Mlp,
    Linear,
    Cnn,
    Tree,
}

impl StudentKind {
    pub fn id(self) -> &'static str {
        match self {
            StudentKind::Mlp => "mlp",
            StudentKind::Linear => "linear",
            StudentKind::Cnn => "cnn",
            StudentKind::Tree => "tree",
        }
    }

    /// What the page calls this kind ("CNN 4-8 · 2,202 parameters").
    pub fn name(self) -> &'static str {
        match self {
            StudentKind::Mlp => "MLP",
            StudentKind::Linear => "Linear",
            StudentKind::Cnn => "CNN",
            StudentKind::Tree => "Soft tree",
        }
    }
}

/// Architecture of a [`Student`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StudentConfig {
    /// `784 → hidden[0] → … → 10`, ReLU between layers; no hidden layer is the linear model
    /// (softmax regression).
    Mlp { hidden: Vec<usize> },
    /// conv5×5·c1 → pool → conv5×5·c2 → pool → 10 (LeNet's shape, small).
    Cnn { channels: [usize; 2] },
    /// A soft decision tree of this depth: 2^depth − 1 inner filters, 2^depth leaves.
    Tree { depth: usize },
}

impl StudentConfig {
    /// An MLP with these hidden layers (checked).
    pub fn new(hidden: Vec<usize>) -> Result<Self> {
        let config = StudentConfig::Mlp { hidden };
        config.validate()?;
        Ok(config)
    }

    pub fn kind(&self) -> StudentKind {
        match self {
            StudentConfig::Mlp { hidden } if hidden.is_empty() => StudentKind::Linear,
            StudentConfig::Mlp { .. } => StudentKind::Mlp,
            StudentConfig::Cnn { .. } => StudentKind::Cnn,
            StudentConfig::Tree { .. } => StudentKind::Tree,
        }
    }

    pub fn validate(&self) -> Result<()> {
        match self {
            StudentConfig::Mlp { hidden } => mlp::validate(hidden),
            StudentConfig::Cnn { channels } => cnn::validate(channels),
            StudentConfig::Tree { depth } => tree::validate(*depth),
        }
    }

    /// Weights and biases of the student this describes.
    pub fn params(&self) -> usize {
        match self {
            StudentConfig::Mlp { hidden } => mlp::params(hidden),
            StudentConfig::Cnn { channels } => cnn::params(channels),
            StudentConfig::Tree { depth } => tree::params(*depth),
        }
    }

    /// A readable shape: `784-800-800-10`, `784-10`, `4-8`, `depth 6`.
    pub fn describe(&self) -> String {
        match self {
            StudentConfig::Mlp { hidden } => mlp::describe(hidden),
            StudentConfig::Cnn { channels } => format!("{}-{}", channels[0], channels[1]),
            StudentConfig::Tree { depth } => format!("depth {depth}"),
        }
    }

    /// The kind and the shape: `MLP 784-64-10`, `CNN 4-8`, `Soft tree depth 6`.
    pub fn title(&self) -> String {
        format!("{} {}", self.kind().name(), self.describe())
    }

    /// A file name's part: `mlp-784-64-10`, `linear-784-10`, `cnn-4-8`, `tree-depth-6`.
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.kind().id(), self.describe().replace(' ', "-"))
    }

    /// Width of the hidden representation a hint loss (FitNets) can match, or why there is none.
    pub fn hint_width(&self) -> std::result::Result<usize, String> {
        match self {
            StudentConfig::Mlp { hidden } => hidden.last().copied().ok_or_else(|| {
                "the linear student has no hidden layer for a hint to shape".to_string()
            }),
            StudentConfig::Cnn { channels } => Ok(cnn::features(channels)),
            StudentConfig::Tree { .. } => Err(
                "a soft tree has no hidden layer for a hint to shape (its inner nodes are filters on the image)"
                    .to_string(),
            ),
        }
    }

    /// Units of the activations a forward pass keeps alive per image, beyond input and output
    /// (for the memory estimate of [`crate::run::check_memory`]), and the widest of them.
    pub fn activation_units(&self) -> (usize, usize) {
        match self {
            StudentConfig::Mlp { hidden } => (
                hidden.iter().sum(),
                hidden.iter().copied().max().unwrap_or(0),
            ),
            StudentConfig::Cnn { channels } => cnn::activation_units(channels),
            StudentConfig::Tree { depth } => {
                let nodes = (1usize << depth) - 1;
                (3 * nodes + (1 << depth), nodes.max(1 << depth))
            }
        }
    }

    /// Builds the student with fresh weights, drawn now ([`draw_now`]): the seed set just before
    /// this call decides them, whatever runs next.
    pub fn init(&self, device: &Device) -> Student {
        draw_now(match self {
            StudentConfig::Mlp { hidden } => Student::Mlp(mlp::init(hidden, device)),
            StudentConfig::Cnn { channels } => Student::Cnn(cnn::init(channels, device)),
            StudentConfig::Tree { depth } => Student::Tree(tree::init(*depth, device)),
        })
    }
}

/// A student of any kind. Its weights file names tensors by the kind's own fields (`hidden.0.weight`,
/// `conv1.weight`, `inner.weight`): the variant adds no prefix (src/weights.rs).
#[derive(Module, Debug)]
pub enum Student {
    Mlp(Mlp),
    Cnn(CnnStudent),
    Tree(SoftTree),
}

/// What one training forward pass gives: the hidden representation (for a hint loss), what the
/// loss scores, and a penalty to add to it (the soft tree's balance term).
pub struct TrainingOutput {
    pub hidden: Option<Tensor<2>>,
    pub scored: Scored,
    pub penalty: Option<Tensor<1>>,
}

/// What the loss scores.
pub enum Scored {
    /// The student's logits `[batch, 10]`.
    Logits(Tensor<2>),
    /// A soft tree's leaves: the probability of reaching each `[batch, leaves]` and their logits
    /// `[leaves, 10]` (`Objective::expected_leaf_loss`).
    Leaves { reach: Tensor<2>, logits: Tensor<2> },
}

impl Student {
    /// The forward pass training uses.
    ///
    /// # Shapes
    /// - images: `[batch, 784]`; logits `[batch, 10]`
    pub fn forward_train(&self, images: Tensor<2>) -> TrainingOutput {
        match self {
            Student::Mlp(m) => {
                let (hidden, logits) = m.forward_with_hidden(images);
                TrainingOutput {
                    hidden: (!m.hidden.is_empty()).then_some(hidden),
                    scored: Scored::Logits(logits),
                    penalty: None,
                }
            }
            Student::Cnn(c) => {
                let (hidden, logits) = c.forward_with_hidden(images);
                TrainingOutput {
                    hidden: Some(hidden),
                    scored: Scored::Logits(logits),
                    penalty: None,
                }
            }
            Student::Tree(t) => {
                let (reach, logits, penalty) = t.forward_train(images);
                TrainingOutput {
                    hidden: None,
                    scored: Scored::Leaves { reach, logits },
                    penalty: Some(penalty),
                }
            }
        }
    }

    /// The soft tree, when this is one (the explorer draws it).
    pub fn as_tree(&self) -> Option<&SoftTree> {
        match self {
            Student::Tree(t) => Some(t),
            _ => None,
        }
    }
}

impl Classifier for Student {
    /// How the student answers once trained: the MLP and CNN their logits; the soft tree the
    /// leaf at the end of its most probable path (Frosst & Hinton 2017 §2).
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        match self {
            Student::Mlp(m) => m.forward_with_hidden(images).1,
            Student::Cnn(c) => c.forward_with_hidden(images).1,
            Student::Tree(t) => t.most_probable_path(images),
        }
    }
}

/// What a trainer optimises: the student, and for a hint loss (FitNets, Romero et al. 2015) the
/// regressor from its hidden representation to the teacher's hidden layer. Only the student is
/// kept.
#[derive(Module, Debug)]
pub struct Trainee {
    pub student: Student,
    pub regressor: Option<Linear>,
}

impl Trainee {
    /// A fresh student, and a regressor to `hint_width` teacher units when asked for. The
    /// student is drawn first, so its weights do not depend on whether a regressor follows.
    pub fn new(config: &StudentConfig, hint_width: Option<usize>, device: &Device) -> Result<Self> {
        let student = config.init(device);
        let regressor = match hint_width {
            None => None,
            Some(width) => {
                let from = config
                    .hint_width()
                    .map_err(|why| Error::setting("loss", why))?;
                Some(draw_now(LinearConfig::new(from, width).init(device)))
            }
        };
        Ok(Self { student, regressor })
    }
}
