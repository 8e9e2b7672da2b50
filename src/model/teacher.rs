//! The teacher: one convolutional network, or an ensemble of them whose logits are averaged
//! (Hinton, Vinyals & Dean 2015 distil an ensemble into one net: their title case). Trained
//! natively by `train-teacher` and bundled with the page. The browser runs it over the whole
//! transfer set once, so its compute per image is the CPU user's wait; its parameters, most of
//! them in a wide dense layer that costs one multiply-add each, are what the student is measured
//! against.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, Relu};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{IMAGE_SIDE, NUM_CLASSES};
use crate::error::{Error, Result};
use crate::model::Classifier;

/// Architecture of one [`Cnn`] (LeNet-5's shape, LeCun et al. 1998, with more channels, ReLU
/// and max-pooling): conv5×5 → pool → conv5×5 → pool → dense → dense.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct CnnConfig {
    /// Channels of the first 5×5 convolution.
    pub conv1_channels: usize,
    /// Channels of the second 5×5 convolution.
    pub conv2_channels: usize,
    /// Units of the hidden dense layer.
    pub hidden: usize,
    /// Dropout on the hidden dense layer while training (Srivastava et al. 2014 used 0.5).
    pub dropout: f64,
}

impl Default for CnnConfig {
    /// The shipped teacher's shape (README, "The bundled teacher", has the measured choice).
    fn default() -> Self {
        Self {
            conv1_channels: 16,
            conv2_channels: 32,
            hidden: 1024,
            dropout: 0.5,
        }
    }
}

/// Side of the feature map after both valid 5×5 convolutions and 2×2 poolings: 28→24→12→8→4.
const FEATURE_SIDE: usize = ((IMAGE_SIDE - 4) / 2 - 4) / 2;
/// The largest channel count or dense width we accept in a card (a hostile card must not make
/// the page allocate gigabytes).
const MAX_WIDTH: usize = 4096;
/// The most members an ensemble may have.
pub const MAX_MEMBERS: usize = 16;

impl CnnConfig {
    /// The network with lazily drawn weights: loading a file never draws them, and training
    /// (src/train/teacher.rs) draws them in its first forward pass, right after seeding the device,
    /// which is what the shipped teacher's card reproduces.
    pub fn init(&self, device: &Device) -> Cnn {
        let features = self.conv2_channels * FEATURE_SIDE * FEATURE_SIDE;
        Cnn {
            conv1: Conv2dConfig::new([1, self.conv1_channels], [5, 5]).init(device),
            conv2: Conv2dConfig::new([self.conv1_channels, self.conv2_channels], [5, 5])
                .init(device),
            fc1: LinearConfig::new(features, self.hidden).init(device),
            fc2: LinearConfig::new(self.hidden, NUM_CLASSES).init(device),
            dropout: DropoutConfig::new(self.dropout).init(),
            activation: Relu::new(),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "conv5×5·{} → pool → conv5×5·{} → pool → {} → 10",
            self.conv1_channels, self.conv2_channels, self.hidden
        )
    }

    /// Multiply-adds of one forward pass over one image.
    pub fn macs_per_image(&self) -> usize {
        let conv1_side = IMAGE_SIDE - 4; // 24
        let conv2_side = conv1_side / 2 - 4; // 8
        let conv1 = conv1_side * conv1_side * self.conv1_channels * 25;
        let conv2 = conv2_side * conv2_side * self.conv2_channels * self.conv1_channels * 25;
        let fc1 = self.conv2_channels * FEATURE_SIDE * FEATURE_SIDE * self.hidden;
        conv1 + conv2 + fc1 + self.hidden * NUM_CLASSES
    }

    fn validate(&self) -> Result<()> {
        let widths = [self.conv1_channels, self.conv2_channels, self.hidden];
        if widths.iter().any(|&w| w == 0 || w > MAX_WIDTH) {
            return Err(Error::Weights(format!(
                "the teacher card describes a CNN of widths {widths:?}; each must be 1 to {MAX_WIDTH}"
            )));
        }
        Ok(())
    }
}

