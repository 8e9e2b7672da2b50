//! Runs driven from JS a slice at a time: a comparison ([`Distillation`]), a sweep
//! ([`SweepRun`]), and the benchmark's result with what a peer needs to replay it ([`BenchRun`]).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::{Failure, SLICE_MS, Session, promise, to_js};
use crate::Error;
use crate::bench::Replay;
use crate::explore::TrainedRun;
use crate::run::{Finished, Lab, PartResult, Phase, Run};
use crate::sweep::Sweep;

pub(super) struct RunState {
    pub(super) run: Run,
    pub(super) lab: Lab,
    /// Set by `finish`, taken by `Session::keep`.
    pub(super) finished: Option<Finished>,
}

/// A comparison run in progress: the teacher labels, (an assistant learns,) both students train,
/// every model is measured.
#[wasm_bindgen]
pub struct Distillation(pub(super) Rc<RefCell<RunState>>);

#[wasm_bindgen]
impl Session {
    /// Starts a comparison run of `values` (settings as text by key); nothing heavy happens
    /// until `advance`. Fails with the first problem of the settings, naming it. (`prepare` and
    /// `startPrepared` do the same in two steps, for a caller that labels on several workers.)
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<Distillation, Failure> {
        self.start_prepared(&self.prepare(values)?, JsValue::UNDEFINED)
    }

    /// The part of a sweep this worker should take, given the `workers` the page may use
    /// ("distilled", with a helper on "scratch"; or "both"): the core's rule.
    #[wasm_bindgen(js_name = sweepPart, unchecked_return_type = "Part")]
    pub fn sweep_part(&self, workers: usize) -> Result<JsValue, Failure> {
        to_js(&Sweep::part_here(self.backend, workers))
    }

    /// Starts a sweep over students of every kind on `values`; every student is checked before any
    /// trains (those these settings cannot train are left out, with the reason).
    /// `part` ("both" when omitted) shares a sweep between two workers: "distilled" here, and
    /// "scratch" on a helper whose finished parts this one `join`s.
    pub fn sweep(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Part | undefined")] part: JsValue,
    ) -> Result<SweepRun, Failure> {
        self.sweep_prepared(&self.prepare(values)?, part)
    }

    /// `sweep` on settings parsed by `prepare` (the worker labels their transfer set first).
    #[wasm_bindgen(js_name = sweepPrepared)]
    pub fn sweep_prepared(
        &self,
        prepared: &super::PreparedRun,
        #[wasm_bindgen(unchecked_param_type = "Part | undefined")] part: JsValue,
    ) -> Result<SweepRun, Failure> {
        let part = super::prepared::part_from(part, "sweep")?;
        let lab = self.lab()?;
        let sweep = Sweep::of_part(&lab, prepared.settings().clone(), SLICE_MS, part)?;
        Ok(SweepRun(Rc::new(RefCell::new((sweep, lab)))))
    }

    /// Keeps a finished run's students (after `finish`) for `inspect`, `predictDrawing`,
    /// `shiftBias` and `studentFile`; replaces the previous run's.
    pub fn keep(&mut self, run: &Distillation) -> Result<(), Failure> {
        let mut state = run.0.try_borrow_mut().map_err(|_| busy())?;
        let finished = state.finished.take().ok_or_else(|| {
            Error::setting(
                "run",
                "only a finished run can be kept: call finish() first",
            )
        })?;
        self.kept = Some(Rc::new(TrainedRun {
            transfer: state.run.transfer().clone(),
            teacher: state.lab.teacher_architecture.clone(),
            finished,
            distilled_test_logits: Default::default(),
        }));
        Ok(())
    }
}

