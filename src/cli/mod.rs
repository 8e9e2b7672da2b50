//! What the native command-line tools share (`webdistill`, `train-teacher`): the flag parser and
//! running a core future to completion. Native only (`cli` feature).

mod args;

pub use args::Args;

/// Runs a core future to completion (natively every readback resolves at once).
pub fn block<T>(future: impl std::future::Future<Output = crate::Result<T>>) -> Result<T, String> {
    pollster::block_on(future).map_err(|e| crate::settings::message(&e))
}
