//! The ONNX export, proven by onnxruntime itself (issue 22): every student kind's file, fed raw
//! pixels as its input says, gives the same logits as the student in burn (within float rounding)
//! and the same test errors as its card, with the card's facts in its metadata.

use std::process::Command;

use webdistill::export::onnx::to_onnx;
use webdistill::model::StudentConfig;

use crate::exported::{assert_agrees, exported};
use crate::support::{mnist, mnist_dir, webdistill_ok};

/// onnxruntime's answer for `model` on the test set (scripts/onnx-check.py).
fn onnxruntime(model: &[u8], name: &str) -> serde_json::Value {
    let path = std::env::temp_dir().join(format!("webdistill-{}-{name}.onnx", std::process::id()));
    std::fs::write(&path, model).unwrap();
    let dir = mnist_dir();
    let out = Command::new("python3")
        .arg(crate::support::root().join("scripts/onnx-check.py"))
        .arg(&path)
        .arg(dir.join("t10k-images-idx3-ubyte"))
        .arg(dir.join("t10k-labels-idx1-ubyte"))
        .output()
        .expect("python3 runs (scripts/test.sh installs onnxruntime)");
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_kind_runs_in_onnxruntime_as_in_burn() {
    let test = mnist("t10k");
    let kinds = [
        StudentConfig::Mlp { hidden: vec![] },
        StudentConfig::Mlp {
            hidden: vec![24, 12],
        },
        StudentConfig::Cnn { channels: [3, 5] },
        StudentConfig::Tree { depth: 4 },
    ];
    for (i, config) in kinds.iter().enumerate() {
        let e = exported(config, 11 + i as u64, &test);
        let model = to_onnx(&e.card, &e.weights).unwrap();
        let answer = onnxruntime(&model, &config.file_stem());
        assert_eq!(answer["input"][0], "pixels");
        assert_eq!(answer["metadata"]["classes"], "0,1,2,3,4,5,6,7,8,9");
        assert_eq!(answer["metadata"]["architecture"], config.title());
        assert_agrees("onnxruntime", &e, &answer);
    }
}

#[test]
fn distill_save_writes_every_file_and_export_converts_a_download_again() {
    let dir = std::env::temp_dir().join(format!("webdistill-save-{}", std::process::id()));
    let mut args: Vec<std::ffi::OsString> = ["distill", "--backend", "cpu", "--size", "2000"]
        .into_iter()
        .chain([
            "--labeled",
            "100",
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--save",
        ])
        .map(Into::into)
        .collect();
    args.push(dir.clone().into());
    webdistill_ok(args);
    let stem = dir.join("webdistill-distilled-mlp-784-16-10");
    let card: webdistill::export::card::StudentCard =
        serde_json::from_slice(&std::fs::read(stem.with_extension("json")).unwrap()).unwrap();
    // safetensors, ONNX and TF.js's model.json and weights.
    assert_eq!(card.files.len(), 4);
    for f in &card.files {
        let bytes = std::fs::read(dir.join(&f.name)).unwrap();
        assert_eq!(f.bytes, bytes.len(), "{}", f.name);
        assert_eq!(
            f.sha256,
            webdistill::teacher_card::sha256_hex(&bytes),
            "{}",
            f.name
        );
    }
    assert!(dir.join("webdistill-scratch-mlp-784-16-10.onnx").exists());
    assert!(
        dir.join("webdistill-scratch-mlp-784-16-10.model.json")
            .exists()
    );

    // The runtime scores the file as the card says.
    let onnx = std::fs::read(stem.with_extension("onnx")).unwrap();
    let answer = onnxruntime(&onnx, "saved");
    let errors = answer["errors"].as_u64().unwrap() as usize;
    assert!(
        errors.abs_diff(card.test_errors) <= 2,
        "onnxruntime {errors}, card {}",
        card.test_errors
    );

    // `export` rebuilds the same ONNX file from the safetensors and the card.
    let again = dir.join("again.onnx");
    webdistill_ok([
        "export".into(),
        "--format".into(),
        "onnx".into(),
        "--weights".into(),
        stem.with_extension("safetensors").into_os_string(),
        "--card".into(),
        stem.with_extension("json").into_os_string(),
        "--out".into(),
        again.clone().into_os_string(),
    ]);
    assert_eq!(std::fs::read(&again).unwrap(), onnx);

    // And the same TF.js pair, the weights named beside the model.
    let model = dir.join("again.model.json");
    webdistill_ok([
        "export".into(),
        "--format".into(),
        "tfjs".into(),
        "--weights".into(),
        stem.with_extension("safetensors").into_os_string(),
        "--card".into(),
        stem.with_extension("json").into_os_string(),
        "--out".into(),
        model.clone().into_os_string(),
    ]);
    let saved: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("webdistill-distilled-mlp-784-16-10.model.json")).unwrap(),
    )
    .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert_eq!(again["modelTopology"], saved["modelTopology"]);
    assert_eq!(again["weightsManifest"][0]["paths"][0], "again.weights.bin");
    assert_eq!(
        std::fs::read(dir.join("again.weights.bin")).unwrap(),
        std::fs::read(dir.join("webdistill-distilled-mlp-784-16-10.weights.bin")).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
