//! A small `--flag value` parser: typed getters that name the flag in their errors, and a
//! final check that no flag was misspelt.

use std::collections::BTreeMap;
use std::str::FromStr;

pub struct Args {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
}

impl Args {
    /// Splits `args` into `--name value` pairs and the bare `switches` named.
    pub fn parse(args: impl Iterator<Item = String>, switches: &[&str]) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        let mut found = Vec::new();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?} (flags start with --)"));
            };
            if switches.contains(&name) {
                found.push(name.to_string());
                continue;
            }
            let value = args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            values.insert(name.to_string(), value);
        }
        Ok(Self {
            values,
            switches: found,
        })
    }

    /// The value of `--name`, parsed, if given.
    pub fn get<T: FromStr>(&mut self, name: &str) -> Result<Option<T>, String> {
        match self.values.remove(name) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("--{name}: {v:?} is not a valid value")),
        }
    }

    /// A comma-separated list, e.g. `--hidden 800,800`.
    pub fn list<T: FromStr>(&mut self, name: &str) -> Result<Option<Vec<T>>, String> {
        match self.values.remove(name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(Some(Vec::new())),
            Some(v) => v
                .split(',')
                .map(|part| {
                    part.trim()
                        .parse()
                        .map_err(|_| format!("--{name}: {part:?} in {v:?} is not a valid value"))
                })
                .collect::<Result<Vec<T>, String>>()
                .map(Some),
        }
    }

    /// The value of `--name` as given, left for a getter.
    pub fn peek(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    /// Fails on any flag no getter asked for.
    pub fn finish(self) -> Result<(), String> {
        match self.values.keys().next() {
            Some(name) => Err(format!("unknown flag --{name}")),
            None => Ok(()),
        }
    }
}
