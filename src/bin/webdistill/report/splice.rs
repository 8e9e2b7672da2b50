//! `report --only SECTION`: one section rerun and written over its old text in the report and
//! over its numbers in `report.json`, so both files stay whole (and generated) without rerunning
//! every section. The report's header keeps the full run's minutes.

use std::path::Path;

/// Writes `section` over the report's section of the same number and `numbers` over `key` in
/// the `report.json` beside it.
pub(super) fn write_section(
    report: &Path,
    section: &str,
    key: &str,
    numbers: serde_json::Value,
) -> Result<(), String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{}: {e} (run the whole report once before one section)",
                path.display()
            )
        })
    };
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let spliced = splice_section(&read(report)?, section)
        .map_err(|e| format!("{}: {e}", report.display()))?;
    let json_path = report.with_file_name("report.json");
    let json = replace_value(&read(&json_path)?, key, &numbers)
        .map_err(|e| format!("{}: {e}", json_path.display()))?;
    write(report, spliced)?;
    write(&json_path, json)
}

/// `json` (report.json as `serde_json::to_string_pretty` writes it: top-level keys indented by
/// two spaces) with the top-level `key`'s value replaced by `value` and every other byte kept.
/// Parsing the file and writing it back would not keep them: serde_json without its
/// `float_roundtrip` feature rounds the last digit of some floats it reads.
fn replace_value(json: &str, key: &str, value: &serde_json::Value) -> Result<String, String> {
    serde_json::from_str::<serde_json::Value>(json).map_err(|e| e.to_string())?;
    let marker = format!("\n  \"{key}\": ");
    let start = json
        .find(&marker)
        .ok_or_else(|| format!("no top-level {key:?} to replace"))?
        + marker.len();
    let rest = &json[start..];
    // A deeper line starts with more spaces, and a string holds no raw newline.
    let end = [rest.find(",\n  \""), rest.find("\n}")]
        .into_iter()
        .flatten()
        .min()
        .ok_or("not a pretty-printed JSON object")?;
    let pretty = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    Ok(format!(
        "{}{}{}",
        &json[..start],
        pretty.replace('\n', "\n  "),
        &rest[end..]
    ))
}

/// `report` with its level-2 section numbered as `section`'s heading (`## 8. …`) replaced by
/// `section`. A section runs to the next level-2 heading (its `###` subsections are its own).
fn splice_section(report: &str, section: &str) -> Result<String, String> {
    let number = section
        .strip_prefix("## ")
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or("a section starts with its \"## N.\" heading")?;
    let prefix = format!("## {number} ");
    let start = if report.starts_with(&prefix) {
        0
    } else {
        report
            .find(&format!("\n{prefix}"))
            .map(|i| i + 1)
            .ok_or_else(|| format!("no section {number} to replace"))?
    };
    let end = report[start..]
        .find("\n## ")
        .map_or(report.len(), |i| start + i + 1);
    Ok(format!("{}{section}{}", &report[..start], &report[end..]))
}

#[cfg(test)]
mod tests {
    use super::{replace_value, splice_section};

    const REPORT: &str = "# Title\n\n## 1. One\n\nold one\n\n## 2. Two\n\nold two\n\n### 2a\n\nmore\n\n## 3. Three\n\nthree\n";

    #[test]
    fn a_section_and_its_subsections_are_replaced_and_the_rest_kept() {
        let spliced = splice_section(REPORT, "## 2. Two again\n\nnew two\n\n").unwrap();
        assert_eq!(
            spliced,
            "# Title\n\n## 1. One\n\nold one\n\n## 2. Two again\n\nnew two\n\n## 3. Three\n\nthree\n"
        );
    }

    #[test]
    fn the_last_section_runs_to_the_end() {
        let spliced = splice_section(REPORT, "## 3. Three\n\nnew\n").unwrap();
        assert!(
            spliced.ends_with("more\n\n## 3. Three\n\nnew\n"),
            "{spliced}"
        );
    }

    #[test]
    fn a_missing_section_or_heading_is_refused() {
        assert!(
            splice_section(REPORT, "## 9. Nine\n")
                .unwrap_err()
                .contains("no section 9.")
        );
        assert!(splice_section(REPORT, "text\n").is_err());
    }

    #[test]
    fn one_top_level_value_is_replaced_and_every_other_byte_kept() {
        let numbers = serde_json::json!({ "a": 0.1, "b": [1, 2] });
        let before = serde_json::to_string_pretty(&serde_json::json!({
            "default": { "x": 0.9881296802421923 }, "fashion": [1], "minutes": 18.9
        }))
        .unwrap();
        let after = replace_value(&before, "fashion", &numbers).unwrap();
        let expected = serde_json::to_string_pretty(&serde_json::json!({
            "default": { "x": 0.9881296802421923 }, "fashion": numbers, "minutes": 18.9
        }))
        .unwrap();
        assert_eq!(after, expected);
        assert!(after.contains("0.9881296802421923"), "{after}");
        let last = replace_value(&before, "minutes", &serde_json::json!(2)).unwrap();
        assert!(last.ends_with("\"minutes\": 2\n}"), "{last}");
        assert!(replace_value(&before, "kinds", &numbers).is_err());
    }
}
