//! The only code that touches wasm-bindgen: JS values in, core types through, JS values and
//! `Error`s out (`?` turns every core error into a [`Failure`], thrown as a JS `Error` with its
//! message). It holds a
//! session's state (the task's data, the teacher, the kept run); every rule is the core's; the TypeScript types of everything it returns are generated from the Rust types (tsify).
//!
//! ```js
//! import init, { Session, settingsSchema } from "webdistill";
//! await init();
//! const { settings, presets } = settingsSchema();            // every setting: key, label, limits, help
//! const session = await Session.create("webgpu");          // or "cpu"
//! session.loadTeacher(weightsBytes, cardJson);
//! session.loadTest(testImagesGz, testLabelsGz);
//! session.loadTrainLabels(trainLabelsGz);
//! const values = { hidden: "64", temperature: "4" };        // settings as text, by key
//! for (let i = 0; i < session.shardsNeeded(values); i++) session.loadTrainShard(i, shardGz[i]);
//! const run = session.start(values);
//! while (!run.done) postMessage(await run.advance());        // live progress
//! const comparison = run.finish();                           // teacher / distilled / scratch
//! ```

#[cfg(feature = "webgpu")]
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use burn::prelude::*;
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::Error;
use crate::data::{Mnist, SHARD_SIZE, Task, idx::parse_labels};
use crate::eval::Backend;
use crate::eval::latency::latency_profile;
use crate::explore::TrainedRun;
use crate::model::Teacher;
use crate::run::{Caches, Lab, Limits};
use crate::settings::{DEFAULT_PRESET, DistillSettings, PRESETS, SCHEMA};
use crate::teacher_card::TeacherCard;

mod bench;
mod calibrate;
mod explore;
mod failure;
mod labelling;
mod prepared;
mod run;

pub use failure::Failure;
pub use prepared::PreparedRun;
use prepared::{settings_from, values_from};
pub use run::{Distillation, SweepRun};

/// A run yields to the page about this often (ms), so progress flows and *Stop* is heard.
const SLICE_MS: f64 = 150.0;

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

/// A promise of `future`, whose error becomes a JS `Error` (so `?` works on core results inside).
fn promise<F>(future: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, Failure>> + 'static,
{
    future_to_promise(async move { future.await.map_err(JsValue::from) })
}

/// A core value as a plain JS object (maps as objects, `None` as `null`, as JSON would).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Failure> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Failure::new(format!("cannot convert a result for JS: {e}")))
}

/// The settings schema and the presets: what the page builds its form and presets from.
#[derive(Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
struct Schema {
    #[cfg_attr(target_family = "wasm", tsify(type = "SettingSpec[]"))]
    settings: &'static [crate::settings::SettingSpec],
    #[cfg_attr(target_family = "wasm", tsify(type = "Preset[]"))]
    presets: &'static [crate::settings::Preset],
    default_preset: &'static str,
    /// The bundled teachers (the `teacher` setting's choices) and where their files are.
    #[cfg_attr(target_family = "wasm", tsify(type = "BundledTeacher[]"))]
    teachers: &'static [crate::teacher_card::BundledTeacher],
    /// The tasks: class names, and where each one's files are beside the page.
    tasks: Vec<crate::data::TaskInfo>,
    /// How far the paper raised the omitted class's bias (the page's "Raise by" button).
    paper_bias_shift: f32,
    /// How many characters of a value a message quotes (the page's notices about links).
    max_value_shown: usize,
    /// The batch size a time per image is given at.
    throughput_batch: usize,
    /// How many test images (the first ones) a run's live accuracy is measured on.
    live_eval_images: usize,
    /// The highest temperature the explorer's slider offers.
    explore_max_temperature: f32,
    /// Each task's default preset, by task key (what the page's task switcher applies).
    #[cfg_attr(target_family = "wasm", tsify(type = "Record<string, string>"))]
    task_presets: std::collections::BTreeMap<&'static str, &'static str>,
}

