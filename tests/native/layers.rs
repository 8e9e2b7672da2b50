//! The layers of `src/lib.rs` hold (issue 18): every `crate::` path in a module's code names a
//! module at or above it in the order `lib.rs` states, so a change to a lower layer never has to
//! look up. The order is read from `lib.rs`'s own list, and it has no exception.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::root;

/// Each module's rank in `lib.rs`'s list: the bullet it is named in, counted from the top.
fn ranks() -> BTreeMap<String, usize> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let mut ranks = BTreeMap::new();
    let mut rank = 0;
    for line in lib.lines().take_while(|l| l.starts_with("//!")) {
        let line = line.trim_start_matches("//!").trim_start();
        if !line.starts_with("- ") {
            continue;
        }
        rank += 1;
        // Modules are named as [`name`] or `name` before a colon.
        for part in line
            .split(':')
            .next()
            .unwrap()
            .split(';')
            .chain(line.split(';').skip(1))
        {
            for name in part.split('`').skip(1).step_by(2) {
                ranks.entry(name.to_string()).or_insert(rank);
            }
        }
    }
    ranks
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_below_it_in_the_order_lib_rs_states() {
    let ranks = ranks();
    for module in [
        "error", "data", "model", "eval", "weights", "settings", "export", "run", "web",
    ] {
        assert!(
            ranks.contains_key(module),
            "lib.rs's list names {module}: {ranks:?}"
        );
    }
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let Some(&own) = ranks.get(&module) else {
            continue; // lib.rs, bin/: the top
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue; // docs may point anywhere
            }
            for used in code.split("crate::").skip(1) {
                let name: String = used
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let Some(&theirs) = ranks.get(&name) else {
                    continue;
                };
                if theirs > own {
                    wrong.push(format!(
                        "{}:{}: {module} uses {name}",
                        relative.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses of lower layers:\n{}",
        wrong.join("\n")
    );
}
