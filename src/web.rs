//! The only file that touches wasm-bindgen: JS values in, core types through, JS values and
//! `Error`s out. No logic of its own: everything it calls is in the tested core.
//!
//! ```js
//! import init, { Session } from "webdistill";
//! await init();
//! const session = await Session.create("webgpu");          // or "cpu"
//! session.loadTeacher(weightsBytes, cardJson);
//! session.loadTest(testImagesGz, testLabelsGz);
//! session.loadTrainLabels(trainLabelsGz);
//! for (let i = 0; i < session.shardsNeeded(settings); i++) session.loadTrainShard(i, shardGz[i]);
//! const run = session.start(settings);
//! while (!run.done) postMessage(await run.advance());        // live progress
//! const comparison = await run.finish();                     // teacher / distilled / scratch
//! ```

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use burn::prelude::*;
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::Error;
use crate::bench::{TrainingBenchSpec, fresh_student_latency, training_throughput};
use crate::data::{Mnist, SHARD_SIZE, decode_image_shard, idx::parse_labels};
use crate::experiment::{Comparison, DistillSettings, Lab, latency_profile};
use crate::explore::{TestLogits, TrainedRun};
use crate::live::{LiveRun, Phase};
use crate::model::{StudentConfig, Teacher};
use crate::teacher_card::TeacherCard;

mod explore;

/// A run yields to the page about this often (ms), so progress flows and *Stop* is heard.
const SLICE_MS: f64 = 150.0;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Settings of a comparison run (src/experiment.rs DistillSettings). */
export interface DistillSettings {
  student: { hidden: number[] };
  objective: { kind: "hinton"; temperature: number; alpha: number }
    | { kind: "hint"; temperature: number; alpha: number; beta: number }
    | { kind: "logit_matching"; alpha: number }
    | { kind: "labels" };
  epochs: number;
  batch_size: number;
  learning_rate: number;
  seed: number;
  transfer: { size: number; labeled: number; omit_classes: number[]; holdout: number; seed: number };
}
export interface Latency { batch_size: number; ms_per_batch: number; ms_per_image: number; warmup: number; repeats: number; backend: string }
export interface TeacherCard { summary: string; test_accuracy: number; test_errors: number; params: number; bytes: number; sha256: string; input: string; architecture: object; training: object }
export interface RunUpdate { step: number; total_steps: number; epoch: number; loss: number | null; live_accuracy: number | null }
/** Where a run stands after one `advance()`. */
export interface Update { phase: "teacher_logits" | "training" | "done"; teacher_done: number; teacher_total: number; distilled: RunUpdate | null; scratch: RunUpdate | null; elapsed_s: number; eta_s: number | null }
export interface Evaluation { accuracy: number; errors: number; total: number; per_class_accuracy: number[]; per_class_errors: number[]; per_class_total: number[]; confusion: number[][] }
export interface ModelReport { architecture: string; accuracy: number; errors: number; params: number; bytes: number; ms_per_image: number; speedup: number; latency: Latency[]; evaluation: Evaluation }
/** The benchmark's training workload (src/bench.rs). */
export interface TrainingBenchSpec { hidden: number[]; batch_size: number; checked_steps: number; warmup: number; steps: number; seed: number }
export interface TrainingBench { spec: TrainingBenchSpec; backend: string; ms_per_step: number; examples_per_s: number; first_losses: number[]; final_loss: number;
  replay: { initial_weights: Uint8Array; rows: Uint32Array; teacher_logits: Float32Array } }
export interface QuantizedReport { precision: "f32" | "f16" | "int8"; bytes: number; accuracy: number; errors: number; max_weight_error: number }
/** Teacher, distilled student and scratch student, measured on the full test set. */
export interface Comparison { settings: DistillSettings; backend: string; transfer_size: number; labeled: number; steps: number; teacher: ModelReport; distilled: ModelReport; scratch: ModelReport | null; quantized: QuantizedReport[] }
/** One model's answer for one image (probabilities at T = 1). */
export interface ModelOutput { model: "teacher" | "distilled" | "scratch"; predicted: number; logits: number[]; probabilities: number[]; ms: number; runs: number }
export interface Prediction { index: number | null; label: number | null; pixels: Uint8Array; outputs: ModelOutput[] }
export interface ClassScore { accuracy: number; errors: number; class_errors: number; class_total: number }
export interface BiasShift { class: number; delta: number; fitted_on: number | null; before: ClassScore; after: ClassScore }
export interface StudentFile { weights: Uint8Array; card: string; name: string }
"#;

/// The message of the last panic, kept for [`last_panic`].
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

