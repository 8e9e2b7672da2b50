//! webdistill: knowledge distillation (Hinton, Vinyals & Dean 2015) of an MNIST teacher into a
//! small student, on any burn device: natively, and in the browser on WebGPU or the CPU.
//!
//! Module map:
//! - [`bench`]: training throughput, the same on every backend
//! - [`data`]: MNIST IDX files, transfer-set selection, training sets and batches
//! - [`model`]: the CNN teacher and the MLP student, each with its config
//! - [`distill`]: the distillation losses
//! - [`train`]: the step-wise trainer
//! - [`eval`]: accuracy, confusion, latency
//! - [`weights`]: safetensors in and out
//! - [`teacher_card`]: the bundled teacher's card and loader
//! - [`experiment`]: the teacher / distilled / scratch comparison
//! - [`quantize`]: the student at f16 and int8
//! - [`student_card`]: a trained student to take away, and loading it back
//! - [`drawing`]: a drawn digit made into an MNIST image
//! - [`explore`]: probabilities at any temperature, hard examples, the class-bias shift
//! - [`live`]: a comparison advanced a time slice at a time (what the browser worker drives)

pub mod bench;
pub mod data;
pub mod distill;
pub mod drawing;
pub mod error;
pub mod eval;
pub mod experiment;
pub mod explore;
pub mod live;
pub mod model;
pub mod quantize;
pub mod rng;
pub mod student_card;
pub mod teacher_card;
pub mod train;
pub mod weights;

pub use error::{Error, Result};
#[cfg(target_family = "wasm")]
pub mod web;
