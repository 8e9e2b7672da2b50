//! Labelling the transfer set on every core: the page's worker splits the run's transfer set
//! between helper workers (each its own wasm instance on the CPU backend), each labels its slice
//! with the teacher, and the run takes the joined logits as its soft targets.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::{Session, promise, settings_from};
use crate::run::{provide_soft_targets, teacher_outputs, transfer_rows};

#[wasm_bindgen]
impl Session {
    /// The training rows of the transfer set a run of `values` labels, in order.
    #[wasm_bindgen(js_name = transferRows)]
    pub fn transfer_rows(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<Vec<u32>, JsError> {
        Ok(transfer_rows(&self.lab()?, &settings_from(values)?)?)
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

    /// Whether the teacher's soft targets for a run of `values` are kept from an earlier run.
    #[wasm_bindgen(js_name = softTargetsKept)]
    pub fn soft_targets_kept(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<bool, JsError> {
        Ok(crate::run::soft_targets_kept(
            &self.lab()?,
            &settings_from(values)?,
        )?)
    }

    /// The soft targets of the next run of `values`, labelled by helpers (`transferRows` order)
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
