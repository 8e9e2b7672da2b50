//! A digit drawn on a canvas, turned into an MNIST image the way the MNIST digits were made
//! (LeCun, Cortes & Burges, "The MNIST database", yann.lecun.com/exdb/mnist): the digit is
//! size-normalised to fit a 20×20 box keeping its aspect ratio, with grey levels from the
//! anti-aliasing, then placed in a 28×28 field so that its centre of mass is at the centre.

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::error::{Error, Result};

/// The box the digit is scaled into.
const BOX: f64 = 20.0;
/// The largest canvas side accepted (a phone's canvas is a few hundred pixels).
pub const MAX_CANVAS_SIDE: usize = 4096;
/// Ink below this (out of 1) counts as background when finding the digit's bounding box:
/// canvas anti-aliasing leaves faint fringes.
const INK_THRESHOLD: f32 = 0.05;

/// Converts an RGBA canvas (`width × height × 4` bytes, row-major) to 784 grey bytes
/// (0 = background, 255 = full ink). Ink is opaque and dark: `alpha · (1 − luminance)`, so
/// both dark strokes on a transparent canvas and dark strokes on white work.
pub fn mnist_from_canvas(rgba: &[u8], width: usize, height: usize) -> Result<Vec<u8>> {
    let bad = |msg: String| Error::setting("drawing", msg);
    if width == 0 || height == 0 || width > MAX_CANVAS_SIDE || height > MAX_CANVAS_SIDE {
        return Err(bad(format!(
            "a {width}×{height} canvas; each side must be 1 to {MAX_CANVAS_SIDE} pixels"
        )));
    }
    if rgba.len() != width * height * 4 {
        return Err(bad(format!(
            "{} bytes for a {width}×{height} RGBA canvas, which needs {}",
            rgba.len(),
            width * height * 4
        )));
    }
    let ink: Vec<f32> = rgba
        .chunks_exact(4)
        .map(|p| {
            let luminance =
                (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) / 255.0;
            p[3] as f32 / 255.0 * (1.0 - luminance)
        })
        .collect();
    mnist_from_ink(&ink, width, height)
}

/// The same from an ink map (`width × height` values in 0..=1).
pub fn mnist_from_ink(ink: &[f32], width: usize, height: usize) -> Result<Vec<u8>> {
    if ink.len() != width * height {
        return Err(Error::setting(
            "drawing",
            format!("{} ink values for a {width}×{height} canvas", ink.len()),
        ));
    }
    let (x0, x1, y0, y1) = bounding_box(ink, width)
        .ok_or_else(|| Error::setting("drawing", "the canvas is empty: draw a digit first"))?;
    let (bw, bh) = (x1 - x0, y1 - y0);
    let crop: Vec<f32> = (y0..y1)
        .flat_map(|y| ink[y * width + x0..y * width + x1].iter().copied())
        .collect();
    // Fit the longer side to 20 pixels, keeping the aspect ratio.
    let scale = BOX / bw.max(bh) as f64;
    let ow = ((bw as f64 * scale).round() as usize).clamp(1, BOX as usize);
    let oh = ((bh as f64 * scale).round() as usize).clamp(1, BOX as usize);
    let small = resample(&crop, bw, bh, ow, oh);
    let peak = small
        .iter()
        .copied()
        .fold(0.0f32, f32::max)
        .max(f32::EPSILON);
    // Centre of mass, in pixel-centre coordinates, moved to the field's centre (14, 14).
    let (mut mass, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for y in 0..oh {
        for x in 0..ow {
            let v = small[y * ow + x] as f64;
            mass += v;
            mx += v * (x as f64 + 0.5);
            my += v * (y as f64 + 0.5);
        }
    }
    let centre = IMAGE_SIDE as f64 / 2.0;
    let dx = (centre - mx / mass).round() as isize;
    let dy = (centre - my / mass).round() as isize;
    let mut out = vec![0u8; IMAGE_PIXELS];
    for y in 0..oh {
        for x in 0..ow {
            let (tx, ty) = (x as isize + dx, y as isize + dy);
            if (0..IMAGE_SIDE as isize).contains(&tx) && (0..IMAGE_SIDE as isize).contains(&ty) {
                let level = (small[y * ow + x] / peak * 255.0).round().clamp(0.0, 255.0);
                out[ty as usize * IMAGE_SIDE + tx as usize] = level as u8;
            }
        }
    }
    Ok(out)
}

/// `(x0, x1, y0, y1)`, exclusive ends, of the pixels with ink; `None` when there is none.
fn bounding_box(ink: &[f32], width: usize) -> Option<(usize, usize, usize, usize)> {
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for (i, _) in ink.iter().enumerate().filter(|(_, v)| **v > INK_THRESHOLD) {
        let (x, y) = (i % width, i / width);
        bounds = Some(match bounds {
            None => (x, x + 1, y, y + 1),
            Some((x0, x1, y0, y1)) => (x0.min(x), x1.max(x + 1), y0.min(y), y1.max(y + 1)),
        });
    }
    bounds
}

/// Area-averaging resize (each output pixel is the mean of the source area it covers, partial
/// pixels weighted by coverage): what gives the MNIST digits their grey edges.
fn resample(src: &[f32], w: usize, h: usize, ow: usize, oh: usize) -> Vec<f32> {
    let cols = coverage(w, ow);
    let rows = coverage(h, oh);
    // Horizontal pass: [h × ow], then vertical: [oh × ow].
    let mut wide = vec![0.0f32; h * ow];
    for y in 0..h {
        for (ox, taps) in cols.iter().enumerate() {
            wide[y * ow + ox] = taps.iter().map(|&(x, wt)| src[y * w + x] * wt).sum();
        }
    }
    let mut out = vec![0.0f32; oh * ow];
    for (oy, taps) in rows.iter().enumerate() {
        for ox in 0..ow {
            out[oy * ow + ox] = taps.iter().map(|&(y, wt)| wide[y * ow + ox] * wt).sum();
        }
    }
    out
}

/// For each of `dst` output cells, the source cells of a length-`src` line it overlaps and the
/// fraction of the output cell each covers (the weights sum to 1).
fn coverage(src: usize, dst: usize) -> Vec<Vec<(usize, f32)>> {
    let step = src as f64 / dst as f64;
    (0..dst)
        .map(|o| {
            let (start, end) = (o as f64 * step, (o + 1) as f64 * step);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(src);
            (first..last)
                .map(|s| {
                    let overlap = (end.min(s as f64 + 1.0) - start.max(s as f64)).max(0.0);
                    (s, (overlap / step) as f32)
                })
                .filter(|&(_, wt)| wt > 0.0)
                .collect()
        })
        .collect()
}
