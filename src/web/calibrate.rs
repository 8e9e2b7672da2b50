//! "Auto" as a measurement: each backend's session times the run's student and the teacher
//! (src/calibrate.rs), and the core picks the faster and says why.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::{Failure, Session, promise, settings_from, to_js};
use crate::calibrate::{Calibration, calibrate, choose, choose_without_measuring};

#[wasm_bindgen]
impl Session {
    /// Times a few training steps of `values`' student and one teacher batch on this session's
    /// backend (needs the teacher and the test set).
    #[wasm_bindgen(unchecked_return_type = "Promise<Calibration>")]
    pub fn calibrate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    ) -> Result<Promise, Failure> {
        let settings = settings_from(values)?;
        let lab = self.lab_without_training_images()?;
        Ok(promise(
            async move { to_js(&calibrate(&lab, &settings).await?) },
        ))
    }
}

/// The backend to run `values` on, from the CPU's calibration and WebGPU's (`null` when it did
/// not finish within `budget_ms`), with the reason in words.
#[wasm_bindgen(js_name = chooseBackend, unchecked_return_type = "Choice")]
pub fn choose_backend(
    #[wasm_bindgen(unchecked_param_type = "Calibration")] cpu: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Calibration | null")] webgpu: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] values: JsValue,
    budget_ms: f64,
) -> Result<JsValue, Failure> {
    let settings = settings_from(values)?;
    let parse = |js: JsValue| -> Result<Calibration, Failure> {
        serde_wasm_bindgen::from_value(js).map_err(|e| Failure::new(format!("calibration: {e}")))
    };
    let cpu = parse(cpu)?;
    let webgpu = if webgpu.is_null() || webgpu.is_undefined() {
        None
    } else {
        Some(parse(webgpu)?)
    };
    to_js(&choose(&cpu, webgpu.as_ref(), &settings, budget_ms))
}

/// The backend "auto" takes without measuring, or `null` when it should measure: on an adapter
/// the browser marks as a fallback (`GPUAdapterInfo.isFallbackAdapter`; `adapter` names it).
#[wasm_bindgen(js_name = chooseWithoutMeasuring, unchecked_return_type = "Choice | null")]
pub fn choose_without_measuring_js(fallback: bool, adapter: &str) -> Result<JsValue, Failure> {
    match choose_without_measuring(fallback, adapter) {
        Some(choice) => to_js(&choice),
        None => Ok(JsValue::NULL),
    }
}
