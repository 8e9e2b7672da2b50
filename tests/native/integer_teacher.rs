//! The teacher's integer labelling pass (src/model/integer_teacher.rs) gives the f32 teacher's
//! soft targets within a stated tolerance, and the same logits whatever images share its batch.

use burn::prelude::*;
use webdistill::data::{Mnist, NUM_CLASSES, Task};
use webdistill::eval::read_floats;
use webdistill::model::{Classifier, IntegerTeacher, Teacher};

use crate::support::{bundled_file, split};

/// Softmax of `logits` at temperature `t`.
fn soft(logits: &[f32], t: f32) -> Vec<f64> {
    let max = logits.iter().fold(f32::MIN, |m, &v| m.max(v));
    let e: Vec<f64> = logits
        .iter()
        .map(|&l| (((l - max) / t) as f64).exp())
        .collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// The f32 teacher's and the integer pass's logits on the first `n` test images of `task`.
fn both(task: Task, file: &str, n: usize) -> (Vec<f32>, Vec<f32>, Teacher, Mnist) {
    let device = Device::flex();
    let (card, weights) = bundled_file(file);
    let teacher = card.load_teacher(&weights, &device).unwrap();
    let test = split(task, "t10k");
    let rows: Vec<u32> = (0..n as u32).collect();
    let f32_logits = pollster::block_on(read_floats(
        teacher.logits(test.images_tensor(&rows, &device)),
    ))
    .unwrap();
    let integer = pollster::block_on(IntegerTeacher::quantise(&teacher)).unwrap();
    let images: Vec<&[u8]> = rows.iter().map(|&r| test.image(r as usize)).collect();
    let (int_logits, _) = integer.forward(&images, false);
    (f32_logits, int_logits, teacher, test)
}

fn check_close(task: Task, file: &str) {
    let n = 2000;
    let (f, q, _, _) = both(task, file, n);
    let (mut max_diff, mut max_prob, mut same_argmax) = (0f32, 0f64, 0);
    let argmax = |l: &[f32]| {
        (0..NUM_CLASSES)
            .max_by(|&a, &b| l[a].total_cmp(&l[b]))
            .unwrap()
    };
    for (a, b) in f.chunks(NUM_CLASSES).zip(q.chunks(NUM_CLASSES)) {
        let spread =
            a.iter().fold(f32::MIN, |m, &v| m.max(v)) - a.iter().fold(f32::MAX, |m, &v| m.min(v));
        for (x, y) in a.iter().zip(b) {
            max_diff = max_diff.max((x - y).abs() / spread.max(1.0));
        }
        // The soft targets at the page's temperatures (2 to 20): each probability within.
        for t in [2.0, 4.0, 20.0] {
            for (x, y) in soft(a, t).iter().zip(soft(b, t)) {
                max_prob = max_prob.max((x - y).abs());
            }
        }
        same_argmax += usize::from(argmax(a) == argmax(b));
    }
    println!(
        "{file}: largest logit difference {max_diff:.5} of the logits' spread, largest soft-target difference {max_prob:.5}, same class on {same_argmax} of {n}"
    );
    assert!(
        max_diff < 0.01,
        "{file}: logits differ by {max_diff} of their spread"
    );
    assert!(
        max_prob < 0.01,
        "{file}: a soft target differs by {max_prob}"
    );
    assert!(
        same_argmax >= n - 2,
        "{file}: the same class on {same_argmax} of {n}"
    );
}

#[test]
fn the_integer_pass_gives_the_digits_teachers_soft_targets_within_a_hundredth() {
    check_close(Task::Digits, "teacher");
}

#[test]
fn the_integer_pass_gives_the_fashion_teachers_soft_targets_within_a_hundredth() {
    check_close(Task::Fashion, "teacher-fashion");
}

#[test]
fn an_images_logits_do_not_depend_on_the_images_labelled_beside_it() {
    let (_, _, teacher, test) = both(Task::Digits, "teacher", 1);
    let integer = pollster::block_on(IntegerTeacher::quantise(&teacher)).unwrap();
    let images: Vec<&[u8]> = (0..7).map(|r| test.image(r)).collect();
    let (together, hidden) = integer.forward(&images, true);
    assert_eq!(hidden.unwrap().len(), 7 * integer.hidden_units());
    for (i, image) in images.iter().enumerate() {
        let (alone, _) = integer.forward(&[image], false);
        assert_eq!(
            alone,
            together[i * NUM_CLASSES..(i + 1) * NUM_CLASSES],
            "image {i}"
        );
    }
}
