//! A trained student to take away: its weights as safetensors (F32) and a card (JSON) saying
//! what it is, how it was trained and what it scored, so that `webdistill evaluate` (or any
//! framework that reads safetensors) can load it and check the claim.

use std::collections::BTreeMap;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::input_description;
use crate::error::{Error, Result};
use crate::export::tfjs::TfjsModel;
use crate::model::{Student, StudentConfig};
use crate::settings::DistillSettings;
use crate::teacher_card::sha256_hex;
use crate::weights::{SafeTensors, load_safetensors};

/// The `format` of every student card and of the weights' `__metadata__`.
pub const STUDENT_FORMAT: &str = "webdistill-student/3";

/// What is known about an exported student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentCard {
    pub format: String,
    /// The kind and its shape: `MLP 784-800-800-10`, `CNN 4-8`, `Soft tree depth 6`.
    pub architecture: String,
    pub student: StudentConfig,
    /// `distilled` or `scratch`.
    pub role: String,
    /// The loss it was trained with, e.g. `Hinton KD, T = 4, α = 0.9`.
    pub objective: String,
    /// Who taught it, from the teacher down: the teacher, then the assistant when there was
    /// one. Empty for the student trained from the labels alone.
    pub taught_by: Vec<String>,
    pub settings: DistillSettings,
    /// Accuracy and errors on the full 10,000-image test set where it was trained.
    pub test_accuracy: f64,
    pub test_errors: usize,
    /// The backend it was trained and measured on.
    pub backend: String,
    pub input: String,
    /// Size and SHA-256 of the weights file.
    pub bytes: usize,
    pub sha256: String,
    /// How the weights are laid out.
    pub layout: String,
    /// Every file of this student beside the card: name, format, size and SHA-256.
    #[serde(default)]
    pub files: Vec<ExportedFile>,
}

/// One file of an exported student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedFile {
    pub name: String,
    /// `safetensors`, `onnx`, `tfjs-model` (TF.js's model.json) or `tfjs-weights`.
    pub format: String,
    pub bytes: usize,
    pub sha256: String,
}

/// A student ready to take away: every file, named `<stem>.<format>`, and the card
/// (`<stem>.json`) that lists them.
pub struct StudentFiles {
    /// `webdistill-distilled-mlp-784-64-10`.
    pub stem: String,
    pub weights: Vec<u8>,
    pub onnx: Vec<u8>,
    /// The TF.js layers model, for the kinds that have one ([`crate::export::tfjs::supports`]).
    pub tfjs: Option<TfjsModel>,
    pub card: StudentCard,
}

/// The names of a student's TF.js files: `<stem>.model.json` and `<stem>.weights.bin` (the
/// name `model.json` gives its weights).
pub fn tfjs_names(stem: &str) -> (String, String) {
    (format!("{stem}.model.json"), format!("{stem}.weights.bin"))
}

impl StudentFiles {
    /// Every file by name, the card (pretty JSON) last.
    pub fn named(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let card = serde_json::to_string_pretty(&self.card)
            .map_err(|e| Error::Weights(format!("the card could not be written: {e}")))?;
        let mut files = vec![
            (format!("{}.safetensors", self.stem), self.weights.clone()),
            (format!("{}.onnx", self.stem), self.onnx.clone()),
        ];
        if let Some(tfjs) = &self.tfjs {
            let (model, weights) = tfjs_names(&self.stem);
            files.push((model, tfjs.model_json.clone().into_bytes()));
            files.push((weights, tfjs.weights.clone()));
        }
        files.push((format!("{}.json", self.stem), (card + "\n").into_bytes()));
        Ok(files)
    }
}

/// Every file of a trained student (safetensors, ONNX, TF.js where its kind has one) and its card
/// listing them.
pub fn student_files(weights: &SafeTensors, origin: StudentOrigin<'_>) -> Result<StudentFiles> {
    let role = origin.role.to_string();
    let (weights, mut card) = export_student(weights, origin)?;
    let tensors = SafeTensors::parse(&weights)?;
    let onnx = crate::export::onnx::to_onnx(&card, &tensors)?;
    let stem = format!("webdistill-{role}-{}", card.student.file_stem());
    let (model_name, weights_name) = tfjs_names(&stem);
    let tfjs = match crate::export::tfjs::supports(&card.student) {
        true => Some(crate::export::tfjs::to_tfjs(
            &card,
            &tensors,
            &weights_name,
        )?),
        false => None,
    };
    let mut listed: Vec<(&str, String, &[u8])> = vec![
        ("safetensors", format!("{stem}.safetensors"), &weights),
        ("onnx", format!("{stem}.onnx"), &onnx),
    ];
    if let Some(t) = &tfjs {
        listed.push(("tfjs-model", model_name, t.model_json.as_bytes()));
        listed.push(("tfjs-weights", weights_name, &t.weights));
    }
    card.files = listed
        .into_iter()
        .map(|(format, name, bytes)| ExportedFile {
            name,
            format: format.into(),
            bytes: bytes.len(),
            sha256: sha256_hex(bytes),
        })
        .collect();
    Ok(StudentFiles {
        stem,
        weights,
        onnx,
        tfjs,
        card,
    })
}

/// What the card records about a trained student besides its weights.
pub struct StudentOrigin<'a> {
    pub role: &'a str,
    pub objective: String,
    pub taught_by: Vec<String>,
    pub settings: &'a DistillSettings,
    pub test_accuracy: f64,
    pub test_errors: usize,
    pub backend: String,
}

