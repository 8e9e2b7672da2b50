//! Settings refused before a run starts: what would not fit the backend's memory, and an
//! assistant that does not sit between student and teacher.

use burn::module::Module;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::settings::DistillSettings;

use super::Lab;

/// How much memory a run may use on this backend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// All the run's buffers together (wasm32 addresses 4 GiB in all, the module and the data
    /// included).
    pub total_bytes: f64,
    /// The largest single buffer (WebGPU: the adapter's `maxStorageBufferBindingSize`).
    pub buffer_bytes: f64,
    /// What the limits are, for the message that cites them.
    pub source: &'static str,
}

impl Limits {
    /// Natively: the machine's memory is the limit; nothing is refused up front.
    pub const NATIVE: Limits = Limits {
        total_bytes: f64::INFINITY,
        buffer_bytes: f64::INFINITY,
        source: "native",
    };
    /// The browser's CPU backend: half of wasm32's 4 GiB, the rest being the module, the data
    /// set and the allocator's slack.
    pub const WASM32: Limits = Limits {
        total_bytes: 2.0 * GIB,
        buffer_bytes: 2.0 * GIB,
        source: "half of WebAssembly's 4 GiB address space",
    };

    /// WebGPU: the wasm heap still holds the host copies, and no buffer may exceed the adapter's
    /// binding limit.
    pub fn webgpu(max_storage_buffer_binding_size: f64, max_buffer_size: f64) -> Limits {
        Limits {
            total_bytes: Self::WASM32.total_bytes,
            buffer_bytes: max_storage_buffer_binding_size.min(max_buffer_size),
            source: "this WebGPU adapter's buffer limits",
        }
    }
}

const GIB: f64 = (1u64 << 30) as f64;
const MB: f64 = 1e6;

/// About how many bytes a run of `settings` needs at most, and its largest single buffer:
/// the soft targets (and hint layer), and for each model that trains its weights with their
/// gradients and Adam's two moments (×4) plus the activations of a batch kept for backward (×3:
/// the pre-activation, the ReLU output and its gradient).
pub fn memory_estimate(settings: &DistillSettings, teacher_hidden: usize) -> (f64, f64) {
    let f = 4.0;
    let size = settings.size as f64;
    let mut total = size * 10.0 * f;
    if settings.objective().hint_weight().is_some() {
        total += size * teacher_hidden as f64 * f;
    }
    let batch = settings.batch_size as f64;
    let mut largest = size * 10.0 * f;
    let mut model = |config: crate::model::StudentConfig| {
        let (activations, widest) = config.activation_units();
        let units = activations as f64 + 784.0 + 10.0;
        let widest = widest.max(784) as f64;
        let biggest_matrix = match &config {
            crate::model::StudentConfig::Mlp { hidden } => hidden
                .iter()
                .chain([10usize].iter())
                .scan(784usize, |inputs, &u| {
                    let m = *inputs * u;
                    *inputs = u;
                    Some(m)
                })
                .max()
                .unwrap_or(0),
            // Every tensor of the other kinds together is small next to a batch's activations.
            other => other.params(),
        } as f64;
        largest = largest.max(batch * widest * f).max(biggest_matrix * f);
        config.params() as f64 * f * 4.0 + batch * units * f * 3.0
    };
    total += 2.0 * model(settings.student());
    if let Some(assistant) = settings.assistant() {
        total += model(assistant);
    }
    (total, largest)
}

/// Refuses settings that would not fit this backend's memory, before anything starts.
pub fn check_memory(lab: &Lab, settings: &DistillSettings) -> Result<()> {
    let (total, largest) = memory_estimate(settings, lab.teacher.hidden_units());
    let limits = lab.limits;
    if total > limits.total_bytes {
        return Err(Error::setting(
            "memory",
            format!(
                "these settings need about {:.0} MB, more than the {:.0} MB this backend allows ({}); use a smaller student, batch or transfer set",
                total / MB,
                limits.total_bytes / MB,
                limits.source
            ),
        ));
    }
    if largest > limits.buffer_bytes {
        return Err(Error::setting(
            "memory",
            format!(
                "these settings need a buffer of about {:.0} MB, more than the {:.0} MB this backend allows ({}); use a smaller batch or student",
                largest / MB,
                limits.buffer_bytes / MB,
                limits.source
            ),
        ));
    }
    Ok(())
}

/// Every reason `settings` cannot run on `lab`: first the settings' own
/// ([`DistillSettings::problems`]: ranges, settings that do not fit together, the split of
/// `train_labels` when they are known), then, if there are none, the lab's (an assistant smaller
/// than this teacher, this backend's memory). The one answer to "can this run?": the page's form
/// asks it, and [`super::Prepared::new`] (so every run, the CLI's too) refuses the first.
pub fn problems(lab: &Lab, settings: &DistillSettings, train_labels: Option<&[u8]>) -> Vec<Error> {
    let mut problems = settings.problems(train_labels);
    if problems.is_empty() {
        problems.extend(check_assistant(lab, settings).err());
        problems.extend(check_memory(lab, settings).err());
    }
    problems
}

/// An assistant must be smaller than the teacher (that it is larger than the student, and not
/// used with a hint loss, is the settings' own rule: [`DistillSettings::problems`]).
fn check_assistant(lab: &Lab, settings: &DistillSettings) -> Result<()> {
    let Some(assistant) = settings.assistant() else {
        return Ok(());
    };
    let teacher = lab.teacher.num_params();
    if assistant.params() >= teacher {
        return Err(Error::setting(
            "assistant",
            format!(
                "{} has {} parameters, as many as the teacher's {teacher} or more: an assistant sits between teacher and student",
                assistant.describe(),
                assistant.params()
            ),
        ));
    }
    Ok(())
}
