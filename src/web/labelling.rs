//! Labelling the transfer set on every core: the page's worker splits the run's transfer set
//! between helper workers (each its own wasm instance on the CPU backend), each labels its slice
//! with the teacher, and the run takes the joined logits as its soft targets.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::{Session, promise, settings_from, to_js};
use crate::run::{labelling_plan, provide_soft_targets, teacher_outputs};

#[wasm_bindgen]
impl Session {
    /// How a run of `values` labels its transfer set on up to `workers` workers (slices of its
    /// rows, the caller's first), or `null` when the run labels it alone.
    #[wasm_bindgen(js_name = labellingPlan, unchecked_return_type = "LabellingPlan | null")]
    pub fn labelling_plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
        workers: usize,
    ) -> Result<JsValue, JsError> {
        match labelling_plan(&self.lab()?, &settings_from(values)?, workers)? {
            Some(plan) => to_js(&plan),
            None => Ok(JsValue::NULL),
        }
    }

    /// The teacher's logits for training rows `rows` (`rows.length × 10`).
    #[wasm_bindgen(js_name = teacherLogits, unchecked_return_type = "Promise<Float32Array>")]
    pub fn teacher_logits(&self, rows: Vec<u32>) -> Result<Promise, JsError> {
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
            let (logits, _) =
                teacher_outputs(&lab.teacher, &lab.train, &rows, false, &lab.device).await?;
            Ok(js_sys::Float32Array::from(&logits[..]).into())
        }))
    }

    /// The soft targets of the next run of `values`, labelled by helpers (`labellingPlan`'s slices
    /// joined in order)
    /// in `seconds`: that run starts training at once and counts the seconds in its wall time.
    #[wasm_bindgen(js_name = provideSoftTargets)]
    pub fn provide_soft_targets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
        logits: Vec<f32>,
        seconds: f64,
    ) -> Result<(), JsError> {
        Ok(provide_soft_targets(
            &self.lab()?,
            &settings_from(values)?,
            logits,
            seconds,
        )?)
    }
}
