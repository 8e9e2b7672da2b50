//! The end of a run: the comparison and the trained students (a run of both twins), or what one
//! student measured (a run of one part, for the sweep's two workers).

use super::*;

impl Run {
    /// The comparison and the trained students. Call when [`Self::phase`] is `Done`.
    pub fn finish(&self, lab: &Lab) -> Result<Finished> {
        if self.part != Part::Both {
            return Err(Error::setting(
                "run",
                "a run of one student ends with finish_part",
            ));
        }
        let not_done = || Error::setting("run", "the run has not measured its models yet");
        let m = &self.measured;
        let (
            Stage::Done(Students {
                distilled, scratch, ..
            }),
            Some(teacher),
            Some((distilled_report, distilled_weights)),
        ) = (&self.stage, &m.teacher, &m.distilled)
        else {
            return Err(not_done());
        };
        let scratch_pair = match (scratch.as_ref().and_then(|twin| twin.student()), &m.scratch) {
            (Some(student), Some((report, weights))) => Some((student, report, weights)),
            _ => None,
        };
        let comparison = Comparison {
            settings: self.settings.clone(),
            loss: self.settings.objective().describe(),
            backend: lab.backend,
            transfer_size: self.transfer.len(),
            labeled: self.transfer.labeled.iter().filter(|&&l| l).count(),
            steps: distilled.progress(None).total_steps,
            soft_targets: self.soft_source,
            teacher: teacher.clone(),
            assistant: m.assistant.clone(),
            distilled: distilled_report.clone(),
            scratch: scratch_pair
                .as_ref()
                .map(|(_, report, _)| (*report).clone()),
            quantized: m.quantized.clone(),
            seconds: self.seconds.unwrap_or_default(),
        };
        Ok(Finished {
            comparison,
            distilled: TrainedStudent {
                model: distilled.student(),
                weights: distilled_weights.clone(),
            },
            scratch: scratch_pair.map(|(student, _, weights)| TrainedStudent {
                model: student,
                weights: weights.clone(),
            }),
            assistant: self.settings.assistant().map(|a| a.title()),
        })
    }

    /// What a run of one student measured. Call when [`Self::phase`] is `Done`.
    pub fn finish_part(&self) -> Result<PartResult> {
        let m = &self.measured;
        match (self.phase(), &m.distilled) {
            (Phase::Done, Some((student, _))) => Ok(PartResult {
                part: self.part,
                shape: self.settings.student(),
                teacher: m.teacher.clone(),
                student: student.clone(),
                quantized: m.quantized.clone(),
            }),
            _ => Err(Error::setting(
                "run",
                "the run has not measured its student yet",
            )),
        }
    }
}
