//! The teacher's labelling pass in integer arithmetic, for the CPU backend: labelling the
//! transfer set is most of a CPU user's wait, and i16 products summed in i32 run eight
//! multiply-adds per SIMD instruction where f32 runs two ([`super::gemm_i16`]).
//!
//! The scheme is symmetric linear quantisation (Jacob et al. 2018, as TFLite and XNNPACK use it):
//! - each layer's weights as i16 with one f32 scale per output channel or unit;
//! - each layer's input as i16 with one scale per image (so an image's logits never depend on the
//!   images labelled beside it, and any split of the work between workers gives the same bits);
//! - the first convolution reads the grey bytes themselves: the normalisation `p·a + b` is folded
//!   into its scale and bias, so its input is exact;
//! - sums in i32, exact; everything after them (scale, bias, max-pool, ReLU, the 10-way output
//!   layer) in f32, in one fixed order, so native and wasm agree to the bit.
//!
//! Weights and activations get as many levels as a layer's depth allows without an i32 sum
//! overflowing: `|x|·|w|·depth ≤ i32::MAX`, i.e. about 11 bits each for depth 512
//! ([`levels`]). The logits stay within a few thousandths of the f32 pass's
//! (`tests/native/integer_teacher.rs` holds them to a stated tolerance).

use burn::prelude::*;

use super::gemm_i16::{PackedMatrix, ROWS, gemm};
use super::teacher::{Cnn, Teacher};
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES, PIXEL_MEAN, PIXEL_STD};
use crate::error::{Error, Result};

/// Side of the first convolution's output (valid 5×5 on 28×28), of its pooled map, of the second
/// convolution's output and of its pooled map.
const SIDE1: usize = IMAGE_SIDE - 4;
const POOLED1: usize = SIDE1 / 2;
const SIDE2: usize = POOLED1 - 4;
const POOLED2: usize = SIDE2 / 2;
const TAPS: usize = 25;
/// The largest grey byte: the first convolution's input is exact.
const MAX_PIXEL: i64 = 255;

/// The teacher, quantised for labelling: the mean of its members' logits, as [`Teacher`].
#[derive(Debug, Clone)]
pub struct IntegerTeacher {
    members: Vec<IntegerCnn>,
}

/// One layer's weights: `[depth × outputs]` as i16, the scale of each output, its bias.
#[derive(Debug, Clone)]
struct Layer {
    weights: PackedMatrix,
    scales: Vec<f32>,
    bias: Vec<f32>,
    /// Levels of the layer's input: quantised inputs lie in `[0, input_levels]`.
    input_levels: f32,
}

#[derive(Debug, Clone)]
struct IntegerCnn {
    conv1: Layer,
    conv2: Layer,
    fc1: Layer,
    /// The output layer, `[hidden × 10]`, in f32: 1% of the multiply-adds.
    fc2_weights: Vec<f32>,
    fc2_bias: Vec<f32>,
    channels1: usize,
    channels2: usize,
    hidden: usize,
}

/// How many levels each side of a product of depth `depth` may use so that no i32 sum
/// overflows, with the other side at most `other` (`None`: as many as this side).
fn levels(depth: usize, other: Option<i64>) -> i64 {
    let budget = i32::MAX as i64 / depth.max(1) as i64;
    let levels = match other {
        Some(other) => budget / other,
        None => (budget as f64).sqrt() as i64,
    };
    levels.clamp(1, i16::MAX as i64)
}

/// `weights[o]` (each `depth` long, one per output) quantised to `levels` per output: the
/// packed matrix `[depth × outputs]` and each output's scale.
fn quantise_weights(rows: &[Vec<f32>], depth: usize, levels: i64) -> (PackedMatrix, Vec<f32>) {
    let scales: Vec<f32> = rows
        .iter()
        .map(|w| {
            let max = w.iter().fold(0f32, |m, v| m.max(v.abs()));
            if max > 0.0 { max / levels as f32 } else { 1.0 }
        })
        .collect();
    let packed = PackedMatrix::pack(depth, rows.len(), |k, o| {
        (rows[o][k] / scales[o]).round_ties_even() as i16
    });
    (packed, scales)
}

/// Quantises `values` (all ≥ 0: after ReLU) to `[0, levels]` into `out`; returns the scale.
fn quantise_activations(values: &[f32], levels: f32, out: &mut [i16]) -> f32 {
    let max = values.iter().fold(0f32, |m, &v| m.max(v));
    if max <= 0.0 {
        out[..values.len()].fill(0);
        return 1.0;
    }
    let inverse = levels / max;
    for (q, &v) in out.iter_mut().zip(values) {
        *q = (v * inverse).round_ties_even().min(levels) as i16;
    }
    max / levels
}

