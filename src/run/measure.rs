//! Each model's line of the comparison, measured on the full test set.

use burn::module::Module;

use crate::error::Result;
use crate::eval::{Evaluation, ModelReport, predict_all};
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

/// A student's line, and its weights read back once. `twin`: a student of the same shape measured
/// already, whose time this one shares ([`ModelReport::time_shared`]).
pub(super) async fn student_report(
    lab: &Lab,
    student: &Student,
    config: &StudentConfig,
    twin: Option<&ModelReport>,
) -> Result<(ModelReport, SafeTensors)> {
    let weights = read_weights(student).await?;
    let bytes = weights.to_f32_file()?.len();
    let report = match twin {
        None => {
            ModelReport::measure(
                config.title(),
                student,
                student.num_params(),
                bytes,
                &lab.test,
                None,
                &lab.device,
            )
            .await?
        }
        Some(twin) => {
            let logits = predict_all(student, &lab.test, &lab.device).await?;
            ModelReport {
                time_shared: true,
                ..ModelReport::new(
                    config.title(),
                    student.num_params(),
                    bytes,
                    Evaluation::from_logits(&logits, lab.test.labels()),
                    twin.latency.clone(),
                )
            }
        }
    };
    Ok((report, weights))
}
