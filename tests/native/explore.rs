//! The explorer: probabilities at a temperature, the teacher's hardest test images, and the
//! class-bias shift of Hinton 2015 §3.

use burn::prelude::*;
use webdistill::eval::predict_all;
use webdistill::explore::{ShiftSource, hardest_examples, shift_bias, soft_probabilities};

use crate::support::{mnist, small_trained_student, teacher};

#[test]
fn temperature_softens_the_probabilities_and_keeps_their_order() {
    let logits = [8.0f32, 2.0, 1.0, 0.0, -1.0, -2.0, 0.5, 3.0, 1.5, -3.0];
    let sharp = soft_probabilities(&logits, 1.0).unwrap();
    let soft = soft_probabilities(&logits, 20.0).unwrap();
    for p in [&sharp, &soft] {
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    assert!(
        sharp[0] > 0.98 && soft[0] < 0.2,
        "T=1 {} vs T=20 {}",
        sharp[0],
        soft[0]
    );
    // The small probabilities ("dark knowledge") grow with T, in the same order.
    assert!(soft[7] > sharp[7] * 10.0);
    assert!(soft[7] > soft[8] && soft[8] > soft[2] && soft[2] > soft[9]);
    // A tiny probability is not rounded to zero at T = 1.
    assert!(sharp[9] > 0.0);
}

#[test]
fn bad_temperatures_and_rows_are_refused() {
    let logits = [0.0f32; 10];
    for t in [0.0, -1.0, f32::NAN, 1e9] {
        assert!(soft_probabilities(&logits, t).is_err(), "T = {t}");
    }
    assert!(soft_probabilities(&[1.0; 7], 1.0).is_err());
}

#[test]
fn the_hardest_test_images_are_the_teachers_mistakes_first() {
    let device = Device::flex();
    let test = mnist("t10k");
    let logits = pollster::block_on(predict_all(&teacher(&device), &test, &device)).unwrap();
    let hardest = hardest_examples(&logits, test.labels(), 20).unwrap();
    assert_eq!(hardest.len(), 20);
    let wrong = |i: u32| {
        let row = &logits[i as usize * 10..i as usize * 10 + 10];
        webdistill::eval::argmax(row) != test.labels()[i as usize] as usize
    };
    assert!(
        hardest.iter().take(10).all(|&i| wrong(i)),
        "the teacher makes ~60 mistakes; the 10 hardest are among them"
    );
}

#[test]
fn raising_a_class_bias_moves_predictions_to_that_class() {
    let device = Device::flex();
    let student = small_trained_student(&device);
    let test = mnist("t10k");
    let shift = pollster::block_on(shift_bias(
        &student,
        &test,
        3,
        ShiftSource::Given(50.0),
        &device,
    ))
    .unwrap();
    assert_eq!(
        shift.after.class_errors, 0,
        "a +50 bias makes every image a 3"
    );
    assert_eq!(shift.after.class_total, 1010);
    assert!(shift.after.errors > 8000);
    let none = pollster::block_on(shift_bias(
        &student,
        &test,
        3,
        ShiftSource::Given(0.0),
        &device,
    ))
    .unwrap();
    assert_eq!(none.before, none.after);
}

#[test]
fn a_fitted_shift_uses_held_out_images_and_does_not_hurt_them() {
    let device = Device::flex();
    let student = small_trained_student(&device);
    let test = mnist("t10k");
    // Rows 5000.. of the test split were never trained on by this student: a fair holdout.
    let rows: Vec<u32> = (5000..7000).collect();
    let fitted = pollster::block_on(shift_bias(
        &student,
        &test,
        3,
        ShiftSource::FitOn(&test, &rows),
        &device,
    ))
    .unwrap();
    assert_eq!(fitted.fitted_on, Some(2000));
    assert!((0.0..=10.0).contains(&fitted.delta));
    let err = pollster::block_on(shift_bias(
        &student,
        &test,
        3,
        ShiftSource::FitOn(&test, &[]),
        &device,
    ))
    .unwrap_err();
    assert!(err.to_string().contains("held out"), "{err}");
    let err = pollster::block_on(shift_bias(
        &student,
        &test,
        12,
        ShiftSource::Given(1.0),
        &device,
    ))
    .unwrap_err();
    assert!(err.to_string().contains("not a digit"), "{err}");
}
