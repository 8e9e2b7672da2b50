//! Transfer-set selection obeys its settings.

use webdistill::Error;
use webdistill::data::{TransferConfig, TransferSet};

use crate::support::{mnist, synthetic};

#[test]
fn selects_the_asked_size_and_labels_and_is_deterministic() {
    let train = synthetic(1000);
    let config = TransferConfig {
        size: 300,
        labeled: 40,
        omit_classes: vec![],
        holdout: 0,
        seed: 9,
    };
    let a = TransferSet::select(&train, &config).unwrap();
    let b = TransferSet::select(&train, &config).unwrap();
    assert_eq!(a, b, "same seed, same set");
    assert_eq!(a.len(), 300);
    assert_eq!(a.labeled.iter().filter(|&&l| l).count(), 40);
    assert_eq!(a.labeled_indices().len(), 40);
    let mut unique = a.indices.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 300, "no example twice");
    let c = TransferSet::select(&train, &TransferConfig { seed: 10, ..config }).unwrap();
    assert_ne!(a.indices, c.indices, "another seed, another set");
}

#[test]
fn leaves_out_omitted_classes_and_the_holdout() {
    let train = mnist("train");
    let config = TransferConfig {
        size: 45_000,
        labeled: 45_000,
        omit_classes: vec![3],
        holdout: 5_000,
        seed: 1,
    };
    let set = TransferSet::select(&train, &config).unwrap();
    assert!(set.indices.iter().all(|&i| train.labels()[i as usize] != 3));
    assert_eq!(set.holdout.len(), 5_000);
    assert!(
        set.holdout.iter().any(|&i| train.labels()[i as usize] == 3),
        "the holdout keeps 3s"
    );
    assert!(set.indices.iter().all(|i| !set.holdout.contains(i)));
}

#[test]
fn rejects_impossible_selections() {
    let train = synthetic(100);
    let base = TransferConfig::all_labeled(50, 1);
    let cases = [
        (
            TransferConfig {
                size: 0,
                labeled: 0,
                ..base.clone()
            },
            "transfer set size",
        ),
        (
            TransferConfig {
                size: 101,
                labeled: 0,
                ..base.clone()
            },
            "transfer set size",
        ),
        (
            TransferConfig {
                labeled: 51,
                ..base.clone()
            },
            "labeled examples",
        ),
        (
            TransferConfig {
                omit_classes: (0..10).collect(),
                ..base.clone()
            },
            "every class",
        ),
        (
            TransferConfig {
                omit_classes: vec![10],
                ..base.clone()
            },
            "not a class",
        ),
        (
            TransferConfig {
                omit_classes: vec![3],
                size: 95,
                labeled: 0,
                ..base.clone()
            },
            "only 90",
        ),
        (
            TransferConfig {
                holdout: 100,
                ..base.clone()
            },
            "held-out",
        ),
    ];
    for (config, needle) in cases {
        let err = TransferSet::select(&train, &config).unwrap_err();
        assert!(
            matches!(err, Error::InvalidSetting { .. }),
            "{config:?}: {err}"
        );
        // As a person reads it: the setting named by its label.
        let shown = webdistill::settings::message(&err);
        assert!(
            shown.contains(needle),
            "{config:?}: {shown} lacks {needle:?}"
        );
    }
}

#[test]
fn small_sets_come_from_the_first_shards_only() {
    use webdistill::data::{Mnist, SHARD_SIZE, pool_size};
    let train = mnist("train");
    let config = TransferConfig {
        labeled: 300,
        ..TransferConfig::all_labeled(10_000, 4)
    };
    // 10,000 examples need the first shard only when nothing is left out...
    assert_eq!(pool_size(train.labels(), &config).unwrap(), SHARD_SIZE);
    let set = TransferSet::select(&train, &config).unwrap();
    assert!(set.indices.iter().all(|&i| (i as usize) < SHARD_SIZE));
    // ...and the page, holding only that shard, selects exactly the same set.
    let prefix_pixels: Vec<u8> = (0..SHARD_SIZE)
        .flat_map(|i| train.image(i).to_vec())
        .collect();
    let prefix = Mnist::from_parts(prefix_pixels, train.labels()[..SHARD_SIZE].to_vec()).unwrap();
    assert_eq!(TransferSet::select(&prefix, &config).unwrap(), set);
    // Leaving out the 3s, 10,000 examples need a second shard.
    let no_threes = TransferConfig {
        omit_classes: vec![3],
        ..config
    };
    assert_eq!(
        pool_size(train.labels(), &no_threes).unwrap(),
        2 * SHARD_SIZE
    );
}
