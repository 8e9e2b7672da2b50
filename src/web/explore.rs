//! The explorer's part of the wasm API: the kept run's models' answers for a test image or a
//! drawing, the temperature slider's probabilities, the class-bias shift and the student
//! download. Conversions only; the work is in src/explore.rs.

use std::rc::Rc;
use std::sync::Arc;

use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{Failure, Session, promise, to_js};
use crate::Error;
use crate::data::Mnist;
use crate::drawing::mnist_from_canvas;
use crate::explore::{
    ModelOutput, ShiftSource, TrainedRun, hardest_examples, predict_each, shift_bias_of,
    slider_probabilities,
};
use crate::tree_drawing::draw_tree;

/// `softmax(logits / T)` of each row of 10 logits, for T in (0, 20]: the probabilities the
/// temperature slider shows.
#[wasm_bindgen(js_name = softmaxAt)]
pub fn softmax_at(logits: Vec<f32>, temperature: f32) -> Result<Vec<f32>, Failure> {
    Ok(slider_probabilities(&logits, temperature)?)
}

/// Every model's answer for one image: a test image (`index`, `label`) or a drawing.
#[derive(Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
struct Prediction {
    index: Option<u32>,
    label: Option<u8>,
    /// The 28×28 grey bytes the models saw.
    pixels: Vec<u8>,
    outputs: Vec<ModelOutput>,
}

/// A student to take away: its safetensors, ONNX and (for the kinds that have one) TF.js files,
/// its card (JSON), and the files' name without extension.
#[wasm_bindgen]
pub struct StudentFile {
    weights: Vec<u8>,
    onnx: Vec<u8>,
    tfjs: Option<crate::export::tfjs::TfjsModel>,
    card: String,
    name: String,
}

