//! Random affine distortions of MNIST digits, for training the teacher: small rotations,
//! scalings and shifts, the distortions that took convolutional nets on MNIST from ~0.8% to
//! ~0.4-0.6% test error (Simard, Steinkraus & Platt 2003, §4; LeCun et al. 1998 §III.C used
//! shifts, scalings and squeezes). The student never sees them: it learns from the teacher's
//! outputs on the plain images.

use serde::{Deserialize, Serialize};

use crate::data::{IMAGE_SIDE, Mnist, normalize_pixel};
use crate::rng::SplitMix64;

/// How far each distortion may go; each image draws its own uniformly within these bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Rotation, degrees either way.
    pub max_rotation_deg: f32,
    /// Scaling by a factor in `[1 − max_scale, 1 + max_scale]`.
    pub max_scale: f32,
    /// Shift, pixels either way in x and in y.
    pub max_shift: f32,
    /// Mirror half the images left to right (clothes, not digits). Left out of the serialised
    /// form when off, so the cache keys of teachers trained before it existed still match.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flip: bool,
    /// Shift by whole pixels only (random crops of the image padded by `max_shift`, the usual
    /// distortion for clothes, e.g. Zhong et al. 2020's Fashion-MNIST baselines): without
    /// rotation or scaling every pixel is then copied, not interpolated, so training images are
    /// as sharp as the test set's. Left out of the serialised form when off, like `flip`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_pixels: bool,
    /// The chance that an image, once distorted, has a random rectangle of it replaced by random
    /// pixels (random erasing, Zhong et al. 2020, with their bounds: 2% to 40% of the image,
    /// aspect ratio 0.3 to 3.3): the net cannot lean on any one part of a garment. Left out of
    /// the serialised form when 0, like `flip`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub erase: f32,
}

fn is_zero(value: &f32) -> bool {
    *value == 0.0
}

/// Random erasing's bounds (Zhong et al. 2020, §3.1: s_l = 0.02, s_h = 0.4, r_1 = 0.3).
const ERASE_AREA: (f32, f32) = (0.02, 0.4);
const ERASE_ASPECT: f32 = 0.3;

impl Default for Augment {
    /// ±10°, ±10% and ±2 px: the bounds of Simard et al. 2003's affine experiments (their
    /// elastic distortions went further); larger rotations start turning 6s into 9s' territory.
    fn default() -> Self {
        Self {
            max_rotation_deg: 10.0,
            max_scale: 0.1,
            max_shift: 2.0,
            flip: false,
            whole_pixels: false,
            erase: 0.0,
        }
    }
}

impl Augment {
    /// None at all: every image as it is.
    pub const NONE: Augment = Augment {
        max_rotation_deg: 0.0,
        max_scale: 0.0,
        max_shift: 0.0,
        flip: false,
        whole_pixels: false,
        erase: 0.0,
    };

    pub fn describe(&self) -> String {
        let flip = if self.flip {
            "; half of the images mirrored left to right"
        } else {
            ""
        };
        let shifts = if self.whole_pixels {
            "whole pixels"
        } else {
            "bilinear"
        };
        let erase = if self.erase > 0.0 {
            format!(
                "; then, with probability {}, a random rectangle (2–40% of the image) replaced by random pixels (random erasing, Zhong et al. 2020)",
                self.erase
            )
        } else {
            String::new()
        };
        format!(
            "random affine distortion of each image: rotation up to ±{}°, scaling up to ±{}%, shifts up to ±{} px ({shifts}){flip}{erase}",
            self.max_rotation_deg,
            self.max_scale * 100.0,
            self.max_shift
        )
    }

