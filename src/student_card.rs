//! A trained student to take away: its weights as safetensors (F32) and a card (JSON) saying
//! what it is, how it was trained and what it scored, so that `webdistill evaluate` (or any
//! framework that reads safetensors) can load it and check the claim.

use std::collections::BTreeMap;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::input_description;
use crate::error::{Error, Result};
use crate::model::{Student, StudentConfig};
use crate::settings::DistillSettings;
use crate::teacher_card::sha256_hex;
use crate::weights::{SafeTensors, load_safetensors};

/// The `format` of every student card and of the weights' `__metadata__`.
pub const STUDENT_FORMAT: &str = "webdistill-student/2";

/// What is known about an exported student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentCard {
    pub format: String,
    /// `784-800-800-10`.
    pub architecture: String,
    pub student: StudentConfig,
    /// `distilled` or `scratch`.
    pub role: String,
    /// The loss it was trained with, e.g. `Hinton KD, T=4, α=0.9`.
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
        ("architecture".to_string(), config.describe()),
        ("role".to_string(), origin.role.to_string()),
    ]);
    let weights = SafeTensors {
        metadata,
        tensors: weights.tensors.clone(),
    }
    .to_f32_file()?;
    let card = StudentCard {
        format: STUDENT_FORMAT.into(),
        architecture: config.describe(),
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
        layout:
            "hidden.N.weight / output.weight: [inputs, outputs] (y = x·W + b, the transpose of \
                 PyTorch's Linear); hidden.N.bias / output.bias: [outputs]; ReLU after each hidden \
                 layer"
                .into(),
    };
    Ok((weights, card))
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

/// Loads an exported student: the architecture is read from the tensors' shapes
/// (`hidden.0.weight` is `[784, units]`, ...), then every tensor is checked against it.
pub fn load_student(weights: &[u8], device: &Device) -> Result<(Student, StudentConfig)> {
    let file = SafeTensors::parse(weights)?;
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
    let config = StudentConfig::new(hidden)
        .map_err(|e| Error::Weights(format!("this is not a student's weights file: {e}")))?;
    let student = load_safetensors(config.init(device), weights)?;
    Ok((student, config))
}
