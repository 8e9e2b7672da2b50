//! The TF.js export, proven by TensorFlow.js itself (issue 22): the linear model's, an MLP's and a
//! CNN's model.json and weights, loaded by `tf.loadLayersModel` and fed raw pixels as the model
//! says, give the student's logits in burn (within float rounding) and its test errors; a soft
//! tree, which no TF.js layer can express, has no TF.js files and says why.

use std::process::Command;

use burn::prelude::*;
use webdistill::eval::{argmax, predict_all};
use webdistill::export::tfjs::{supports, to_tfjs};
use webdistill::model::{StudentConfig, seeded};
use webdistill::settings::DistillSettings;
use webdistill::student_card::{StudentOrigin, export_student, tfjs_names};
use webdistill::weights::read_weights;

use crate::support::{mnist, mnist_dir, root};

/// TensorFlow.js's answer for the model in `dir/<stem>.model.json` on the test set
/// (scripts/tfjs-check.mjs).
fn tensorflow_js(model: &std::path::Path) -> serde_json::Value {
    let dir = mnist_dir();
    let out = Command::new("node")
        .arg(root().join("scripts/tfjs-check.mjs"))
        .arg(model)
        .arg(dir.join("t10k-images-idx3-ubyte"))
        .arg(dir.join("t10k-labels-idx1-ubyte"))
        .current_dir(root())
        .output()
        .expect("node runs (scripts/test.sh installs @tensorflow/tfjs)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap()
}

#[test]
fn the_linear_model_mlps_and_cnns_run_in_tensorflow_js_as_in_burn() {
    let device = Device::flex();
    let test = mnist("t10k");
    let dir = std::env::temp_dir().join(format!("webdistill-tfjs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kinds = [
        StudentConfig::Mlp { hidden: vec![] },
        StudentConfig::Mlp {
            hidden: vec![24, 12],
        },
        StudentConfig::Cnn { channels: [3, 5] },
    ];
    for (i, config) in kinds.iter().enumerate() {
        assert!(supports(config));
        // Random weights: every logit depends on every tensor, so any layout mistake shows.
        let student = seeded(&device, 21 + i as u64, || config.init(&device));
        let logits = pollster::block_on(predict_all(&student, &test, &device)).unwrap();
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
            test_accuracy: 1.0 - errors as f64 / 10_000.0,
            test_errors: errors,
            backend: "CPU".into(),
        };
        let (_, card) = export_student(&weights, origin).unwrap();
        let (model_name, weights_name) = tfjs_names(&config.file_stem());
        let model = to_tfjs(&card, &weights, &weights_name).unwrap();
        std::fs::write(dir.join(&model_name), &model.model_json).unwrap();
        std::fs::write(dir.join(&weights_name), &model.weights).unwrap();
        let answer = tensorflow_js(&dir.join(&model_name));
        assert_eq!(answer["input"], serde_json::json!([null, 28, 28, 1]));
        assert_eq!(answer["metadata"]["architecture"], config.title());
        assert_eq!(answer["metadata"]["classes"][3], "3");
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
        assert_eq!(theirs.len(), 1000);
        let worst = theirs
            .iter()
            .zip(&logits)
            .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "{}: logits differ by {worst}", config.title());
        // Float rounding may flip an image whose top two logits tie to 1e-6; allow two.
        let theirs_errors = answer["errors"].as_u64().unwrap() as usize;
        assert!(
            theirs_errors.abs_diff(errors) <= 2,
            "{}: TensorFlow.js {theirs_errors} errors, burn {errors}",
            config.title()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_soft_tree_has_no_tfjs_form_and_says_why() {
    let device = Device::flex();
    let config = StudentConfig::Tree { depth: 3 };
    assert!(!supports(&config));
    let student = seeded(&device, 5, || config.init(&device));
    let weights = pollster::block_on(read_weights(&student)).unwrap();
    let settings = DistillSettings::default().with_student(&config);
    let origin = StudentOrigin {
        role: "distilled",
        objective: "test".into(),
        taught_by: vec![],
        settings: &settings,
        test_accuracy: 0.5,
        test_errors: 5000,
        backend: "CPU".into(),
    };
    let (bytes, card) = export_student(&weights, origin).unwrap();
    let err = to_tfjs(&card, &weights, "w.bin").err().unwrap().to_string();
    assert!(
        err.contains("no TF.js layers form") && err.contains("ONNX"),
        "{err}"
    );

    // `export --format tfjs` of a downloaded tree: one message, naming the file, nothing written.
    let dir = std::env::temp_dir().join(format!("webdistill-tfjs-tree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (w, c) = (dir.join("tree.safetensors"), dir.join("tree.json"));
    std::fs::write(&w, &bytes).unwrap();
    std::fs::write(&c, serde_json::to_string(&card).unwrap()).unwrap();
    let stderr = crate::support::webdistill_fails([
        "export".as_ref(),
        "--format".as_ref(),
        "tfjs".as_ref(),
        "--weights".as_ref(),
        w.as_os_str(),
        "--card".as_ref(),
        c.as_os_str(),
    ]);
    assert!(
        stderr.contains("tree.safetensors") && stderr.contains("no TF.js layers form"),
        "{stderr}"
    );
    assert!(!dir.join("tree.model.json").exists() && !dir.join("tree.weights.bin").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
