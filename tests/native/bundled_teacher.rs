//! The bundled teachers: each decodes into its architecture, its checksum matches its card, and
//! it and each of its members classify the test set as accurately as the card claims.

use burn::module::Module;
use burn::prelude::*;
use webdistill::Error;
use webdistill::data::Task;
use webdistill::eval::evaluate;
use webdistill::settings::{DistillSettings, Preset};
use webdistill::teacher_card::{
    BUNDLED_TEACHERS, BundledTeacher, DEFAULT_TEACHER, TeacherCard, sha256_hex,
};

use crate::support::{bundled_file, mnist, split};

/// The digits' bundled teacher `id`'s card and weights, as the page and the CLI get them.
fn bundled_teacher(id: &str) -> (TeacherCard, Vec<u8>) {
    bundled_file(BundledTeacher::get(Task::Digits, id).unwrap().file)
}

fn bundled() -> (TeacherCard, Vec<u8>) {
    bundled_teacher(DEFAULT_TEACHER)
}

/// Issue 20 asks for a Fashion-MNIST teacher at 93% or more (the bundled one: 93.25%).
const FASHION_TEACHER_ACCURACY: f64 = 0.93;

/// The least test accuracy and the most gzip bytes each bundled teacher's card must hold to
/// (issue 21: the soft one ships in 1.1 MB gzip at most; issue 20: Fashion-MNIST's reaches 93%
/// in 2.5 MB).
fn budget(file: &str) -> (f64, usize) {
    match file {
        "teacher" => (0.995, 2_500_000),
        "teacher-soft" => (0.985, 1_100_000),
        "teacher-fashion" => (FASHION_TEACHER_ACCURACY, 2_500_000),
        other => panic!("no budget for the bundled teacher {other:?}"),
    }
}

#[test]
fn every_card_matches_its_file_its_task_and_its_budgets() {
    for t in &BUNDLED_TEACHERS {
        let (card, weights) = bundled_file(t.file);
        assert_eq!(card.task, t.task, "{}", t.file);
        let (least_accuracy, most_gzip) = budget(t.file);
        assert_eq!(card.sha256, sha256_hex(&weights), "{}", t.id);
        assert_eq!(card.bytes, weights.len(), "{}", t.id);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &weights).unwrap();
        let gzip = gz.finish().unwrap().len();
        assert!(
            gzip <= most_gzip,
            "the {} teacher ships in at most {most_gzip} bytes gzip, not {gzip}",
            t.id
        );
        assert!(
            card.test_accuracy >= least_accuracy,
            "the {} teacher's card claims {}",
            t.id,
            card.test_accuracy
        );
        assert_eq!(card.members.len(), card.architecture.members.len());
        assert_eq!(card.macs_per_image, card.architecture.macs_per_image());
    }
}

#[test]
fn the_teacher_setting_names_the_bundled_teachers_and_omit_3_takes_the_soft_one() {
    assert_eq!(DistillSettings::default().teacher, DEFAULT_TEACHER);
    assert_eq!(BUNDLED_TEACHERS[0].id, DEFAULT_TEACHER);
    let omit = Preset::get("omit-3").unwrap().settings();
    assert_eq!(omit.teacher, "soft");
    let err = BundledTeacher::get(Task::Digits, "teacher.safetensors").unwrap_err();
    assert_eq!(err.setting_key(), Some("teacher"));
    assert!(err.to_string().contains("cnn, soft"), "{err}");
    // Every task has its own; the soft one is the digits'.
    let fashion = DistillSettings::from_values(
        &[("task", "fashion"), ("teacher", "soft")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into(),
    )
    .unwrap();
    let problems = fashion.problems(None);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].setting_key(), Some("teacher"));
    assert!(
        problems[0]
            .to_string()
            .contains("Fashion-MNIST's bundled teachers are cnn"),
        "{}",
        problems[0]
    );
}

/// Hinton et al. 2015 §3's point, and issue 21's: the softer teacher is less sure of itself on
/// the test set, though less accurate.
#[test]
fn the_soft_teacher_is_less_sure_than_the_default_one() {
    let device = Device::flex();
    let test = mnist("t10k");
    let measure = |id: &str| {
        let (card, weights) = bundled_teacher(id);
        let teacher = card.load_teacher(&weights, &device).unwrap();
        pollster::block_on(evaluate(&teacher, &test, &device)).unwrap()
    };
    let (sharp, soft) = (measure("cnn"), measure("soft"));
    assert!(sharp.accuracy > soft.accuracy);
    assert!(
        soft.mean_confidence < sharp.mean_confidence,
        "soft {} vs sharp {}",
        soft.mean_confidence,
        sharp.mean_confidence
    );
    for e in [&sharp, &soft] {
        assert!(e.mean_confidence > 0.9 && e.mean_confidence <= 1.0);
        assert!(e.calibration_error >= 0.0 && e.calibration_error < 0.05);
    }
}

