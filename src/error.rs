//! The one error type of the crate. Every fallible path a user can reach (files, settings,
//! weights, the device) returns it; its `Display` names the problem in words a page can show,
//! a setting by its key (`settings::message` words it by the label the page shows).

use std::fmt;

/// Everything that can go wrong in webdistill, each variant naming what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An IDX file does not start with the magic number its kind requires.
    BadMagic {
        file: String,
        expected: u32,
        found: u32,
    },
    /// An IDX file is shorter (or longer) than its header says.
    WrongLength {
        file: String,
        expected: usize,
        found: usize,
    },
    /// An IDX header describes something that is not an MNIST image or label file.
    BadDimensions { file: String, reason: String },
    /// A gzip stream could not be inflated.
    Gzip { file: String, reason: String },
    /// An image file and its label file disagree on how many examples they hold.
    CountMismatch { images: usize, labels: usize },
    /// A label outside 0..=9.
    BadLabel { index: usize, label: u8 },
    /// A setting outside its valid range; `setting` is its key in the settings schema (`hidden`,
    /// `learning_rate`, ...), or the name of what was asked for outside it (`session`, `drawing`).
    InvalidSetting { setting: String, reason: String },
    /// A weights file that is not valid safetensors, or does not fit the architecture.
    Weights(String),
    /// A weights file whose SHA-256 differs from the one its card records.
    ChecksumMismatch { expected: String, found: String },
    /// The compute device failed (a readback, a lost WebGPU device, ...).
    Device(String),
    /// Reading a file from disk failed (native only).
    Io(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidSetting`].
    pub fn setting(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidSetting {
            setting: setting.into(),
            reason: reason.into(),
        }
    }
}

impl Error {
    /// The setting's key, when this is an [`Error::InvalidSetting`].
    pub fn setting_key(&self) -> Option<&str> {
        match self {
            Error::InvalidSetting { setting, .. } => Some(setting),
            _ => None,
        }
    }

    /// What was wrong, without the setting's name (the whole message for other errors).
    pub fn reason(&self) -> String {
        match self {
            Error::InvalidSetting { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadMagic {
                file,
                expected,
                found,
            } => write!(
                f,
                "{file}: not an MNIST IDX file of the expected kind (magic number {found:#010x}, expected {expected:#010x})"
            ),
            Error::WrongLength {
                file,
                expected,
                found,
            } => write!(
                f,
                "{file}: truncated or corrupt (the header promises {expected} bytes, the file has {found})"
            ),
            Error::BadDimensions { file, reason } => write!(f, "{file}: {reason}"),
            Error::Gzip { file, reason } => write!(f, "{file}: corrupt gzip data ({reason})"),
            Error::CountMismatch { images, labels } => write!(
                f,
                "the image file holds {images} images but the label file holds {labels} labels"
            ),
            Error::BadLabel { index, label } => {
                write!(f, "label {index} is {label}, but MNIST labels are 0 to 9")
            }
            // By its key: a person reads the label instead, through `settings::message`.
            Error::InvalidSetting { setting, reason } => write!(f, "invalid {setting}: {reason}"),
            Error::Weights(reason) => write!(f, "weights file: {reason}"),
            Error::ChecksumMismatch { expected, found } => write!(
                f,
                "weights file checksum mismatch: its card says sha256 {expected}, the file has {found}"
            ),
            Error::Device(reason) => write!(f, "compute device error: {reason}"),
            Error::Io(reason) => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
