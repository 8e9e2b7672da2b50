//! Settings' values as text, both ways: parsing a value as the form, a link or a flag gives it,
//! and writing one back. Below the table of settings (schema.rs), which parses with these; what
//! a person reads about a setting is wording.rs's.

use crate::error::{Error, Result};
use crate::model::MAX_HIDDEN_LAYERS;

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
