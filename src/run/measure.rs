//! The measuring phase: each model's line of the comparison, measured on the full test set
//! one model per slice.

use burn::module::Module;

use crate::error::Result;
use crate::eval::{Evaluation, ModelReport, predict_all};
use crate::model::{Student, StudentConfig};
use crate::weights::{SafeTensors, read_weights};

use super::plan::f32_file_bytes;
use super::{Lab, Part, Run, Stage, Students, Twin};
use crate::error::Error;
use crate::quantize::{QuantizedReport, quantized_reports};

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

/// A measurement still to make in [`Phase::Measuring`].
#[derive(Clone, Copy)]
pub(super) enum Measure {
    Teacher,
    Assistant,
    Distilled,
    Scratch,
    Quantized,
}

/// What [`Phase::Measuring`] has found so far.
#[derive(Default)]
pub(super) struct Measured {
    pub(super) teacher: Option<ModelReport>,
    pub(super) assistant: Option<ModelReport>,
    pub(super) distilled: Option<(ModelReport, SafeTensors)>,
    pub(super) scratch: Option<(ModelReport, SafeTensors)>,
    pub(super) quantized: Vec<QuantizedReport>,
}

impl Run {
    /// What to measure once `students` are trained.
    pub(super) fn plan_measures(&self, students: &Students) -> Vec<Measure> {
        // The scratch student alone is reported on its own: its speed-up comes from the row it
        // joins, so the teacher need not be measured again on this worker.
        let mut plan = match self.part {
            Part::Scratch => Vec::new(),
            _ => vec![Measure::Teacher],
        };
        if students.assistant.is_some() {
            plan.push(Measure::Assistant);
        }
        plan.push(Measure::Distilled);
        if self.part != Part::Scratch {
            plan.push(Measure::Quantized);
        }
        // Last: a twin trained elsewhere may not have arrived yet, and is waited for only once
        // everything else is measured.
        if students.scratch.is_some() {
            plan.push(Measure::Scratch);
        }
        // Taken from the end.
        plan.reverse();
        plan
    }

    /// Measures one model on the full test set.
    pub(super) async fn measuring_slice(&mut self, lab: &Lab) -> Result<()> {
        let Stage::Measuring { students, measures } = &mut self.stage else {
            return Ok(());
        };
        let Some(&next) = measures.last() else {
            return Ok(());
        };
        let Students {
            distilled,
            scratch,
            assistant,
        } = students;
        match next {
            Measure::Teacher => self.measured.teacher = Some(teacher_report(lab).await?),
            Measure::Assistant => {
                if let (Some(assistant), Some(config)) = (assistant, self.settings.assistant()) {
                    let student = assistant.student();
                    let (report, _) = student_report(lab, &student, &config, None).await?;
                    self.measured.assistant = Some(report);
                }
            }
            Measure::Distilled => {
                let config = self.settings.student();
                self.measured.distilled =
                    Some(student_report(lab, &distilled.student(), &config, None).await?)
            }
            Measure::Scratch => match scratch.as_ref().map(|twin| twin.student()) {
                // Trained elsewhere and not joined yet: wait (the run's updates say so).
                Some(None) => return Ok(()),
                Some(Some(student)) => {
                    let config = self.settings.student();
                    let twin = self.measured.distilled.as_ref().map(|(r, _)| r);
                    self.measured.scratch =
                        Some(student_report(lab, &student, &config, twin).await?);
                }
                None => {}
            },
            Measure::Quantized => {
                let Some((report, weights)) = self.measured.distilled.as_ref() else {
                    return Err(Error::setting(
                        "run",
                        "the distilled student is measured first",
                    ));
                };
                self.measured.quantized = quantized_reports(
                    weights,
                    &report.evaluation,
                    &self.settings.student(),
                    &lab.test,
                    &lab.device,
                )
                .await?;
            }
        }
        measures.pop();
        if measures.is_empty()
            && let Stage::Measuring { students, .. } = self.take_stage()
        {
            self.stage = Stage::Done(students);
            self.finalise_reports();
            self.seconds = Some(self.started.elapsed().as_secs_f64() + self.labelled_before_s);
        }
        Ok(())
    }

    /// Whether the run waits for its scratch twin, trained elsewhere, to be joined: everything
    /// else is measured.
    pub(super) fn waiting_for_twin(&self) -> bool {
        matches!(&self.stage, Stage::Measuring { students, measures }
            if matches!(measures.last(), Some(Measure::Scratch))
                && matches!(students.scratch, Some(Twin::Awaited)))
    }

    /// Speed-ups relative to the teacher, once everything is measured.
    fn finalise_reports(&mut self) {
        let Some(teacher) = self.measured.teacher.clone() else {
            return;
        };
        let m = &mut self.measured;
        m.assistant = m.assistant.take().map(|r| r.relative_to(&teacher));
        if let Some((r, _)) = &mut m.distilled {
            *r = r.clone().relative_to(&teacher);
        }
        if let Some((r, _)) = &mut m.scratch {
            *r = r.clone().relative_to(&teacher);
        }
    }
}