unsafe extern "C" {
    /// The static constructors wasm-ld collects (cubecl registers its IR dialects with
    /// `inventory`, which runs them as constructors on wasm). A module that never calls this
    /// itself is linked as a "command": wasm-ld wraps *every* export, down to wasm-bindgen's
    /// closure shims, in a call to it, so all constructors ran again on each call from JS (a
    /// few percent of the page's main thread in a WebGPU training run, docs/BENCHMARKS.md).
    /// Calling it once here turns that off (the convention in `inventory`'s docs, and
    /// WebAssembly/wasi-libc#328).
    fn __wasm_call_ctors();
}

/// Runs when the module is instantiated (wasm-bindgen's start function; also exported, so a
/// second call from JS must do nothing).
#[wasm_bindgen(start)]
fn init_panic_hook() {
    ensure_initialised();
}

/// Runs the constructors and installs the panic hook, once. Also called by [`Session::create`]:
/// wasm-bindgen-test does not run start functions, and nothing else would run the constructors.
fn ensure_initialised() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(init_module);
}

fn init_module() {
    // SAFETY: runs once (above), before any code of ours that needs what they register.
    unsafe { __wasm_call_ctors() };
    // Panics (bugs, or a WebGPU device that failed) reach the console as readable messages, and
    // are kept so the worker can put them on the page after the trap that follows.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(info.to_string());
        }
        console_error_panic_hook::hook(info);
    }));
}

/// The message of the last panic (the cause of a `RuntimeError: unreachable`), if any.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|last| last.clone())
}

fn js_error(error: Error) -> JsValue {
    JsError::new(&error.to_string()).into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert a result for JS: {e}")).into())
}

fn parse_settings(js: JsValue) -> Result<DistillSettings, Error> {
    serde_wasm_bindgen::from_value(js).map_err(|e| Error::setting("settings", e.to_string()))
}

fn settings_from(js: JsValue) -> Result<DistillSettings, JsValue> {
    parse_settings(js).map_err(js_error)
}

/// The teacher, the data and the device: what runs start from.
#[wasm_bindgen]
pub struct Session {
    device: Device,
    backend: String,
    teacher: Option<(Teacher, TeacherCard)>,
    test: Option<Arc<Mnist>>,
    train_labels: Option<Vec<u8>>,
    /// Decoded pixels of each loaded training shard.
    shards: Vec<Option<Vec<u8>>>,
    /// The training split over the loaded prefix of shards.
    train: Option<Arc<Mnist>>,
    /// The last finished run ([`Session::keep`]): its students can be explored and downloaded.
    kept: Option<Rc<TrainedRun>>,
    /// The teacher's logits on the test set, computed when first needed.
    teacher_test_logits: Rc<TestLogits>,
}

#[wasm_bindgen]
impl Session {
    /// Starts a session on `"webgpu"` (fails if WebGPU cannot start) or `"cpu"`.
    pub async fn create(backend: String) -> Result<Session, JsValue> {
        ensure_initialised();
        let device = match backend.as_str() {
            "webgpu" => webgpu_device().await?,
            "cpu" => Device::flex(),
            other => {
                return Err(js_error(Error::setting(
                    "backend",
                    format!("{other:?}; use \"webgpu\" or \"cpu\""),
                )));
            }
        };
        Ok(Session {
            device,
            backend,
            teacher: None,
            test: None,
            train_labels: None,
            shards: Vec::new(),
            train: None,
            kept: None,
            teacher_test_logits: Rc::default(),
        })
    }

