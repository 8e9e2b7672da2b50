//! The layers of `src/lib.rs` hold (issue 18): every `crate::` path in a module's code names a
//! module at or above it in the order `lib.rs` states, so a change to a lower layer never has to
//! look up. The order is read from `lib.rs`'s own list, and it has no exception.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::root;

/// Each module's rank in `lib.rs`'s list: the bullet it is named in, counted from the top. A
/// bullet may go on over indented lines; each `;`-separated part names its module before a colon,
/// as [`name`] or `name`.
fn ranks() -> BTreeMap<String, usize> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let mut bullets: Vec<String> = Vec::new();
    for line in lib.lines().take_while(|l| l.starts_with("//!")) {
        let text = line.trim_start_matches("//!");
        if let Some(bullet) = text.trim_start().strip_prefix("- ") {
            bullets.push(bullet.to_string());
        } else if text.starts_with("   ") && !bullets.is_empty() {
            let last = bullets.last_mut().unwrap();
            last.push(' ');
            last.push_str(text.trim());
        } else if !bullets.is_empty() {
            break; // the list has ended
        }
    }
    let mut ranks = BTreeMap::new();
    for (rank, bullet) in bullets.iter().enumerate() {
        for part in bullet.split(';') {
            let named = part.split(':').next().unwrap();
            for name in named.split('`').skip(1).step_by(2) {
                ranks.entry(name.to_string()).or_insert(rank + 1);
            }
        }
    }
    ranks
}

/// The modules `lib.rs` declares (`pub mod name;`).
fn declared() -> Vec<String> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect()
}

/// The crate's modules a line of code names through `crate::`: `crate::a::b`, and each of
/// `crate::{a, b::c}`.
fn used_modules(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = Vec::new();
    for used in code.split("crate::").skip(1) {
        match used.strip_prefix('{') {
            Some(group) => {
                let group = group.split('}').next().unwrap();
                names.extend(group.split(',').map(ident));
            }
            None => names.push(ident(used)),
        }
    }
    names
}

#[test]
fn lib_rs_lists_every_module_it_declares() {
    let ranks = ranks();
    let unlisted: Vec<String> = declared()
        .into_iter()
        .filter(|m| !ranks.contains_key(m))
        .collect();
    assert!(
        unlisted.is_empty(),
        "modules lib.rs declares but does not place in its list: {unlisted:?} (ranks: {ranks:?})"
    );
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
        "error",
        "data",
        "model",
        "eval",
        "weights",
        "settings",
        "export",
        "run",
        "web",
        "tree_drawing",
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
            for name in used_modules(code) {
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
