//! Choosing a backend by measuring it. WebGPU is not always the faster: a software adapter
//! (SwiftShader), a weak GPU, or a small model whose steps are too short to amortise each
//! dispatch's cost run slower than WebAssembly on the CPU (gpuweb#5291; tfjs#8156). So "auto"
//! times a few training steps of the run's student and one labelling batch of the teacher on each
//! backend, predicts the run's time on each, and takes the faster.

use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::data::{Mnist, NUM_CLASSES, TrainingSet, TransferConfig, TransferSet};
use crate::error::Result;
use crate::eval::Backend;
use crate::run::{LABEL_BATCH, Lab, teacher_outputs};
use crate::settings::DistillSettings;
use crate::train::Trainer;

/// Training steps timed (after one untimed step that compiles kernels and warms allocators).
const TIMED_STEPS: usize = 3;

/// What one backend measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Calibration {
    pub backend: Backend,
    /// One training step of the run's student at its batch size, ms.
    pub ms_per_step: f64,
    /// The teacher labelling one batch of [`LABEL_BATCH`] images, ms.
    pub ms_per_teacher_batch: f64,
    /// The first (untimed) step and batch, ms: kernel compilation on a GPU.
    pub warmup_ms: f64,
}

impl Calibration {
    /// The run's predicted time on this backend, seconds: the teacher labelling the transfer set,
    /// and both students' steps (the measurements and the live curves are left out: they are
    /// small beside these and alike on both backends).
    pub fn predicted_seconds(&self, settings: &DistillSettings) -> f64 {
        let batches = settings.size.div_ceil(LABEL_BATCH) as f64;
        let steps = settings.distilled_config().steps_for(settings.size) as f64;
        let students = if settings.labeled > 0 { 2.0 } else { 1.0 };
        (batches * self.ms_per_teacher_batch + steps * students * self.ms_per_step) / 1000.0
    }
}

/// Times the student of `settings` and the teacher on `lab`'s device, on its test images.
pub async fn calibrate(lab: &Lab, settings: &DistillSettings) -> Result<Calibration> {
    let test = &lab.test;
    let batch = settings.batch_size.min(test.len());
    let images = (TIMED_STEPS + 1) * batch;
    let transfer = TransferSet::select(
        test,
        &TransferConfig::all_labeled(images.min(test.len()), 1),
    )?;
    let logits = std::sync::Arc::new(vec![0.0f32; transfer.len() * NUM_CLASSES]);
    let set = TrainingSet::distillation(lab.test.clone(), &transfer, logits)?;
    let config = settings.distilled_config();
    let mut trainer = Trainer::new(config, set, TIMED_STEPS + 1, &lab.device)?;
    let rows: Vec<u32> = (0..LABEL_BATCH.min(test.len()) as u32).collect();
    let started = Instant::now();
    trainer.advance(1).await?;
    teacher_batch(lab, test, &rows).await?;
    let warmup_ms = elapsed_ms(started);
    let started = Instant::now();
    trainer.advance(TIMED_STEPS).await?;
    let ms_per_step = elapsed_ms(started) / TIMED_STEPS as f64;
    let started = Instant::now();
    teacher_batch(lab, test, &rows).await?;
    Ok(Calibration {
        backend: lab.backend,
        ms_per_step,
        ms_per_teacher_batch: elapsed_ms(started),
        warmup_ms,
    })
}

async fn teacher_batch(lab: &Lab, data: &Mnist, rows: &[u32]) -> Result<()> {
    teacher_outputs(lab, data, rows, false).await?;
    Ok(())
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// The backend "auto" takes, and why, in words the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Choice {
    pub backend: Backend,
    pub reason: String,
}

/// "Auto" without measuring, where measuring cannot pay: on an adapter the browser marks as a
/// fallback (`GPUAdapterInfo.isFallbackAdapter`, a software implementation such as SwiftShader,
/// which the WebGPU spec warns "may have significantly lower performance"), WebGPU runs on the
/// same CPU cores as the CPU backend, through an emulation layer. Measuring it would cost the
/// user what it could save: the WebGPU build of the module (five times the CPU build's bytes) and
/// seconds of shader compilation on the cores the run needs (issue 23). `None`: measure.
pub fn choose_without_measuring(fallback: bool, adapter: &str) -> Option<Choice> {
    fallback.then(|| Choice {
        backend: Backend::Cpu,
        reason: format!(
            "this browser's WebGPU adapter ({adapter}) is a software fallback, a CPU emulating a GPU, so auto takes the CPU backend without timing it (choose WebGPU under Backend to try it)"
        ),
    })
}

/// The faster backend for `settings`, from the CPU's calibration and WebGPU's (`None` when it
/// did not finish within the time allowed, `budget_ms`).
pub fn choose(
    cpu: &Calibration,
    webgpu: Option<&Calibration>,
    settings: &DistillSettings,
    budget_ms: f64,
) -> Choice {
    let cpu_s = cpu.predicted_seconds(settings);
    let cpu_text = format!(
        "CPU: {} a step, {} per teacher batch",
        ms(cpu.ms_per_step),
        ms(cpu.ms_per_teacher_batch)
    );
    let Some(gpu) = webgpu else {
        return Choice {
            backend: Backend::Cpu,
            reason: format!(
                "{cpu_text}; WebGPU did not finish its first steps within {budget_ms:.0} ms on this device"
            ),
        };
    };
    let gpu_s = gpu.predicted_seconds(settings);
    let gpu_text = format!(
        "WebGPU: {} a step, {} per teacher batch",
        ms(gpu.ms_per_step),
        ms(gpu.ms_per_teacher_batch)
    );
    let backend = if gpu_s < cpu_s {
        Backend::WebGpu
    } else {
        Backend::Cpu
    };
    Choice {
        backend,
        reason: format!(
            "{cpu_text}; {gpu_text} on this device: this run would take about {} on the CPU and {} on WebGPU",
            seconds(cpu_s),
            seconds(gpu_s)
        ),
    }
}

fn ms(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0} ms")
    } else {
        format!("{x:.1} ms")
    }
}

fn seconds(x: f64) -> String {
    if x >= 120.0 {
        format!("{:.0} min", x / 60.0)
    } else {
        format!("{x:.0} s")
    }
}