#[test]
fn every_teacher_and_its_members_score_on_the_test_set_what_the_card_claims() {
    for t in &BUNDLED_TEACHERS {
        scores_what_the_card_claims(t);
    }
}

fn scores_what_the_card_claims(t: &BundledTeacher) {
    let (card, weights) = bundled_file(t.file);
    let device = Device::flex();
    let teacher = card.load_teacher(&weights, &device).unwrap();
    assert_eq!(teacher.num_params(), card.params);
    let test = split(t.task, "t10k");
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

/// `webdistill distill` on quick settings with `extra` flags: the comparison it prints as JSON,
/// or its error text.
fn distill_cli(extra: &[&str]) -> Result<serde_json::Value, String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_webdistill"))
        .args([
            "distill",
            "--backend",
            "cpu",
            "--json",
            "--size",
            "1000",
            "--labeled",
            "100",
        ])
        .args(["--epochs", "1", "--hidden", "16"])
        .args(extra)
        .output()
        .unwrap();
    match out.status.success() {
        true => Ok(serde_json::from_slice(&out.stdout).unwrap()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

#[test]
fn the_cli_takes_a_bundled_teacher_by_id_and_ones_own_by_path() {
    let (soft, weights) = bundled_teacher("soft");
    let by_id = distill_cli(&["--teacher", "soft"]).unwrap();
    assert_eq!(by_id["settings"]["teacher"], "soft");
    let errors = by_id["teacher"]["errors"].as_u64().unwrap() as usize;
    assert!(
        errors.abs_diff(soft.test_errors) <= 2,
        "{errors} vs the card's {}",
        soft.test_errors
    );

    // One's own teacher: a safetensors file with its card beside it (here, the soft one's copy).
    let dir = std::env::temp_dir().join(format!("webdistill-own-teacher-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.safetensors");
    std::fs::write(&path, &weights).unwrap();
    std::fs::write(dir.join("mine.json"), serde_json::to_string(&soft).unwrap()).unwrap();
    let own = distill_cli(&["--teacher", path.to_str().unwrap()]).unwrap();
    assert_eq!(own["teacher"]["errors"], by_id["teacher"]["errors"]);

    // A file whose card is missing, and one that does not match its card, are refused.
    std::fs::remove_file(dir.join("mine.json")).unwrap();
    let err = distill_cli(&["--teacher", path.to_str().unwrap()]).unwrap_err();
    assert!(err.contains("mine.json"), "{err}");
    let mut bad = soft.clone();
    bad.architecture.members[0].hidden += 1;
    std::fs::write(dir.join("mine.json"), serde_json::to_string(&bad).unwrap()).unwrap();
    let err = distill_cli(&["--teacher", path.to_str().unwrap()]).unwrap_err();
    assert!(err.contains("checksum") || err.contains("shape"), "{err}");

    // A teacher that has learnt nothing (its initial weights) is refused with its figure.
    let untrained = soft.architecture.init(&Device::flex());
    let bytes = pollster::block_on(webdistill::weights::to_safetensors(
        &untrained,
        &Default::default(),
    ))
    .unwrap();
    let card = TeacherCard {
        sha256: sha256_hex(&bytes),
        bytes: bytes.len(),
        ..soft.clone()
    };
    std::fs::write(&path, &bytes).unwrap();
    std::fs::write(dir.join("mine.json"), serde_json::to_string(&card).unwrap()).unwrap();
    let err = distill_cli(&["--teacher", path.to_str().unwrap()]).unwrap_err();
    assert!(err.contains("below the 50%"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 21's finding, measured on the bundled teachers: at T = 20 the soft teacher gives "3" a
/// larger share on the other digits' images than the sharp one does, which is what a student
/// that never sees a 3 learns from.
#[test]
fn the_soft_teacher_gives_3_more_probability_on_other_digits() {
    let device = Device::flex();
    let test = mnist("t10k");
    let affinity = |id: &str| {
        let (card, weights) = bundled_teacher(id);
        let teacher = card.load_teacher(&weights, &device).unwrap();
        let logits =
            pollster::block_on(webdistill::eval::predict_all(&teacher, &test, &device)).unwrap();
        webdistill::explore::class_affinity(&logits, test.labels(), 20.0).unwrap()
    };
    let (sharp, soft) = (affinity("cnn"), affinity("soft"));
    eprintln!("class affinity at T = 20: cnn {sharp:?}, soft {soft:?}");
    for a in sharp.iter().chain(&soft) {
        assert!(*a > 0.0 && *a < 0.5);
    }
    assert!(soft[3] > sharp[3], "soft {} vs sharp {}", soft[3], sharp[3]);
}
