//! The TF.js export, proven by TensorFlow.js itself (issue 22): the linear model's, an MLP's and a
//! CNN's model.json and weights, loaded by `tf.loadLayersModel` and fed raw pixels as the model
//! says, give the student's logits in burn (within float rounding) and its test errors; a soft
//! tree, which no TF.js layer can express, has no TF.js files and says why.

use std::process::Command;

use webdistill::export::card::tfjs_names;
use webdistill::export::tfjs::{supports, to_tfjs};
use webdistill::model::StudentConfig;

use crate::exported::{Exported, assert_agrees, exported};
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
        let e = exported(config, 21 + i as u64, &test);
        let (model_name, weights_name) = tfjs_names(&config.file_stem());
        let model = to_tfjs(&e.card, &e.weights, &weights_name).unwrap();
        std::fs::write(dir.join(&model_name), &model.model_json).unwrap();
        std::fs::write(dir.join(&weights_name), &model.weights).unwrap();
        let answer = tensorflow_js(&dir.join(&model_name));
        assert_eq!(answer["input"], serde_json::json!([null, 28, 28, 1]));
        assert_eq!(answer["metadata"]["architecture"], config.title());
        assert_eq!(answer["metadata"]["classes"][3], "3");
        assert_eq!(answer["logits"].as_array().unwrap().len(), 100);
        assert_agrees("TensorFlow.js", &e, &answer);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_soft_tree_has_no_tfjs_form_and_says_why() {
    let config = StudentConfig::Tree { depth: 3 };
    assert!(!supports(&config));
    let Exported {
        weights,
        file,
        card,
        ..
    } = exported(&config, 5, &mnist("t10k"));
    let err = to_tfjs(&card, &weights, "w.bin").err().unwrap().to_string();
    assert!(
        err.contains("no TF.js layers form") && err.contains("ONNX"),
        "{err}"
    );

    // `export --format tfjs` of a downloaded tree: one message, naming the file, nothing written.
    let dir = std::env::temp_dir().join(format!("webdistill-tfjs-tree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (w, c) = (dir.join("tree.safetensors"), dir.join("tree.json"));
    std::fs::write(&w, &file).unwrap();
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
