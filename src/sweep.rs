//! Accuracy for size across the kinds of student (issue 19): the linear model, MLPs, CNNs and
//! soft trees of several sizes, each distilled and trained from scratch on the current settings,
//! so the page can draw each kind's Pareto front. Each student is one [`Run`]; the teacher labels
//! the transfer set once and every later student reuses its soft targets from the session's cache.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::eval::{Backend, ModelReport};
use crate::model::{StudentConfig, StudentKind};
use crate::quantize::{Precision, QuantizedReport};
use crate::run::{Lab, Part, PartResult, Phase, Run, Update};
use crate::settings::DistillSettings;

/// The students of a sweep, kind by kind and smallest first within a kind, cheapest kinds first
/// so that most of the chart is drawn early: the linear model as one point; MLPs of 16 to 256
/// units; soft trees of depth 4 to Frosst & Hinton's 8; CNNs of 1-2 to 4-8 channels (the
/// default). Three sizes per neural kind and three depths of tree, so each kind draws a front of
/// its own. A CNN trains far slower per parameter than the others on a CPU (8-16 took 123 s of
/// a 320 s native sweep), which is why the sizes stop at the default's: docs/BENCHMARKS.md.
pub fn sweep_students() -> Vec<StudentConfig> {
    let mlp = |hidden: &[usize]| StudentConfig::Mlp {
        hidden: hidden.to_vec(),
    };
    vec![
        mlp(&[]),
        mlp(&[16]),
        mlp(&[64]),
        mlp(&[256]),
        StudentConfig::Tree { depth: 4 },
        StudentConfig::Tree { depth: 6 },
        StudentConfig::Tree { depth: 8 },
        StudentConfig::Cnn { channels: [1, 2] },
        StudentConfig::Cnn { channels: [2, 4] },
        StudentConfig::Cnn { channels: [4, 8] },
    ]
}

/// One model of a sweep row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepModel {
    pub accuracy: f64,
    pub errors: usize,
    pub ms_per_image: f64,
    pub ms_per_image_resolved: bool,
}

/// One student of the sweep: its distilled and scratch versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepRow {
    /// The student's kind (the chart's series, named as the page names it) and its architecture.
    pub kind: StudentKind,
    pub kind_name: String,
    pub student: StudentConfig,
    pub architecture: String,
    pub params: usize,
    /// Size as f32 safetensors, and of the distilled student stored as int8 (and that copy's
    /// accuracy, measured with its weights as stored).
    pub bytes: usize,
    pub int8_bytes: Option<usize>,
    pub int8_accuracy: Option<f64>,
    pub distilled: SweepModel,
    pub scratch: Option<SweepModel>,
}

impl SweepModel {
    fn of(r: &ModelReport) -> Self {
        Self {
            accuracy: r.accuracy,
            errors: r.errors,
            ms_per_image: r.ms_per_image,
            ms_per_image_resolved: r.ms_per_image_resolved,
        }
    }
}

impl SweepRow {
    /// The row of `student`: its distilled and scratch reports, and the distilled student's
    /// quantised copies.
    pub fn new(
        student: StudentConfig,
        distilled: &ModelReport,
        scratch: Option<&ModelReport>,
        quantized: &[QuantizedReport],
    ) -> Self {
        let int8 = quantized.iter().find(|q| q.precision == Precision::Int8);
        Self {
            kind: student.kind(),
            kind_name: student.kind().name().to_string(),
            student,
            architecture: distilled.architecture.clone(),
            params: distilled.params,
            bytes: distilled.bytes,
            int8_bytes: int8.map(|q| q.bytes),
            int8_accuracy: int8.map(|q| q.accuracy),
            distilled: SweepModel::of(distilled),
            scratch: scratch.map(SweepModel::of),
        }
    }

    /// The row of a student whose twins ran apart (on two workers): the distilled part and the
    /// scratch part.
    pub fn from_parts(
        student: StudentConfig,
        distilled: &PartResult,
        scratch: Option<&PartResult>,
    ) -> Result<Self> {
        if distilled.part != Part::Distilled || scratch.is_some_and(|s| s.part != Part::Scratch) {
            return Err(Error::setting(
                "sweep",
                "a row joins a distilled part and a scratch part",
            ));
        }
        Ok(Self::new(
            student,
            &distilled.student,
            scratch.map(|s| &s.student),
            &distilled.quantized,
        ))
    }
}

/// The teacher, as the sweep's reference point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepTeacher {
    pub architecture: String,
    pub params: usize,
    pub bytes: usize,
    pub accuracy: f64,
    pub errors: usize,
    pub ms_per_image: f64,
}

