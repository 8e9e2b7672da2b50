//! The IDX reader on good and bad files.

use std::io::Write;

use webdistill::Error;
use webdistill::data::Mnist;
use webdistill::data::idx::{
    IMAGES_MAGIC, IdxImages, LABELS_MAGIC, encode_images, encode_labels, parse_images, parse_labels,
};

use crate::support::mnist_dir;

fn two_images() -> IdxImages {
    IdxImages {
        count: 2,
        rows: 28,
        cols: 28,
        pixels: (0..2 * 784).map(|i| (i % 256) as u8).collect(),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn reads_the_real_mnist_files() {
    let bytes = std::fs::read(mnist_dir().join("t10k-images-idx3-ubyte")).unwrap();
    let images = parse_images("t10k-images", &bytes).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (10_000, 28, 28));
    let labels = parse_labels(
        "t10k-labels",
        &std::fs::read(mnist_dir().join("t10k-labels-idx1-ubyte")).unwrap(),
    )
    .unwrap();
    // The first test digits of MNIST are 7, 2, 1, 0, 4.
    assert_eq!(&labels[..5], &[7, 2, 1, 0, 4]);
    let mut counts = [0usize; 10];
    labels.iter().for_each(|&l| counts[l as usize] += 1);
    assert_eq!(counts[3], 1010, "MNIST's test set holds 1,010 threes");
}

#[test]
fn round_trips_raw_and_gzip() {
    let images = two_images();
    let raw = encode_images(&images);
    assert_eq!(parse_images("x", &raw).unwrap(), images);
    assert_eq!(parse_images("x.gz", &gzip(&raw)).unwrap(), images);
    let labels = encode_labels(&[3, 9]);
    assert_eq!(parse_labels("y.gz", &gzip(&labels)).unwrap(), vec![3, 9]);
}

#[test]
fn rejects_a_wrong_magic_number() {
    let err = parse_images("labels-as-images", &encode_labels(&[1, 2])).unwrap_err();
    assert_eq!(
        err,
        Error::BadMagic {
            file: "labels-as-images".into(),
            expected: IMAGES_MAGIC,
            found: LABELS_MAGIC
        }
    );
    assert!(err.to_string().contains("magic number"), "{err}");
}

#[test]
fn rejects_truncated_and_padded_files() {
    let raw = encode_images(&two_images());
    let err = parse_images("short", &raw[..raw.len() - 1]).unwrap_err();
    assert!(
        matches!(err, Error::WrongLength { expected, found, .. } if expected == raw.len() && found == raw.len() - 1)
    );
    assert!(err.to_string().contains("truncated"), "{err}");
    let mut long = raw.clone();
    long.push(0);
    assert!(matches!(
        parse_images("long", &long),
        Err(Error::WrongLength { .. })
    ));
    assert!(matches!(
        parse_images("empty", &[]),
        Err(Error::WrongLength { .. })
    ));
    assert!(matches!(
        parse_images("header", &raw[..10]),
        Err(Error::WrongLength { .. })
    ));
}

#[test]
fn rejects_a_header_that_promises_more_than_the_file_holds() {
    let mut raw = encode_images(&two_images());
    raw[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    raw[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    let err = parse_images("huge", &raw).unwrap_err();
    assert!(
        matches!(err, Error::WrongLength { .. } | Error::BadDimensions { .. }),
        "{err}"
    );
}

#[test]
fn rejects_corrupt_gzip() {
    let mut gz = gzip(&encode_labels(&[1, 2, 3]));
    let n = gz.len();
    gz.truncate(n - 6);
    let err = parse_labels("labels.gz", &gz).unwrap_err();
    assert!(matches!(err, Error::Gzip { .. }), "{err}");
}

#[test]
fn rejects_labels_that_are_not_digits() {
    let err = parse_labels("labels", &encode_labels(&[1, 12])).unwrap_err();
    assert_eq!(
        err,
        Error::BadLabel {
            index: 1,
            label: 12
        }
    );
}

#[test]
fn rejects_images_and_labels_that_disagree() {
    let images = encode_images(&two_images());
    let err = Mnist::from_idx("img", &images, "lbl", &encode_labels(&[1, 2, 3])).unwrap_err();
    assert_eq!(
        err,
        Error::CountMismatch {
            images: 2,
            labels: 3
        }
    );
    assert!(err.to_string().contains("2 images"), "{err}");
}

#[test]
fn rejects_images_that_are_not_28_by_28() {
    let images = IdxImages {
        count: 1,
        rows: 32,
        cols: 32,
        pixels: vec![0; 1024],
    };
    let err =
        Mnist::from_idx("img", &encode_images(&images), "lbl", &encode_labels(&[1])).unwrap_err();
    assert!(matches!(err, Error::BadDimensions { .. }), "{err}");
    assert!(err.to_string().contains("32×32"), "{err}");
}

#[test]
fn training_shards_append_in_place_and_in_order() {
    // A split of 15,000: shard 0 holds 10,000 images, shard 1 the last 5,000.
    let labels: Vec<u8> = (0..15_000).map(|i| (i % 10) as u8).collect();
    let shard = |count: usize, fill: u8| {
        encode_images(&IdxImages {
            count,
            rows: 28,
            cols: 28,
            pixels: vec![fill; count * 784],
        })
    };
    let mut train = Mnist::from_parts(Vec::new(), Vec::new()).unwrap();
    let err = train
        .append_shard(1, &shard(5_000, 2), &labels)
        .unwrap_err();
    assert!(err.to_string().contains("next is 0"), "{err}");
    let err = train
        .append_shard(0, &shard(9_999, 1), &labels)
        .unwrap_err();
    assert!(
        err.to_string().contains("should hold 10000 images"),
        "{err}"
    );
    assert!(train.is_empty(), "a refused shard changes nothing");
    train.append_shard(0, &shard(10_000, 1), &labels).unwrap();
    train.append_shard(1, &shard(5_000, 2), &labels).unwrap();
    assert_eq!(train.len(), 15_000);
    assert_eq!(train.labels(), &labels[..]);
    assert_eq!((train.image(9_999)[0], train.image(10_000)[0]), (1, 2));
    let err = train
        .append_shard(1, &shard(5_000, 2), &labels)
        .unwrap_err();
    assert!(err.to_string().contains("in order"), "{err}");
}

#[test]
fn a_loaded_shard_handed_on_as_raw_idx_loads_the_same_images_elsewhere() {
    // What a helper worker gets (`Session.trainShardIdx`): the worker's decoded shard, not the
    // gzip file, loads into another split as the same images and labels.
    let labels: Vec<u8> = (0..15_000).map(|i| (i % 10) as u8).collect();
    let pixels =
        |count: usize, from: usize| (0..count * 784).map(move |p| ((p + from) % 251) as u8);
    let shard = |count: usize, from: usize| {
        gzip(&encode_images(&IdxImages {
            count,
            rows: 28,
            cols: 28,
            pixels: pixels(count, from).collect(),
        }))
    };
    let mut worker = Mnist::from_parts(Vec::new(), Vec::new()).unwrap();
    worker.append_shard(0, &shard(10_000, 0), &labels).unwrap();
    worker.append_shard(1, &shard(5_000, 7), &labels).unwrap();
    let mut helper = Mnist::from_parts(Vec::new(), Vec::new()).unwrap();
    for index in 0..2 {
        let raw = worker.shard_idx(index).unwrap();
        assert_ne!(raw[..2], [0x1f, 0x8b], "raw IDX, nothing to inflate");
        helper.append_shard(index, &raw, &labels).unwrap();
    }
    assert_eq!(worker.shard_idx(2), None, "no shard past the images loaded");
    assert_eq!(helper.len(), 15_000);
    assert_eq!(helper.labels(), worker.labels());
    for i in [0, 9_999, 10_000, 14_999] {
        assert_eq!(helper.image(i), worker.image(i), "image {i}");
    }
}
