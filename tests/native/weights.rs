//! Safetensors out and in, and every way a weights file can be wrong.

use std::collections::BTreeMap;

use burn::prelude::*;
use webdistill::Error;
use webdistill::eval::predict_logits;
use webdistill::model::{StudentConfig, seeded};
use webdistill::weights::{SafeTensors, load_safetensors, to_safetensors};

use crate::support::synthetic;

fn saved(hidden: Vec<usize>, seed: u64) -> Vec<u8> {
    let device = Device::flex();
    let student = seeded(&device, seed, || {
        StudentConfig::Mlp { hidden }.init(&device)
    });
    let mut meta = BTreeMap::new();
    meta.insert("note".to_string(), "test".to_string());
    pollster::block_on(to_safetensors(&student, &meta)).unwrap()
}

#[test]
fn a_saved_student_loads_back_and_predicts_the_same() {
    let device = Device::flex();
    let config = StudentConfig::Mlp {
        hidden: vec![12, 7],
    };
    let student = seeded(&device, 3, || config.init(&device));
    let bytes = pollster::block_on(to_safetensors(&student, &BTreeMap::new())).unwrap();
    let parsed = SafeTensors::parse(&bytes).unwrap();
    let names: Vec<&str> = parsed.tensors.keys().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "hidden.0.bias",
            "hidden.0.weight",
            "hidden.1.bias",
            "hidden.1.weight",
            "output.bias",
            "output.weight"
        ]
    );
    assert_eq!(parsed.tensors["hidden.0.weight"].shape, vec![784, 12]);
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(header_len % 8, 0, "header padded to 8 bytes");

    let fresh = seeded(&device, 99, || config.init(&device));
    let loaded = load_safetensors(fresh, &bytes).unwrap();
    let data = synthetic(10);
    let rows: Vec<u32> = (0..10).collect();
    let a = pollster::block_on(predict_logits(&student, &data, &rows, &device)).unwrap();
    let b = pollster::block_on(predict_logits(&loaded, &data, &rows, &device)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn metadata_survives() {
    let parsed = SafeTensors::parse(&saved(vec![4], 1)).unwrap();
    assert_eq!(parsed.metadata["note"], "test");
}

fn load_error(bytes: &[u8], hidden: Vec<usize>) -> Error {
    let device = Device::flex();
    load_safetensors(StudentConfig::Mlp { hidden }.init(&device), bytes).unwrap_err()
}

#[test]
fn rejects_files_of_another_architecture() {
    let err = load_error(&saved(vec![4], 1), vec![5]);
    assert!(err.to_string().contains("shape"), "{err}");
    let err = load_error(&saved(vec![4, 4], 1), vec![4]);
    assert!(err.to_string().contains("does not have"), "{err}");
    let err = load_error(&saved(vec![4], 1), vec![4, 4]);
    assert!(err.to_string().contains("no tensor"), "{err}");
}

#[test]
fn rejects_corrupt_files() {
    let good = saved(vec![4], 1);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (vec![], "header too small"),
        (
            b"not safetensors at all".to_vec(),
            "not a valid safetensors file",
        ),
        (good[..good.len() - 3].to_vec(), "not fully covered"),
        (
            {
                let mut b = good.clone();
                b[8] = b'!';
                b
            },
            "invalid JSON",
        ),
        (
            u64::MAX.to_le_bytes().to_vec(),
            "not a valid safetensors file",
        ),
    ];
    for (bytes, needle) in cases {
        let err = load_error(&bytes, vec![4]);
        assert!(matches!(err, Error::Weights(_)), "{err}");
        assert!(err.to_string().contains(needle), "{err} lacks {needle:?}");
    }
}
