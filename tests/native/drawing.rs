//! A drawn digit becomes an MNIST image the way MNIST's were made: 20×20 box, centre of mass in
//! the middle of 28×28, grey edges; and the teacher reads real digits redrawn that way as before.

use burn::prelude::*;
use webdistill::data::{IMAGE_SIDE, Mnist};
use webdistill::drawing::{mnist_from_canvas, mnist_from_ink};
use webdistill::eval::{argmax, predict_logits};

use crate::support::{mnist, teacher};

/// `image` (28×28 grey bytes) scaled up `k` times onto a transparent RGBA canvas, in black ink.
fn canvas_of(image: &[u8], k: usize) -> (Vec<u8>, usize) {
    let side = IMAGE_SIDE * k;
    let mut rgba = vec![0u8; side * side * 4];
    for y in 0..side {
        for x in 0..side {
            let p = image[(y / k) * IMAGE_SIDE + x / k];
            rgba[(y * side + x) * 4 + 3] = p; // black (0, 0, 0) at alpha p
        }
    }
    (rgba, side)
}

fn ink_box(image: &[u8]) -> (usize, usize, usize, usize) {
    let on: Vec<(usize, usize)> = (0..784)
        .filter(|&i| image[i] > 0)
        .map(|i| (i % 28, i / 28))
        .collect();
    let xs = on.iter().map(|p| p.0);
    let ys = on.iter().map(|p| p.1);
    (
        xs.clone().min().unwrap(),
        xs.max().unwrap() + 1,
        ys.clone().min().unwrap(),
        ys.max().unwrap() + 1,
    )
}

fn centre_of_mass(image: &[u8]) -> (f64, f64) {
    let (mut m, mut x, mut y) = (0.0, 0.0, 0.0);
    for (i, &p) in image.iter().enumerate() {
        let w = p as f64;
        m += w;
        x += w * ((i % 28) as f64 + 0.5);
        y += w * ((i / 28) as f64 + 0.5);
    }
    (x / m, y / m)
}

#[test]
fn a_tall_stroke_fills_twenty_pixels_and_sits_at_the_centre() {
    // A 30×150 bar, off to a corner of a 300×300 canvas.
    let (w, h) = (300, 300);
    let mut ink = vec![0.0f32; w * h];
    for y in 10..160 {
        for x in 200..230 {
            ink[y * w + x] = 1.0;
        }
    }
    let image = mnist_from_ink(&ink, w, h).unwrap();
    let (x0, x1, y0, y1) = ink_box(&image);
    assert_eq!(y1 - y0, 20, "the longer side is scaled to the 20-pixel box");
    assert_eq!(x1 - x0, 4, "the aspect ratio is kept (30:150 of 20 is 4)");
    let (cx, cy) = centre_of_mass(&image);
    assert!(
        (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
        "centre of mass ({cx}, {cy})"
    );
    assert_eq!(image.iter().copied().max(), Some(255));
}

#[test]
fn edges_get_grey_levels_from_area_averaging() {
    // A solid disc 31 pixels across becomes 20 pixels: its round edge cuts through cells, which
    // area averaging turns grey, while every cell inside it stays full ink.
    let (w, h) = (64, 64);
    let mut ink = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 - 31.5, y as f32 - 31.5);
            if dx * dx + dy * dy <= 15.5 * 15.5 {
                ink[y * w + x] = 1.0;
            }
        }
    }
    let image = mnist_from_ink(&ink, w, h).unwrap();
    let at = |x: usize, y: usize| image[y * 28 + x];
    let mut greys = 0;
    for y in 1..27 {
        for x in 1..27 {
            let p = at(x, y);
            if p > 0 && p < 255 {
                greys += 1;
                let on_edge = [at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1)]
                    .iter()
                    .any(|&n| n < 255);
                assert!(on_edge, "grey {p} at ({x}, {y}) inside the disc");
            }
        }
    }
    assert!(greys > 0, "grey levels at the disc's edge");
}

#[test]
fn real_digits_redrawn_on_a_canvas_are_read_as_before() {
    let device = Device::flex();
    let teacher = teacher(&device);
    let test = mnist("t10k");
    let rows: Vec<u32> = (0..300).collect();
    let mut redrawn = Vec::new();
    for &r in &rows {
        let (rgba, side) = canvas_of(test.image(r as usize), 10);
        redrawn.extend(mnist_from_canvas(&rgba, side, side).unwrap());
    }
    let redrawn = Mnist::from_parts(redrawn, vec![0; rows.len()]).unwrap();
    let before = pollster::block_on(predict_logits(&teacher, &test, &rows, &device)).unwrap();
    let after = pollster::block_on(predict_logits(&teacher, &redrawn, &rows, &device)).unwrap();
    let agree = before
        .chunks_exact(10)
        .zip(after.chunks_exact(10))
        .filter(|(a, b)| argmax(a) == argmax(b))
        .count();
    assert!(
        agree >= 291,
        "the teacher agreed on {agree} of 300 redrawn digits"
    );
}

#[test]
fn dark_strokes_on_white_count_as_ink_and_white_does_not() {
    let side = 100;
    let mut rgba = vec![255u8; side * side * 4]; // opaque white
    for y in 20..80 {
        for x in 45..55 {
            let i = (y * side + x) * 4;
            rgba[i..i + 3].copy_from_slice(&[0, 0, 0]);
        }
    }
    let image = mnist_from_canvas(&rgba, side, side).unwrap();
    let (x0, x1, y0, y1) = ink_box(&image);
    assert_eq!((y1 - y0, x1 - x0), (20, 3));
}

#[test]
fn bad_canvases_are_refused_with_a_reason() {
    let empty = mnist_from_canvas(&vec![0; 40 * 40 * 4], 40, 40).unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");
    let short = mnist_from_canvas(&[0; 10], 40, 40).unwrap_err();
    assert!(short.to_string().contains("bytes"), "{short}");
    let huge = mnist_from_canvas(&[], 100_000, 1).unwrap_err();
    assert!(huge.to_string().contains("canvas"), "{huge}");
}
