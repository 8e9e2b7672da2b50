//! What a person reads about settings: an error worded with the label the page and `--help`
//! show, and the values a setting takes. Above the table (schema.rs), whose labels and limits
//! it words.

use super::schema::{Kind, SettingSpec, label};
use crate::error::Error;

/// What a person reads for `error`: its own words, with a setting named by the label the page
/// and `--help` show rather than its key ("invalid student hidden layers: ..."). The error
/// carries the key (it is raised below this layer); the page's facade and the command line
/// word it here.
pub fn message(error: &Error) -> String {
    match error {
        Error::InvalidSetting { setting, reason } => {
            format!("invalid {}: {reason}", lowercase_first(label(setting)))
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

impl SettingSpec {
    /// The values this setting takes, as `--help` states them: "one of mlp, linear, cnn, tree",
    /// "above 0, at most 100", "1 to 8 values, each 1 to 4096". Empty where anything goes.
    pub fn limits(&self) -> String {
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
