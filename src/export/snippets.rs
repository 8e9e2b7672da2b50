//! "Use it": a few lines per runtime that load an exported student and classify one 28×28 image,
//! for the page to offer after a run and the README to show. The input conventions are the
//! files' own ([`super::onnx::INPUT`], [`super::tfjs::INPUT`]).

use serde::Serialize;

/// One snippet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Snippet {
    /// What runs it: `onnxruntime-web (JavaScript)`, `onnxruntime (Python)`.
    pub runtime: String,
    pub code: String,
}

/// The snippets for the ONNX file `file`, and for the TF.js model `tfjs_model` (its model.json)
/// where the student has one.
pub fn snippets(file: &str, tfjs_model: Option<&str>) -> Vec<Snippet> {
    let mut out = onnx_snippets(file);
    if let Some(model) = tfjs_model {
        out.push(Snippet {
            runtime: "TensorFlow.js (JavaScript)".into(),
            code: format!(
                "import * as tf from \"@tensorflow/tfjs\";\n\
                 const model = await tf.loadLayersModel(\"{model}\");\n\
                 // pixels: 784 grey levels 0-255 (0 = background), row by row\n\
                 const logits = model.predict(tf.tensor4d(Float32Array.from(pixels), [1, 28, 28, 1]));\n\
                 const digit = (await logits.argMax(-1).data())[0];\n"
            ),
        });
    }
    out
}

/// The snippets for the ONNX file `file`.
pub fn onnx_snippets(file: &str) -> Vec<Snippet> {
    vec![
        Snippet {
            runtime: "onnxruntime-web (JavaScript)".into(),
            code: format!(
                "import * as ort from \"onnxruntime-web\";\n\
                 const session = await ort.InferenceSession.create(\"{file}\");\n\
                 // pixels: 784 grey levels 0-255 (0 = background), row by row\n\
                 const input = new ort.Tensor(\"float32\", Float32Array.from(pixels), [1, 1, 28, 28]);\n\
                 const {{ logits }} = await session.run({{ pixels: input }});\n\
                 const digit = logits.data.indexOf(Math.max(...logits.data));\n"
            ),
        },
        Snippet {
            runtime: "onnxruntime (Python)".into(),
            code: format!(
                "import numpy as np, onnxruntime as ort\n\
                 session = ort.InferenceSession(\"{file}\")\n\
                 # pixels: 28x28 grey levels 0-255 (0 = background)\n\
                 x = np.asarray(pixels, dtype=np.float32).reshape(1, 1, 28, 28)\n\
                 (logits,) = session.run([\"logits\"], {{\"pixels\": x}})\n\
                 digit = int(logits.argmax())\n"
            ),
        },
    ]
}
