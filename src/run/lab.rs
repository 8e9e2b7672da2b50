//! What a run works with: the data, the teacher and the device, and what a session keeps
//! between runs.

use std::rc::Rc;
use std::sync::Arc;

use burn::prelude::*;

use crate::data::{Mnist, Task};
use crate::eval::latency::LatencyProfile;
use crate::eval::{Backend, TestLogits};
use crate::model::{IntegerTeacher, Teacher};
use crate::soft_targets::SoftTargetCache;

use super::Limits;
use crate::error::{Error, Result};
use crate::settings::DistillSettings;

/// What a session keeps between runs: the teacher's test logits and latency (the same on every
/// run) and the soft targets of recent transfer sets.
#[derive(Default)]
pub struct Caches {
    pub teacher_test_logits: TestLogits,
    pub teacher_latency: std::cell::RefCell<Option<LatencyProfile>>,
    pub soft_targets: SoftTargetCache,
    /// The teacher quantised for labelling on the CPU backend, with the id of the teacher it
    /// was made from.
    pub integer_teacher: std::cell::RefCell<Option<(String, Rc<IntegerTeacher>)>>,
}

/// Whether work can be shared with helper workers (each its own wasm instance on another core):
/// on the CPU backend, given two or more `workers`. WebGPU is one device, which helpers would
/// only contend for. Labelling, a run's twin, the teacher's test logits and a sweep's scratch
/// students all share by this rule.
pub fn helpers_share(backend: Backend, workers: usize) -> bool {
    workers >= 2 && backend == Backend::Cpu
}

/// The data, the teacher and the device a run works with.
pub struct Lab {
    /// The dataset `train` and `test` are splits of.
    pub task: Task,
    pub device: Device,
    pub backend: Backend,
    pub train: Arc<Mnist>,
    pub test: Arc<Mnist>,
    pub teacher: Teacher,
    /// The teacher's one-line description.
    pub teacher_architecture: String,
    /// The teacher's weights checksum: what cached soft targets are keyed by.
    pub teacher_id: String,
    pub caches: Rc<Caches>,
    pub limits: Limits,
}

impl Lab {
    /// Refuses settings for another task than the loaded data's.
    pub fn check_task(&self, settings: &DistillSettings) -> Result<()> {
        if settings.task != self.task {
            return Err(Error::setting(
                "task",
                format!(
                    "the settings are for {}, and the data loaded is {}",
                    settings.task.dataset(),
                    self.task.dataset()
                ),
            ));
        }
        Ok(())
    }
}