    /// `"webgpu"` or `"cpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.clone()
    }

    /// Loads the teacher from its safetensors bytes and its card (JSON); checks the checksum
    /// and the shapes. Returns the card.
    #[wasm_bindgen(js_name = loadTeacher, unchecked_return_type = "TeacherCard")]
    pub fn load_teacher(&mut self, weights: &[u8], card_json: &str) -> Result<JsValue, JsValue> {
        let card = TeacherCard::from_json(card_json).map_err(js_error)?;
        let teacher = card.load_teacher(weights, &self.device).map_err(js_error)?;
        let js = to_js(&card)?;
        self.teacher = Some((teacher, card));
        Ok(js)
    }

    /// Loads the test split (IDX image and label files, raw or gzip). Returns its size.
    #[wasm_bindgen(js_name = loadTest)]
    pub fn load_test(&mut self, images: &[u8], labels: &[u8]) -> Result<usize, JsValue> {
        let test =
            Mnist::from_idx("test images", images, "test labels", labels).map_err(js_error)?;
        let n = test.len();
        self.test = Some(Arc::new(test));
        Ok(n)
    }

    /// Loads every training label (IDX, raw or gzip). Returns how many image shards the split has.
    #[wasm_bindgen(js_name = loadTrainLabels)]
    pub fn load_train_labels(&mut self, labels: &[u8]) -> Result<usize, JsValue> {
        let labels = parse_labels("training labels", labels).map_err(js_error)?;
        let shards = labels.len().div_ceil(SHARD_SIZE);
        self.shards = vec![None; shards];
        self.train_labels = Some(labels);
        self.train = None;
        Ok(shards)
    }

    /// Loads training image shard `index` (IDX, raw or gzip).
    #[wasm_bindgen(js_name = loadTrainShard)]
    pub fn load_train_shard(&mut self, index: usize, images: &[u8]) -> Result<(), JsValue> {
        // The field, not `self.train_labels()`: `self.shards` is written below.
        let labels =
            (self.train_labels.as_deref()).ok_or_else(|| missing("the training labels are"))?;
        if index >= self.shards.len() {
            return Err(js_error(Error::setting(
                "training data",
                format!(
                    "there is no shard {index}; the split has {}",
                    self.shards.len()
                ),
            )));
        }
        let name = format!("training images, shard {index}");
        let pixels = decode_image_shard(&name, images, index, labels.len()).map_err(js_error)?;
        self.shards[index] = Some(pixels);
        let loaded: Vec<&Vec<u8>> = self.shards.iter().map_while(Option::as_ref).collect();
        let examples = (loaded.len() * SHARD_SIZE).min(labels.len());
        let pixels = loaded.into_iter().flatten().copied().collect();
        let train = Mnist::from_parts(pixels, labels[..examples].to_vec()).map_err(js_error)?;
        self.train = Some(Arc::new(train));
        Ok(())
    }

    /// How many leading training shards `settings` need (`loadTrainShard(0 .. n)`).
    #[wasm_bindgen(js_name = shardsNeeded)]
    pub fn shards_needed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DistillSettings")] settings: JsValue,
    ) -> Result<usize, JsValue> {
        let settings = settings_from(settings)?;
        let labels = self.train_labels()?;
        let pool = crate::data::pool_size(labels, &settings.transfer).map_err(js_error)?;
        Ok(pool.div_ceil(SHARD_SIZE))
    }

    /// Every problem with `settings`, as `[{setting, message}]` (empty when they are valid).
    #[wasm_bindgen(unchecked_return_type = "Array<{setting: string, message: string}>")]
    pub fn problems(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DistillSettings")] settings: JsValue,
    ) -> Result<JsValue, JsValue> {
        // (A JsError is an object: its message would be lost by `as_string`, so parse to the
        // core's Error and convert at the end.)
        let problems = match parse_settings(settings) {
            Err(e) => vec![e],
            Ok(s) => s.problems(self.train_labels.as_deref().unwrap_or(&[])),
        };
        let list: Vec<Problem> = problems.into_iter().map(Problem::from).collect();
        to_js(&list)
    }

    /// The teacher's inference latency here, at batch 1 and 256 (median after warm-up). Needs
    /// only the teacher and the test set: the page shows it before any training images arrive.
    #[wasm_bindgen(js_name = teacherLatency, unchecked_return_type = "Promise<Latency[]>")]
    pub fn teacher_latency(&self) -> Result<Promise, JsValue> {
        let teacher = self.teacher()?.0.clone();
        let (test, device) = (self.test()?, self.device.clone());
        Ok(future_to_promise(async move {
            to_js(
                &latency_profile(&teacher, &test, &device)
                    .await
                    .map_err(js_error)?,
            )
        }))
    }

    /// Latency of a freshly initialised student (`hidden` units, seed 1) at batch 1 and 256.
    #[wasm_bindgen(js_name = studentLatency, unchecked_return_type = "Promise<Latency[]>")]
    pub fn student_latency(&self, hidden: Vec<usize>) -> Result<Promise, JsValue> {
        let config = StudentConfig::new(hidden).map_err(js_error)?;
        let (test, device) = (self.test()?, self.device.clone());
        Ok(future_to_promise(async move {
            let latency = fresh_student_latency(&config, &test, &device).await;
            to_js(&latency.map_err(js_error)?)
        }))
    }

    /// The benchmark's training workload (src/bench.rs) on this session's backend, with what a
    /// peer needs to replay the same steps: `replay.initial_weights` (safetensors),
    /// `replay.rows` (training-image indices of the batches, in order) and
    /// `replay.teacher_logits` (`rows.length × 10`).
    #[wasm_bindgen(js_name = benchTraining, unchecked_return_type = "Promise<TrainingBench>")]
    pub fn bench_training(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TrainingBenchSpec")] spec: JsValue,
    ) -> Result<Promise, JsValue> {
        let lab = self.lab()?;
        let spec: TrainingBenchSpec = serde_wasm_bindgen::from_value(spec)
            .map_err(|e| js_error(Error::setting("benchmark", e.to_string())))?;
        Ok(future_to_promise(async move {
            let bench = training_throughput(&lab, &spec).await.map_err(js_error)?;
            let result = to_js(&bench)?;
            let replay = js_sys::Object::new();
            let r = &bench.replay;
            let set = |o: &JsValue, k: &str, v: JsValue| js_sys::Reflect::set(o, &k.into(), &v);
            set(
                &replay,
                "initial_weights",
                js_sys::Uint8Array::from(&r.initial_weights[..]).into(),
            )?;
            set(
                &replay,
                "rows",
                js_sys::Uint32Array::from(&r.rows[..]).into(),
            )?;
            set(
                &replay,
                "teacher_logits",
                js_sys::Float32Array::from(&r.teacher_logits[..]).into(),
            )?;
            set(&result, "replay", replay.into())?;
            Ok(result)
        }))
    }

    /// Starts a comparison run (nothing heavy happens until `advance`).
    pub fn start(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DistillSettings")] settings: JsValue,
    ) -> Result<Distillation, JsValue> {
        let settings = settings_from(settings)?;
        let lab = self.lab()?;
        let run = LiveRun::new(&lab, settings, SLICE_MS).map_err(js_error)?;
        Ok(Distillation(Rc::new(RefCell::new(RunState {
            run,
            lab,
            comparison: None,
        }))))
    }

    fn lab(&self) -> Result<Lab, JsValue> {
        let (teacher, card) = self.teacher()?;
        Ok(Lab {
            device: self.device.clone(),
            train: (self.train.clone()).ok_or_else(|| missing("the training images are"))?,
            test: self.test()?,
            teacher: teacher.clone(),
            teacher_architecture: card.summary.clone(),
        })
    }

    fn teacher(&self) -> Result<&(Teacher, TeacherCard), JsValue> {
        self.teacher
            .as_ref()
            .ok_or_else(|| missing("the teacher is"))
    }

    fn test(&self) -> Result<Arc<Mnist>, JsValue> {
        self.test.clone().ok_or_else(|| missing("the test set is"))
    }

    fn train_labels(&self) -> Result<&[u8], JsValue> {
        (self.train_labels.as_deref()).ok_or_else(|| missing("the training labels are"))
    }
}

