//! The two architectures: the CNN teacher and the MLP student, each with its config.

mod student;
mod teacher;

pub use student::{MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, Student, StudentConfig, Trainee};
pub use teacher::{Cnn, CnnConfig, MAX_MEMBERS, Teacher, TeacherConfig};

use burn::prelude::*;

/// Anything that maps a batch of normalised images `[batch, 784]` to logits `[batch, 10]`.
/// Evaluation and latency measurement work on this, whatever the architecture.
pub trait Classifier {
    fn logits(&self, images: Tensor<2>) -> Tensor<2>;
}
