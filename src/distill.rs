//! Distillation losses: pure, backend-generic functions of logits.
//!
//! `targets` is `[batch, 10]`: a one-hot row for each example that keeps its label and a row of
//! zeros for each unlabeled one, so the label term runs over labeled examples only.

use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The largest temperature we accept. Hinton 2015 §3 used 20 for MNIST; 100 is already
/// indistinguishable from logit matching.
pub const MAX_TEMPERATURE: f32 = 100.0;

/// What the student is trained to match.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Objective {
    /// Hard labels only, cross-entropy: the student trained without a teacher.
    Labels,
    /// Hinton, Vinyals & Dean 2015: `α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE(s, y)`.
    Hinton { temperature: f32, alpha: f32 },
    /// Ba & Caruana 2014: `α·MSE(s, t) + (1−α)·CE(s, y)`, the high-temperature limit of the above.
    LogitMatching { alpha: f32 },
}

impl Objective {
    pub fn validate(&self) -> Result<()> {
        let alpha = match *self {
            Objective::Labels => return Ok(()),
            Objective::Hinton { temperature, alpha } => {
                if !(temperature > 0.0 && temperature <= MAX_TEMPERATURE) {
                    return Err(Error::setting(
                        "temperature",
                        format!(
                            "T = {temperature}; it must be above 0 and at most {MAX_TEMPERATURE}"
                        ),
                    ));
                }
                alpha
            }
            Objective::LogitMatching { alpha } => alpha,
        };
        if !(0.0..=1.0).contains(&alpha) {
            return Err(Error::setting(
                "alpha",
                format!("α = {alpha}; it weighs the soft targets and must lie in [0, 1]"),
            ));
        }
        Ok(())
    }

    /// Whether the loss reads the teacher's logits.
    pub fn needs_teacher(&self) -> bool {
        !matches!(self, Objective::Labels)
    }

    /// A short name for tables: `labels`, `hinton T=4 α=0.9`, `logits α=0.9`.
    pub fn describe(&self) -> String {
        match self {
            Objective::Labels => "hard labels".into(),
            Objective::Hinton { temperature, alpha } => {
                format!("Hinton KD, T={temperature}, α={alpha}")
            }
            Objective::LogitMatching { alpha } => format!("logit matching, α={alpha}"),
        }
    }

    /// The loss of one batch. `teacher` must be present when [`Self::needs_teacher`].
    ///
    /// # Shapes
    /// - student, teacher, targets: `[batch, 10]`; returns `[1]`
    pub fn loss(
        &self,
        student: Tensor<2>,
        teacher: Option<Tensor<2>>,
        targets: Tensor<2>,
        labeled: usize,
    ) -> Tensor<1> {
        match (*self, teacher) {
            (Objective::Hinton { temperature, alpha }, Some(teacher)) => {
                hinton_loss(student, teacher, targets, labeled, temperature, alpha)
            }
            (Objective::LogitMatching { alpha }, Some(teacher)) => {
                logit_matching_loss(student, teacher, targets, labeled, alpha)
            }
            _ => label_loss(student, targets, labeled),
        }
    }
}

/// Cross-entropy of the student against the labels, averaged over the `labeled` examples that
/// have one (zero when none has).
///
/// # Shapes
/// - student, targets: `[batch, 10]`; returns `[1]`
pub fn label_loss(student: Tensor<2>, targets: Tensor<2>, labeled: usize) -> Tensor<1> {
    let log_p = log_softmax(student, 1); // [batch, 10]
    (targets * log_p).sum().neg() / labeled.max(1) as f32
}

/// Hinton knowledge distillation: `α·T²·KL(p_t ‖ p_s) + (1−α)·CE(s, y)` with
/// `p = softmax(logits / T)`. The T² keeps the soft term's gradients the same size as T changes
/// (Hinton 2015 §2). The KL is averaged over the whole batch, the CE over its labeled examples.
///
/// # Shapes
/// - student, teacher, targets: `[batch, 10]`; returns `[1]`
pub fn hinton_loss(
    student: Tensor<2>,
    teacher: Tensor<2>,
    targets: Tensor<2>,
    labeled: usize,
    temperature: f32,
    alpha: f32,
) -> Tensor<1> {
    let [batch, _] = student.dims();
    let soft = if alpha > 0.0 {
        let log_p_s = log_softmax(student.clone() / temperature, 1); // [batch, 10]
        let log_p_t = log_softmax(teacher.clone() / temperature, 1); // [batch, 10]
        let p_t = softmax(teacher / temperature, 1); // [batch, 10]
        let kl = (p_t * (log_p_t - log_p_s)).sum() / batch as f32; // [1]
        Some(kl * (alpha * temperature * temperature))
    } else {
        None
    };
    mix(soft, student, targets, labeled, alpha)
}

/// Logit matching (Ba & Caruana 2014): `α·mean((s − t)²) + (1−α)·CE(s, y)`.
///
/// # Shapes
/// - student, teacher, targets: `[batch, 10]`; returns `[1]`
pub fn logit_matching_loss(
    student: Tensor<2>,
    teacher: Tensor<2>,
    targets: Tensor<2>,
    labeled: usize,
    alpha: f32,
) -> Tensor<1> {
    let soft = (alpha > 0.0).then(|| (student.clone() - teacher).square().mean() * alpha);
    mix(soft, student, targets, labeled, alpha)
}

/// `soft + (1−α)·CE`, leaving out whichever term has zero weight or no examples.
fn mix(
    soft: Option<Tensor<1>>,
    student: Tensor<2>,
    targets: Tensor<2>,
    labeled: usize,
    alpha: f32,
) -> Tensor<1> {
    let hard = (alpha < 1.0 && labeled > 0)
        .then(|| label_loss(student.clone(), targets, labeled) * (1.0 - alpha));
    match (soft, hard) {
        (Some(s), Some(h)) => s + h,
        (Some(s), None) => s,
        (None, Some(h)) => h,
        // No soft term and no label in this batch: a zero that still reaches the student, so
        // `backward` has a graph to walk.
        (None, None) => student.sum() * 0.0,
    }
}
