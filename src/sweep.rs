//! The accuracy-for-size curve: students of several sizes, each distilled and trained from
//! scratch on the current settings, from a few thousand parameters to Hinton's 800-800. Each size
//! is one [`Run`]; the teacher labels the transfer set once and every later size reuses its soft
//! targets from the session's cache.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::eval::ModelReport;
use crate::quantize::{Precision, QuantizedReport};
use crate::run::{Lab, Part, PartResult, Phase, Run, Update};
use crate::settings::DistillSettings;

/// The students of a sweep, smallest first: 6,370 parameters (8 units) to Hinton's 800-800
/// (1,276,810), roughly doubling in width, so the curve spans two and a half decades of size.
pub const SWEEP_SIZES: &[&[usize]] = &[&[8], &[16], &[32], &[64], &[128], &[800, 800]];

/// One model of a sweep row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepModel {
    pub accuracy: f64,
    pub errors: usize,
    pub ms_per_image: f64,
    pub ms_per_image_resolved: bool,
}

/// One student size: its distilled and scratch versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepRow {
    pub hidden: Vec<usize>,
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
    /// The row of student size `hidden`: its distilled and scratch reports, and the distilled
    /// student's quantised copies.
    pub fn new(
        hidden: Vec<usize>,
        distilled: &ModelReport,
        scratch: Option<&ModelReport>,
        quantized: &[QuantizedReport],
    ) -> Self {
        let int8 = quantized.iter().find(|q| q.precision == Precision::Int8);
        Self {
            hidden,
            architecture: distilled.architecture.clone(),
            params: distilled.params,
            bytes: distilled.bytes,
            int8_bytes: int8.map(|q| q.bytes),
            int8_accuracy: int8.map(|q| q.accuracy),
            distilled: SweepModel::of(distilled),
            scratch: scratch.map(SweepModel::of),
        }
    }

    /// The row of a size whose students ran apart (on two workers): the distilled part and the
    /// scratch part.
    pub fn from_parts(
        hidden: Vec<usize>,
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
            hidden,
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
}

/// Where a sweep stands after one slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct SweepUpdate {
    /// The size being trained (index into `sizes`), and all sizes.
    pub index: usize,
    pub sizes: Vec<Vec<usize>>,
    pub run: Update,
    /// Every finished row so far, smallest size first.
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
    sizes: Vec<Vec<usize>>,
    index: usize,
    run: Option<Run>,
    last: Update,
    result: SweepResult,
    /// Parts finished and waiting for their other half, by size.
    distilled: Vec<Option<PartResult>>,
    scratch: Vec<Option<PartResult>>,
    slice_ms: f64,
}

impl Sweep {
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
        let sizes: Vec<Vec<usize>> = SWEEP_SIZES.iter().map(|s| s.to_vec()).collect();
        for hidden in &sizes {
            let one = Self::settings_for(&settings, hidden);
            one.validate().map_err(|e| {
                Error::setting(
                    "sweep",
                    format!("the {} student cannot run: {e}", one.student().title()),
                )
            })?;
            crate::run::check_memory(lab, &one)?;
        }
        let first = Run::part(
            lab,
            Self::settings_for(&settings, &sizes[0]),
            slice_ms,
            part,
        )?;
        Ok(Self {
            result: SweepResult {
                settings: settings.clone(),
                teacher: None,
                rows: Vec::new(),
            },
            settings,
            part,
            distilled: vec![None; sizes.len()],
            scratch: vec![None; sizes.len()],
            sizes,
            index: 0,
            run: Some(first),
            last: Update::default(),
            slice_ms,
        })
    }

    /// The settings of one size: the sweep's, with an MLP student of that size and no
    /// assistant (the sweep measures the MLP's accuracy for size).
    pub fn settings_for(settings: &DistillSettings, hidden: &[usize]) -> DistillSettings {
        DistillSettings {
            student: crate::model::StudentKind::Mlp,
            hidden: hidden.to_vec(),
            assistant: Vec::new(),
            ..settings.clone()
        }
    }

    pub fn part(&self) -> Part {
        self.part
    }

    /// Every size has its row (a sweep of the scratch part: every part has gone out).
    pub fn is_done(&self) -> bool {
        match self.part {
            Part::Distilled => self.result.rows.len() == self.sizes.len(),
            _ => self.run.is_none(),
        }
    }

    /// The rows so far (all of them once done): what *Stop* keeps.
    pub fn result(&self) -> &SweepResult {
        &self.result
    }

    /// One slice of the current size's run; when it finishes, its row (or part), and the next
    /// size starts. A distilled sweep whose own runs are done answers `waiting` until joined.
    pub async fn advance(&mut self, lab: &Lab) -> Result<SweepUpdate> {
        let mut finished_part = None;
        if let Some(run) = self.run.as_mut() {
            self.last = run.advance(lab).await?;
            if self.last.phase == Phase::Done {
                match self.part {
                    Part::Both => {
                        let c = run.finish(lab)?.comparison;
                        let hidden = self.sizes[self.index].clone();
                        let row =
                            SweepRow::new(hidden, &c.distilled, c.scratch.as_ref(), &c.quantized);
                        self.add_row(self.index, row, &c.teacher);
                    }
                    Part::Distilled => {
                        self.distilled[self.index] = Some(run.finish_part()?);
                        self.join_ready()?;
                    }
                    Part::Scratch => finished_part = Some(run.finish_part()?),
                }
                self.index += 1;
                self.run = match self.sizes.get(self.index) {
                    Some(hidden) => Some(Run::part(
                        lab,
                        Self::settings_for(&self.settings, hidden),
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
    /// when this sweep's distilled part of the same size is done too.
    pub fn join(&mut self, part: PartResult) -> Result<SweepUpdate> {
        let index = self.sizes.iter().position(|h| *h == part.hidden);
        match (self.part, part.part, index) {
            (Part::Distilled, Part::Scratch, Some(index)) => {
                self.scratch[index] = Some(part);
                self.join_ready()?;
                Ok(self.update(None))
            }
            _ => Err(Error::setting(
                "sweep",
                "only a distilled sweep joins scratch parts of its own sizes",
            )),
        }
    }

    /// Turns every size with both parts into its row.
    fn join_ready(&mut self) -> Result<()> {
        for index in 0..self.sizes.len() {
            if let (Some(d), Some(s)) = (&self.distilled[index], &self.scratch[index]) {
                let row = SweepRow::from_parts(self.sizes[index].clone(), d, Some(s))?;
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

    /// Keeps `row` in size order.
    fn add_row(&mut self, index: usize, row: SweepRow, teacher: &ModelReport) {
        self.result
            .teacher
            .get_or_insert_with(|| SweepTeacher::of(teacher));
        let rows = &mut self.result.rows;
        let at = rows.partition_point(|r| {
            self.sizes.iter().position(|h| *h == r.hidden).unwrap_or(0) < index
        });
        rows.insert(at, row);
    }

    fn update(&self, part: Option<PartResult>) -> SweepUpdate {
        SweepUpdate {
            index: self.index.min(self.sizes.len() - 1),
            sizes: self.sizes.clone(),
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
