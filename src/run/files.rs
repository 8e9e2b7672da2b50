//! A finished run's students as files to take away, with cards that say who taught them.

use crate::error::{Error, Result};
use crate::export::card::{StudentFiles, StudentOrigin, student_files};

use super::Finished;

impl Finished {
    /// Every file of the `"distilled"` or `"scratch"` student (safetensors, ONNX) and its card;
    /// `teacher` is the teacher's one-line description, for the distilled one's card.
    pub fn student_files(&self, role: &str, teacher: &str) -> Result<StudentFiles> {
        let c = &self.comparison;
        let (student, report, objective, taught_by) = match (role, &self.scratch, &c.scratch) {
            ("distilled", _, _) => {
                let mut chain = vec![format!("teacher: {teacher}")];
                chain.extend(
                    self.assistant
                        .iter()
                        .map(|a| format!("teacher assistant: {a}")),
                );
                (
                    &self.distilled,
                    &c.distilled,
                    c.settings.objective().describe(),
                    chain,
                )
            }
            ("scratch", Some(student), Some(report)) => (
                student,
                report,
                crate::distill::Objective::Labels.describe(),
                Vec::new(),
            ),
            ("scratch", _, _) => {
                return Err(Error::setting(
                    "role",
                    "this run has no scratch student (no example kept its label)",
                ));
            }
            (other, _, _) => {
                return Err(Error::setting(
                    "role",
                    format!("{other:?}; ask for \"distilled\" or \"scratch\""),
                ));
            }
        };
        let origin = StudentOrigin {
            role,
            objective,
            taught_by,
            settings: &c.settings,
            test_accuracy: report.accuracy,
            test_errors: report.errors,
            backend: c.backend.name().to_string(),
        };
        student_files(&student.weights, origin)
    }
}
