//! The multilayer perceptron student, whose hidden layers the user chooses (Hinton, Vinyals &
//! Dean 2015 §3 used two hidden layers of 800 rectified linear units). With no hidden layer it
//! is the linear model, softmax regression.

use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;

use crate::data::{IMAGE_PIXELS, NUM_CLASSES};
use crate::error::{Error, Result};

/// The largest hidden layer we accept: 4096 units already make a 13 MB student, and a hostile
/// setting must not ask the browser for gigabytes.
pub const MAX_HIDDEN_UNITS: usize = 4096;
/// At most this many hidden layers (Hinton's student has two).
pub const MAX_HIDDEN_LAYERS: usize = 8;

pub(super) fn validate(hidden: &[usize]) -> Result<()> {
    if hidden.len() > MAX_HIDDEN_LAYERS {
        return Err(Error::setting(
            "hidden",
            format!("at most {MAX_HIDDEN_LAYERS} hidden layers"),
        ));
    }
    if let Some(bad) = hidden.iter().find(|&&w| w == 0 || w > MAX_HIDDEN_UNITS) {
        return Err(Error::setting(
            "hidden",
            format!("a layer of {bad} units; each layer needs 1 to {MAX_HIDDEN_UNITS} units"),
        ));
    }
    Ok(())
}

pub(super) fn params(hidden: &[usize]) -> usize {
    let mut inputs = IMAGE_PIXELS;
    let mut params = 0;
    for &units in hidden.iter().chain([NUM_CLASSES].iter()) {
        params += inputs * units + units;
        inputs = units;
    }
    params
}

/// `784-800-800-10`.
pub(super) fn describe(hidden: &[usize]) -> String {
    let mut parts = vec![IMAGE_PIXELS.to_string()];
    parts.extend(hidden.iter().map(|w| w.to_string()));
    parts.push(NUM_CLASSES.to_string());
    parts.join("-")
}

pub(super) fn init(hidden: &[usize], device: &Device) -> Mlp {
    let mut inputs = IMAGE_PIXELS;
    let hidden = hidden
        .iter()
        .map(|&units| {
            let layer = LinearConfig::new(inputs, units).init(device);
            inputs = units;
            layer
        })
        .collect();
    Mlp {
        hidden,
        output: LinearConfig::new(inputs, NUM_CLASSES).init(device),
        activation: Relu::new(),
    }
}

/// A multilayer perceptron from flattened, normalised 28×28 images to 10 logits.
#[derive(Module, Debug)]
pub struct Mlp {
    pub hidden: Vec<Linear>,
    pub output: Linear,
    activation: Relu,
}

impl Mlp {
    /// The last hidden layer's activations (the input itself for the linear model) and the
    /// logits (FitNets-style hints need both).
    ///
    /// # Shapes
    /// - images: `[batch, 784]`
    /// - returns `([batch, hidden.last()], [batch, 10])`
    pub fn forward_with_hidden(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let mut x = images; // [batch, 784]
        for layer in &self.hidden {
            x = self.activation.forward(layer.forward(x)); // [batch, units]
        }
        let logits = self.output.forward(x.clone()); // [batch, 10]
        (x, logits)
    }
}
