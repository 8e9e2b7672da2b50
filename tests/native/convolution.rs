//! The CPU backend's convolution of few channels (the CNN student's two layers, the teachers'
//! first), which takes a register-blocked path for unpadded stride-1 kernels in the patched
//! burn-flex (vendor/burn-flex): the same values, to the bit, as the textbook sum in the same
//! order and as burn-flex's padded path over the same zero-padded image.

use burn::prelude::*;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;

const BATCH: usize = 2;
const IN: usize = 3;
const OUT: usize = 4;
const KERNEL: usize = 5;
/// 12 × 13: an output of 8 × 9, a whole block of eight columns and one more.
const H: usize = 12;
const W: usize = 13;

/// Deterministic values of both signs, no two alike.
fn values(count: usize, seed: u32) -> Vec<f32> {
    (0..count)
        .map(|i| ((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 2001)
        .map(|v| (v as f32 - 1000.0) / 337.0)
        .collect()
}

/// `out[b][o][y][x]`: from zero, `x * w + acc` over input channels, then kernel rows and columns.
fn textbook(x: &[f32], w: &[f32]) -> Vec<f32> {
    let (oh, ow) = (H - KERNEL + 1, W - KERNEL + 1);
    let mut out = Vec::with_capacity(BATCH * OUT * oh * ow);
    for b in 0..BATCH {
        for o in 0..OUT {
            for y in 0..oh {
                for x0 in 0..ow {
                    let mut acc = 0.0f32;
                    for c in 0..IN {
                        for kh in 0..KERNEL {
                            for kw in 0..KERNEL {
                                let xi = ((b * IN + c) * H + y + kh) * W + x0 + kw;
                                let wi = ((o * IN + c) * KERNEL + kh) * KERNEL + kw;
                                acc = x[xi] * w[wi] + acc;
                            }
                        }
                    }
                    out.push(acc);
                }
            }
        }
    }
    out
}

fn flex_conv(x: Vec<f32>, shape: [usize; 4], w: Vec<f32>, padding: usize) -> Vec<f32> {
    let device = Device::flex();
    let x = Tensor::<1>::from_floats(x.as_slice(), &device).reshape(shape);
    let w = Tensor::<1>::from_floats(w.as_slice(), &device).reshape([OUT, IN, KERNEL, KERNEL]);
    let options = ConvOptions::new([1, 1], [padding, padding], [1, 1], 1);
    conv2d(x, w, None, options)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap()
}

#[test]
fn unpadded_small_channel_convolution_matches_the_textbook_sum_to_the_bit() {
    let x = values(BATCH * IN * H * W, 7);
    let w = values(OUT * IN * KERNEL * KERNEL, 11);
    let got = flex_conv(x.clone(), [BATCH, IN, H, W], w.clone(), 0);
    assert_eq!(got, textbook(&x, &w));
}

#[test]
fn unpadded_and_padded_paths_agree_on_a_zero_padded_image() {
    // The padded path skips the border's terms; the unpadded one adds them as 0 · w.
    let pad = 2;
    let (h, w_) = (H - 2 * pad, W - 2 * pad);
    let inner = values(BATCH * IN * h * w_, 5);
    let mut padded = vec![0.0f32; BATCH * IN * H * W];
    for plane in 0..BATCH * IN {
        for y in 0..h {
            for x0 in 0..w_ {
                padded[(plane * H + y + pad) * W + x0 + pad] = inner[(plane * h + y) * w_ + x0];
            }
        }
    }
    let w = values(OUT * IN * KERNEL * KERNEL, 3);
    let by_padding = flex_conv(inner, [BATCH, IN, h, w_], w.clone(), pad);
    let unpadded = flex_conv(padded, [BATCH, IN, H, W], w, 0);
    assert_eq!(by_padding, unpadded);
}
