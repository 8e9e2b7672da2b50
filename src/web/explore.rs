//! The explorer's part of the wasm API: a finished run kept in the session, its models'
//! answers for a test image or a drawing, the temperature slider's probabilities, the class-bias
//! shift and the student download. Conversions only; the work is in src/explore.rs.

use std::rc::Rc;
use std::sync::Arc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{Distillation, Session, busy, js_error, missing, to_js};
use crate::Error;
use crate::data::Mnist;
use crate::drawing::mnist_from_canvas;
use crate::explore::{
    EXPLORE_MAX_TEMPERATURE, ShiftSource, TrainedRun, hardest_examples, predict_each,
    shift_bias_of, soft_probabilities,
};

/// `softmax(logits / T)` of each row of 10 logits, for T in (0, 20]: the probabilities the
/// temperature slider shows.
#[wasm_bindgen(js_name = softmaxAt)]
pub fn softmax_at(logits: Vec<f32>, temperature: f32) -> Result<Vec<f32>, JsValue> {
    if temperature > EXPLORE_MAX_TEMPERATURE {
        return Err(js_error(Error::setting(
            "temperature",
            format!("T = {temperature}; the explorer goes up to {EXPLORE_MAX_TEMPERATURE}"),
        )));
    }
    soft_probabilities(&logits, temperature).map_err(js_error)
}

#[wasm_bindgen]
impl Session {
    /// Keeps a finished run's students (after `finish`) for `inspect`, `predictDrawing`,
    /// `shiftBias` and `studentFile`; replaces the previous run's.
    pub fn keep(&mut self, run: &Distillation) -> Result<(), JsValue> {
        let state = run.0.try_borrow().map_err(|_| busy())?;
        let (Some((distilled, scratch)), Some(comparison)) =
            (state.run.students(), state.comparison.clone())
        else {
            return Err(js_error(Error::setting(
                "run",
                "only a finished run can be kept: await finish() first",
            )));
        };
        self.kept = Some(Rc::new(TrainedRun {
            settings: state.run.settings().clone(),
            transfer: state.run.transfer().clone(),
            distilled,
            scratch,
            comparison,
            distilled_test_logits: Default::default(),
        }));
        Ok(())
    }

    /// Test image `index`: its pixels and label, and every model's answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<Prediction>")]
    pub fn inspect(&self, index: u32) -> Result<Promise, JsValue> {
        let test = self.test()?;
        if index as usize >= test.len() {
            return Err(js_error(Error::setting(
                "test image",
                format!("{index}; the test set has images 0 to {}", test.len() - 1),
            )));
        }
        let label = test.labels()[index as usize];
        self.predict(test, index, Some((index, label)))
    }

    /// A digit drawn on a canvas (RGBA bytes, `width × height`), made into an MNIST image
    /// (src/drawing.rs), and every model's answer.
    #[wasm_bindgen(js_name = predictDrawing, unchecked_return_type = "Promise<Prediction>")]
    pub fn predict_drawing(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
    ) -> Result<Promise, JsValue> {
        let pixels = mnist_from_canvas(rgba, width, height).map_err(js_error)?;
        let image = Mnist::from_parts(pixels, vec![0]).map_err(js_error)?;
        self.predict(Arc::new(image), 0, None)
    }

    /// Indices of the `count` test images the teacher finds hardest (its mistakes first).
    #[wasm_bindgen(js_name = hardExamples, unchecked_return_type = "Promise<Uint32Array>")]
    pub fn hard_examples(&self, count: usize) -> Result<Promise, JsValue> {
        let teacher = self.teacher()?.0.clone();
        let (test, device) = (self.test()?, self.device.clone());
        let cache = self.teacher_test_logits.clone();
        Ok(future_to_promise(async move {
            let logits = cache
                .get(&teacher, &test, &device)
                .await
                .map_err(js_error)?;
            let hardest = hardest_examples(&logits, test.labels(), count).map_err(js_error)?;
            Ok(js_sys::Uint32Array::from(&hardest[..]).into())
        }))
    }

    /// The kept distilled student's test accuracy before and after raising `class`'s output
    /// bias by `delta`, or (no `delta`) by the amount that fits the run's held-out images best.
    #[wasm_bindgen(js_name = shiftBias, unchecked_return_type = "Promise<BiasShift>")]
    pub fn shift_bias(&self, class: u8, delta: Option<f32>) -> Result<Promise, JsValue> {
        let run = self.kept()?;
        let (test, device) = (self.test()?, self.device.clone());
        let train = self
            .train
            .clone()
            .ok_or_else(|| missing("the training images are"))?;
        Ok(future_to_promise(async move {
            let source = match delta {
                Some(delta) => ShiftSource::Given(delta),
                None => ShiftSource::FitOn(&train, &run.transfer.holdout),
            };
            let logits = run
                .distilled_logits(&test, &device)
                .await
                .map_err(js_error)?;
            let shift = shift_bias_of(&run.distilled, &test, &logits, class, source, &device).await;
            to_js(&shift.map_err(js_error)?)
        }))
    }

    /// The kept run's `"distilled"` or `"scratch"` student as a safetensors file and its card
    /// (JSON), with a file name.
    #[wasm_bindgen(js_name = studentFile, unchecked_return_type = "Promise<StudentFile>")]
    pub fn student_file(&self, role: String) -> Result<Promise, JsValue> {
        let run = self.kept()?;
        Ok(future_to_promise(async move {
            let (weights, card) = run.export(&role).await.map_err(js_error)?;
            let json = serde_json::to_string_pretty(&card)
                .map_err(|e| JsError::new(&format!("cannot write the card: {e}")))?;
            let out = js_sys::Object::new();
            let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &k.into(), &v);
            set("weights", js_sys::Uint8Array::from(&weights[..]).into())?;
            set("card", json.into())?;
            set(
                "name",
                format!("webdistill-{role}-{}", card.architecture).into(),
            )?;
            Ok(out.into())
        }))
    }

    fn predict(
        &self,
        data: Arc<Mnist>,
        index: u32,
        known: Option<(u32, u8)>,
    ) -> Result<Promise, JsValue> {
        let teacher = self.teacher()?.0.clone();
        let (run, device) = (self.kept.clone(), self.device.clone());
        Ok(future_to_promise(async move {
            let outputs = predict_each(&teacher, run.as_deref(), &data, index, &device)
                .await
                .map_err(js_error)?;
            let out = to_js(&outputs)?;
            let result = js_sys::Object::new();
            let set = |k: &str, v: JsValue| js_sys::Reflect::set(&result, &k.into(), &v);
            set("outputs", out)?;
            set("index", known.map(|k| k.0).into())?;
            set("label", known.map(|k| k.1).into())?;
            set(
                "pixels",
                js_sys::Uint8Array::from(data.image(index as usize)).into(),
            )?;
            Ok(result.into())
        }))
    }

    fn kept(&self) -> Result<Rc<TrainedRun>, JsValue> {
        self.kept.clone().ok_or_else(|| {
            js_error(Error::setting(
                "session",
                "no finished run yet: distill first",
            ))
        })
    }
}
