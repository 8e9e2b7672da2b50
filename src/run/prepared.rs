//! A run's settings checked once against the lab and its transfer set selected once: what
//! labelling it on several workers, handing the run those soft targets and starting the run all
//! work from (the page's worker parses a Start's settings once, then passes this along).

use crate::data::TransferSet;
use crate::error::Result;
use crate::settings::DistillSettings;
use crate::soft_targets;

use super::{Lab, problems};

/// Settings a lab can run, with the transfer set they select from its training data.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub settings: DistillSettings,
    pub transfer: TransferSet,
}

impl Prepared {
    /// Validates `settings` against `lab` (ranges, the task, the assistant, this backend's
    /// memory) and selects the transfer set; no heavy work.
    pub fn new(lab: &Lab, settings: DistillSettings) -> Result<Self> {
        if let Some(first) = problems(lab, &settings, None).into_iter().next() {
            return Err(first);
        }
        lab.check_task(&settings)?;
        let transfer = TransferSet::select(&lab.train, &settings.transfer())?;
        Ok(Self { settings, transfer })
    }

    /// Whether the run needs the teacher's hidden layer as well as its logits (a hint loss).
    pub fn with_hidden(&self) -> bool {
        self.settings.objective().hint_weight().is_some()
    }

    /// Whether the run's scratch twin should train on another worker (its own wasm instance, on
    /// another core) while this one trains the distilled student (the page starts it once the
    /// transfer set is labelled, so both cores label until then): on the CPU backend
    /// with `workers` ≥ 2, when there is a twin (some example keeps its label). Its numbers are
    /// the same either way ([`super::Run::train_scratch_elsewhere`]); the wait is shorter.
    pub fn scratch_on_another_worker(&self, lab: &Lab, workers: usize) -> bool {
        super::helpers_share(lab.backend, workers) && self.transfer.has_labels()
    }

    /// The key of this run's soft targets in the lab's cache.
    pub(super) fn soft_targets_key(&self, lab: &Lab) -> String {
        soft_targets::key(&lab.teacher_id, &self.transfer.indices, self.with_hidden())
    }
}