#[wasm_bindgen]
impl StudentFile {
    #[wasm_bindgen(getter)]
    pub fn weights(&self) -> Vec<u8> {
        self.weights.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn onnx(&self) -> Vec<u8> {
        self.onnx.clone()
    }

    /// The TF.js `model.json` text, where the student's kind has a TF.js form.
    #[wasm_bindgen(getter, js_name = tfjsModel)]
    pub fn tfjs_model(&self) -> Option<String> {
        self.tfjs.as_ref().map(|t| t.model_json.clone())
    }

    /// The TF.js weights file `model.json` names.
    #[wasm_bindgen(getter, js_name = tfjsWeights)]
    pub fn tfjs_weights(&self) -> Option<Vec<u8>> {
        self.tfjs.as_ref().map(|t| t.weights.clone())
    }

    /// The TF.js files' names: `[model.json's, the weights']`.
    #[wasm_bindgen(getter, js_name = tfjsNames)]
    pub fn tfjs_names(&self) -> Vec<String> {
        let (model, weights) = crate::export::card::tfjs_names(&self.name);
        vec![model, weights]
    }

    /// A few lines per runtime that load the ONNX (and TF.js) file and classify an image.
    #[wasm_bindgen(getter, unchecked_return_type = "Snippet[]")]
    pub fn snippets(&self) -> Result<JsValue, Failure> {
        let (model, _) = crate::export::card::tfjs_names(&self.name);
        to_js(&crate::export::snippets::snippets(
            &format!("{}.onnx", self.name),
            self.tfjs.as_ref().map(|_| model.as_str()),
        ))
    }

    #[wasm_bindgen(getter)]
    pub fn card(&self) -> String {
        self.card.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
}

#[wasm_bindgen]
impl Session {
    /// Test image `index`: its pixels and label, and every model's answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<Prediction>")]
    pub fn inspect(&self, index: u32) -> Result<Promise, Failure> {
        let test = self.test()?;
        if index as usize >= test.len() {
            return Err(Error::setting(
                "test image",
                format!("{index}; the test set has images 0 to {}", test.len() - 1),
            )
            .into());
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
    ) -> Result<Promise, Failure> {
        let pixels = mnist_from_canvas(rgba, width, height)?;
        let image = Mnist::from_parts(pixels, vec![0])?;
        self.predict(Arc::new(image), 0, None)
    }

    /// The loaded teacher measured on the full test set (its logits are kept for later calls),
    /// and refused (an error with the figures) when it is a teacher of one's own too weak to
    /// teach (`own`: src/teacher_card.rs, `check_own_teacher`).
    #[wasm_bindgen(js_name = teacherEvaluation, unchecked_return_type = "Promise<Evaluation>")]
    pub fn teacher_evaluation(&self, own: bool) -> Result<Promise, Failure> {
        let card = self.teacher()?.1.clone();
        self.on_teacher_test_logits(move |logits, test| {
            let evaluation = crate::eval::Evaluation::from_logits(logits, test.labels());
            if own {
                crate::teacher_card::check_own_teacher(&card, evaluation.accuracy)?;
            }
            to_js(&evaluation)
        })
    }

    /// How the teacher sees each class at `temperature`: for each class k, the mean probability
    /// it gives k on test images of the other classes (src/explore.rs, `class_affinity`).
    #[wasm_bindgen(js_name = classAffinity, unchecked_return_type = "Promise<number[]>")]
    pub fn class_affinity(&self, temperature: f32) -> Result<Promise, Failure> {
        self.on_teacher_test_logits(move |logits, test| {
            to_js(&crate::explore::class_affinity(
                logits,
                test.labels(),
                temperature,
            )?)
        })
    }

    /// Indices of the `count` test images the teacher finds hardest (its mistakes first).
    #[wasm_bindgen(js_name = hardExamples, unchecked_return_type = "Promise<Uint32Array>")]
    pub fn hard_examples(&self, count: usize) -> Result<Promise, Failure> {
        self.on_teacher_test_logits(move |logits, test| {
            let hardest = hardest_examples(logits, test.labels(), count)?;
            Ok(js_sys::Uint32Array::from(&hardest[..]).into())
        })
    }

    /// The kept distilled student's test accuracy before and after raising `class`'s output
    /// bias by `delta`, or (no `delta`) by the amount that fits the run's held-out images best.
    #[wasm_bindgen(js_name = shiftBias, unchecked_return_type = "Promise<BiasShift>")]
    pub fn shift_bias(&self, class: u8, delta: Option<f32>) -> Result<Promise, Failure> {
        let run = self.kept()?;
        let (test, device, train) = (self.test()?, self.device.clone(), self.train.clone());
        Ok(promise(async move {
            let source = match delta {
                Some(delta) => ShiftSource::Given(delta),
                None => ShiftSource::FitOn(&train, &run.transfer.holdout),
            };
            let logits = run.distilled_logits(&test, &device).await?;
            let student = &run.finished.distilled.model;
            to_js(&shift_bias_of(student, &test, &logits, class, source, &device).await?)
        }))
    }

    /// The kept run's `"distilled"` or `"scratch"` student: its safetensors and ONNX files and
    /// its card, which lists them.
    #[wasm_bindgen(js_name = studentFile)]
    pub fn student_file(&self, role: String) -> Result<StudentFile, Failure> {
        let files = self.kept()?.export(&role)?;
        let card = serde_json::to_string_pretty(&files.card)
            .map_err(|e| Failure::new(format!("cannot write the card: {e}")))?;
        Ok(StudentFile {
            weights: files.weights,
            onnx: files.onnx,
            tfjs: files.tfjs,
            card,
            name: files.stem,
        })
    }

    fn predict(
        &self,
        data: Arc<Mnist>,
        index: u32,
        known: Option<(u32, u8)>,
    ) -> Result<Promise, Failure> {
        let teacher = self.teacher()?.0.clone();
        let (run, device) = (self.kept.clone(), self.device.clone());
        Ok(promise(async move {
            let outputs = predict_each(&teacher, run.as_deref(), &data, index, &device).await?;
            to_js(&Prediction {
                index: known.map(|k| k.0),
                label: known.map(|k| k.1),
                pixels: data.image(index as usize).to_vec(),
                outputs,
            })
        }))
    }

    /// The kept run's `"distilled"` or `"scratch"` student drawn when it is a soft tree (null
    /// for other kinds, or a scratch twin the run did not train), with the path of `pixels` (the
    /// 28×28 grey bytes an answer came with) when given.
    #[wasm_bindgen(js_name = treeDrawing, unchecked_return_type = "Promise<TreeDrawing | null>")]
    pub fn tree_drawing(&self, role: String, pixels: Option<Vec<u8>>) -> Result<Promise, Failure> {
        let run = self.kept()?;
        let device = self.device.clone();
        let image = pixels.map(|p| Mnist::from_parts(p, vec![0])).transpose()?;
        Ok(promise(async move {
            let student = match (role.as_str(), &run.finished.scratch) {
                ("distilled", _) => &run.finished.distilled.model,
                ("scratch", Some(scratch)) => &scratch.model,
                ("scratch", None) => return Ok(JsValue::NULL),
                (other, _) => {
                    return Err(Error::setting(
                        "role",
                        format!("{other:?}; ask for \"distilled\" or \"scratch\""),
                    )
                    .into());
                }
            };
            let Some(tree) = student.as_tree() else {
                return Ok(JsValue::NULL);
            };
            let image = image.map(|m| m.images_tensor(&[0], &device));
            to_js(&draw_tree(tree, image).await?)
        }))
    }

    /// `then(the teacher's test logits, the test set)`, the logits computed on the first call and
    /// then kept for the session.
    pub(super) fn on_teacher_test_logits(
        &self,
        then: impl FnOnce(&[f32], &Mnist) -> Result<JsValue, Failure> + 'static,
    ) -> Result<Promise, Failure> {
        let teacher = self.teacher()?.0.clone();
        let (test, device, caches) = (self.test()?, self.device.clone(), self.caches.clone());
        Ok(promise(async move {
            let logits = (caches.teacher_test_logits)
                .get(&teacher, &test, &device)
                .await?;
            then(&logits, &test)
        }))
    }

    fn kept(&self) -> Result<Rc<TrainedRun>, Failure> {
        self.kept
            .clone()
            .ok_or_else(|| Error::setting("session", "no finished run yet: distill first").into())
    }
}
