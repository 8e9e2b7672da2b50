//! Settings as text, both ways: parsing a value as the form, a link or a flag gives it, writing
//! one back, and an error worded as a person reads it. The table of settings is schema.rs's.

use crate::error::{Error, Result};
use crate::model::MAX_HIDDEN_LAYERS;

/// What a person reads for `error`: its own words, with a setting named by the label the page
/// and `--help` show rather than its key ("invalid student hidden layers: ..."). The error
/// carries the key (it is raised below this layer); the page's facade and the command line
/// word it here.
pub fn message(error: &Error) -> String {
    match error {
        Error::InvalidSetting { setting, reason } => {
            format!(
                "invalid {}: {reason}",
                lowercase_first(super::schema::label(setting))
            )
        }
        other => other.to_string(),
    }
}

/// "Student hidden layers" → "student hidden layers", for the middle of a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_ascii_uppercase() => c.to_ascii_lowercase().to_string() + chars.as_str(),
        _ => text.to_string(),
    }
}

pub(super) fn list<T: ToString>(values: &[T]) -> String {
    values
        .iter()
        .map(T::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A whole number ≥ 0 (no sign, no decimals).
pub(super) fn parse_int<T: std::str::FromStr>(key: &str, text: &str) -> Result<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::setting(
            key,
            format!("{}; give a whole number, e.g. 3", shown(text)),
        ));
    }
    text.parse()
        .map_err(|_| Error::setting(key, format!("{}; the number is too large", shown(text))))
}

/// A finite decimal number.
pub(super) fn parse_number(key: &str, text: &str) -> Result<f64> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && !text.is_empty() => Ok(x),
        _ => Err(Error::setting(
            key,
            format!("{}; give a number, e.g. 0.5", shown(text)),
        )),
    }
}

/// Whole numbers separated by commas; empty for none.
pub(super) fn parse_list(key: &str, text: &str) -> Result<Vec<usize>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() > MAX_LIST_VALUES {
        return Err(Error::setting(
            key,
            format!("{} values are too many", parts.len()),
        ));
    }
    parts
        .into_iter()
        .map(|p| {
            parse_int::<usize>(key, p).map_err(|_| {
                Error::setting(
                    key,
                    format!(
                        "{}; give whole numbers separated by commas, e.g. 800,800",
                        shown(text)
                    ),
                )
            })
        })
        .collect()
}

/// How many characters of a value a message quotes: enough to recognise it, not a hostile
/// link's whole payload.
pub const MAX_VALUE_SHOWN: usize = 40;

/// The most values any list setting may hold (a hostile link must not make the parser allocate
/// without bound): twice the most hidden layers, so that an MLP a little too deep is refused by
/// its own rule, with its reason.
pub const MAX_LIST_VALUES: usize = 2 * MAX_HIDDEN_LAYERS;

/// A value quoted for a message, cut short if long (it may come from a hostile link).
pub(super) fn shown(text: &str) -> String {
    match text.char_indices().nth(MAX_VALUE_SHOWN) {
        Some((at, _)) => format!("{:?}…", &text[..at]),
        None => format!("{text:?}"),
    }
}

impl super::SettingSpec {
    /// The values this setting takes, as `--help` states them: "one of mlp, linear, cnn, tree",
    /// "above 0, at most 100", "1 to 8 values, each 1 to 4096". Empty where anything goes.
    pub fn limits(&self) -> String {
        use super::Kind;
        if self.kind == Kind::Choice {
            let values: Vec<&str> = self.choices.iter().map(|(v, _)| *v).collect();
            return format!("one of {}", values.join(", "));
        }
        let range = match (self.min, self.max) {
            (Some(min), Some(max)) if self.min_exclusive => format!("above {min}, at most {max}"),
            (Some(min), Some(max)) => format!("{min} to {max}"),
            (Some(min), None) if self.min_exclusive => format!("above {min}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => String::new(),
        };
        match self.items {
            Some((least, most)) => {
                let count = if least == most {
                    format!("{least} values")
                } else {
                    format!("{least} to {most} values")
                };
                if range.is_empty() {
                    count
                } else {
                    format!("{count}, each {range}")
                }
            }
            None => range,
        }
    }
}
