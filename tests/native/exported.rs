//! What the export tests share: a student of random weights with its card and burn's own answers,
//! and the check that another runtime's answers agree with burn's.

use burn::prelude::*;
use webdistill::data::Mnist;
use webdistill::eval::{argmax, predict_all};
use webdistill::export::card::{StudentCard, StudentOrigin, export_student};
use webdistill::model::{StudentConfig, seeded};
use webdistill::settings::DistillSettings;
use webdistill::weights::{SafeTensors, read_weights};

/// A student of `config` with random weights (every logit depends on every tensor, so any layout
/// mistake in an export shows), as exported with its card, and burn's logits and errors on `test`.
pub struct Exported {
    pub weights: SafeTensors,
    pub file: Vec<u8>,
    pub card: StudentCard,
    pub logits: Vec<f32>,
    pub errors: usize,
}

pub fn exported(config: &StudentConfig, seed: u64, test: &Mnist) -> Exported {
    let device = Device::flex();
    let student = seeded(&device, seed, || config.init(&device));
    let logits = pollster::block_on(predict_all(&student, test, &device)).unwrap();
    let errors = logits
        .chunks_exact(10)
        .zip(test.labels())
        .filter(|(row, label)| argmax(row) != **label as usize)
        .count();
    let weights = pollster::block_on(read_weights(&student)).unwrap();
    let settings = DistillSettings::default().with_student(config);
    let origin = StudentOrigin {
        role: "distilled",
        objective: "test".into(),
        taught_by: vec![],
        settings: &settings,
        test_accuracy: 1.0 - errors as f64 / test.len() as f64,
        test_errors: errors,
        backend: "CPU".into(),
    };
    let (file, card) = export_student(&weights, origin).unwrap();
    Exported {
        weights,
        file,
        card,
        logits,
        errors,
    }
}

/// A runtime's answer (`logits` of the first images, `errors` on the test set) agrees with burn's:
/// logits within a relative 1e-4, errors within two (float rounding may flip an image whose top
/// two logits tie to 1e-6).
pub fn assert_agrees(runtime: &str, e: &Exported, answer: &serde_json::Value) {
    let title = &e.card.architecture;
    let theirs: Vec<f32> = answer["logits"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
        })
        .collect();
    assert!(!theirs.is_empty(), "{runtime}: {title}: no logits");
    let worst = theirs
        .iter()
        .zip(&e.logits)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "{runtime}: {title}: logits differ by {worst}");
    let theirs_errors = answer["errors"].as_u64().unwrap() as usize;
    assert!(
        theirs_errors.abs_diff(e.errors) <= 2,
        "{runtime}: {title}: {theirs_errors} errors, burn {}",
        e.errors
    );
}
