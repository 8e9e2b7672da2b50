//! Native tests of the distillation core, on the CPU backend (burn's flex), deterministic with
//! seeds. One test binary with modules: each integration-test binary links all of burn.

mod backend_choice;
mod bench;
mod bundled_teacher;
mod convolution;
mod drawing;
mod explore;
mod export;
mod exported;
mod fashion;
mod hint;
mod idx;
mod integer_teacher;
mod labelling;
mod layers;
mod losses;
mod onnx;
mod pooling;
mod run;
mod settings;
mod students;
mod support;
mod teacher_training;
mod tfjs;
mod training;
mod transfer;
mod weights;
