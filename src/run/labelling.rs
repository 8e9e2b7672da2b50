//! The transfer set's soft targets: the teacher labelling it in batches, and soft targets
//! labelled outside a run (by helper workers) handed to the next one.

use std::rc::Rc;
use std::sync::Arc;

use crate::data::{Mnist, NUM_CLASSES};
use crate::error::{Error, Result};
use crate::eval::{Backend, read_floats};
use crate::model::{Classifier, IntegerTeacher};
use crate::soft_targets::SoftTargets;

use super::{Lab, Prepared};

/// Images per forward pass while a model labels the transfer set. 256, as a test pass
/// (`eval::EVAL_BATCH`): natively the f32 teacher labelled at 0.11 ms/image in batches of 256
/// and 0.20 in batches of 1,000 (its convolution's scratch buffers outgrow the caches).
pub const LABEL_BATCH: usize = 256;

/// The model labelling the transfer set, and what it produced so far.
pub(super) struct Labelling {
    pub(super) logits: Vec<f32>,
    pub(super) hidden: Option<Vec<f32>>,
}

impl Labelling {
    pub(super) fn new(rows: usize, with_hidden: bool) -> Self {
        Self {
            logits: Vec::with_capacity(rows * NUM_CLASSES),
            hidden: with_hidden.then(Vec::new),
        }
    }

    pub(super) fn done(&self) -> usize {
        self.logits.len() / NUM_CLASSES
    }

    /// What was labelled, as soft targets.
    pub(super) fn into_targets(self) -> SoftTargets {
        SoftTargets {
            logits: Arc::new(self.logits),
            hidden: self.hidden.map(Arc::new),
        }
    }
}

/// The teacher's logits for `rows` of `data` (`[n × 10]`), and its hidden activations
/// (`[n × hidden_units]`) when `with_hidden`, in batches of [`LABEL_BATCH`]. On the CPU backend
/// the teacher runs quantised ([`IntegerTeacher`]: i16 products summed in i32, 2.4–2.7× the f32
/// pass's images/s in wasm SIMD128; the same bits natively and in the browser); elsewhere in f32 on the device.
pub async fn teacher_outputs(
    lab: &Lab,
    data: &Mnist,
    rows: &[u32],
    with_hidden: bool,
) -> Result<(Vec<f32>, Option<Vec<f32>>)> {
    let (teacher, device) = (&lab.teacher, &lab.device);
    let integer = match lab.backend {
        Backend::Cpu => Some(integer_teacher(lab).await?),
        _ => None,
    };
    let mut logits = Vec::with_capacity(rows.len() * NUM_CLASSES);
    let mut hidden = with_hidden.then(|| Vec::with_capacity(rows.len() * teacher.hidden_units()));
    for chunk in rows.chunks(LABEL_BATCH) {
        if let Some(integer) = &integer {
            let images: Vec<&[u8]> = chunk.iter().map(|&r| data.image(r as usize)).collect();
            let (l, h) = integer.forward(&images, with_hidden);
            logits.extend(l);
            if let (Some(hidden), Some(h)) = (&mut hidden, h) {
                hidden.extend(h);
            }
            continue;
        }
        let images = data.images_tensor(chunk, device);
        match &mut hidden {
            Some(hidden) => {
                let (h, l) = teacher.forward_with_hidden(images);
                logits.extend(read_floats(l).await?);
                hidden.extend(read_floats(h).await?);
            }
            None => logits.extend(read_floats(teacher.logits(images)).await?),
        }
    }
    Ok((logits, hidden))
}

/// The lab's teacher quantised for labelling, made once per teacher and kept.
async fn integer_teacher(lab: &Lab) -> Result<Rc<IntegerTeacher>> {
    if let Some((id, kept)) = &*lab.caches.integer_teacher.borrow() {
        if *id == lab.teacher_id {
            return Ok(kept.clone());
        }
    }
    let quantised = Rc::new(IntegerTeacher::quantise(&lab.teacher).await?);
    *lab.caches.integer_teacher.borrow_mut() = Some((lab.teacher_id.clone(), quantised.clone()));
    Ok(quantised)
}

/// How a run's transfer set is labelled by several workers at once: each worker's rows, in the
/// transfer set's order, and the logits each row gets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct LabellingPlan {
    /// One slice per worker, the first the caller's own; whole batches of [`LABEL_BATCH`] each,
    /// so each slice is labelled exactly as the run would label it.
    pub slices: Vec<Vec<u32>>,
    /// Logits per row.
    pub classes: usize,
}

/// How a run `prepared` labels its transfer set on up to `workers` workers on the CPU backend;
/// `None` when the run labels it alone: one worker, WebGPU (one device), a hint loss (which also
/// needs the teacher's hidden layer), or soft targets kept from an earlier run.
pub fn labelling_plan(lab: &Lab, prepared: &Prepared, workers: usize) -> Option<LabellingPlan> {
    if !super::helpers_share(lab.backend, workers)
        || prepared.with_hidden()
        || soft_targets_kept(lab, prepared)
    {
        return None;
    }
    let rows = &prepared.transfer.indices;
    let size = rows.len().div_ceil(workers).div_ceil(LABEL_BATCH) * LABEL_BATCH;
    let slices: Vec<Vec<u32>> = rows.chunks(size.max(1)).map(<[u32]>::to_vec).collect();
    (slices.len() > 1).then_some(LabellingPlan {
        slices,
        classes: NUM_CLASSES,
    })
}

/// Whether another worker should compute the teacher's test logits (the measuring phase's
/// longest part: 10,000 images) during the run: on the CPU backend with `workers` ≥ 2, when the
/// session does not keep them already. The logits are the same either way (the same build,
/// weights and images); the page starts that helper at the click, on the core left idle while
/// the worker fetches the training shards.
pub fn teacher_test_elsewhere(lab: &Lab, workers: usize) -> bool {
    super::helpers_share(lab.backend, workers) && !lab.caches.teacher_test_logits.is_kept()
}

/// Whether the run `prepared` would find its soft targets kept from an earlier run.
pub fn soft_targets_kept(lab: &Lab, prepared: &Prepared) -> bool {
    let key = prepared.soft_targets_key(lab);
    lab.caches.soft_targets.get(&key).is_some()
}

/// Soft targets for the run `prepared`, computed outside it (by helpers labelling slices of its
/// transfer set in parallel, `[rows × 10]` logits in the transfer set's order): the run starts
/// training at once and reports them as computed. Refused for a hint loss, which also needs the
/// teacher's hidden layer.
/// `seconds`: how long the labelling took, counted in that run's wall time.
pub fn provide_soft_targets(
    lab: &Lab,
    prepared: &Prepared,
    logits: Vec<f32>,
    seconds: f64,
) -> Result<()> {
    if prepared.with_hidden() {
        return Err(Error::setting(
            "loss",
            "a hint loss needs the teacher's hidden layer too: let the run label the transfer set",
        ));
    }
    let rows = prepared.transfer.len();
    if logits.len() != rows * NUM_CLASSES {
        return Err(Error::setting(
            "teacher logits",
            format!("{} values for {rows} images", logits.len()),
        ));
    }
    let key = prepared.soft_targets_key(lab);
    let targets = SoftTargets {
        logits: Arc::new(logits),
        hidden: None,
    };
    lab.caches
        .soft_targets
        .put_fresh(key, targets, seconds.max(0.0));
    Ok(())
}