impl SweepTeacher {
    pub fn of(r: &ModelReport) -> Self {
        Self {
            architecture: r.architecture.clone(),
            params: r.params,
            bytes: r.bytes,
            accuracy: r.accuracy,
            errors: r.errors,
            ms_per_image: r.ms_per_image,
        }
    }
}

/// A finished (or stopped) sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepResult {
    pub settings: DistillSettings,
    pub teacher: Option<SweepTeacher>,
    pub rows: Vec<SweepRow>,
    /// Students of the sweep these settings cannot train, each with the reason (a hint loss
    /// needs a hidden layer, which the linear model and the tree lack).
    pub left_out: Vec<String>,
}

/// Where a sweep stands after one slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepUpdate {
    /// The student being trained (index into `students`), and every student's title.
    pub index: usize,
    pub students: Vec<String>,
    pub run: Update,
    /// Every finished row so far, in the sweep's order.
    pub rows: Vec<SweepRow>,
    pub teacher: Option<SweepTeacher>,
    /// A sweep of one part: the part that finished in this slice, for the other worker.
    pub part: Option<PartResult>,
    /// A sweep of the distilled part: its own students are done and it waits for scratch parts.
    pub waiting: bool,
    pub done: bool,
}

/// A sweep in progress. `part` says which students it trains: both per size (one worker), or
/// one of them, so that two workers (two cores) can share a sweep: the distilled sweep holds the
/// rows and [`Sweep::join`]s the scratch parts the other worker hands it.
pub struct Sweep {
    settings: DistillSettings,
    part: Part,
    students: Vec<StudentConfig>,
    index: usize,
    run: Option<Run>,
    last: Update,
    result: SweepResult,
    /// Parts finished and waiting for their other half, by student.
    distilled: Vec<Option<PartResult>>,
    scratch: Vec<Option<PartResult>>,
    slice_ms: f64,
}

impl Sweep {
    /// The part of a sweep this worker takes given the `workers` the page may use: on the CPU
    /// backend with two or more, the distilled students here and the scratch ones on a helper
    /// ([`crate::run::helpers_share`]); otherwise both.
    pub fn part_here(backend: Backend, workers: usize) -> Part {
        match crate::run::helpers_share(backend, workers) {
            true => Part::Distilled,
            false => Part::Both,
        }
    }

    /// A sweep of both students per size on this worker; see [`Self::of_part`].
    pub fn new(lab: &Lab, settings: DistillSettings, slice_ms: f64) -> Result<Self> {
        Self::of_part(lab, settings, slice_ms, Part::Both)
    }

    /// Checks every size's settings up front (a size that cannot run is refused before anything
    /// trains), then starts with the smallest. A distilled sweep without labeled examples has
    /// no scratch students to wait for: it runs as a sweep of both ([`Self::part`] says).
    pub fn of_part(
        lab: &Lab,
        settings: DistillSettings,
        slice_ms: f64,
        part: Part,
    ) -> Result<Self> {
        let part = match (part, settings.labeled) {
            (Part::Distilled, 0) => Part::Both,
            (part, _) => part,
        };
        let mut students = Vec::new();
        let mut left_out = Vec::new();
        let mut first_problem = None;
        for student in sweep_students() {
            let one = Self::settings_for(&settings, &student);
            match crate::run::problems(lab, &one, None).into_iter().next() {
                None => students.push(student),
                Some(e) => {
                    let why = crate::settings::message(&e);
                    left_out.push(format!("{}: {why}", student.title()));
                    first_problem.get_or_insert(e);
                }
            }
        }
        if students.is_empty() {
            let e = first_problem.expect("the sweep has students");
            return Err(Error::setting(
                "sweep",
                format!("no student of the sweep can run: {e}"),
            ));
        }
        let first = Run::part(
            lab,
            Self::settings_for(&settings, &students[0]),
            slice_ms,
            part,
        )?;
        Ok(Self {
            result: SweepResult {
                settings: settings.clone(),
                teacher: None,
                rows: Vec::new(),
                left_out,
            },
            settings,
            part,
            distilled: vec![None; students.len()],
            scratch: vec![None; students.len()],
            students,
            index: 0,
            run: Some(first),
            last: Update::default(),
            slice_ms,
        })
    }

    /// The settings of one student: the sweep's, with that student and no assistant (the sweep
    /// measures each student against its own twin).
    pub fn settings_for(settings: &DistillSettings, student: &StudentConfig) -> DistillSettings {
        DistillSettings {
            assistant: Vec::new(),
            ..settings.with_student(student)
        }
    }

