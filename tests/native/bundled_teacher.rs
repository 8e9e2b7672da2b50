//! The bundled teacher: it decodes into its architecture, its checksum matches its card, and it
//! and each of its members classify the test set as accurately as the card claims.

use burn::module::Module;
use burn::prelude::*;
use webdistill::Error;
use webdistill::eval::evaluate;
use webdistill::teacher_card::{TeacherCard, sha256_hex};

use crate::support::{mnist, root};

fn bundled() -> (TeacherCard, Vec<u8>) {
    let card = std::fs::read_to_string(root().join("assets/teacher.json")).unwrap();
    let weights = std::fs::read(root().join("assets/teacher.safetensors")).unwrap();
    (TeacherCard::from_json(&card).unwrap(), weights)
}

#[test]
fn card_matches_the_file_and_the_budgets() {
    let (card, weights) = bundled();
    assert_eq!(card.sha256, sha256_hex(&weights));
    assert_eq!(card.bytes, weights.len());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &weights).unwrap();
    let gzip = gz.finish().unwrap().len();
    assert!(
        gzip <= 2_500_000,
        "the teacher ships in at most 2.5 MB gzip, not {gzip}"
    );
    assert!(
        card.test_accuracy >= 0.995,
        "the card claims {}",
        card.test_accuracy
    );
    assert_eq!(card.members.len(), card.architecture.members.len());
    assert_eq!(card.macs_per_image, card.architecture.macs_per_image());
}

#[test]
fn teacher_and_members_score_on_the_test_set_what_the_card_claims() {
    let (card, weights) = bundled();
    let device = Device::flex();
    let teacher = card.load_teacher(&weights, &device).unwrap();
    assert_eq!(teacher.num_params(), card.params);
    let test = mnist("t10k");
    // Measured here on the weights as stored; summation order may differ from the machine that
    // wrote the card by a rounding, which can flip a borderline image.
    let close = |found: usize, claimed: usize, what: &str| {
        assert!(
            found.abs_diff(claimed) <= 2,
            "{what}: {found} errors, card {claimed}"
        );
    };
    let e = pollster::block_on(evaluate(&teacher, &test, &device)).unwrap();
    close(e.errors, card.test_errors, "teacher");
    for (member, score) in teacher.members.iter().zip(&card.members) {
        let e = pollster::block_on(evaluate(member, &test, &device)).unwrap();
        close(e.errors, score.test_errors, "member");
    }
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
    card.architecture.members[0].hidden += 1;
    let err = card.load_teacher(&weights, &Device::flex()).unwrap_err();
    assert!(matches!(err, Error::Weights(_)), "{err}");
    assert!(err.to_string().contains("shape"), "{err}");
}

#[test]
fn a_broken_card_is_refused() {
    let err = TeacherCard::from_json("{\"architecture\": 3}").unwrap_err();
    assert!(err.to_string().contains("teacher card"), "{err}");
}
