//! The architectures: the CNN teacher, and the students of every kind, each with its config.

mod gemm_i16;
mod integer_teacher;
pub mod student;
mod teacher;

pub use integer_teacher::IntegerTeacher;
pub use student::{
    CnnStudent, MAX_CHANNELS, MAX_DEPTH, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, Mlp, Scored,
    SoftTree, Student, StudentConfig, StudentKind, Trainee, TrainingOutput,
};
pub use teacher::{Cnn, CnnConfig, MAX_MEMBERS, NormalisedCnn, Teacher, TeacherConfig};

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
    exclusive(|| module.visit(&mut Draw));
    module
}

/// burn's CPU backend keeps one random generator for the whole process (burn-flex's `SEED`): two
/// threads that seed and draw at once (tests run in parallel; a native host may run two
/// experiments) would take each other's numbers. Every seeding and drawing here holds this lock.
static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// Whether this thread holds [`GENERATOR`] (a seeded build draws inside it).
    static HOLDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` holding [`GENERATOR`] (at once when this thread holds it already).
fn exclusive<T>(f: impl FnOnce() -> T) -> T {
    if HOLDING.get() {
        return f();
    }
    struct Release;
    impl Drop for Release {
        fn drop(&mut self) {
            HOLDING.set(false);
        }
    }
    let _lock = GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    HOLDING.set(true);
    let _release = Release;
    f()
}

/// `build()` right after seeding `device` with `seed`, with no other draw in between; `build`
/// must draw every parameter it makes ([`draw_now`]).
pub fn seeded<T>(device: &Device, seed: u64, build: impl FnOnce() -> T) -> T {
    exclusive(|| {
        device.seed(seed);
        build()
    })
}

/// Anything that maps a batch of normalised images `[batch, 784]` to logits `[batch, 10]`.
/// Evaluation and latency measurement work on this, whatever the architecture.
pub trait Classifier {
    fn logits(&self, images: Tensor<2>) -> Tensor<2>;
}