async fn host(tensor: Tensor<1>) -> Result<Vec<f32>> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| Error::Device(format!("reading the teacher's weights failed: {e:?}")))?;
    data.convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| Error::Device(format!("unexpected weight type: {e:?}")))
}

async fn host_bias(bias: Option<Tensor<1>>, outputs: usize) -> Result<Vec<f32>> {
    match bias {
        Some(bias) => host(bias).await,
        None => Ok(vec![0.0; outputs]),
    }
}

/// `flat` (outputs × depth, row-major) as one row per output.
fn per_output(flat: &[f32], outputs: usize) -> Vec<Vec<f32>> {
    flat.chunks(flat.len() / outputs.max(1))
        .map(<[f32]>::to_vec)
        .collect()
}

/// `flat` (depth × outputs, row-major, as burn's `Linear` stores it) as one row per output.
fn transposed(flat: &[f32], outputs: usize) -> Vec<Vec<f32>> {
    let depth = flat.len() / outputs.max(1);
    (0..outputs)
        .map(|o| (0..depth).map(|k| flat[k * outputs + o]).collect())
        .collect()
}

impl Layer {
    /// A layer over an input of `depth` values (after ReLU) whose weights (one row per output)
    /// and input get the same number of levels, as many as an i32 sum allows.
    fn balanced(rows: &[Vec<f32>], depth: usize, bias: Vec<f32>) -> Self {
        let levels = levels(depth, None);
        let (weights, scales) = quantise_weights(rows, depth, levels);
        Self {
            weights,
            scales,
            bias,
            input_levels: levels as f32,
        }
    }
}

impl IntegerCnn {
    async fn quantise(cnn: &Cnn) -> Result<Self> {
        let [channels1, _, _, _] = cnn.conv1.weight.dims();
        let [channels2, _, _, _] = cnn.conv2.weight.dims();
        let [features, hidden] = cnn.fc1.weight.dims();
        let depth2 = channels1 * TAPS;

        // The first convolution on grey bytes p: w·(p·a + b) + c = a·(w·p) + (b·Σw + c).
        let (a, b) = (1.0 / (255.0 * PIXEL_STD), -PIXEL_MEAN / PIXEL_STD);
        let w1 = per_output(
            &host(cnn.conv1.weight.val().flatten(0, 3)).await?,
            channels1,
        );
        let bias1 = host_bias(cnn.conv1.bias.as_ref().map(|b| b.val()), channels1).await?;
        let (packed1, scales1) = quantise_weights(&w1, TAPS, levels(TAPS, Some(MAX_PIXEL)));
        let conv1 = Layer {
            weights: packed1,
            scales: scales1.iter().map(|s| s * a).collect(),
            bias: (w1.iter().zip(&bias1))
                .map(|(w, c)| b * w.iter().sum::<f32>() + c)
                .collect(),
            input_levels: MAX_PIXEL as f32,
        };

        // burn stores each kernel as [input channel, ky, kx]; the patches are [ky, kx, channel].
        let w2 = per_output(
            &host(cnn.conv2.weight.val().flatten(0, 3)).await?,
            channels2,
        );
        let w2: Vec<Vec<f32>> = (w2.iter())
            .map(|w| {
                let tap_major = |k: usize| w[(k % channels1) * TAPS + k / channels1];
                (0..depth2).map(tap_major).collect()
            })
            .collect();
        let bias2 = host_bias(cnn.conv2.bias.as_ref().map(|b| b.val()), channels2).await?;
        let conv2 = Layer::balanced(&w2, depth2, bias2);

        let w3 = transposed(&host(cnn.fc1.weight.val().flatten(0, 1)).await?, hidden);
        let bias3 = host_bias(cnn.fc1.bias.as_ref().map(|b| b.val()), hidden).await?;
        let fc1 = Layer::balanced(&w3, features, bias3);

        Ok(Self {
            conv1,
            conv2,
            fc1,
            fc2_weights: host(cnn.fc2.weight.val().flatten(0, 1)).await?,
            fc2_bias: host_bias(cnn.fc2.bias.as_ref().map(|b| b.val()), NUM_CLASSES).await?,
            channels1,
            channels2,
            hidden,
        })
    }

