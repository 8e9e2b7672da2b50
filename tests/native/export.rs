//! Taking a student away: the downloaded file loads back with the same predictions, its card
//! checks it, and the f16 / int8 versions keep their error within the rounding bound.

use std::collections::BTreeMap;

use burn::prelude::*;
use webdistill::eval::{evaluate, predict_all};
use webdistill::export::card::{StudentCard, StudentOrigin, export_student, load_student};
use webdistill::model::StudentConfig;
use webdistill::quantize::{
    Int8Matrix, Precision, f16_round_trip, quantize_tensors, quantized_reports,
};
use webdistill::settings::DistillSettings;
use webdistill::weights::{Dtype, SafeTensors, load_safetensors, read_weights};

use crate::support::{mnist, small_trained_student};

#[test]
fn int8_round_trip_error_is_within_half_a_step_per_column() {
    // 3 inputs × 4 outputs, one column all zeros, one with a tiny range.
    let w = [
        0.5f32, -1.0, 0.0, 1e-3, -0.25, 0.75, 0.0, -2e-3, 0.1, 0.3, 0.0, 5e-4,
    ];
    let q = Int8Matrix::quantize(&w, 4);
    let back = q.dequantize();
    for (i, (a, b)) in w.iter().zip(&back).enumerate() {
        let scale = q.scales[i % 4];
        assert!(
            (a - b).abs() <= scale / 2.0 + 1e-9,
            "w[{i}] {a} came back as {b} (scale {scale})"
        );
    }
    assert_eq!(q.scales[0], 0.5 / 127.0);
    assert_eq!(back[2], 0.0);
    assert_eq!(q.values.iter().map(|v| v.unsigned_abs()).max(), Some(127));
}

#[test]
fn f16_keeps_three_significant_digits() {
    let w = [1.0f32, -0.123_456, 3.0e-3, 65_000.0];
    for (a, b) in w.iter().zip(f16_round_trip(&w)) {
        assert!((a - b).abs() <= a.abs() * 1e-3, "{a} → {b}");
    }
}

#[test]
fn quantised_files_are_smaller_and_nearly_as_accurate() {
    let device = Device::flex();
    let student = small_trained_student(&device);
    let test = mnist("t10k");
    let config = StudentConfig::Mlp { hidden: vec![32] };
    let weights = pollster::block_on(read_weights(&student)).unwrap();
    let full = pollster::block_on(evaluate(&student, &test, &device)).unwrap();
    let reports =
        pollster::block_on(quantized_reports(&weights, &full, &config, &test, &device)).unwrap();
    let [f32r, f16r, int8r] = [&reports[0], &reports[1], &reports[2]];
    assert_eq!(f32r.precision, Precision::F32);
    assert_eq!(f32r.max_weight_error, 0.0);
    assert_eq!(f32r.bytes, weights.to_f32_file().unwrap().len());
    // The f16 row is the f16 file's own score: load that file and measure it independently.
    let f16_model =
        load_safetensors(config.init(&device), &weights.to_file(Dtype::F16).unwrap()).unwrap();
    let f16_errors = pollster::block_on(evaluate(&f16_model, &test, &device))
        .unwrap()
        .errors;
    assert_eq!(f16r.errors, f16_errors);
    // 784·32 + 32·10 weights: f16 halves them, int8 quarters them (plus scales and f32 biases).
    assert!(
        f16r.bytes * 10 < f32r.bytes * 6,
        "{} vs {}",
        f16r.bytes,
        f32r.bytes
    );
    assert!(
        int8r.bytes * 10 < f32r.bytes * 3,
        "{} vs {}",
        int8r.bytes,
        f32r.bytes
    );
    assert!((f16r.accuracy - f32r.accuracy).abs() <= 0.002);
    assert!(
        (int8r.accuracy - f32r.accuracy).abs() <= 0.01,
        "int8 {} vs f32 {}",
        int8r.accuracy,
        f32r.accuracy
    );
    assert!(int8r.max_weight_error > 0.0 && int8r.max_weight_error < 0.05);
}

#[test]
fn a_quantised_file_is_valid_safetensors_with_its_dtypes() {
    let device = Device::flex();
    let student = StudentConfig::Mlp { hidden: vec![8] }.init(&device);
    let bytes = pollster::block_on(webdistill::weights::to_safetensors(
        &student,
        &BTreeMap::new(),
    ))
    .unwrap();
    let tensors = SafeTensors::parse(&bytes).unwrap().tensors;
    let (file, _) = quantize_tensors(&tensors, Precision::Int8, &BTreeMap::new()).unwrap();
    let header_len = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&file[8..8 + header_len]).unwrap();
    assert_eq!(header["hidden.0.weight"]["dtype"], "I8");
    assert_eq!(
        header["hidden.0.weight_scale"]["shape"],
        serde_json::json!([8])
    );
    assert_eq!(header["hidden.0.bias"]["dtype"], "F32");
    assert_eq!(header["__metadata__"]["precision"], "int8 (per-channel)");
    let last = header["output.weight_scale"]["data_offsets"][1]
        .as_u64()
        .unwrap() as usize;
    assert!(8 + header_len + last <= file.len());
}

#[test]
fn an_exported_student_loads_back_with_the_same_predictions() {
    let device = Device::flex();
    let student = small_trained_student(&device);
    let test = mnist("t10k");
    let settings = DistillSettings {
        hidden: vec![32],
        ..DistillSettings::default()
    };
    let origin = StudentOrigin {
        role: "distilled",
        objective: settings.objective().describe(),
        taught_by: vec![
            "teacher: a CNN".into(),
            "teacher assistant: 784-256-10".into(),
        ],
        settings: &settings,
        test_accuracy: 0.9,
        test_errors: 1000,
        backend: "CPU".into(),
    };
    let host = pollster::block_on(read_weights(&student)).unwrap();
    let (weights, card) = export_student(&host, origin).unwrap();
    let card = StudentCard::from_json(&serde_json::to_string(&card).unwrap()).unwrap();
    card.check(&weights).unwrap();
    assert_eq!(card.architecture, "MLP 784-32-10");
    assert_eq!(card.taught_by.len(), 2, "the card names the chain");
    let (loaded, config) = load_student(&weights, &device).unwrap();
    assert_eq!(config, StudentConfig::Mlp { hidden: vec![32] });
    let a = pollster::block_on(predict_all(&student, &test, &device)).unwrap();
    let b = pollster::block_on(predict_all(&loaded, &test, &device)).unwrap();
    assert_eq!(a, b);
    let mut tampered = weights.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert!(
        card.check(&tampered)
            .unwrap_err()
            .to_string()
            .contains("checksum")
    );
    let teacher = std::fs::read(crate::support::root().join("assets/teacher.safetensors")).unwrap();
    let err = load_student(&teacher, &device).unwrap_err();
    assert!(err.to_string().contains("not a student"), "{err}");
}
