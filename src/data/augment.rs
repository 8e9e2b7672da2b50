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
}

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
        format!(
            "random affine distortion of each image: rotation up to ±{}°, scaling up to ±{}%, shifts up to ±{} px ({shifts}){flip}",
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
        }
        out
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