    /// The hidden layer (`[images × hidden]`) and logits (`[images × 10]`) of `images`, each
    /// 784 grey bytes.
    fn forward(&self, images: &[&[u8]], hidden_out: &mut Vec<f32>, logits_out: &mut Vec<f32>) {
        let rows = images.len().next_multiple_of(ROWS);
        let depth3 = self.fc1.weights.depth();
        let mut fc1_input = vec![0i16; rows * depth3];
        let mut fc1_scales = vec![1f32; rows];
        let mut scratch = Scratch::new(self);
        for (i, image) in images.iter().enumerate() {
            let row = &mut fc1_input[i * depth3..(i + 1) * depth3];
            fc1_scales[i] = self.features(image, &mut scratch, row);
        }
        let width = self.fc1.weights.width();
        let mut sums = vec![0i32; rows * width];
        gemm(&fc1_input, rows, &self.fc1.weights, &mut sums);
        let mut hidden = vec![0f32; self.hidden];
        for (i, &input_scale) in fc1_scales.iter().enumerate().take(images.len()) {
            for (h, value) in hidden.iter_mut().enumerate() {
                let sum = sums[i * width + h] as f32;
                *value = (sum * (input_scale * self.fc1.scales[h]) + self.fc1.bias[h]).max(0.0);
            }
            let mut logits = [0f32; NUM_CLASSES];
            logits.copy_from_slice(&self.fc2_bias);
            for (h, &x) in hidden.iter().enumerate() {
                let w = &self.fc2_weights[h * NUM_CLASSES..(h + 1) * NUM_CLASSES];
                for (l, w) in logits.iter_mut().zip(w) {
                    *l += x * w;
                }
            }
            hidden_out.extend_from_slice(&hidden);
            logits_out.extend_from_slice(&logits);
        }
    }

    /// Both convolutions and poolings of one image, quantised into `out` (the dense layer's
    /// input, channel-major as burn flattens `[channels, 4, 4]`); returns its scale.
    fn features(&self, image: &[u8], s: &mut Scratch, out: &mut [i16]) -> f32 {
        // conv1: one row of 25 taps (padded) per output position, from the image as i16.
        for (wide, &p) in s.image.iter_mut().zip(image) {
            *wide = p as i16;
        }
        let depth1 = self.conv1.weights.depth();
        for y in 0..SIDE1 {
            for x in 0..SIDE1 {
                let row = &mut s.patches1[(y * SIDE1 + x) * depth1..][..TAPS];
                for ky in 0..5 {
                    let from = (y + ky) * IMAGE_SIDE + x;
                    row[ky * 5..ky * 5 + 5].copy_from_slice(&s.image[from..from + 5]);
                }
            }
        }
        let map1 = (SIDE1, self.channels1, Layout::ChannelsLast);
        convolve_and_pool(
            &s.patches1,
            &self.conv1,
            1.0,
            map1,
            &mut s.sums1,
            &mut s.pooled1,
        );
        let scale1 = quantise_activations(&s.pooled1, self.conv2.input_levels, &mut s.quantised1);

        // conv2: per output position and kernel row, five positions' channels side by side:
        // one copy each, as the pooled map is channels-last (the weights are packed to match).
        let depth2 = self.conv2.weights.depth();
        let span = 5 * self.channels1;
        for y in 0..SIDE2 {
            for x in 0..SIDE2 {
                let row = &mut s.patches2[(y * SIDE2 + x) * depth2..][..depth2];
                for ky in 0..5 {
                    let from = ((y + ky) * POOLED1 + x) * self.channels1;
                    row[ky * span..(ky + 1) * span]
                        .copy_from_slice(&s.quantised1[from..from + span]);
                }
            }
        }
        let map2 = (SIDE2, self.channels2, Layout::ChannelsFirst);
        convolve_and_pool(
            &s.patches2,
            &self.conv2,
            scale1,
            map2,
            &mut s.sums2,
            &mut s.pooled2,
        );
        quantise_activations(&s.pooled2, self.fc1.input_levels, out)
    }
}

/// How a pooled map is stored: `[y, x, channel]` (conv2's input, so that its patches are whole
/// runs) or `[channel, y, x]` (burn's order, which the dense layer's weights expect).
#[derive(Clone, Copy)]
enum Layout {
    ChannelsLast,
    ChannelsFirst,
}

