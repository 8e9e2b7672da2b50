//! A run's settings checked once against the lab and its transfer set selected once: what
//! labelling it on several workers, handing the run those soft targets and starting the run all
//! work from (the page's worker parses a Start's settings once, then passes this along).

use crate::data::TransferSet;
use crate::error::Result;
use crate::settings::DistillSettings;
use crate::soft_targets;

use super::{Lab, check_assistant, check_memory};

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
        settings.validate()?;
        lab.check_task(&settings)?;
        check_assistant(lab, &settings)?;
        check_memory(lab, &settings)?;
        let transfer = TransferSet::select(&lab.train, &settings.transfer())?;
        Ok(Self { settings, transfer })
    }

    /// Whether the run needs the teacher's hidden layer as well as its logits (a hint loss).
    pub fn with_hidden(&self) -> bool {
        self.settings.objective().hint_weight().is_some()
    }

    /// The key of this run's soft targets in the lab's cache.
    pub(super) fn soft_targets_key(&self, lab: &Lab) -> String {
        soft_targets::key(&lab.teacher_id, &self.transfer.indices, self.with_hidden())
    }
}
