//! The explorer: probabilities at a temperature, the teacher's hardest test images, and the
//! class-bias shift of Hinton 2015 §3.

use burn::prelude::*;
use webdistill::eval::{Evaluation, predict_all, predict_logits};
use webdistill::explore::{
    BiasShift, ShiftSource, fit_class_bias, hardest_examples, shift_bias_of, shift_class_logit,
    soft_probabilities,
};
use webdistill::model::Student;

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

/// `student`'s bias shift on the test set.
fn shift(student: &Student, class: u8, source: ShiftSource<'_>) -> webdistill::Result<BiasShift> {
    let device = Device::flex();
    let test = mnist("t10k");
    let logits = pollster::block_on(predict_all(student, &test, &device)).unwrap();
    pollster::block_on(shift_bias_of(
        student, &test, &logits, class, source, &device,
    ))
}

#[test]
fn raising_a_class_bias_moves_predictions_to_that_class() {
    let student = small_trained_student(&Device::flex());
    let big = shift(&student, 3, ShiftSource::Given(50.0)).unwrap();
    assert_eq!(
        big.after.class_errors, 0,
        "a +50 bias makes every image a 3"
    );
    assert_eq!(big.after.class_total, 1010);
    assert!(big.after.errors > 8000);
    let none = shift(&student, 3, ShiftSource::Given(0.0)).unwrap();
    assert_eq!(none.before, none.after);
}

#[test]
fn a_fitted_shift_uses_held_out_images_and_does_not_hurt_them() {
    let device = Device::flex();
    let student = small_trained_student(&device);
    let test = mnist("t10k");
    // Rows 5000.. of the test split were never trained on by this student: a fair holdout.
    let rows: Vec<u32> = (5000..7000).collect();
    let fitted = shift(&student, 3, ShiftSource::FitOn(&test, &rows)).unwrap();
    assert_eq!(fitted.fitted_on, Some(2000));
    assert!((0.0..=10.0).contains(&fitted.delta));
    // On the images it was fitted on, the shift is at least as good as none (0 is on its grid).
    let logits = pollster::block_on(predict_logits(&student, &test, &rows, &device)).unwrap();
    let labels: Vec<u8> = rows.iter().map(|&r| test.labels()[r as usize]).collect();
    let before = Evaluation::from_logits(&logits, &labels).accuracy;
    let after =
        Evaluation::from_logits(&shift_class_logit(&logits, 3, fitted.delta), &labels).accuracy;
    assert!(after >= before, "held-out accuracy {before} → {after}");
    assert_eq!(fit_class_bias(&logits, &labels, 3).0, fitted.delta);
    let err = shift(&student, 3, ShiftSource::FitOn(&test, &[])).unwrap_err();
    assert!(err.to_string().contains("held out"), "{err}");
    let err = shift(&student, 12, ShiftSource::Given(1.0)).unwrap_err();
    assert!(err.to_string().contains("12 is not a class"), "{err}");
}

#[test]
fn the_slider_goes_up_to_twenty() {
    let logits = [1.0f32; 10];
    assert!(webdistill::explore::slider_probabilities(&logits, 20.0).is_ok());
    let err = webdistill::explore::slider_probabilities(&logits, 20.5).unwrap_err();
    assert!(err.to_string().contains("goes up to 20"), "{err}");
}