/// A convolution over `patches` (one row per output position of a `side × side` map, quantised
/// with `input_scale`) into `sums`, then 2×2 max-pooling of its `channels` (max before scaling:
/// every scale is positive), scaling (`input_scale · weight scale`), bias and ReLU, into `out`
/// as `[side/2, side/2]` maps in `layout`.
fn convolve_and_pool(
    patches: &[i16],
    layer: &Layer,
    input_scale: f32,
    (side, channels, layout): (usize, usize, Layout),
    sums: &mut [i32],
    out: &mut [f32],
) {
    gemm(patches, side * side, &layer.weights, sums);
    let width = layer.weights.width();
    let half = side / 2;
    for y in 0..half {
        for x in 0..half {
            let at = |dy: usize, dx: usize| {
                &sums[((2 * y + dy) * side + 2 * x + dx) * width..][..channels]
            };
            let (a, b, c, d) = (at(0, 0), at(0, 1), at(1, 0), at(1, 1));
            for ch in 0..channels {
                let max = a[ch].max(b[ch]).max(c[ch]).max(d[ch]);
                let value =
                    (max as f32 * (input_scale * layer.scales[ch]) + layer.bias[ch]).max(0.0);
                let to = match layout {
                    Layout::ChannelsLast => (y * half + x) * channels + ch,
                    Layout::ChannelsFirst => (ch * half + y) * half + x,
                };
                out[to] = value;
            }
        }
    }
}

/// One image's buffers, reused across the images of a batch.
struct Scratch {
    image: Vec<i16>,
    patches1: Vec<i16>,
    sums1: Vec<i32>,
    pooled1: Vec<f32>,
    quantised1: Vec<i16>,
    patches2: Vec<i16>,
    sums2: Vec<i32>,
    pooled2: Vec<f32>,
}

impl Scratch {
    fn new(cnn: &IntegerCnn) -> Self {
        let (conv1, conv2) = (&cnn.conv1.weights, &cnn.conv2.weights);
        Self {
            image: vec![0; IMAGE_PIXELS],
            patches1: vec![0; SIDE1 * SIDE1 * conv1.depth()],
            sums1: vec![0; SIDE1 * SIDE1 * conv1.width()],
            pooled1: vec![0.0; cnn.channels1 * POOLED1 * POOLED1],
            quantised1: vec![0; cnn.channels1 * POOLED1 * POOLED1],
            patches2: vec![0; SIDE2 * SIDE2 * conv2.depth()],
            sums2: vec![0; SIDE2 * SIDE2 * conv2.width()],
            pooled2: vec![0.0; cnn.channels2 * POOLED2 * POOLED2],
        }
    }
}

impl IntegerTeacher {
    /// `teacher` quantised (its weights read back from its device).
    pub async fn quantise(teacher: &Teacher) -> Result<Self> {
        let mut members = Vec::with_capacity(teacher.members.len());
        for member in &teacher.members {
            members.push(IntegerCnn::quantise(member).await?);
        }
        Ok(Self { members })
    }

    /// Width of the hidden layer: every member's dense layer, side by side (as
    /// [`Teacher::hidden_units`]).
    pub fn hidden_units(&self) -> usize {
        self.members.iter().map(|m| m.hidden).sum()
    }

    /// The logits (`[images × 10]`, the members' mean) of `images`, each 784 grey bytes, and the
    /// members' hidden layers side by side (`[images × Σ hidden]`) when `with_hidden`.
    pub fn forward(&self, images: &[&[u8]], with_hidden: bool) -> (Vec<f32>, Option<Vec<f32>>) {
        assert!(images.iter().all(|i| i.len() == IMAGE_PIXELS));
        let n = images.len();
        let mut sum = vec![0f32; n * NUM_CLASSES];
        let mut hidden = with_hidden.then(|| vec![0f32; n * self.hidden_units()]);
        let mut offset = 0;
        for member in &self.members {
            let (mut member_hidden, mut logits) = (Vec::new(), Vec::new());
            member.forward(images, &mut member_hidden, &mut logits);
            for (s, l) in sum.iter_mut().zip(&logits) {
                *s += l;
            }
            if let Some(hidden) = &mut hidden {
                let (width, total) = (member.hidden, self.hidden_units());
                for i in 0..n {
                    hidden[i * total + offset..][..width]
                        .copy_from_slice(&member_hidden[i * width..(i + 1) * width]);
                }
            }
            offset += member.hidden;
        }
        if self.members.len() > 1 {
            let count = self.members.len() as f32;
            sum.iter_mut().for_each(|s| *s /= count);
        }
        (sum, hidden)
    }
}
