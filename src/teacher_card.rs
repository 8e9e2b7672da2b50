//! The bundled teacher: its weights (safetensors) and its card (JSON: architecture and members,
//! accuracy measured on the weights as stored, size, checksum and how it was trained), written by
//! `train-teacher`.

use burn::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::{Teacher, TeacherConfig};
use crate::weights::load_safetensors;

/// What is known about a trained teacher, stored beside its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TeacherCard {
    pub architecture: TeacherConfig,
    /// A one-line description of the architecture (`ensemble of 3 CNNs (…)`).
    pub summary: String,
    /// Each member alone, as stored.
    pub members: Vec<MemberScore>,
    /// Accuracy of the teacher as stored (after any conversion to `storage`) on the full
    /// 10,000-image MNIST test set, 0 to 1.
    pub test_accuracy: f64,
    pub test_errors: usize,
    pub params: usize,
    /// Multiply-adds of one image's forward pass.
    pub macs_per_image: usize,
    /// How the weights file stores its values: `F32` or `F16`.
    pub storage: String,
    /// Size of the weights file in bytes (as stored; the comparison on the page measures every
    /// model as f32 safetensors).
    pub bytes: usize,
    /// SHA-256 of the weights file, hex.
    pub sha256: String,
    /// How the pixels are fed in.
    pub input: String,
    pub training: TeacherTraining,
}

/// One member of the teacher, alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct MemberScore {
    pub seed: u64,
    pub test_accuracy: f64,
    pub test_errors: usize,
}

/// How the teacher was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TeacherTraining {
    pub data: String,
    pub epochs: usize,
    pub optimizer: String,
    pub augmentation: String,
    pub backend: String,
    /// Wall time of training every member, on the machine `backend` ran on.
    pub seconds: f64,
    pub command: String,
}

impl TeacherCard {
    pub fn from_json(json: &str) -> Result<Self> {
        let card: Self = serde_json::from_str(json)
            .map_err(|e| Error::Weights(format!("the teacher card is not valid ({e})")))?;
        card.architecture.validate()?;
        Ok(card)
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
        self.architecture.validate()?;
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