    pub fn part(&self) -> Part {
        self.part
    }

    /// Every student has its row (a sweep of the scratch part: every part has gone out).
    pub fn is_done(&self) -> bool {
        match self.part {
            Part::Distilled => self.result.rows.len() == self.students.len(),
            _ => self.run.is_none(),
        }
    }

    /// The rows so far (all of them once done): what *Stop* keeps.
    pub fn result(&self) -> &SweepResult {
        &self.result
    }

    /// One slice of the current student's run; when it finishes, its row (or part), and the
    /// next student starts. A distilled sweep whose own runs are done answers `waiting` until joined.
    pub async fn advance(&mut self, lab: &Lab) -> Result<SweepUpdate> {
        let mut finished_part = None;
        if let Some(run) = self.run.as_mut() {
            self.last = run.advance(lab).await?;
            if self.last.phase == Phase::Done {
                match self.part {
                    Part::Both => {
                        let c = run.finish(lab)?.comparison;
                        let student = self.students[self.index].clone();
                        let row =
                            SweepRow::new(student, &c.distilled, c.scratch.as_ref(), &c.quantized);
                        self.add_row(self.index, row, &c.teacher);
                    }
                    Part::Distilled => {
                        self.distilled[self.index] = Some(run.finish_part()?);
                        self.join_ready()?;
                    }
                    Part::Scratch => finished_part = Some(run.finish_part()?),
                }
                self.index += 1;
                self.run = match self.students.get(self.index) {
                    Some(student) => Some(Run::part(
                        lab,
                        Self::settings_for(&self.settings, student),
                        self.slice_ms,
                        self.part,
                    )?),
                    None => None,
                };
            }
        } else if self.part != Part::Distilled || self.is_done() {
            return Err(Error::setting("sweep", "the sweep has finished"));
        }
        Ok(self.update(finished_part))
    }

    /// A scratch part trained by another worker's sweep of the scratch part; its row is made
    /// when this sweep's distilled part of the same student is done too.
    pub fn join(&mut self, part: PartResult) -> Result<SweepUpdate> {
        let index = self.students.iter().position(|s| *s == part.shape);
        match (self.part, part.part, index) {
            (Part::Distilled, Part::Scratch, Some(index)) => {
                self.scratch[index] = Some(part);
                self.join_ready()?;
                Ok(self.update(None))
            }
            _ => Err(Error::setting(
                "sweep",
                "only a distilled sweep joins scratch parts of its own students",
            )),
        }
    }

    /// Turns every student with both parts into its row.
    fn join_ready(&mut self) -> Result<()> {
        for index in 0..self.students.len() {
            if let (Some(d), Some(s)) = (&self.distilled[index], &self.scratch[index]) {
                let row = SweepRow::from_parts(self.students[index].clone(), d, Some(s))?;
                let teacher = d.teacher.clone().ok_or_else(|| {
                    Error::setting("sweep", "the distilled part measured no teacher")
                })?;
                self.distilled[index] = None;
                self.scratch[index] = None;
                self.add_row(index, row, &teacher);
            }
        }
        Ok(())
    }

    /// Keeps `row` in the sweep's order.
    fn add_row(&mut self, index: usize, row: SweepRow, teacher: &ModelReport) {
        self.result
            .teacher
            .get_or_insert_with(|| SweepTeacher::of(teacher));
        let rows = &mut self.result.rows;
        let at = rows.partition_point(|r| {
            self.students
                .iter()
                .position(|s| *s == r.student)
                .unwrap_or(0)
                < index
        });
        rows.insert(at, row);
    }

    fn update(&self, part: Option<PartResult>) -> SweepUpdate {
        SweepUpdate {
            index: self.index.min(self.students.len() - 1),
            students: self.students.iter().map(StudentConfig::title).collect(),
            run: self.last.clone(),
            rows: self.result.rows.clone(),
            teacher: self.result.teacher.clone(),
            part,
            waiting: self.part == Part::Distilled && self.run.is_none() && !self.is_done(),
            done: self.is_done(),
        }
    }
}

/// Runs a whole sweep, calling `on_update` after every slice.
pub async fn sweep_to_end(
    lab: &Lab,
    settings: &DistillSettings,
    on_update: &mut dyn FnMut(&SweepUpdate),
) -> Result<SweepResult> {
    let mut sweep = Sweep::new(lab, settings.clone(), crate::run::NATIVE_SLICE_MS)?;
    while !sweep.is_done() {
        let update = sweep.advance(lab).await?;
        on_update(&update);
    }
    Ok(sweep.result().clone())
}
