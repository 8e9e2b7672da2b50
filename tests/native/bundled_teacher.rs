//! The bundled teacher: it decodes into its architecture, its checksum matches its card, and it
//! classifies real test images as accurately as the card claims.

use burn::prelude::*;
use webdistill::Error;
use webdistill::eval::{Evaluation, predict_logits};
use webdistill::teacher_card::{TeacherCard, sha256_hex};

use crate::support::{mnist, root};

fn bundled() -> (TeacherCard, Vec<u8>) {
    let card = std::fs::read_to_string(root().join("assets/teacher.json")).unwrap();
    let weights = std::fs::read(root().join("assets/teacher.safetensors")).unwrap();
    (TeacherCard::from_json(&card).unwrap(), weights)
}

#[test]
fn card_matches_the_file() {
    let (card, weights) = bundled();
    assert_eq!(card.sha256, sha256_hex(&weights));
    assert_eq!(card.bytes, weights.len());
    assert!(
        card.bytes <= 2_000_000,
        "the teacher must stay small enough to bundle"
    );
    assert!(
        card.test_accuracy >= 0.99,
        "the card claims {}",
        card.test_accuracy
    );
    assert_eq!(
        card.test_errors,
        (10_000.0 * (1.0 - card.test_accuracy)).round() as usize
    );
}

#[test]
fn teacher_classifies_a_fixed_sample_as_the_card_claims() {
    let (card, weights) = bundled();
    let device = Device::flex();
    let teacher = card.load_teacher(&weights, &device).unwrap();
    let test = mnist("t10k");
    // Every 5th test image: 2,000 images, a fixed sample spread over the whole set.
    let rows: Vec<u32> = (0..test.len() as u32).step_by(5).collect();
    let logits = pollster::block_on(predict_logits(&teacher, &test, &rows, &device)).unwrap();
    let labels: Vec<u8> = rows.iter().map(|&i| test.labels()[i as usize]).collect();
    let accuracy = Evaluation::from_logits(&logits, &labels).accuracy;
    assert!(
        (accuracy - card.test_accuracy).abs() <= 0.01,
        "sample accuracy {accuracy} vs card {}",
        card.test_accuracy
    );
}

#[test]
fn a_tampered_file_fails_its_checksum() {
    let (card, mut weights) = bundled();
    let n = weights.len();
    weights[n - 1] ^= 1;
    let err = card.load_teacher(&weights, &Device::flex()).unwrap_err();
    assert!(matches!(err, Error::ChecksumMismatch { .. }), "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");
}

#[test]
fn a_card_of_another_architecture_is_refused() {
    let (mut card, weights) = bundled();
    card.architecture.hidden += 1;
    let err = card.load_teacher(&weights, &Device::flex()).unwrap_err();
    assert!(matches!(err, Error::Weights(_)), "{err}");
    assert!(err.to_string().contains("shape"), "{err}");
}

#[test]
fn a_broken_card_is_refused() {
    let err = TeacherCard::from_json("{\"architecture\": 3}").unwrap_err();
    assert!(err.to_string().contains("teacher card"), "{err}");
}