/// Every setting (key, label, kind, limits, default, help) and every preset.
#[wasm_bindgen(js_name = settingsSchema, unchecked_return_type = "Schema")]
pub fn settings_schema() -> Result<JsValue, Failure> {
    to_js(&Schema {
        settings: SCHEMA,
        presets: PRESETS,
        default_preset: DEFAULT_PRESET,
        teachers: &crate::teacher_card::BUNDLED_TEACHERS,
        tasks: Task::ALL.iter().map(|t| t.info()).collect(),
        paper_bias_shift: crate::explore::PAPER_BIAS_SHIFT,
        max_value_shown: crate::settings::text::MAX_VALUE_SHOWN,
        throughput_batch: crate::eval::latency::THROUGHPUT_BATCH,
        live_eval_images: crate::run::LIVE_EVAL_IMAGES,
        explore_max_temperature: crate::explore::EXPLORE_MAX_TEMPERATURE,
        task_presets: Task::ALL
            .iter()
            .map(|&t| (t.key(), crate::settings::default_preset(t)))
            .collect(),
    })
}

/// A WebGPU adapter's limits that bound a run (`adapter.limits`).
#[derive(serde::Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AdapterLimits {
    pub max_buffer_size: f64,
    pub max_storage_buffer_binding_size: f64,
}

/// One problem with a set of settings: the setting's key (`null` for one about the whole) and
/// the message.
#[derive(Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
struct Problem {
    key: Option<String>,
    message: String,
}

impl From<Error> for Problem {
    fn from(error: Error) -> Self {
        Problem {
            key: error.setting_key().map(str::to_string),
            message: crate::settings::message(&error),
        }
    }
}

/// The teacher, the data and the device: what runs start from.
#[wasm_bindgen]
pub struct Session {
    /// The dataset the loaded test set, training data and teacher are of.
    task: Task,
    device: Device,
    backend: Backend,
    limits: Limits,
    teacher: Option<(Teacher, TeacherCard)>,
    test: Option<Arc<Mnist>>,
    train_labels: Option<Vec<u8>>,
    /// The training split over the loaded prefix of shards, grown in place.
    train: Arc<Mnist>,
    /// The last finished run ([`Session::keep`]): its students can be explored and downloaded.
    kept: Option<Rc<TrainedRun>>,
    /// The teacher's test logits and latency, and recent soft targets.
    caches: Rc<Caches>,
}

#[wasm_bindgen]
impl Session {
    /// Starts a session on `"webgpu"` (fails if WebGPU cannot start; `limits` are the adapter's)
    /// or `"cpu"`.
    pub async fn create(
        backend: String,
        #[wasm_bindgen(unchecked_param_type = "AdapterLimits | undefined")] limits: JsValue,
    ) -> Result<Session, Failure> {
        ensure_initialised();
        let (device, backend, limits) = match backend.as_str() {
            "webgpu" => {
                let limits = match limits.is_undefined() || limits.is_null() {
                    true => Limits::WASM32,
                    false => {
                        let l: AdapterLimits = serde_wasm_bindgen::from_value(limits)
                            .map_err(|e| Failure::new(format!("adapter limits: {e}")))?;
                        Limits::webgpu(l.max_storage_buffer_binding_size, l.max_buffer_size)
                    }
                };
                (webgpu_device().await?, Backend::WebGpu, limits)
            }
            "cpu" => (Device::flex(), Backend::Cpu, Limits::WASM32),
            other => {
                return Err(Error::setting(
                    "backend",
                    format!("{other:?}; use \"webgpu\" or \"cpu\""),
                )
                .into());
            }
        };
        Ok(Session {
            task: Task::Digits,
            device,
            backend,
            limits,
            teacher: None,
            test: None,
            train_labels: None,
            train: Arc::new(Mnist::from_parts(Vec::new(), Vec::new())?),
            kept: None,
            caches: Rc::default(),
        })
    }

