//! Training a teacher (`train-teacher`): batch normalisation folded into the convolutions leaves
//! the network's outputs as they were, and whole-pixel shifts copy pixels rather than blend them.

use burn::optim::AdamConfig;
use burn::prelude::*;
use webdistill::data::{Augment, IMAGE_PIXELS, Mnist, normalize_pixel};
use webdistill::eval::{evaluate, read_floats};
use webdistill::model::{Classifier, CnnConfig, NormalisedCnn, draw_now, seeded};
use webdistill::rng::SplitMix64;
use webdistill::train::optimizer_step;
use webdistill::train::teacher::{MemberTraining, train_member};

use crate::support::synthetic;

fn small_cnn() -> CnnConfig {
    CnnConfig {
        conv1_channels: 4,
        conv2_channels: 8,
        hidden: 16,
        dropout: 0.0,
    }
}

#[test]
fn folding_batch_norm_keeps_the_outputs() {
    let device = Device::flex();
    let data = synthetic(32);
    let images = |device: &Device| {
        let pixels: Vec<f32> = (0..32)
            .flat_map(|i| data.image(i).iter().map(|&p| normalize_pixel(p)))
            .collect();
        Tensor::<2>::from_data(TensorData::new(pixels, [32, IMAGE_PIXELS]), device)
    };
    // A few large steps on any loss move the running statistics, the scales and the shifts far
    // from the identity they start at.
    let ad = device.clone().autodiff();
    let mut net = seeded(&ad, 7, || {
        draw_now(NormalisedCnn::new(small_cnn().init(&ad)))
    });
    let mut optimizer = AdamConfig::new().init();
    for _ in 0..10 {
        let loss = net.logits(images(&ad)).powf_scalar(2.0).mean(); // [1]
        net = optimizer_step(&mut optimizer, 0.05, net, loss);
    }
    let net = net.valid();
    let normalised = pollster::block_on(read_floats(net.logits(images(&device)))).unwrap();
    let folded = pollster::block_on(read_floats(net.fold().logits(images(&device)))).unwrap();
    let largest = normalised.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(
        largest > 0.1,
        "the outputs are not trivially zero: {largest}"
    );
    for (a, b) in normalised.iter().zip(&folded) {
        assert!((a - b).abs() <= 1e-4 * largest.max(1.0), "{a} vs {b}");
    }
}

/// `n` images whose label `i % 10` is where a white 8×8 block lies (a CNN's easy case; the
/// stripes of `synthetic` are not, once pooled).
fn blocks(n: usize) -> Mnist {
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let mut pixels = vec![0u8; n * IMAGE_PIXELS];
    for (i, &label) in labels.iter().enumerate() {
        let (top, left) = (2 + 14 * (label as usize / 5), 1 + 5 * (label as usize % 5));
        for y in top..top + 8 {
            for x in left..left + 8 {
                pixels[i * IMAGE_PIXELS + y * 28 + x] = 255;
            }
        }
    }
    Mnist::from_parts(pixels, labels).expect("consistent parts")
}

#[test]
fn a_member_trained_with_batch_norm_learns_and_ships_folded() {
    let device = Device::flex();
    let data = blocks(100);
    let training = MemberTraining {
        member: small_cnn(),
        epochs: 8,
        batch_size: 10,
        learning_rate: 1e-2,
        augment: Augment::NONE,
        batch_norm: true,
        ..MemberTraining::default()
    };
    let mut last = None;
    let folded = pollster::block_on(train_member(&training, &data, &data, &device, &mut |r| {
        last = Some(r.test.clone())
    }))
    .unwrap();
    let before_folding = last.unwrap();
    let after = pollster::block_on(evaluate(&folded, &data, &device)).unwrap();
    assert!(
        after.accuracy > 0.5,
        "it learned the synthetic rule: {after:?}"
    );
    assert_eq!(
        after.errors, before_folding.errors,
        "folding changed no answer"
    );
    assert!(
        training
            .describe_optimizer()
            .contains("batch normalisation")
    );
}

#[test]
fn whole_pixel_shifts_copy_pixels() {
    let data = synthetic(10);
    let augment = Augment {
        max_rotation_deg: 0.0,
        max_scale: 0.0,
        max_shift: 2.0,
        flip: true,
        whole_pixels: true,
        erase: 0.0,
    };
    let rows: Vec<u32> = (0..10).collect();
    let out = augment.batch(&data, &rows, &mut SplitMix64::new(3));
    // The synthetic images hold only 0 and 255; a blend would make values in between.
    let (black, white) = (normalize_pixel(0), normalize_pixel(255));
    assert!(out.iter().all(|&v| v == black || v == white));
    let bilinear = Augment {
        whole_pixels: false,
        ..augment
    };
    let blended = bilinear.batch(&data, &rows, &mut SplitMix64::new(3));
    assert!(blended.iter().any(|&v| v != black && v != white));
}

#[test]
fn random_erasing_replaces_one_rectangle_within_the_papers_bounds() {
    let data = synthetic(20);
    let rows: Vec<u32> = (0..20).collect();
    let plain = Augment::NONE.batch(&data, &rows, &mut SplitMix64::new(5));
    let erasing = Augment {
        erase: 1.0,
        ..Augment::NONE
    };
    let erased = erasing.batch(&data, &rows, &mut SplitMix64::new(5));
    let mut changed = 0;
    for (a, b) in plain.chunks(784).zip(erased.chunks(784)) {
        let differ: Vec<(usize, usize)> = (0..784)
            .filter(|&i| a[i] != b[i])
            .map(|i| (i / 28, i % 28))
            .collect();
        if differ.is_empty() {
            continue;
        }
        changed += 1;
        let rows = differ.iter().map(|d| d.0);
        let cols = differ.iter().map(|d| d.1);
        let height = rows.clone().max().unwrap() - rows.min().unwrap() + 1;
        let width = cols.clone().max().unwrap() - cols.min().unwrap() + 1;
        // Within the rectangle of at most 40% of the image (rounding its sides adds a little).
        assert!(height * width <= 350, "{height}×{width}");
    }
    assert!(changed >= 18, "erased {changed} of 20 images");
    // Off, nothing is drawn for it: the same images as without the field.
    let off = Augment {
        erase: 0.0,
        ..erasing
    };
    assert_eq!(off.batch(&data, &rows, &mut SplitMix64::new(5)), plain);
}