#[wasm_bindgen]
impl Distillation {
    /// Whether every model has been trained and measured.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.0
            .try_borrow()
            .is_ok_and(|s| s.run.phase() == Phase::Done)
    }

    /// Does about 150 ms of work and reports where the run stands.
    // The borrow held across the await is the run's lock: a second `advance` while this one is
    // pending gets "busy" instead of interleaving with it (one thread, no deadlock).
    #[allow(clippy::await_holding_refcell_ref)]
    #[wasm_bindgen(unchecked_return_type = "Promise<Update>")]
    pub fn advance(&self) -> Promise {
        let state = self.0.clone();
        promise(async move {
            let mut state = state.try_borrow_mut().map_err(|_| busy())?;
            let RunState { run, lab, .. } = &mut *state;
            to_js(&run.advance(lab).await?)
        })
    }

    /// The scratch twin trains on another worker (`Session.scratchOnAnotherWorker`): this run
    /// trains the distilled student alone, and once everything else is measured its updates
    /// say `waiting` until `joinScratch`. Call before the first `advance`.
    #[wasm_bindgen(js_name = scratchElsewhere)]
    pub fn scratch_elsewhere(&self) -> Result<(), Failure> {
        let mut state = self.0.try_borrow_mut().map_err(|_| busy())?;
        Ok(state.run.train_scratch_elsewhere()?)
    }

    /// The scratch twin from the other worker's run of it (its `trainedWeights`).
    #[wasm_bindgen(js_name = joinScratch)]
    pub fn join_scratch(&self, weights: &[u8]) -> Result<(), Failure> {
        let mut state = self.0.try_borrow_mut().map_err(|_| busy())?;
        let RunState { run, lab, .. } = &mut *state;
        Ok(run.join_scratch(lab, weights)?)
    }

    /// Whether the run's student is trained (its weights can be had: `trainedWeights`).
    #[wasm_bindgen(getter)]
    pub fn trained(&self) -> bool {
        self.0
            .try_borrow()
            .is_ok_and(|s| matches!(s.run.phase(), Phase::Measuring | Phase::Done))
    }

    /// The weights of the run's first student once trained, as an f32 safetensors file: for a
    /// run of the scratch twin alone, what the comparison's `joinScratch` takes.
    #[allow(clippy::await_holding_refcell_ref)] // the borrow is the run's lock, as in `advance`
    #[wasm_bindgen(js_name = trainedWeights, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn trained_weights(&self) -> Promise {
        let state = self.0.clone();
        promise(async move {
            let state = state.try_borrow().map_err(|_| busy())?;
            let bytes = state.run.trained_weights().await?;
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// Teacher, distilled and scratch student as measured on the full test set (when `done`).
    #[wasm_bindgen(unchecked_return_type = "Comparison")]
    pub fn finish(&self) -> Result<JsValue, Failure> {
        let mut state = self.0.try_borrow_mut().map_err(|_| busy())?;
        let finished = state.run.finish(&state.lab)?;
        let js = to_js(&finished.comparison)?;
        state.finished = Some(finished);
        Ok(js)
    }
}

/// A sweep in progress.
#[wasm_bindgen]
pub struct SweepRun(Rc<RefCell<(Sweep, Lab)>>);

#[wasm_bindgen]
impl SweepRun {
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.0.try_borrow().is_ok_and(|s| s.0.is_done())
    }

    /// Which students this sweep trains (see `Session.sweep`).
    #[wasm_bindgen(getter, unchecked_return_type = "Part")]
    pub fn part(&self) -> Result<JsValue, Failure> {
        let state = self.0.try_borrow().map_err(|_| busy())?;
        to_js(&state.0.part())
    }

    /// Does about 150 ms of work; the update carries the rows so far (a sweep of the scratch
    /// part: the part that finished, if one did). A distilled sweep whose own students are done
    /// answers `waiting` until its scratch parts are joined.
    #[allow(clippy::await_holding_refcell_ref)] // the borrow is the sweep's lock, as above
    #[wasm_bindgen(unchecked_return_type = "Promise<SweepUpdate>")]
    pub fn advance(&self) -> Promise {
        let state = self.0.clone();
        promise(async move {
            let mut state = state.try_borrow_mut().map_err(|_| busy())?;
            let (sweep, lab) = &mut *state;
            to_js(&sweep.advance(lab).await?)
        })
    }

    /// A scratch part from the helper's sweep (`SweepUpdate.part`), into its student's row.
    #[wasm_bindgen(unchecked_return_type = "SweepUpdate")]
    pub fn join(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PartResult")] part: JsValue,
    ) -> Result<JsValue, Failure> {
        let part: PartResult = serde_wasm_bindgen::from_value(part)
            .map_err(|e| Error::setting("sweep", format!("a scratch part: {e}")))?;
        let mut state = self.0.try_borrow_mut().map_err(|_| busy())?;
        to_js(&state.0.join(part)?)
    }

    /// The rows so far (all of them when `done`).
    #[wasm_bindgen(unchecked_return_type = "SweepResult")]
    pub fn result(&self) -> Result<JsValue, Failure> {
        let state = self.0.try_borrow().map_err(|_| busy())?;
        to_js(state.0.result())
    }
}

/// A benchmark's measurement (`result`) and what a peer needs to replay the same steps.
#[wasm_bindgen]
pub struct BenchRun {
    result: JsValue,
    replay: Replay,
}

impl BenchRun {
    pub fn new(result: JsValue, replay: Replay) -> Self {
        Self { result, replay }
    }
}

#[wasm_bindgen]
impl BenchRun {
    /// The measurement (`TrainingBench`).
    #[wasm_bindgen(getter, unchecked_return_type = "TrainingBench")]
    pub fn result(&self) -> JsValue {
        self.result.clone()
    }

    /// The student's initial weights, as safetensors.
    #[wasm_bindgen(getter, js_name = initialWeights)]
    pub fn initial_weights(&self) -> Vec<u8> {
        self.replay.initial_weights.clone()
    }

    /// The training-image indices of the batches, in order.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> Vec<u32> {
        self.replay.rows.clone()
    }

    /// The teacher's logits for `rows` (`rows.length × 10`).
    #[wasm_bindgen(getter, js_name = teacherLogits)]
    pub fn teacher_logits(&self) -> Vec<f32> {
        self.replay.teacher_logits.clone()
    }
}

pub(super) fn busy() -> Failure {
    Failure::new("the run is busy with another call; await each call before the next")
}