/// One convolutional network of the teacher.
#[derive(Module, Debug)]
pub struct Cnn {
    pub(super) conv1: Conv2d,
    pub(super) conv2: Conv2d,
    pub(super) fc1: Linear,
    pub(super) fc2: Linear,
    dropout: Dropout,
    activation: Relu,
}

impl Cnn {
    /// Units of the hidden dense layer.
    pub fn hidden_units(&self) -> usize {
        self.fc1.weight.val().dims()[1]
    }

    /// The hidden dense layer's activations and the logits.
    ///
    /// # Shapes
    /// - images: `[batch, 784]`, normalised
    /// - returns `([batch, hidden], [batch, 10])`
    pub fn forward_with_hidden(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        self.forward_normalised(images, None)
    }

    /// [`forward_with_hidden`](Self::forward_with_hidden), each convolution's output normalised
    /// by `norms` when given (training a [`NormalisedCnn`]).
    fn forward_normalised(
        &self,
        images: Tensor<2>,
        norms: Option<[&BatchNorm; 2]>,
    ) -> (Tensor<2>, Tensor<2>) {
        let [batch, _] = images.dims();
        let norm = |i: usize, x: Tensor<4>| match norms {
            Some(norms) => norms[i].forward(x),
            None => x,
        };
        let x = images.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]); // [batch, 1, 28, 28]
        let x = pool_2x2(self.activation.forward(norm(0, self.conv1.forward(x)))); // [batch, c1, 12, 12]
        let x = pool_2x2(self.activation.forward(norm(1, self.conv2.forward(x)))); // [batch, c2, 4, 4]
        let x = x.flatten::<2>(1, 3); // [batch, c2·16]
        let hidden = self.activation.forward(self.fc1.forward(x)); // [batch, hidden]
        let logits = self.fc2.forward(self.dropout.forward(hidden.clone())); // [batch, 10]
        (hidden, logits)
    }
}

/// 2×2 max-pooling with stride 2, as two reductions over a reshaped view. burn-flex's
/// `max_pool2d` goes through a generic pool that also writes i64 indices (28% of the old teacher's
/// time in a profile of the page); this labelled ~1.35× faster natively on one thread, and the
/// values are the same.
pub(crate) fn pool_2x2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h / 2, 2, w / 2, 2])
        .max_dim(5)
        .max_dim(3)
        .reshape([b, c, h / 2, w / 2])
}

impl Classifier for Cnn {
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        self.forward_with_hidden(images).1
    }
}

/// A [`Cnn`] with batch normalisation after each convolution (Ioffe & Szegedy 2015), for
/// training only: once trained, [`fold`](Self::fold) folds each normalisation into its
/// convolution's weights and bias, so the teacher that ships has the plain CNN's shape, file and
/// cost.
#[derive(Module, Debug)]
pub struct NormalisedCnn {
    cnn: Cnn,
    norm1: BatchNorm,
    norm2: BatchNorm,
}

impl NormalisedCnn {
    pub fn new(cnn: Cnn) -> Self {
        let norm = |conv: &Conv2d| {
            let channels = conv.weight.val().dims()[0];
            BatchNormConfig::new(channels).init(&conv.weight.device())
        };
        Self {
            norm1: norm(&cnn.conv1),
            norm2: norm(&cnn.conv2),
            cnn,
        }
    }

    /// The plain CNN computing what this one computes in inference: a normalisation
    /// `γ·(x − μ)/√(σ² + ε) + β` of a convolution `w∗x + b` is the convolution with weights
    /// `w·s` and bias `(b − μ)·s + β`, where `s = γ/√(σ² + ε)` per output channel.
    pub fn fold(self) -> Cnn {
        let NormalisedCnn {
            mut cnn,
            norm1,
            norm2,
        } = self.valid();
        cnn.conv1 = fold_norm(cnn.conv1, &norm1);
        cnn.conv2 = fold_norm(cnn.conv2, &norm2);
        cnn
    }
}

