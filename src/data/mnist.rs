//! An MNIST split in memory: grey bytes and labels, and the batches the models eat.

use burn::prelude::*;
use burn::tensor::TensorData;

use crate::data::SHARD_SIZE;
#[cfg(not(target_family = "wasm"))]
use crate::data::Task;
use crate::data::idx::{encode_image_file, parse_images, parse_labels};
use crate::error::{Error, Result};

/// MNIST images are 28×28 pixels.
pub const IMAGE_SIDE: usize = 28;
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
pub const NUM_CLASSES: usize = 10;

/// Mean and standard deviation of the MNIST training pixels scaled to [0, 1], the values
/// PyTorch's MNIST example normalises with (github.com/pytorch/examples, mnist/main.py).
pub const PIXEL_MEAN: f32 = 0.1307;
pub const PIXEL_STD: f32 = 0.3081;

/// One split of MNIST (train: 60,000 examples, test: 10,000).
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl Mnist {
    /// Decodes a split from the bytes of its IDX image and label files (raw or gzip).
    /// The names appear in error messages.
    pub fn from_idx(
        images_name: &str,
        images: &[u8],
        labels_name: &str,
        labels: &[u8],
    ) -> Result<Self> {
        let images_idx = parse_images(images_name, images)?;
        if images_idx.rows != IMAGE_SIDE || images_idx.cols != IMAGE_SIDE {
            return Err(Error::BadDimensions {
                file: images_name.to_string(),
                reason: format!(
                    "images are {}×{} pixels, MNIST's are {IMAGE_SIDE}×{IMAGE_SIDE}",
                    images_idx.rows, images_idx.cols
                ),
            });
        }
        let labels = parse_labels(labels_name, labels)?;
        if labels.len() != images_idx.count {
            return Err(Error::CountMismatch {
                images: images_idx.count,
                labels: labels.len(),
            });
        }
        Ok(Self {
            pixels: images_idx.pixels,
            labels,
        })
    }

    /// Reads MNIST's `{prefix}-images-idx3-ubyte` and `{prefix}-labels-idx1-ubyte` (or their
    /// `.gz`) from `dir`; `prefix` is `train` or `t10k`.
    #[cfg(not(target_family = "wasm"))]
    pub fn load_dir(dir: &std::path::Path, prefix: &str) -> Result<Self> {
        Self::load_task_dir(Task::Digits, dir, prefix)
    }

    /// Reads `task`'s split `prefix` (`train` or `t10k`) from `dir`; a missing file's message
    /// names it and the command that installs it.
    #[cfg(not(target_family = "wasm"))]
    pub fn load_task_dir(task: Task, dir: &std::path::Path, prefix: &str) -> Result<Self> {
        let read = |stem: String| -> Result<(String, Vec<u8>)> {
            for name in [stem.clone(), format!("{stem}.gz")] {
                let path = dir.join(&name);
                if path.exists() {
                    let bytes = std::fs::read(&path)
                        .map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
                    return Ok((name, bytes));
                }
            }
            Err(Error::Io(format!(
                "{} file {stem} (or {stem}.gz) not found in {}; {}",
                task.dataset(),
                dir.display(),
                task.install_hint()
            )))
        };
        let (images_name, images) = read(format!("{prefix}-images-idx3-ubyte"))?;
        let (labels_name, labels) = read(format!("{prefix}-labels-idx1-ubyte"))?;
        Self::from_idx(&images_name, &images, &labels_name, &labels)
    }

    /// Builds a split from raw parts (tests, drawn digits).
    pub fn from_parts(pixels: Vec<u8>, labels: Vec<u8>) -> Result<Self> {
        if pixels.len() != labels.len() * IMAGE_PIXELS {
            return Err(Error::CountMismatch {
                images: pixels.len() / IMAGE_PIXELS,
                labels: labels.len(),
            });
        }
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(Error::BadLabel { index, label });
        }
        Ok(Self { pixels, labels })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Appends training image shard `index` (IDX, raw or gzip) in place, with its labels from
    /// `all_labels` (the whole split's): shards arrive in order, so the split is always a
    /// prefix of whole shards. Nothing already loaded is copied.
    pub fn append_shard(&mut self, index: usize, bytes: &[u8], all_labels: &[u8]) -> Result<()> {
        let loaded = self.len();
        if !loaded.is_multiple_of(SHARD_SIZE) || index != loaded / SHARD_SIZE {
            return Err(Error::setting(
                "training data",
                format!(
                    "shard {index} arrived after {loaded} images; shards are loaded in order, next is {}",
                    loaded.div_ceil(SHARD_SIZE)
                ),
            ));
        }
        let name = format!("training images, shard {index}");
        let pixels = decode_image_shard(&name, bytes, index, all_labels.len())?;
        let end = loaded + pixels.len() / IMAGE_PIXELS;
        if let Some((at, &label)) =
            (all_labels[loaded..end].iter().enumerate()).find(|(_, l)| **l > 9)
        {
            return Err(Error::BadLabel {
                index: loaded + at,
                label,
            });
        }
        self.pixels.extend_from_slice(&pixels);
        self.labels.extend_from_slice(&all_labels[loaded..end]);
        Ok(())
    }

    /// Training image shard `index` as loaded, as a raw IDX file: what helper workers load
    /// without inflating the gzip shard again (0.3–0.4 s of a core each in wasm). `None` past
    /// the images loaded.
    pub fn shard_idx(&self, index: usize) -> Option<Vec<u8>> {
        let start = index.checked_mul(SHARD_SIZE)?;
        let end = (start + SHARD_SIZE).min(self.len());
        (start < end).then(|| {
            let pixels = &self.pixels[start * IMAGE_PIXELS..end * IMAGE_PIXELS];
            encode_image_file(end - start, IMAGE_SIDE, IMAGE_SIDE, pixels)
        })
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The 784 grey bytes of example `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        &self.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
    }

    /// Normalised images of the given examples.
    ///
    /// # Shapes
    /// - returns `[indices.len(), 784]`
    pub fn images_tensor(&self, indices: &[u32], device: &Device) -> Tensor<2> {
        let mut values = Vec::with_capacity(indices.len() * IMAGE_PIXELS);
        for &i in indices {
            values.extend(self.image(i as usize).iter().map(|&p| normalize_pixel(p)));
        }
        Tensor::from_data(
            TensorData::new(values, [indices.len(), IMAGE_PIXELS]),
            device,
        )
    }

    /// The examples `range` of this split, in order (for evaluation batches).
    pub fn range_tensor(&self, range: std::ops::Range<usize>, device: &Device) -> Tensor<2> {
        let indices: Vec<u32> = range.map(|i| i as u32).collect();
        self.images_tensor(&indices, device)
    }
}

/// Decodes image shard `index` of a split of `total` examples (raw or gzip IDX): the images of
/// examples `index·SHARD_SIZE ..`, each 28×28. Returns their pixels.
pub fn decode_image_shard(name: &str, bytes: &[u8], index: usize, total: usize) -> Result<Vec<u8>> {
    let images = parse_images(name, bytes)?;
    let start = index.saturating_mul(SHARD_SIZE);
    let expected = total.saturating_sub(start).min(SHARD_SIZE);
    if images.rows != IMAGE_SIDE
        || images.cols != IMAGE_SIDE
        || images.count != expected
        || expected == 0
    {
        return Err(Error::BadDimensions {
            file: name.to_string(),
            reason: format!(
                "shard {index} should hold {expected} images of {IMAGE_SIDE}×{IMAGE_SIDE}, it holds {} of {}×{}",
                images.count, images.rows, images.cols
            ),
        });
    }
    Ok(images.pixels)
}

/// How the models read an image, for the cards stored beside their weights.
pub fn input_description() -> String {
    format!(
        "28×28 grey bytes p, fed as (p/255 − {PIXEL_MEAN}) / {PIXEL_STD}, flattened row-major to 784 values"
    )
}

/// A grey byte (0 = background) as the models see it.
pub fn normalize_pixel(p: u8) -> f32 {
    (p as f32 / 255.0 - PIXEL_MEAN) / PIXEL_STD
}
