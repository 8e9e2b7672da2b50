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
    /// Hinton KD plus a FitNets hint (Romero et al. 2015): `β·MSE(r(h_s), h_t)`, where `h_s` is
    /// the student's last hidden layer, `h_t` the teacher's hidden dense layer and `r` a linear
    /// regressor learned with the student. FitNets trains the hint first and then KD; here both
    /// terms train together from the first step (one stage, as most KD libraries run it).
    Hint {
        temperature: f32,
        alpha: f32,
        beta: f32,
    },
}

/// The largest hint weight β we accept.
pub const MAX_HINT_WEIGHT: f32 = 100.0;

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
            Objective::Hint {
                temperature,
                alpha,
                beta,
            } => {
                if !(0.0..=MAX_HINT_WEIGHT).contains(&beta) {
                    return Err(Error::setting(
                        "beta",
                        format!("β = {beta}; the hint weight must lie in [0, {MAX_HINT_WEIGHT}]"),
                    ));
                }
                return Objective::Hinton { temperature, alpha }.validate();
            }
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

    /// The loss in words, as tables, cards and the page name it: `hard labels`,
    /// `Hinton KD, T = 4, α = 0.9`, `logit matching, α = 0.9`,
    /// `Hinton KD, T = 4, α = 0.9 + FitNets hint, β = 1`.
    pub fn describe(&self) -> String {
        let kd = |t: &f32, a: &f32| format!("Hinton KD, T = {t}, α = {a}");
        match self {
            Objective::Labels => "hard labels".into(),
            Objective::Hinton { temperature, alpha } => kd(temperature, alpha),
            Objective::LogitMatching { alpha } => format!("logit matching, α = {alpha}"),
            Objective::Hint {
                temperature,
                alpha,
                beta,
            } => format!("{} + FitNets hint, β = {beta}", kd(temperature, alpha)),
        }
    }

    /// The weight of the hint term, when the loss has one (it needs the teacher's hidden layer).
    pub fn hint_weight(&self) -> Option<f32> {
        match *self {
            Objective::Hint { beta, .. } => Some(beta),
            _ => None,
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
            (Objective::Hinton { temperature, alpha }, Some(teacher))
            | (
                Objective::Hint {
                    temperature, alpha, ..
                },
                Some(teacher),
            ) => hinton_loss(student, teacher, targets, labeled, temperature, alpha),
            (Objective::LogitMatching { alpha }, Some(teacher)) => {
                logit_matching_loss(student, teacher, targets, labeled, alpha)
            }
            _ => label_loss(student, targets, labeled),
        }
    }
}

impl Objective {
    /// The same loss for a soft decision tree, as Frosst & Hinton (2017, eq. 1) train theirs:
    /// each leaf's constant prediction scored by this objective, weighted by the probability of
    /// reaching that leaf, not the leaves' mixture scored once (which lets undecided, soft routing
    /// fit the targets, and then the most probable path, by which the tree answers, is poor).
    ///
    /// # Shapes
    /// - reach: `[batch, leaves]`, rows summing to 1; leaves: `[leaves, 10]` logits
    /// - teacher, targets: `[batch, 10]`; returns `[1]`
    pub fn expected_leaf_loss(
        &self,
        reach: Tensor<2>,
        leaves: Tensor<2>,
        teacher: Option<Tensor<2>>,
        targets: Tensor<2>,
        labeled: usize,
    ) -> Tensor<1> {
        let [batch, _] = reach.dims();
        // Σ_leaf P(leaf | x) · log softmax(leaf / T): each example's expected log-probabilities.
        let expected_log_p = |t: f32| reach.clone().matmul(log_softmax(leaves.clone() / t, 1)); // [batch, 10]
        let (soft, alpha) = match (*self, teacher) {
            (Objective::Hinton { temperature, alpha }, Some(teacher))
            | (
                Objective::Hint {
                    temperature, alpha, ..
                },
                Some(teacher),
            ) if alpha > 0.0 => {
                let log_p_t = log_softmax(teacher.clone() / temperature, 1);
                let p_t = softmax(teacher / temperature, 1);
                let kl = (p_t * (log_p_t - expected_log_p(temperature))).sum() / batch as f32;
                (Some(kl * (alpha * temperature * temperature)), alpha)
            }
            (Objective::LogitMatching { alpha }, Some(teacher)) if alpha > 0.0 => {
                // E‖φ − t‖² = E[φ²] − 2·t·E[φ] + t², per class.
                let mean = reach.clone().matmul(leaves.clone());
                let square = reach.clone().matmul(leaves.clone().square());
                let expected = square - mean * teacher.clone() * 2.0 + teacher.square();
                (Some(expected.mean() * alpha), alpha)
            }
            // No teacher, or no weight on it: the labels alone, as `loss` does.
            _ => (None, 0.0),
        };
        let hard = (alpha < 1.0 && labeled > 0)
            .then(|| (targets * expected_log_p(1.0)).sum().neg() / labeled as f32 * (1.0 - alpha));
        match (soft, hard) {
            (Some(s), Some(h)) => s + h,
            (Some(s), None) => s,
            (None, Some(h)) => h,
            (None, None) => reach.sum() * 0.0,
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

/// The FitNets hint term: mean squared difference between the regressed student features and
/// the teacher's hidden layer (FitNets' `½‖u_h − r(v_g)‖²`, averaged over the batch and units so
/// its size does not depend on either).
///
/// # Shapes
/// - projected, teacher_hidden: `[batch, units]`; returns `[1]`
pub fn hint_loss(projected: Tensor<2>, teacher_hidden: Tensor<2>) -> Tensor<1> {
    (projected - teacher_hidden).square().mean() * 0.5
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
