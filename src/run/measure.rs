//! Each model's line of the comparison, measured on the full test set.

use burn::module::Module;

use crate::error::Result;
use crate::eval::{Evaluation, ModelReport};
use crate::model::{Student, StudentConfig};
use crate::weights::{SafeTensors, read_weights};

use super::Lab;
use super::plan::f32_file_bytes;

/// The teacher's line: its test logits and latency are the same on every run, so a session
/// computes them once.
pub(super) async fn teacher_report(lab: &Lab) -> Result<ModelReport> {
    let logits = (lab.caches.teacher_test_logits)
        .get(&lab.teacher, &lab.test, &lab.device)
        .await?;
    let latency = lab.caches.teacher_latency.borrow().clone();
    let latency = match latency {
        Some(latency) => latency,
        None => {
            let latency =
                crate::eval::latency::latency_profile(&lab.teacher, &lab.test, &lab.device).await?;
            *lab.caches.teacher_latency.borrow_mut() = Some(latency.clone());
            latency
        }
    };
    Ok(ModelReport::new(
        lab.teacher_architecture.clone(),
        lab.teacher.num_params(),
        f32_file_bytes(&lab.teacher)?,
        Evaluation::from_logits(&logits, lab.test.labels()),
        latency,
    ))
}

/// A student's line, and its weights read back once.
pub(super) async fn student_report(
    lab: &Lab,
    student: &Student,
    config: &StudentConfig,
) -> Result<(ModelReport, SafeTensors)> {
    let weights = read_weights(student).await?;
    let bytes = weights.to_f32_file()?.len();
    let report = ModelReport::measure(
        config.title(),
        student,
        student.num_params(),
        bytes,
        &lab.test,
        None,
        &lab.device,
    )
    .await?;
    Ok((report, weights))
}
