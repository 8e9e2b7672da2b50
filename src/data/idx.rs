//! Reader for the IDX files MNIST ships in (LeCun et al., yann.lecun.com/exdb/mnist): a 4-byte
//! magic number (0x0000_08_NN: unsigned bytes, NN dimensions), NN big-endian u32 sizes, then the
//! data. Gzip-compressed files (the form the browser is served) are inflated first.

use std::io::Read;

use crate::error::{Error, Result};

/// Magic number of an IDX file of unsigned bytes with three dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with one dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// Decoded IDX images: `count` images of `rows × cols` grey bytes, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// Inflates `bytes` if they start with the gzip signature, else borrows them as they are.
pub fn maybe_gunzip<'a>(file: &str, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| Error::Gzip {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    Ok(std::borrow::Cow::Owned(out))
}

/// Parses an IDX image file (raw or gzip). `file` names it in error messages.
pub fn parse_images(file: &str, bytes: &[u8]) -> Result<IdxImages> {
    let bytes = maybe_gunzip(file, bytes)?;
    let dims = header(file, &bytes, IMAGES_MAGIC)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if rows == 0 || cols == 0 {
        return Err(Error::BadDimensions {
            file: file.to_string(),
            reason: format!("images of {rows}×{cols} pixels"),
        });
    }
    let len = count
        .checked_mul(rows)
        .and_then(|n| n.checked_mul(cols))
        .ok_or_else(|| Error::BadDimensions {
            file: file.to_string(),
            reason: format!("{count} images of {rows}×{cols} pixels cannot fit in memory"),
        })?;
    let pixels = body(file, &bytes, 16, len)?;
    Ok(IdxImages {
        count,
        rows,
        cols,
        pixels,
    })
}

/// Parses an IDX label file (raw or gzip) and checks every label is a digit.
pub fn parse_labels(file: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    let bytes = maybe_gunzip(file, bytes)?;
    let dims = header(file, &bytes, LABELS_MAGIC)?;
    let labels = body(file, &bytes, 8, dims[0])?;
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
        return Err(Error::BadLabel { index, label });
    }
    Ok(labels)
}

/// Checks the magic number and returns the dimension sizes it announces.
fn header(file: &str, bytes: &[u8], magic: u32) -> Result<Vec<usize>> {
    let ndims = (magic & 0xff) as usize;
    let header_len = 4 + 4 * ndims;
    if bytes.len() < 4 {
        return Err(Error::WrongLength {
            file: file.to_string(),
            expected: header_len,
            found: bytes.len(),
        });
    }
    let found = be_u32(bytes, 0);
    if found != magic {
        return Err(Error::BadMagic {
            file: file.to_string(),
            expected: magic,
            found,
        });
    }
    if bytes.len() < header_len {
        return Err(Error::WrongLength {
            file: file.to_string(),
            expected: header_len,
            found: bytes.len(),
        });
    }
    Ok((0..ndims)
        .map(|d| be_u32(bytes, 4 + 4 * d) as usize)
        .collect())
}

/// The data after the header, which must be exactly `len` bytes long.
fn body(file: &str, bytes: &[u8], offset: usize, len: usize) -> Result<Vec<u8>> {
    let expected = offset
        .checked_add(len)
        .ok_or_else(|| Error::BadDimensions {
            file: file.to_string(),
            reason: "the header announces an impossible size".into(),
        })?;
    if bytes.len() != expected {
        return Err(Error::WrongLength {
            file: file.to_string(),
            expected,
            found: bytes.len(),
        });
    }
    Ok(bytes[offset..].to_vec())
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Encodes images as an IDX file: the inverse of [`parse_images`], for tests and tools.
pub fn encode_images(images: &IdxImages) -> Vec<u8> {
    encode_image_file(images.count, images.rows, images.cols, &images.pixels)
}

/// The IDX file of `count` images of `rows × cols` whose bytes are `pixels`, in one copy.
pub fn encode_image_file(count: usize, rows: usize, cols: usize, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + pixels.len());
    for word in [IMAGES_MAGIC, count as u32, rows as u32, cols as u32] {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

/// Encodes labels as an IDX file: the inverse of [`parse_labels`].
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}
