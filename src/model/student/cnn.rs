//! The convolutional student: LeNet-5's shape (LeCun et al. 1998) kept small, the kind of
//! student Keras' and PyTorch's distillation tutorials use: conv5×5·c1 → ReLU → pool →
//! conv5×5·c2 → ReLU → pool → one dense layer to the 10 logits. Its weights are shared across
//! the image, so it needs far fewer parameters than an MLP of the same accuracy.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, Relu};
use burn::prelude::*;

use crate::data::{IMAGE_SIDE, NUM_CLASSES};
use crate::error::{Error, Result};

/// The most channels a convolution may have (a hostile setting must not allocate gigabytes;
/// the teacher itself has 16 and 32).
pub const MAX_CHANNELS: usize = 256;
/// Side of the convolutions' kernels.
const KERNEL: usize = 5;
/// Side of the first convolution's output (valid padding): 28 → 24.
const CONV1_SIDE: usize = IMAGE_SIDE - KERNEL + 1;
/// Side of the second's: 12 → 8.
const CONV2_SIDE: usize = CONV1_SIDE / 2 - KERNEL + 1;
/// Side of the feature map the dense layer reads: 8 → 4.
pub(crate) const FEATURE_SIDE: usize = CONV2_SIDE / 2;

pub(super) fn validate(channels: &[usize; 2]) -> Result<()> {
    match channels.iter().find(|&&c| c == 0 || c > MAX_CHANNELS) {
        Some(bad) => Err(Error::setting(
            "channels",
            format!("a convolution of {bad} channels; each needs 1 to {MAX_CHANNELS}"),
        )),
        None => Ok(()),
    }
}

/// Units the dense layer reads: the second convolution's pooled feature map.
pub(super) fn features(channels: &[usize; 2]) -> usize {
    channels[1] * FEATURE_SIDE * FEATURE_SIDE
}

pub(super) fn params(channels: &[usize; 2]) -> usize {
    let [c1, c2] = *channels;
    let area = KERNEL * KERNEL;
    (area * c1 + c1) + (area * c1 * c2 + c2) + (features(channels) * NUM_CLASSES + NUM_CLASSES)
}

/// Activations per image beyond input and output, and the largest of them.
pub(super) fn activation_units(channels: &[usize; 2]) -> (usize, usize) {
    let [c1, c2] = *channels;
    let conv1 = CONV1_SIDE * CONV1_SIDE * c1;
    let conv2 = CONV2_SIDE * CONV2_SIDE * c2;
    (conv1 + conv1 / 4 + conv2 + conv2 / 4, conv1)
}

pub(super) fn init(channels: &[usize; 2], device: &Device) -> CnnStudent {
    let [c1, c2] = *channels;
    CnnStudent {
        conv1: Conv2dConfig::new([1, c1], [KERNEL, KERNEL]).init(device),
        conv2: Conv2dConfig::new([c1, c2], [KERNEL, KERNEL]).init(device),
        output: LinearConfig::new(features(channels), NUM_CLASSES).init(device),
        activation: Relu::new(),
    }
}

/// The small convolutional student.
#[derive(Module, Debug)]
pub struct CnnStudent {
    pub conv1: Conv2d,
    pub conv2: Conv2d,
    pub output: Linear,
    activation: Relu,
}

impl CnnStudent {
    /// The pooled features the dense layer reads, flattened, and the logits.
    ///
    /// # Shapes
    /// - images: `[batch, 784]`, normalised
    /// - returns `([batch, c2·16], [batch, 10])`
    pub fn forward_with_hidden(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [batch, _] = images.dims();
        let x = images.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]); // [batch, 1, 28, 28]
        let x = pool(self.activation.forward(self.conv1.forward(x))); // [batch, c1, 12, 12]
        let x = pool(self.activation.forward(self.conv2.forward(x))); // [batch, c2, 4, 4]
        let features = x.flatten::<2>(1, 3); // [batch, c2·16]
        let logits = self.output.forward(features.clone()); // [batch, 10]
        (features, logits)
    }
}

/// 2×2 max-pooling, stride 2, by burn's own `max_pool2d`. The teacher, which only infers, pools
/// by reductions over a reshaped view (`teacher::pool_2x2`, faster without gradients); a student
/// trains, and `max_pool2d`'s backward routes the gradient by the indices it kept: the default
/// CNN's run took 46.5 s natively against 66.4 s with `pool_2x2`, to the same errors
/// (docs/BENCHMARKS.md).
fn pool(x: Tensor<4>) -> Tensor<4> {
    burn::tensor::module::max_pool2d(x, burn::tensor::ops::MaxPoolOptions::new([2, 2]))
}
