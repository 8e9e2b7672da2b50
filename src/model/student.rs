//! The student: a multilayer perceptron whose hidden layers the user chooses
//! (Hinton, Vinyals & Dean 2015 §3 used two hidden layers of 800 rectified linear units).

use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{IMAGE_PIXELS, NUM_CLASSES};
use crate::error::{Error, Result};
use crate::model::{Classifier, draw_now};

/// The largest hidden layer we accept: 4096 units already make a 13 MB student, and a hostile
/// setting must not ask the browser for gigabytes.
pub const MAX_HIDDEN_UNITS: usize = 4096;
/// At most this many hidden layers (Hinton's student has two).
pub const MAX_HIDDEN_LAYERS: usize = 8;

/// Architecture of a [`Student`]: `784 → hidden[0] → … → 10`, ReLU between layers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentConfig {
    /// Units in each hidden layer, input side first, e.g. `[800, 800]`.
    pub hidden: Vec<usize>,
}

impl StudentConfig {
    pub fn new(hidden: Vec<usize>) -> Result<Self> {
        let config = Self { hidden };
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<()> {
        if self.hidden.is_empty() {
            return Err(Error::setting(
                "hidden",
                "give at least one hidden layer, e.g. 800,800",
            ));
        }
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(Error::setting(
                "hidden",
                format!("at most {MAX_HIDDEN_LAYERS} hidden layers"),
            ));
        }
        if let Some(bad) = self
            .hidden
            .iter()
            .find(|&&w| w == 0 || w > MAX_HIDDEN_UNITS)
        {
            return Err(Error::setting(
                "hidden",
                format!("a layer of {bad} units; each layer needs 1 to {MAX_HIDDEN_UNITS} units"),
            ));
        }
        Ok(())
    }

    /// Weights and biases of the student this describes.
    pub fn params(&self) -> usize {
        let mut inputs = IMAGE_PIXELS;
        let mut params = 0;
        for &units in self.hidden.iter().chain([NUM_CLASSES].iter()) {
            params += inputs * units + units;
            inputs = units;
        }
        params
    }

    /// A readable name such as `784-800-800-10`.
    pub fn describe(&self) -> String {
        let mut parts = vec![IMAGE_PIXELS.to_string()];
        parts.extend(self.hidden.iter().map(|w| w.to_string()));
        parts.push(NUM_CLASSES.to_string());
        parts.join("-")
    }

    /// Builds the student with fresh weights, drawn now ([`draw_now`]): the seed set just before
    /// this call decides them, whatever runs next.
    pub fn init(&self, device: &Device) -> Student {
        let mut inputs = IMAGE_PIXELS;
        let hidden = self
            .hidden
            .iter()
            .map(|&units| {
                let layer = LinearConfig::new(inputs, units).init(device);
                inputs = units;
                layer
            })
            .collect();
        draw_now(Student {
            hidden,
            output: LinearConfig::new(inputs, NUM_CLASSES).init(device),
            activation: Relu::new(),
        })
    }
}

/// A multilayer perceptron from flattened, normalised 28×28 images to 10 logits.
#[derive(Module, Debug)]
pub struct Student {
    pub hidden: Vec<Linear>,
    pub output: Linear,
    activation: Relu,
}

impl Student {
    /// The last hidden layer's activations and the logits (FitNets-style hints need both).
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

/// What a trainer optimises: the student, and for a hint loss (FitNets, Romero et al. 2015) the
/// regressor from its last hidden layer to the teacher's hidden layer. Only the student is kept.
#[derive(Module, Debug)]
pub struct Trainee {
    pub student: Student,
    pub regressor: Option<Linear>,
}

impl Trainee {
    /// A fresh student, and a regressor to `hint_width` teacher units when asked for. The
    /// student is drawn first, so its weights do not depend on whether a regressor follows.
    pub fn new(config: &StudentConfig, hint_width: Option<usize>, device: &Device) -> Self {
        let student = config.init(device);
        let last = *config.hidden.last().unwrap_or(&IMAGE_PIXELS);
        let regressor =
            hint_width.map(|width| draw_now(LinearConfig::new(last, width).init(device)));
        Self { student, regressor }
    }
}

impl Classifier for Student {
    /// # Shapes
    /// - images: `[batch, 784]` → `[batch, 10]`
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        self.forward_with_hidden(images).1
    }
}
