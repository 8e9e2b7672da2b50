//! The accuracy-for-size curve: students of several sizes, each distilled and trained from
//! scratch on the current settings, from a few thousand parameters to Hinton's 800-800. Each size
//! is one [`Run`]; the teacher labels the transfer set once and every later size reuses its soft
//! targets from the session's cache.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::quantize::Precision;
use crate::run::{Lab, Phase, Run, Update};
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
    /// The row finished in this slice, if one was.
    pub row: Option<SweepRow>,
    pub teacher: Option<SweepTeacher>,
    pub done: bool,
}

/// A sweep in progress.
pub struct Sweep {
    settings: DistillSettings,
    sizes: Vec<Vec<usize>>,
    index: usize,
    run: Option<Run>,
    result: SweepResult,
    slice_ms: f64,
}

impl Sweep {
    /// Checks every size's settings up front (a size that cannot run is refused before anything
    /// trains), then starts with the smallest.
    pub fn new(lab: &Lab, settings: DistillSettings, slice_ms: f64) -> Result<Self> {
        let sizes: Vec<Vec<usize>> = SWEEP_SIZES.iter().map(|s| s.to_vec()).collect();
        for hidden in &sizes {
            let one = Self::settings_for(&settings, hidden);
            one.validate().map_err(|e| {
                Error::setting(
                    "sweep",
                    format!("the {} student cannot run: {e}", one.student().describe()),
                )
            })?;
            crate::run::check_memory(lab, &one)?;
        }
        let first = Run::new(lab, Self::settings_for(&settings, &sizes[0]), slice_ms)?;
        Ok(Self {
            result: SweepResult {
                settings: settings.clone(),
                teacher: None,
                rows: Vec::new(),
            },
            settings,
            sizes,
            index: 0,
            run: Some(first),
            slice_ms,
        })
    }

    /// The settings of one size: the sweep's, with that student and no assistant.
    fn settings_for(settings: &DistillSettings, hidden: &[usize]) -> DistillSettings {
        DistillSettings {
            hidden: hidden.to_vec(),
            assistant: Vec::new(),
            ..settings.clone()
        }
    }

    pub fn is_done(&self) -> bool {
        self.run.is_none()
    }

    /// The rows so far (all of them once done): what *Stop* keeps.
    pub fn result(&self) -> &SweepResult {
        &self.result
    }

    /// One slice of the current size's run; when it finishes, its row, and the next size starts.
    pub async fn advance(&mut self, lab: &Lab) -> Result<SweepUpdate> {
        let Some(run) = self.run.as_mut() else {
            return Err(Error::setting("sweep", "the sweep has finished"));
        };
        let update = run.advance(lab).await?;
        let mut row = None;
        if update.phase == Phase::Done {
            let finished = run.finish(lab)?;
            let c = &finished.comparison;
            let model = |r: &crate::eval::ModelReport| SweepModel {
                accuracy: r.accuracy,
                errors: r.errors,
                ms_per_image: r.ms_per_image,
                ms_per_image_resolved: r.ms_per_image_resolved,
            };
            let int8 = c.quantized.iter().find(|q| q.precision == Precision::Int8);
            let finished_row = SweepRow {
                hidden: self.sizes[self.index].clone(),
                architecture: c.distilled.architecture.clone(),
                params: c.distilled.params,
                bytes: c.distilled.bytes,
                int8_bytes: int8.map(|q| q.bytes),
                int8_accuracy: int8.map(|q| q.accuracy),
                distilled: model(&c.distilled),
                scratch: c.scratch.as_ref().map(model),
            };
            self.result.teacher.get_or_insert(SweepTeacher {
                architecture: c.teacher.architecture.clone(),
                params: c.teacher.params,
                bytes: c.teacher.bytes,
                accuracy: c.teacher.accuracy,
                errors: c.teacher.errors,
                ms_per_image: c.teacher.ms_per_image,
            });
            self.result.rows.push(finished_row.clone());
            row = Some(finished_row);
            self.index += 1;
            self.run = match self.sizes.get(self.index) {
                Some(hidden) => Some(Run::new(
                    lab,
                    Self::settings_for(&self.settings, hidden),
                    self.slice_ms,
                )?),
                None => None,
            };
        }
        Ok(SweepUpdate {
            index: self.index.min(self.sizes.len() - 1),
            sizes: self.sizes.clone(),
            run: update,
            row,
            teacher: self.result.teacher.clone(),
            done: self.run.is_none(),
        })
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