/// The error for calling a method before the data it needs was loaded.
fn missing(what: &str) -> JsValue {
    js_error(Error::setting("session", format!("{what} not loaded yet")))
}

thread_local! {
    /// The WebGPU device, once started: burn's wgpu runtime can be initialised only once per
    /// wasm instance, and every later session reuses it.
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

async fn webgpu_device() -> Result<Device, JsValue> {
    if let Some(device) = WEBGPU.with_borrow(Clone::clone) {
        return Ok(device);
    }
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| js_error(Error::Device(format!("WebGPU could not start: {e}"))))?;
    WEBGPU.set(Some(device.clone()));
    Ok(device)
}

#[derive(Serialize)]
struct Problem {
    setting: String,
    message: String,
}

impl From<Error> for Problem {
    fn from(error: Error) -> Self {
        let setting = match &error {
            Error::InvalidSetting { setting, .. } => setting.clone(),
            _ => String::new(),
        };
        Problem {
            setting,
            message: error.to_string(),
        }
    }
}

struct RunState {
    run: LiveRun,
    lab: Lab,
    /// Set by `finish`.
    comparison: Option<Comparison>,
}

/// A comparison run in progress: the teacher's logits, then both students side by side.
#[wasm_bindgen]
pub struct Distillation(Rc<RefCell<RunState>>);

#[wasm_bindgen]
impl Distillation {
    /// Whether both students have finished training.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.0
            .try_borrow()
            .is_ok_and(|s| s.run.phase() == Phase::Done)
    }

    /// Does about 150 ms of work and reports where the run stands.
    // The borrow held across the await is the run's lock: a second `advance` or `finish` while
    // this one is pending gets "busy" instead of interleaving with it (one thread, no deadlock).
    #[allow(clippy::await_holding_refcell_ref)]
    #[wasm_bindgen(unchecked_return_type = "Promise<Update>")]
    pub fn advance(&self) -> Promise {
        let state = self.0.clone();
        future_to_promise(async move {
            let mut state = state.try_borrow_mut().map_err(|_| busy())?;
            let RunState { run, lab, .. } = &mut *state;
            let update = run.advance(lab).await.map_err(js_error)?;
            to_js(&update)
        })
    }

    /// Measures teacher, distilled and scratch student on the full test set.
    #[allow(clippy::await_holding_refcell_ref)] // the borrow is the run's lock, as in `advance`
    #[wasm_bindgen(unchecked_return_type = "Promise<Comparison>")]
    pub fn finish(&self) -> Promise {
        let state = self.0.clone();
        future_to_promise(async move {
            let mut state = state.try_borrow_mut().map_err(|_| busy())?;
            let comparison = state.run.finish(&state.lab).await.map_err(js_error)?;
            let js = to_js(&comparison)?;
            state.comparison = Some(comparison);
            Ok(js)
        })
    }
}

fn busy() -> JsValue {
    JsError::new("the run is busy with another call; await each call before the next").into()
}
