//! What only the benchmark page (www/bench.html) calls: a fresh student's latency, the training
//! workload of src/bench.rs with what a peer needs to replay it, and the teacher's labelling.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::{Failure, Session, promise, run, to_js};
use crate::Error;
use crate::bench::{TrainingBenchSpec, fresh_student_latency, training_throughput};
use crate::model::StudentConfig;

#[wasm_bindgen]
impl Session {
    /// Latency of a freshly initialised student (`hidden` units, seed 1) at batch 1 and 256.
    #[wasm_bindgen(js_name = studentLatency, unchecked_return_type = "Promise<Latency[]>")]
    pub fn student_latency(&self, hidden: Vec<usize>) -> Result<Promise, Failure> {
        let config = StudentConfig::new(hidden)?;
        let (test, device) = (self.test()?, self.device.clone());
        Ok(promise(async move {
            to_js(&fresh_student_latency(&config, &test, &device).await?)
        }))
    }

    /// The benchmark's training workload (src/bench.rs) on this session's backend, with what a
    /// peer needs to replay the same steps: `replay.initial_weights` (safetensors),
    /// `replay.rows` (training-image indices of the batches, in order) and
    /// `replay.teacher_logits` (`rows.length × 10`).
    #[wasm_bindgen(js_name = benchTraining, unchecked_return_type = "Promise<BenchRun>")]
    pub fn bench_training(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TrainingBenchSpec")] spec: JsValue,
    ) -> Result<Promise, Failure> {
        let lab = self.lab()?;
        let spec: TrainingBenchSpec = serde_wasm_bindgen::from_value(spec)
            .map_err(|e| Error::setting("benchmark", e.to_string()))?;
        Ok(promise(async move {
            let bench = training_throughput(&lab, &spec).await?;
            Ok(run::BenchRun::new(to_js(&bench)?, bench.replay).into())
        }))
    }

    /// The teacher labelling the first `images` test images, as a run labels its transfer set.
    #[wasm_bindgen(js_name = benchLabelling, unchecked_return_type = "Promise<LabellingBench>")]
    pub fn bench_labelling(&self, images: usize) -> Result<Promise, Failure> {
        let lab = self.lab_without_training_images()?;
        Ok(promise(async move {
            to_js(&crate::bench::labelling_throughput(&lab, images).await?)
        }))
    }
}
