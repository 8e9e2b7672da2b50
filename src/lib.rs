//! webdistill: knowledge distillation (Hinton, Vinyals & Dean 2015) of an MNIST teacher into a
//! small student, on any burn device: natively, and in the browser on WebGPU or the CPU.
//!
//! The layers, from the bottom up (each uses only those above it in this list; `tests/native/
//! layers.rs` checks the `use crate::` lines against it):
//! - [`error`]: the one error type; [`rng`]: the seeded generator every draw uses
//! - [`data`]: the tasks (MNIST, Fashion-MNIST), IDX files, transfer-set selection, training
//!   sets and batches, distortions
//! - [`model`]: the CNN teacher (one net or an ensemble) and the students of every kind (MLP,
//!   linear, CNN, soft decision tree), each with its config
//! - [`eval`]: accuracy, latency under any clock, a model's line in a comparison, tensors read
//!   back to the host
//! - [`distill`]: the distillation losses, pure functions of logits
//! - [`weights`]: safetensors in and out; [`teacher_card`]: a teacher's file with its card
//! - [`train`]: the step-wise student trainer and the teacher's training
//! - [`quantize`]: the student at f16 and int8
//! - [`settings`]: every setting of a run (the one schema) and the presets
//! - [`export`]: a trained student's files: its card, ONNX, TF.js
//! - [`soft_targets`]: the teacher's outputs on a transfer set, kept between runs
//! - [`run`]: the comparison run, one time slice at a time: what the page, the CLI and the
//!   report all drive
//! - [`sweep`]: students of many sizes, for the accuracy-for-size curve
//! - [`calibrate`]: the faster backend for a run, measured
//! - [`explore`]: probabilities at any temperature, hard examples, the class-bias shift;
//!   [`tree_drawing`]: a soft-tree student's filters, leaves and paths
//! - [`drawing`]: a drawn digit made into an MNIST image
//! - [`bench`]: training throughput, the same on every backend
//! - `web` (wasm only): the wasm-bindgen facade, conversions only; `cli` (native): the flag
//!   parser the command-line tools share

pub mod bench;
pub mod calibrate;
#[cfg(all(feature = "cli", not(target_family = "wasm")))]
pub mod cli;
pub mod data;
pub mod distill;
pub mod drawing;
pub mod error;
pub mod eval;
pub mod explore;
pub mod export;
pub mod model;
pub mod quantize;
pub mod rng;
pub mod run;
pub mod settings;
pub mod soft_targets;
pub mod sweep;
pub mod teacher_card;
pub mod train;
pub mod tree_drawing;
pub mod weights;

pub use error::{Error, Result};
#[cfg(target_family = "wasm")]
pub mod web;