    /// `"webgpu"` or `"cpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        match self.backend {
            Backend::WebGpu => "webgpu".into(),
            _ => "cpu".into(),
        }
    }

    /// The task (`digits`, `fashion`) the loaded data and teacher are of.
    #[wasm_bindgen(getter)]
    pub fn task(&self) -> String {
        self.task.key().into()
    }

    /// How many images the loaded test split holds (0 before one is loaded).
    #[wasm_bindgen(getter, js_name = testImages)]
    pub fn test_images(&self) -> usize {
        self.test.as_ref().map_or(0, |t| t.len())
    }

    /// Makes `task` the session's: when it changes, the test set, the training data, the
    /// teacher and the kept run (all of the other task) are dropped, to be loaded again.
    #[wasm_bindgen(js_name = selectTask)]
    pub fn select_task(&mut self, task: &str) -> Result<(), Failure> {
        let task = Task::from_key(task)
            .ok_or_else(|| Error::setting("task", format!("{task:?}; choose digits or fashion")))?;
        if task != self.task {
            self.task = task;
            self.teacher = None;
            self.test = None;
            self.train_labels = None;
            self.train = Arc::new(Mnist::from_parts(Vec::new(), Vec::new())?);
            self.kept = None;
            self.caches = Rc::default();
        }
        Ok(())
    }

    /// Loads the teacher from its safetensors bytes and its card (JSON); checks the checksum,
    /// the shapes and that it is the session's task's. Returns the card.
    #[wasm_bindgen(js_name = loadTeacher, unchecked_return_type = "TeacherCard")]
    pub fn load_teacher(&mut self, weights: &[u8], card_json: &str) -> Result<JsValue, Failure> {
        let card = TeacherCard::from_json(card_json)?;
        card.check_task(self.task)?;
        let teacher = card.load_teacher(weights, &self.device)?;
        let js = to_js(&card)?;
        self.teacher = Some((teacher, card));
        self.caches = Rc::default();
        Ok(js)
    }

    /// Loads the test split (IDX image and label files, raw or gzip). Returns its size.
    #[wasm_bindgen(js_name = loadTest)]
    pub fn load_test(&mut self, images: &[u8], labels: &[u8]) -> Result<usize, Failure> {
        let test = Mnist::from_idx("test images", images, "test labels", labels)?;
        let n = test.len();
        self.test = Some(Arc::new(test));
        Ok(n)
    }

    /// Loads every training label (IDX, raw or gzip). Returns how many image shards the split has.
    #[wasm_bindgen(js_name = loadTrainLabels)]
    pub fn load_train_labels(&mut self, labels: &[u8]) -> Result<usize, Failure> {
        let labels = parse_labels("training labels", labels)?;
        let shards = labels.len().div_ceil(SHARD_SIZE);
        self.train_labels = Some(labels);
        self.train = Arc::new(Mnist::from_parts(Vec::new(), Vec::new())?);
        Ok(shards)
    }

    /// Appends training image shard `index` (IDX, raw or gzip); shards come in order.
    #[wasm_bindgen(js_name = loadTrainShard)]
    pub fn load_train_shard(&mut self, index: usize, images: &[u8]) -> Result<(), Failure> {
        let labels = self
            .train_labels
            .as_deref()
            .ok_or_else(|| missing("the training labels are"))?;
        Arc::make_mut(&mut self.train).append_shard(index, images, labels)?;
        Ok(())
    }

    /// Training image shard `index`, as loaded, as a raw IDX file (for `loadTrainShard` in a
    /// helper worker, which then has nothing to inflate).
    #[wasm_bindgen(js_name = trainShardIdx)]
    pub fn train_shard_idx(&self, index: usize) -> Result<Vec<u8>, Failure> {
        self.train
            .shard_idx(index)
            .ok_or_else(|| missing(&format!("training shard {index} is")))
    }

    /// How many leading training shards `values` need (`loadTrainShard(0 .. n)`).
    #[wasm_bindgen(js_name = shardsNeeded)]
    pub fn shards_needed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<usize, Failure> {
        prepared::shards_for(self.train_labels()?, &settings_from(values)?)
    }

    /// Every problem with `values` (settings as text by key), for the form: a value that does not
    /// parse, one out of range, settings that do not fit together, the split or this backend's
    /// memory. Empty when they can run.
    #[wasm_bindgen(unchecked_return_type = "Problem[]")]
    pub fn problems(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<JsValue, Failure> {
        let problems = match values_from(values).map(|v| DistillSettings::from_values(&v)) {
            Err(e) => vec![e],
            Ok(Err(problems)) => problems,
            // Not the task: the page switches the session's data to the form's task when the
            // settings can run (Run::new refuses a mismatch).
            Ok(Ok(settings)) => match self.lab_without_training_images() {
                Ok(lab) => crate::run::problems(&lab, &settings, self.train_labels.as_deref()),
                Err(_) => settings.problems(self.train_labels.as_deref()),
            },
        };
        to_js(&problems.into_iter().map(Problem::from).collect::<Vec<_>>())
    }

    /// The models a run of `values` compares and their sizes, before it runs.
    #[wasm_bindgen(unchecked_return_type = "Plan")]
    pub fn plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<JsValue, Failure> {
        let settings = settings_from(values)?;
        to_js(&crate::run::plan(
            &self.lab_without_training_images()?,
            &settings,
        )?)
    }

    /// The teacher's inference latency here, at batch 1 and 256. Needs only the teacher and the
    /// test set: the page shows it before any training images arrive. Kept for the runs.
    #[wasm_bindgen(js_name = teacherLatency, unchecked_return_type = "Promise<Latency[]>")]
    pub fn teacher_latency(&self) -> Result<Promise, Failure> {
        let teacher = self.teacher()?.0.clone();
        let (test, device, caches) = (self.test()?, self.device.clone(), self.caches.clone());
        Ok(promise(async move {
            let profile = latency_profile(&teacher, &test, &device).await?;
            *caches.teacher_latency.borrow_mut() = Some(profile.clone());
            to_js(&profile)
        }))
    }

    fn lab(&self) -> Result<Lab, Failure> {
        if self.train.is_empty() {
            return Err(missing("the training images are"));
        }
        self.lab_without_training_images()
    }

    /// A lab for what needs only the teacher and the test set.
    fn lab_without_training_images(&self) -> Result<Lab, Failure> {
        let (teacher, card) = self.teacher()?;
        Ok(Lab {
            task: self.task,
            device: self.device.clone(),
            backend: self.backend,
            train: self.train.clone(),
            test: self.test()?,
            teacher: teacher.clone(),
            teacher_architecture: card.summary.clone(),
            teacher_id: card.sha256.clone(),
            caches: self.caches.clone(),
            limits: self.limits,
        })
    }

    fn teacher(&self) -> Result<&(Teacher, TeacherCard), Failure> {
        self.teacher
            .as_ref()
            .ok_or_else(|| missing("the teacher is"))
    }

    fn test(&self) -> Result<Arc<Mnist>, Failure> {
        self.test.clone().ok_or_else(|| missing("the test set is"))
    }

    fn train_labels(&self) -> Result<&[u8], Failure> {
        self.train_labels
            .as_deref()
            .ok_or_else(|| missing("the training labels are"))
    }
}

/// The error for calling a method before the data it needs was loaded.
fn missing(what: &str) -> Failure {
    Error::setting("session", format!("{what} not loaded yet")).into()
}

#[cfg(feature = "webgpu")]
thread_local! {
    /// The WebGPU device, once started: burn's wgpu runtime can be initialised only once per
    /// wasm instance, and every later session reuses it.
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

#[cfg(feature = "webgpu")]
async fn webgpu_device() -> Result<Device, Failure> {
    if let Some(device) = WEBGPU.with_borrow(Clone::clone) {
        return Ok(device);
    }
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| Error::Device(format!("WebGPU could not start: {e}")))?;
    WEBGPU.set(Some(device.clone()));
    Ok(device)
}

/// The CPU-only module (built without the `webgpu` feature) has no WebGPU backend.
#[cfg(not(feature = "webgpu"))]
async fn webgpu_device() -> Result<Device, Failure> {
    Err(Error::Device(
        "this build of webdistill is the CPU backend alone (built without the `webgpu` feature)"
            .into(),
    )
    .into())
}