fn fold_norm(mut conv: Conv2d, norm: &BatchNorm) -> Conv2d {
    let mean = norm.running_mean.value();
    let scale = norm.gamma.val() / (norm.running_var.value() + norm.epsilon).sqrt(); // [c]
    let [channels] = scale.dims();
    let shift = norm.beta.val() - mean.clone() * scale.clone(); // [c]
    let bias = match conv.bias.take() {
        Some(bias) => bias.map(|b| b * scale.clone() + shift),
        None => Param::from_tensor(shift),
    };
    conv.weight = conv.weight.map(|w| w * scale.reshape([channels, 1, 1, 1]));
    conv.bias = Some(bias);
    conv
}

impl Classifier for NormalisedCnn {
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        self.cnn
            .forward_normalised(images, Some([&self.norm1, &self.norm2]))
            .1
    }
}

/// Architecture of the [`Teacher`]: its members, one or more CNNs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TeacherConfig {
    pub members: Vec<CnnConfig>,
}

impl Default for TeacherConfig {
    fn default() -> Self {
        Self {
            members: vec![CnnConfig::default()],
        }
    }
}

impl TeacherConfig {
    /// `count` members of the same shape.
    pub fn ensemble(member: CnnConfig, count: usize) -> Self {
        Self {
            members: vec![member; count],
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.members.is_empty() || self.members.len() > MAX_MEMBERS {
            return Err(Error::Weights(format!(
                "the teacher card lists {} members; a teacher has 1 to {MAX_MEMBERS}",
                self.members.len()
            )));
        }
        self.members.iter().try_for_each(CnnConfig::validate)
    }

    pub fn init(&self, device: &Device) -> Teacher {
        Teacher {
            members: self.members.iter().map(|m| m.init(device)).collect(),
        }
    }

    /// `CNN conv5×5·16 → … → 10`, or `ensemble of 3 CNNs (conv5×5·16 → … → 10)`.
    pub fn describe(&self) -> String {
        match self.members.as_slice() {
            [one] => format!("CNN {}", one.describe()),
            members if members.iter().all(|m| m == &members[0]) => format!(
                "ensemble of {} CNNs ({})",
                members.len(),
                members[0].describe()
            ),
            members => format!(
                "ensemble of {} CNNs: {}",
                members.len(),
                members
                    .iter()
                    .map(CnnConfig::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }

    /// Multiply-adds of one forward pass over one image, all members together.
    pub fn macs_per_image(&self) -> usize {
        self.members.iter().map(CnnConfig::macs_per_image).sum()
    }
}

/// The teacher: the mean of its members' logits. Averaging logits is averaging the members'
/// log-probabilities, so at every temperature T the teacher's soft targets are the normalised
/// geometric mean of the members' (Hinton et al. 2015 §1 allow the arithmetic or the geometric
/// mean; this one keeps the teacher a function to logits, which the losses and caches expect).
#[derive(Module, Debug)]
pub struct Teacher {
    pub members: Vec<Cnn>,
}

impl Teacher {
    /// Width of the hidden layer a hint loss matches: every member's dense layer, side by side.
    pub fn hidden_units(&self) -> usize {
        self.members.iter().map(Cnn::hidden_units).sum()
    }

    /// The members' hidden dense layers (concatenated) and the averaged logits.
    ///
    /// # Shapes
    /// - images: `[batch, 784]`, normalised
    /// - returns `([batch, Σ hidden], [batch, 10])`
    pub fn forward_with_hidden(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let outputs: Vec<(Tensor<2>, Tensor<2>)> = self
            .members
            .iter()
            .map(|m| m.forward_with_hidden(images.clone()))
            .collect();
        let n = outputs.len() as f32;
        let (hidden, logits): (Vec<_>, Vec<_>) = outputs.into_iter().unzip();
        let logits = Tensor::stack::<3>(logits, 0).sum_dim(0).squeeze_dim::<2>(0) / n; // [batch, 10]
        (Tensor::cat(hidden, 1), logits)
    }
}

impl Classifier for Teacher {
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        let n = self.members.len() as f32;
        let mut members = self.members.iter();
        let first = members
            .next()
            .expect("a teacher has members")
            .logits(images.clone());
        match self.members.len() {
            1 => first,
            _ => members.fold(first, |sum, m| sum + m.logits(images.clone())) / n, // [batch, 10]
        }
    }
}
