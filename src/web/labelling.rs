//! Labelling on every core: the page's worker splits the run's transfer set between helper
//! workers (each its own wasm instance on the CPU backend), each labels its slice with the
//! teacher, and the run takes the joined logits as its soft targets; a helper also computes the
//! teacher's test logits while the students train.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::prepared::PreparedRun;
use super::{Failure, Session, promise, to_js};
use crate::run::{
    Update, labelling_plan, provide_soft_targets, teacher_outputs, teacher_test_elsewhere,
};

#[wasm_bindgen]
impl Session {
    /// How the run `prepared` labels its transfer set on up to `workers` workers (slices of its
    /// rows, the caller's first), or `null` when the run labels it alone.
    #[wasm_bindgen(js_name = labellingPlan, unchecked_return_type = "LabellingPlan | null")]
    pub fn labelling_plan(
        &self,
        prepared: &PreparedRun,
        workers: usize,
    ) -> Result<JsValue, Failure> {
        let (lab, prepared) = self.prepared(prepared)?;
        match labelling_plan(&lab, &prepared, workers) {
            Some(plan) => to_js(&plan),
            None => Ok(JsValue::NULL),
        }
    }

    /// The progress of labelling `labelled` of `to_label` images in `elapsed_s` seconds, as a
    /// run's update (with the seconds left at that pace).
    #[wasm_bindgen(js_name = labellingUpdate, unchecked_return_type = "Update")]
    pub fn labelling_update(
        &self,
        labelled: usize,
        to_label: usize,
        elapsed_s: f64,
    ) -> Result<JsValue, Failure> {
        to_js(&Update::labelling(labelled, to_label, elapsed_s))
    }

    /// The teacher's logits for training rows `rows` (`rows.length × 10`).
    #[wasm_bindgen(js_name = teacherLogits, unchecked_return_type = "Promise<Float32Array>")]
    pub fn teacher_logits(&self, rows: Vec<u32>) -> Result<Promise, Failure> {
        let lab = self.lab()?;
        if let Some(&bad) = rows.iter().find(|&&r| r as usize >= lab.train.len()) {
            return Err(crate::Error::setting(
                "training data",
                format!(
                    "row {bad}, but {} training images are loaded",
                    lab.train.len()
                ),
            )
            .into());
        }
        Ok(promise(async move {
            let (logits, _) = teacher_outputs(&lab, &lab.train, &rows, false).await?;
            Ok(js_sys::Float32Array::from(&logits[..]).into())
        }))
    }

    /// Whether a helper should compute the teacher's test logits while this worker trains, given
    /// `workers` the page may use (the core's rule).
    #[wasm_bindgen(js_name = teacherTestOnAnotherWorker)]
    pub fn teacher_test_on_another_worker(&self, workers: usize) -> Result<bool, Failure> {
        Ok(teacher_test_elsewhere(
            &self.lab_without_training_images()?,
            workers,
        ))
    }

    /// The teacher's logits on the whole test split (`test images × 10`): what a helper computes
    /// for `keepTeacherTestLogits`.
    #[wasm_bindgen(js_name = teacherTestLogits, unchecked_return_type = "Promise<Float32Array>")]
    pub fn teacher_test_logits(&self) -> Result<Promise, Failure> {
        self.on_teacher_test_logits(|logits, _| Ok(js_sys::Float32Array::from(logits).into()))
    }

    /// Keeps the teacher's test logits a helper computed (`teacherTestLogits` there): the next
    /// run's measuring phase uses them instead of computing them.
    #[wasm_bindgen(js_name = keepTeacherTestLogits)]
    pub fn keep_teacher_test_logits(&self, logits: Vec<f32>) -> Result<(), Failure> {
        let lab = self.lab_without_training_images()?;
        Ok(lab.caches.teacher_test_logits.keep(logits, &lab.test)?)
    }

    /// The soft targets of the run `prepared`, labelled by helpers (`labellingPlan`'s slices
    /// joined in order) in `seconds`: the run starts training at once and counts the seconds in
    /// its wall time.
    #[wasm_bindgen(js_name = provideSoftTargets)]
    pub fn provide_soft_targets(
        &self,
        prepared: &PreparedRun,
        logits: Vec<f32>,
        seconds: f64,
    ) -> Result<(), Failure> {
        let (lab, prepared) = self.prepared(prepared)?;
        Ok(provide_soft_targets(&lab, &prepared, logits, seconds)?)
    }
}
