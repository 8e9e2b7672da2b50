//! A trained student as files to take away: its card with the safetensors weights ([`card`]),
//! and the formats other runtimes run, ONNX ([`onnx`]) and TF.js layers ([`tfjs`]), with the
//! lines that use them ([`snippets`]). Each file takes raw grey levels and does the page's
//! normalisation itself, so a client feeds pixels as they come.

pub mod card;
pub mod onnx;
pub mod snippets;
pub mod tfjs;