/// The weights file and its card, from the student's host copy (no readback).
pub fn export_student(
    weights: &SafeTensors,
    origin: StudentOrigin<'_>,
) -> Result<(Vec<u8>, StudentCard)> {
    let config = &origin.settings.student();
    let metadata = BTreeMap::from([
        ("format".to_string(), STUDENT_FORMAT.to_string()),
        ("architecture".to_string(), config.title()),
        ("role".to_string(), origin.role.to_string()),
    ]);
    let weights = SafeTensors {
        metadata,
        tensors: weights.tensors.clone(),
    }
    .to_f32_file()?;
    let card = StudentCard {
        format: STUDENT_FORMAT.into(),
        architecture: config.title(),
        student: config.clone(),
        role: origin.role.into(),
        objective: origin.objective,
        taught_by: origin.taught_by,
        settings: origin.settings.clone(),
        test_accuracy: origin.test_accuracy,
        test_errors: origin.test_errors,
        backend: origin.backend,
        input: input_description(),
        bytes: weights.len(),
        sha256: sha256_hex(&weights),
        layout: layout(config).into(),
        files: Vec::new(),
    };
    Ok((weights, card))
}

/// How a kind's weights are laid out, for whoever loads them elsewhere.
fn layout(config: &StudentConfig) -> &'static str {
    match config {
        StudentConfig::Mlp { .. } => {
            "hidden.N.weight / output.weight: [inputs, outputs] (y = x·W + b, the transpose of \
             PyTorch's Linear); hidden.N.bias / output.bias: [outputs]; ReLU after each hidden layer \
             (none: the linear model)"
        }
        StudentConfig::Cnn { .. } => {
            "conv1.weight [c1, 1, 5, 5], conv2.weight [c2, c1, 5, 5] (PyTorch's layout; valid \
             padding, stride 1), each followed by ReLU and 2×2 max-pooling; conv*.bias [c]; the \
             pooled [c2, 4, 4] map flattened channel-first into output.weight [c2·16, 10] (y = x·W + \
             b) and output.bias [10]"
        }
        StudentConfig::Tree { .. } => {
            "inner.weight [784, nodes], inner.bias [nodes]: node i (heap order; children 2i+1 left, \
             2i+2 right) goes right with probability sigmoid(x·w_i + b_i); leaves [2^depth, 10]: \
             each leaf's class logits (softmax: its distribution). Prediction: follow the likelier \
             child from the root and answer with the leaf's distribution (Frosst & Hinton 2017)"
        }
    }
}

impl StudentCard {
    pub fn from_json(json: &str) -> Result<Self> {
        let card: Self = serde_json::from_str(json)
            .map_err(|e| Error::Weights(format!("the student card is not valid ({e})")))?;
        if card.format != STUDENT_FORMAT {
            return Err(Error::Weights(format!(
                "the card's format is {:?}; this version reads {STUDENT_FORMAT:?}",
                card.format
            )));
        }
        Ok(card)
    }

    /// Checks that `weights` are the file this card describes.
    pub fn check(&self, weights: &[u8]) -> Result<()> {
        let found = sha256_hex(weights);
        if found != self.sha256 {
            return Err(Error::ChecksumMismatch {
                expected: self.sha256.clone(),
                found,
            });
        }
        Ok(())
    }
}

/// Loads an exported student: the kind and architecture are read from the tensors' names and
/// shapes (`hidden.0.weight` is `[784, units]`, `conv1.weight` `[c1, 1, 5, 5]`, `inner.weight`
/// `[784, nodes]`), then every tensor is checked against it.
pub fn load_student(weights: &[u8], device: &Device) -> Result<(Student, StudentConfig)> {
    let file = SafeTensors::parse(weights)?;
    let config = architecture_of(&file)?;
    let student = load_safetensors(config.init(device), weights)?;
    Ok((student, config))
}

fn architecture_of(file: &SafeTensors) -> Result<StudentConfig> {
    let shape = |name: &str| file.tensors.get(name).map(|t| t.shape.as_slice());
    let config = if let (Some(&[c1, ..]), Some(&[c2, ..])) =
        (shape("conv1.weight"), shape("conv2.weight"))
    {
        StudentConfig::Cnn { channels: [c1, c2] }
    } else if let Some(&[_, nodes]) = shape("inner.weight") {
        StudentConfig::Tree {
            depth: (nodes + 1).trailing_zeros() as usize,
        }
    } else {
        StudentConfig::Mlp {
            hidden: mlp_hidden(file)?,
        }
    };
    config
        .validate()
        .map_err(|e| Error::Weights(format!("this is not a student's weights file: {e}")))?;
    Ok(config)
}

fn mlp_hidden(file: &SafeTensors) -> Result<Vec<usize>> {
    if !file.tensors.contains_key("output.weight") {
        return Err(Error::Weights(
            "this is not a student's weights file: it has no output.weight, conv1.weight or inner.weight".into(),
        ));
    }
    let mut hidden = Vec::new();
    while let Some(t) = file.tensors.get(&format!("hidden.{}.weight", hidden.len())) {
        match t.shape.as_slice() {
            [_, units] => hidden.push(*units),
            other => {
                return Err(Error::Weights(format!(
                    "hidden.{}.weight has shape {other:?}; a student's layers are matrices",
                    hidden.len()
                )));
            }
        }
    }
    Ok(hidden)
}
