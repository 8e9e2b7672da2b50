//! The transfer set: the examples a student learns from (Hinton, Vinyals & Dean 2015 §2).
//! Some keep their labels; the rest are unlabeled and teach through the teacher's soft targets
//! only. Whole classes can be left out (§3 removed every 3).

use serde::{Deserialize, Serialize};

use crate::data::{Mnist, NUM_CLASSES};
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// How to select a transfer set from the training split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferConfig {
    /// Number of examples in the transfer set.
    pub size: usize,
    /// How many of them keep their labels (the rest are unlabeled).
    pub labeled: usize,
    /// Digits left out of the transfer set entirely.
    pub omit_classes: Vec<u8>,
    /// Training examples set aside before selection (never in the transfer set), for fitting
    /// things on held-out data, such as the class-bias shift of the omitted-class experiment.
    pub holdout: usize,
    /// Seed of the selection.
    pub seed: u64,
}

impl TransferConfig {
    /// All `size` examples labeled, no class left out, nothing held out.
    pub fn all_labeled(size: usize, seed: u64) -> Self {
        Self {
            size,
            labeled: size,
            omit_classes: Vec::new(),
            holdout: 0,
            seed,
        }
    }
}

/// A selected transfer set: rows of the training split, and which of them keep labels.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferSet {
    /// Training-split rows in the transfer set, in selection order.
    pub indices: Vec<u32>,
    /// `labeled[i]`: whether `indices[i]` keeps its label.
    pub labeled: Vec<bool>,
    /// Training-split rows held out (all classes, never in the transfer set).
    pub holdout: Vec<u32>,
}

impl TransferSet {
    /// Whether any example keeps its label (a student can learn without the teacher).
    pub fn has_labels(&self) -> bool {
        self.labeled.iter().any(|&l| l)
    }

    /// Selects a transfer set from `train` as `config` says: take the smallest prefix of whole
    /// shards that can supply it ([`pool_size`]), shuffle that pool with the seed, set the
    /// holdout aside, drop the omitted classes, keep the first `size`, and let a random
    /// `labeled` of those keep their labels.
    pub fn select(train: &Mnist, config: &TransferConfig) -> Result<Self> {
        let pool = pool_size(train.labels(), config)?;
        let Draw {
            mut candidates,
            holdout,
            mut rng,
        } = draw(train.labels(), pool, config);
        candidates.truncate(config.size);
        // Which examples keep labels: a second, independent shuffle of positions.
        let mut positions: Vec<usize> = (0..config.size).collect();
        rng.shuffle(&mut positions);
        let mut labeled = vec![false; config.size];
        for &p in &positions[..config.labeled] {
            labeled[p] = true;
        }
        Ok(Self {
            indices: candidates,
            labeled,
            holdout,
        })
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The rows that keep their labels.
    pub fn labeled_indices(&self) -> Vec<u32> {
        self.indices
            .iter()
            .zip(&self.labeled)
            .filter_map(|(&i, &l)| l.then_some(i))
            .collect()
    }
}

/// Training images reach the browser in shards of this many examples. A transfer set is drawn
/// from the smallest prefix of whole shards that can supply it, so the page downloads only those
/// shards, and the CLI, selecting the same way from all 60,000, reproduces the page's runs.
pub const SHARD_SIZE: usize = 10_000;
/// Images in a task's training split: MNIST's and Fashion-MNIST's both hold 60,000. The most a
/// transfer set can take before the split is seen (with it, [`pool_size`] says exactly).
pub const TRAINING_IMAGES: usize = 60_000;

/// How many leading training examples (a whole number of shards, or all of them) the transfer
/// set of `config` is drawn from. Needs only the labels.
pub fn pool_size(labels: &[u8], config: &TransferConfig) -> Result<usize> {
    config.validate()?;
    if config.holdout >= labels.len() {
        return Err(Error::setting(
            "holdout",
            format!(
                "{} held-out examples leave nothing of the {} training examples",
                config.holdout,
                labels.len()
            ),
        ));
    }
    let mut pool = 0;
    loop {
        pool = (pool + SHARD_SIZE).min(labels.len());
        let available = if config.holdout < pool {
            draw(labels, pool, config).candidates.len()
        } else {
            0
        };
        if available >= config.size {
            return Ok(pool);
        }
        if pool == labels.len() {
            return Err(Error::setting(
                "size",
                format!(
                    "{} examples asked for, but only {available} are available{}",
                    config.size,
                    if config.omit_classes.is_empty() && config.holdout == 0 {
                        String::new()
                    } else {
                        " after leaving out classes and the holdout".to_string()
                    }
                ),
            ));
        }
    }
}

/// The largest transfer set `config` could ask for from all of `labels` (its `size` ignored).
pub fn max_transfer_size(labels: &[u8], config: &TransferConfig) -> usize {
    if config.holdout >= labels.len() {
        return 0;
    }
    draw(labels, labels.len(), config).candidates.len()
}

/// The pool's rows in seeded order, split into the holdout and the candidates of the transfer
/// set; the generator continues from there.
struct Draw {
    candidates: Vec<u32>,
    holdout: Vec<u32>,
    rng: SplitMix64,
}

fn draw(labels: &[u8], pool: usize, config: &TransferConfig) -> Draw {
    let mut rng = SplitMix64::new(config.seed);
    let mut order: Vec<u32> = (0..pool as u32).collect();
    rng.shuffle(&mut order);
    let holdout = order[..config.holdout].to_vec();
    let candidates = order[config.holdout..]
        .iter()
        .copied()
        .filter(|&i| !config.omit_classes.contains(&labels[i as usize]))
        .collect();
    Draw {
        candidates,
        holdout,
        rng,
    }
}

impl TransferConfig {
    /// Checks the sizes, the labeled count and the omitted digits (not yet against a split).
    pub fn validate(&self) -> Result<()> {
        let config = self;
        if config.size == 0 {
            return Err(Error::setting("size", "it must hold at least one example"));
        }
        if config.holdout >= TRAINING_IMAGES {
            return Err(Error::setting(
                "holdout",
                format!(
                    "{} images; the training split holds {TRAINING_IMAGES}, and one must remain to draw from",
                    config.holdout
                ),
            ));
        }
        if config.size > TRAINING_IMAGES {
            return Err(Error::setting(
                "size",
                format!(
                    "{} images; the training split holds {TRAINING_IMAGES}",
                    config.size
                ),
            ));
        }
        if config.labeled > config.size {
            return Err(Error::setting(
                "labeled",
                format!(
                    "{} labeled examples in a transfer set of {}",
                    config.labeled, config.size
                ),
            ));
        }
        if let Some(bad) = config
            .omit_classes
            .iter()
            .find(|&&c| c as usize >= NUM_CLASSES)
        {
            return Err(Error::setting("omit", format!("{bad} is not a class")));
        }
        let mut omitted = config.omit_classes.clone();
        omitted.sort();
        omitted.dedup();
        if omitted.len() == NUM_CLASSES {
            return Err(Error::setting(
                "omit",
                "every class is left out, so nothing remains to learn from",
            ));
        }
        Ok(())
    }
}
