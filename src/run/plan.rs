//! What a run will compare, before it runs: each model's size.

use burn::module::Module;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::StudentConfig;
use crate::settings::DistillSettings;
use crate::weights::SafeTensors;

use super::Lab;

/// A model's size before anything is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct ModelSize {
    pub architecture: String,
    pub params: usize,
    /// As an F32 safetensors file (what the comparison reports).
    pub bytes: usize,
    /// The teacher's bytes over these.
    pub times_smaller: f64,
}

/// What a run of `settings` will compare, before it runs: each model's size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Plan {
    /// The settings as the core read them.
    pub settings: DistillSettings,
    /// The distilled student's loss in words (`Objective::describe`).
    pub loss: String,
    pub teacher: ModelSize,
    pub assistant: Option<ModelSize>,
    pub student: ModelSize,
}

/// The sizes of the models a run of `settings` on `lab` compares.
pub fn plan(lab: &Lab, settings: &DistillSettings) -> Result<Plan> {
    let teacher_bytes = f32_file_bytes(&lab.teacher)?;
    let size = |config: StudentConfig| -> Result<ModelSize> {
        // Built on the CPU whatever the backend: only its parameter shapes are read.
        let bytes = f32_file_bytes(&config.init(&Device::flex()))?;
        Ok(ModelSize {
            architecture: config.title(),
            params: config.params(),
            bytes,
            times_smaller: teacher_bytes as f64 / bytes as f64,
        })
    };
    Ok(Plan {
        settings: settings.clone(),
        loss: settings.objective().describe(),
        teacher: ModelSize {
            architecture: lab.teacher_architecture.clone(),
            params: lab.teacher.num_params(),
            bytes: teacher_bytes,
            times_smaller: 1.0,
        },
        assistant: settings.assistant().map(size).transpose()?,
        student: size(settings.student())?,
    })
}

/// Size of `module` as an F32 safetensors file, from its parameter shapes (no readback).
pub(super) fn f32_file_bytes<M: Module>(module: &M) -> Result<usize> {
    let mut weights = SafeTensors::default();
    for (name, shape) in crate::weights::parameter_shapes(module) {
        let count = shape.iter().product::<usize>();
        let tensor = crate::weights::StoredTensor {
            shape,
            dtype: crate::weights::Dtype::F32,
            values: vec![0.0; count],
        };
        weights.tensors.insert(name, tensor);
    }
    Ok(weights.to_f32_file()?.len())
}
