//! The scratch twin trained elsewhere: a run hands its twin to another worker (another core)
//! and joins it back by its trained weights, with the numbers of a run that trains both.

use crate::error::{Error, Result};
use crate::model::Student;
use crate::train::Trainer;
use crate::weights::load_safetensors;

use super::{Lab, Part, Run, Stage};

/// The scratch twin: trained here, in lockstep with the distilled student, or elsewhere (the
/// page's helper worker, on another core: [`Run::train_scratch_elsewhere`]) and joined by its
/// trained weights ([`Run::join_scratch`]). Either way the same student from the same initial
/// weights on the same batches: it never sees the distilled student, so where it trains changes
/// none of its numbers.
pub(super) enum Twin {
    Here(Trainer),
    Joined(Student),
    Awaited,
}

impl Twin {
    /// The trained student; none while it is awaited.
    pub(super) fn student(&self) -> Option<Student> {
        match self {
            Twin::Here(trainer) => Some(trainer.student()),
            Twin::Joined(student) => Some(student.clone()),
            Twin::Awaited => None,
        }
    }
}

impl Run {
    /// Whether this run compares its distilled student with a scratch twin (a run of both, with
    /// at least one labeled example).
    pub fn has_scratch_twin(&self) -> bool {
        self.part == Part::Both && self.transfer.has_labels()
    }

    /// The scratch twin is trained elsewhere (a run of [`Part::Scratch`] on the same prepared
    /// settings, on another core) and joined by [`Self::join_scratch`]; this run trains the
    /// distilled student alone and, once the rest is measured, waits for the twin
    /// ([`Update::waiting`]). Only before the students take their first step.
    pub fn train_scratch_elsewhere(&mut self) -> Result<()> {
        if !self.has_scratch_twin() {
            return Err(Error::setting(
                "run",
                "this run has no scratch twin to train elsewhere",
            ));
        }
        match &mut self.stage {
            Stage::Labelling(_) | Stage::Assistant(_) | Stage::AssistantLabelling { .. } => {}
            // Soft targets kept or provided: the students are set up, but none has trained.
            Stage::Training(students) if matches!(&students.scratch, Some(Twin::Here(t)) if t.progress(None).step == 0) =>
            {
                students.scratch = Some(Twin::Awaited);
            }
            _ => {
                return Err(Error::setting(
                    "run",
                    "the students have started: the scratch twin trains here",
                ));
            }
        }
        self.scratch_elsewhere = true;
        Ok(())
    }

    /// The scratch twin trained elsewhere, by its weights (the f32 safetensors file of
    /// [`Self::trained_weights`] from the run of [`Part::Scratch`]).
    pub fn join_scratch(&mut self, lab: &Lab, weights: &[u8]) -> Result<()> {
        if !self.scratch_elsewhere {
            return Err(Error::setting(
                "run",
                "this run trains its scratch twin itself",
            ));
        }
        let student = load_safetensors(self.settings.student().init(&lab.device), weights)?;
        let slot = match &mut self.stage {
            Stage::Training(students)
            | Stage::Measuring { students, .. }
            | Stage::Done(students) => &mut students.scratch,
            _ => {
                self.joined_scratch = Some(student);
                return Ok(());
            }
        };
        match slot {
            Some(twin @ Twin::Awaited) => {
                *twin = Twin::Joined(student);
                Ok(())
            }
            _ => Err(Error::setting("run", "the scratch twin was joined already")),
        }
    }

    /// The weights of the run's (first) student, as an f32 safetensors file, once it is
    /// trained: what a run of [`Part::Scratch`] hands to [`Self::join_scratch`].
    pub async fn trained_weights(&self) -> Result<Vec<u8>> {
        match &self.stage {
            Stage::Measuring { students, .. } | Stage::Done(students)
                if students.distilled.is_done() =>
            {
                students.distilled.weights().await
            }
            _ => Err(Error::setting("run", "the student is not trained yet")),
        }
    }
}
