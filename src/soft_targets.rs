//! The teacher's outputs on a transfer set, kept between runs: labelling the transfer set is the
//! longest wait of a run on a CPU, and a second run on the same images (another temperature,
//! another student) needs exactly the same logits. An entry is keyed by the teacher's checksum
//! and a digest of the images chosen, and carries a checksum of its own values: an entry that no
//! longer matches it is discarded and recomputed, never used.

use std::cell::RefCell;
use std::sync::Arc;

use crate::teacher_card::sha256_hex;

/// The teacher logits (and, for a hint loss, hidden activations) of one transfer set.
#[derive(Debug, Clone)]
pub struct SoftTargets {
    pub logits: Arc<Vec<f32>>,
    pub hidden: Option<Arc<Vec<f32>>>,
}

struct Entry {
    key: String,
    targets: SoftTargets,
    checksum: String,
    /// Computed for the run about to start (by helpers, in parallel), not by an earlier run:
    /// the seconds that labelling took, which that run counts as its own.
    fresh: Option<f64>,
}

/// The most transfer sets kept (each is 2.4 MB of logits for 60,000 images, more with a hint
/// layer): enough to go back and forth between two experiments.
const CAPACITY: usize = 2;

/// Recently computed soft targets.
#[derive(Default)]
pub struct SoftTargetCache(RefCell<Vec<Entry>>);

/// Where a run's soft targets came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The teacher labelled the transfer set in this run.
    Computed,
    /// A previous run's, on the same teacher and images.
    Cached,
}

/// The key of the transfer set `rows` labelled by teacher `teacher_sha256`.
pub fn key(teacher_sha256: &str, rows: &[u32], with_hidden: bool) -> String {
    let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
    format!("{teacher_sha256}/{}/{with_hidden}", sha256_hex(&bytes))
}

fn checksum(targets: &SoftTargets) -> String {
    let mut bytes: Vec<u8> = targets
        .logits
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    if let Some(hidden) = &targets.hidden {
        bytes.extend(hidden.iter().flat_map(|v| v.to_le_bytes()));
    }
    sha256_hex(&bytes)
}

impl SoftTargetCache {
    /// The entry for `key`, if one is kept and still matches its checksum (one that does not is
    /// dropped), and where it came from: [`Source::Computed`] the first time an entry put there
    /// for this run ([`Self::put_fresh`]) is taken, with the seconds its labelling took;
    /// [`Source::Cached`] and no seconds otherwise.
    pub fn take(&self, key: &str) -> Option<(SoftTargets, Source, f64)> {
        let mut entries = self.0.borrow_mut();
        let at = entries.iter().position(|e| e.key == key)?;
        if checksum(&entries[at].targets) != entries[at].checksum {
            entries.remove(at);
            return None;
        }
        let (source, seconds) = match entries[at].fresh.take() {
            Some(seconds) => (Source::Computed, seconds),
            None => (Source::Cached, 0.0),
        };
        Some((entries[at].targets.clone(), source, seconds))
    }

    /// The entry for `key` (as [`Self::take`], without marking it used).
    pub fn get(&self, key: &str) -> Option<SoftTargets> {
        let entries = self.0.borrow();
        let entry = entries.iter().find(|e| e.key == key)?;
        (checksum(&entry.targets) == entry.checksum).then(|| entry.targets.clone())
    }

    /// Keeps `targets`, computed by a run, under `key`, forgetting the oldest entry beyond
    /// [`CAPACITY`].
    pub fn put(&self, key: String, targets: SoftTargets) {
        self.insert(key, targets, None);
    }

    /// Keeps `targets` computed for the next run on `key` (by helper workers labelling slices of
    /// the transfer set in parallel, in `seconds`): that run reports them as computed, not
    /// reused, and counts the seconds in its own.
    pub fn put_fresh(&self, key: String, targets: SoftTargets, seconds: f64) {
        self.insert(key, targets, Some(seconds));
    }

    fn insert(&self, key: String, targets: SoftTargets, fresh: Option<f64>) {
        let mut entries = self.0.borrow_mut();
        entries.retain(|e| e.key != key);
        let checksum = checksum(&targets);
        entries.push(Entry {
            key,
            targets,
            checksum,
            fresh,
        });
        if entries.len() > CAPACITY {
            entries.remove(0);
        }
    }

    /// Test hook: changes one value of the entry for `key` without updating its checksum, as a
    /// corrupted store would.
    pub fn corrupt(&self, key: &str) -> bool {
        let mut entries = self.0.borrow_mut();
        let Some(entry) = entries.iter_mut().find(|e| e.key == key) else {
            return false;
        };
        let mut logits = entry.targets.logits.as_ref().clone();
        if let Some(first) = logits.first_mut() {
            *first += 1.0;
        }
        entry.targets.logits = Arc::new(logits);
        true
    }

    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}
