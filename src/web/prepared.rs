//! Settings from JS, parsed ([`settings_from`]); a Start's settings parsed once
//! ([`PreparedRun`]): the page's worker prepares a run, loads the training shards it needs,
//! labels its transfer set on every core and starts it, all from the one parse and the one
//! selected transfer set.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::run::{Distillation, RunState, busy};
use super::{Failure, SLICE_MS, Session};
use crate::Error;
use crate::data::{SHARD_SIZE, pool_size};
use crate::run::{Lab, Part, Prepared, Run};
use crate::settings::{DistillSettings, Values};

/// A run's settings, parsed (`Session.prepare`). Its transfer set is selected once, on first
/// use, from the training images loaded by then.
#[wasm_bindgen]
pub struct PreparedRun {
    settings: DistillSettings,
    shards_needed: usize,
    prepared: RefCell<Option<Prepared>>,
}

#[wasm_bindgen]
impl PreparedRun {
    /// How many leading training shards the run needs (`loadTrainShard(0 .. n)`).
    #[wasm_bindgen(getter, js_name = shardsNeeded)]
    pub fn shards_needed(&self) -> usize {
        self.shards_needed
    }
}

impl PreparedRun {
    pub(super) fn settings(&self) -> &DistillSettings {
        &self.settings
    }
}

/// Settings as text by key (`{hidden: "64", ...}`), from JS.
pub(super) fn values_from(js: JsValue) -> Result<Values, Error> {
    serde_wasm_bindgen::from_value(js).map_err(|e| {
        Error::setting(
            "settings",
            format!("give an object of setting values as text ({e})"),
        )
    })
}

/// The settings `values` (from JS) describe, or an error naming the first problem.
pub(super) fn settings_from(js: JsValue) -> Result<DistillSettings, Error> {
    DistillSettings::parse(&values_from(js)?)
}

/// The `part` a JS caller names for a run or a `sweep` (`what`): "both" when omitted.
pub(super) fn part_from(part: JsValue, what: &str) -> Result<Part, Error> {
    if part.is_undefined() {
        return Ok(Part::Both);
    }
    serde_wasm_bindgen::from_value(part).map_err(|e| Error::setting(what, format!("part: {e}")))
}

/// How many leading training shards a run of `settings` needs, given every training label.
pub(super) fn shards_for(labels: &[u8], settings: &DistillSettings) -> Result<usize, Failure> {
    Ok(pool_size(labels, &settings.transfer())?.div_ceil(SHARD_SIZE))
}

#[wasm_bindgen]
impl Session {
    /// Parses `values` (settings as text by key) for a run: fails with the first problem,
    /// naming it. Needs the training labels (for the shards it will need).
    pub fn prepare(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<PreparedRun, Failure> {
        let settings = settings_from(values)?;
        let shards_needed = shards_for(self.train_labels()?, &settings)?;
        Ok(PreparedRun {
            settings,
            shards_needed,
            prepared: RefCell::new(None),
        })
    }

    /// Starts the comparison run `prepared` (see `start`). `part`: "both" (when omitted), or
    /// "scratch" for its scratch twin alone, trained on a helper worker while this worker's run
    /// (after `scratchElsewhere`) trains the distilled student; `trainedWeights` hands the twin
    /// to the run's `joinScratch`.
    #[wasm_bindgen(js_name = startPrepared)]
    pub fn start_prepared(
        &self,
        prepared: &PreparedRun,
        #[wasm_bindgen(unchecked_param_type = "Part | undefined")] part: JsValue,
    ) -> Result<Distillation, Failure> {
        let part = part_from(part, "run")?;
        let (lab, ready) = self.prepared(prepared)?;
        let run = Run::prepared(&lab, ready, SLICE_MS, part)?;
        Ok(Distillation(Rc::new(RefCell::new(RunState {
            run,
            lab,
            finished: None,
        }))))
    }
}

#[wasm_bindgen]
impl Session {
    /// Whether the run `prepared` should train its scratch twin on a helper worker, given
    /// `workers` the page may use (the core's rule: the CPU backend, two or more, a twin).
    #[wasm_bindgen(js_name = scratchOnAnotherWorker)]
    pub fn scratch_on_another_worker(
        &self,
        prepared: &PreparedRun,
        workers: usize,
    ) -> Result<bool, Failure> {
        let (lab, prepared) = self.prepared(prepared)?;
        Ok(prepared.scratch_on_another_worker(&lab, workers))
    }
}

impl Session {
    /// The lab and `run`'s settings checked against it with their transfer set, selected on the
    /// first call.
    pub(super) fn prepared(&self, run: &PreparedRun) -> Result<(Lab, Prepared), Failure> {
        let lab = self.lab()?;
        let mut slot = run.prepared.try_borrow_mut().map_err(|_| busy())?;
        let prepared = match slot.as_ref() {
            Some(prepared) => prepared.clone(),
            None => slot
                .insert(Prepared::new(&lab, run.settings.clone())?)
                .clone(),
        };
        Ok((lab, prepared))
    }
}