    /// Normalised pixels of `rows` of `data`, each distorted by its own random draw, row after
    /// row: `[rows.len() × 784]` values.
    pub fn batch(&self, data: &Mnist, rows: &[u32], rng: &mut SplitMix64) -> Vec<f32> {
        let mut out = Vec::with_capacity(rows.len() * IMAGE_SIDE * IMAGE_SIDE);
        for &row in rows {
            let draw = |rng: &mut SplitMix64, bound: f32| (rng.unit() as f32 * 2.0 - 1.0) * bound;
            let angle = draw(rng, self.max_rotation_deg).to_radians();
            let scale = 1.0 + draw(rng, self.max_scale);
            let (dx, dy) = (draw(rng, self.max_shift), draw(rng, self.max_shift));
            let (dx, dy) = match self.whole_pixels {
                true => (dx.round(), dy.round()),
                false => (dx, dy),
            };
            // A mirror is a scaling by −1 in x; drawn only when flipping, so that the digits'
            // draws stay what they were.
            let mirror = self.flip && rng.unit() < 0.5;
            distort(
                data.image(row as usize),
                angle,
                scale,
                mirror,
                dx,
                dy,
                &mut out,
            );
            // Drawn only when erasing, so that other distortions' draws stay what they were.
            if self.erase > 0.0 && (rng.unit() as f32) < self.erase {
                let start = out.len() - IMAGE_SIDE * IMAGE_SIDE;
                erase_rectangle(&mut out[start..], rng);
            }
        }
        out
    }
}

/// Replaces a random rectangle of `image` (normalised pixels) by random pixels: its area a
/// uniform share of the image within [`ERASE_AREA`], its aspect ratio log-uniform between
/// [`ERASE_ASPECT`] and its inverse, its place uniform; a draw that does not fit is drawn
/// again (Zhong et al. 2020, Algorithm 1), up to ten times.
fn erase_rectangle(image: &mut [f32], rng: &mut SplitMix64) {
    let side = IMAGE_SIDE as f32;
    for _ in 0..10 {
        let area = (ERASE_AREA.0 + rng.unit() as f32 * (ERASE_AREA.1 - ERASE_AREA.0)) * side * side;
        let aspect = (ERASE_ASPECT.ln() * (1.0 - 2.0 * rng.unit() as f32)).exp();
        let (h, w) = (
            (area * aspect).sqrt().round(),
            (area / aspect).sqrt().round(),
        );
        if h < 1.0 || w < 1.0 || h >= side || w >= side {
            continue;
        }
        let (h, w) = (h as usize, w as usize);
        let y0 = (rng.unit() * (IMAGE_SIDE - h + 1) as f64) as usize;
        let x0 = (rng.unit() * (IMAGE_SIDE - w + 1) as f64) as usize;
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                let value = (rng.unit() * 256.0) as u32;
                image[y * IMAGE_SIDE + x] = normalize_pixel(value.min(255) as u8);
            }
        }
        return;
    }
}

/// Appends `image` rotated by `angle` (radians) and scaled by `scale` about its centre, mirrored
/// left to right when `mirror`, then shifted by `(dx, dy)`, normalised. Each output pixel samples the source bilinearly at the
/// inverse transform of its centre; outside the image is background.
fn distort(
    image: &[u8],
    angle: f32,
    scale: f32,
    mirror: bool,
    dx: f32,
    dy: f32,
    out: &mut Vec<f32>,
) {
    let side = IMAGE_SIDE as f32;
    let centre = (side - 1.0) / 2.0;
    let (sin, cos) = angle.sin_cos();
    let pixel = |x: i32, y: i32| -> f32 {
        if (0..IMAGE_SIDE as i32).contains(&x) && (0..IMAGE_SIDE as i32).contains(&y) {
            image[y as usize * IMAGE_SIDE + x as usize] as f32
        } else {
            0.0
        }
    };
    for y in 0..IMAGE_SIDE {
        for x in 0..IMAGE_SIDE {
            // Undo the shift, then the rotation and scaling about the centre.
            let (u, v) = (x as f32 - centre - dx, y as f32 - centre - dy);
            let u = if mirror { -u } else { u };
            let sx = (cos * u + sin * v) / scale + centre;
            let sy = (-sin * u + cos * v) / scale + centre;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as i32, y0 as i32);
            let value = pixel(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + pixel(x0 + 1, y0) * fx * (1.0 - fy)
                + pixel(x0, y0 + 1) * (1.0 - fx) * fy
                + pixel(x0 + 1, y0 + 1) * fx * fy;
            out.push(normalize_pixel(value.round().clamp(0.0, 255.0) as u8));
        }
    }
}
