//! The bundled teacher: its weights (safetensors) and its card (JSON: architecture, measured
//! accuracy, size, checksum and how it was trained), written by `train-teacher`.

use burn::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::{Teacher, TeacherConfig};
use crate::weights::load_safetensors;

/// What is known about a trained teacher, stored beside its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherCard {
    pub architecture: TeacherConfig,
    /// A one-line description of the architecture.
    pub summary: String,
    /// Accuracy on the full 10,000-image MNIST test set, 0 to 1.
    pub test_accuracy: f64,
    pub test_errors: usize,
    pub params: usize,
    /// Size of the weights file in bytes.
    pub bytes: usize,
    /// SHA-256 of the weights file, hex.
    pub sha256: String,
    /// How the pixels are fed in.
    pub input: String,
    pub training: TeacherTraining,
}

/// How the teacher was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherTraining {
    pub data: String,
    pub epochs: usize,
    pub batch_size: usize,
    pub optimizer: String,
    pub augmentation: String,
    pub seed: u64,
    pub backend: String,
    pub seconds: f64,
    pub command: String,
}

impl TeacherCard {
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json)
            .map_err(|e| Error::Weights(format!("the teacher card is not valid ({e})")))
    }

    /// Checks the weights' checksum against the card, then loads them into the card's
    /// architecture on `device`.
    pub fn load_teacher(&self, weights: &[u8], device: &Device) -> Result<Teacher> {
        let found = sha256_hex(weights);
        if found != self.sha256 {
            return Err(Error::ChecksumMismatch {
                expected: self.sha256.clone(),
                found,
            });
        }
        load_safetensors(self.architecture.init(device), weights)
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
