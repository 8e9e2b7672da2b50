//! The two architectures: the CNN teacher and the MLP student, each with its config.

mod student;
mod teacher;

pub use student::{MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, Student, StudentConfig, Trainee};
pub use teacher::{Cnn, CnnConfig, MAX_MEMBERS, Teacher, TeacherConfig};

use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;

/// Draws every parameter of `module` now. burn initialises parameters lazily, on first use, from
/// the device's generator; a model built right after `device.seed(s)` but first used after other
/// draws gets other weights. (burn 0.22's `materialize()` does not force the draw: it folds
/// reparameterisations and, its docs say, leaves lazy parameters lazy.) The comparison's twins
/// must start from the same weights, so every model is drawn where its seed is set.
pub fn draw_now<M: Module>(module: M) -> M {
    struct Draw;
    impl ModuleVisitor for Draw {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let _ = param.val();
        }
    }
    module.visit(&mut Draw);
    module
}

/// Anything that maps a batch of normalised images `[batch, 784]` to logits `[batch, 10]`.
/// Evaluation and latency measurement work on this, whatever the architecture.
pub trait Classifier {
    fn logits(&self, images: Tensor<2>) -> Tensor<2>;
}
