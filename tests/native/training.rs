//! A short training run lowers the loss; the scratch twin shares seed and steps.

use std::sync::Arc;

use burn::prelude::*;
use webdistill::data::{TrainingSet, TransferConfig, TransferSet};
use webdistill::distill::Objective;
use webdistill::eval::{evaluate, predict_logits};
use webdistill::experiment::{DistillSettings, Lab, fit_class_bias, shift_class_logit};
use webdistill::live::Phase;
use webdistill::model::{StudentConfig, TeacherConfig};
use webdistill::train::{TrainConfig, Trainer};

use crate::support::{mnist, synthetic};

fn config(objective: Objective) -> TrainConfig {
    TrainConfig {
        student: StudentConfig { hidden: vec![32] },
        objective,
        epochs: 3,
        batch_size: 50,
        learning_rate: 1e-3,
        seed: 5,
    }
}

#[test]
fn training_lowers_the_loss_and_learns() {
    let device = Device::flex();
    let train = Arc::new(mnist("t10k"));
    let transfer = TransferSet::select(&train, &TransferConfig::all_labeled(2000, 3)).unwrap();
    let set = TrainingSet::labeled_only(train.clone(), &transfer).unwrap();
    let config = config(Objective::Labels);
    let steps = config.steps_for(set.len());
    assert_eq!(steps, 3 * 40);
    let mut trainer = Trainer::new(config, set, steps, &device).unwrap();
    let first = pollster::block_on(trainer.advance(10)).unwrap();
    let mut last = first.clone();
    while !trainer.is_done() {
        last = pollster::block_on(trainer.advance(10)).unwrap();
    }
    assert_eq!(last.step, steps);
    assert!((last.epoch - 3.0).abs() < 1e-9);
    let (first, last) = (first.loss.unwrap(), last.loss.unwrap());
    assert!(last < first * 0.5, "loss went from {first} to {last}");
    let accuracy = pollster::block_on(evaluate(&trainer.student(), &train, &device))
        .unwrap()
        .accuracy;
    assert!(accuracy > 0.8, "accuracy {accuracy}");
}

#[test]
fn same_seed_gives_the_same_run() {
    let device = Device::flex();
    let train = Arc::new(synthetic(200));
    let transfer = TransferSet::select(&train, &TransferConfig::all_labeled(200, 1)).unwrap();
    let run = || {
        let set = TrainingSet::labeled_only(train.clone(), &transfer).unwrap();
        let mut t = Trainer::new(config(Objective::Labels), set, 8, &device).unwrap();
        pollster::block_on(t.advance(8)).unwrap().loss.unwrap()
    };
    assert_eq!(run(), run());
}

#[test]
fn distillation_needs_teacher_logits() {
    let train = Arc::new(synthetic(100));
    let transfer = TransferSet::select(&train, &TransferConfig::all_labeled(100, 1)).unwrap();
    let set = TrainingSet::labeled_only(train, &transfer).unwrap();
    let hinton = Objective::Hinton {
        temperature: 4.0,
        alpha: 0.9,
    };
    let err = Trainer::new(config(hinton), set, 4, &Device::flex())
        .err()
        .unwrap();
    assert!(err.to_string().contains("teacher"), "{err}");
}

#[test]
fn a_distilled_student_learns_from_unlabeled_soft_targets() {
    // A teacher that knows the synthetic rule (its logits are the labels' one-hot × 10) teaches a
    // student from unlabeled examples only; the scratch twin has 5 labels.
    let device = Device::flex();
    let train = Arc::new(synthetic(500));
    let transfer = TransferSet::select(
        &train,
        &TransferConfig {
            labeled: 5,
            ..TransferConfig::all_labeled(500, 2)
        },
    )
    .unwrap();
    let logits: Vec<f32> = transfer
        .indices
        .iter()
        .flat_map(|&i| {
            let label = train.labels()[i as usize] as usize;
            (0..10).map(move |k| if k == label { 10.0 } else { 0.0 })
        })
        .collect();
    let set = TrainingSet::distillation(train.clone(), &transfer, Arc::new(logits)).unwrap();
    let cfg = config(Objective::Hinton {
        temperature: 2.0,
        alpha: 1.0,
    });
    let steps = cfg.steps_for(set.len());
    let mut trainer = Trainer::new(cfg, set, steps, &device).unwrap();
    while !trainer.is_done() {
        pollster::block_on(trainer.advance(50)).unwrap();
    }
    let accuracy = pollster::block_on(evaluate(&trainer.student(), &train, &device))
        .unwrap()
        .accuracy;
    assert!(accuracy > 0.95, "distilled accuracy {accuracy}");
}

#[test]
fn a_whole_comparison_runs_and_reports() {
    // A tiny end-to-end comparison with an untrained teacher: checks the plumbing and the
    // report's fields, not accuracy.
    let device = Device::flex();
    let lab = Lab {
        teacher: TeacherConfig::default().init(&device),
        teacher_architecture: "untrained".into(),
        device,
        train: Arc::new(synthetic(300)),
        test: Arc::new(synthetic(100)),
    };
    let settings = DistillSettings {
        student: StudentConfig { hidden: vec![16] },
        epochs: 1,
        batch_size: 32,
        transfer: TransferConfig {
            labeled: 20,
            ..TransferConfig::all_labeled(256, 1)
        },
        ..DistillSettings::default()
    };
    let mut updates = Vec::new();
    let c = pollster::block_on(lab.compare(&settings, &mut |u| updates.push(u.clone()))).unwrap();
    assert_eq!(c.steps, 8);
    assert_eq!(c.labeled, 20);
    assert_eq!(
        updates[0].phase,
        Phase::Training,
        "the teacher labeled all 256 in one slice"
    );
    assert_eq!(updates[0].teacher_done, 256);
    let last = updates.last().unwrap();
    assert_eq!(last.phase, Phase::Done);
    let (d, s) = (
        last.distilled.as_ref().unwrap(),
        last.scratch.as_ref().unwrap(),
    );
    assert_eq!(
        (d.progress.step, s.progress.step),
        (8, 8),
        "the twins take the same steps"
    );
    assert!(
        d.live_accuracy.is_some() && s.live_accuracy.is_some(),
        "scored at the end"
    );
    let scratch = c.scratch.unwrap();
    assert_eq!(c.distilled.params, 784 * 16 + 16 + 16 * 10 + 10);
    assert_eq!(scratch.params, c.distilled.params);
    assert_eq!(
        c.distilled.errors,
        100 - (c.distilled.accuracy * 100.0).round() as usize
    );
    assert!(c.distilled.bytes > 4 * c.distilled.params);
    assert!(c.teacher.ms_per_image > 0.0 && (c.teacher.speedup - 1.0).abs() < 1e-12);
    assert_eq!(c.teacher.evaluation.total, 100);
}

#[test]
fn a_bias_shift_brings_back_an_omitted_class() {
    // Logits where class 3 always sits 2 below the best: no 3 is ever predicted, and a shift
    // above 2 recovers them all.
    let labels: Vec<u8> = (0..100).map(|i| (i % 10) as u8).collect();
    let logits: Vec<f32> = labels
        .iter()
        .flat_map(|&l| {
            (0..10).map(move |k| match (l, k) {
                (3, 3) => 3.0,
                (3, 5) => 5.0,
                (_, k) if k == l as usize => 9.0,
                _ => 0.0,
            })
        })
        .collect();
    let before = webdistill::eval::Evaluation::from_logits(&logits, &labels);
    assert_eq!(before.class_right(3), 0);
    let after =
        webdistill::eval::Evaluation::from_logits(&shift_class_logit(&logits, 3, 2.5), &labels);
    assert_eq!(after.class_right(3), 10);
    assert_eq!(after.errors, 0);
    let (shift, accuracy) = fit_class_bias(&logits, &labels, 3);
    assert!((2.0..6.0).contains(&shift), "{shift}");
    assert_eq!(accuracy, 1.0);
}

#[test]
fn raising_a_student_bias_shifts_that_logit() {
    let device = Device::flex();
    device.seed(1);
    let student = StudentConfig { hidden: vec![8] }.init(&device);
    let data = synthetic(20);
    let rows: Vec<u32> = (0..20).collect();
    let before = pollster::block_on(predict_logits(&student, &data, &rows, &device)).unwrap();
    let shifted = student.with_class_bias_shift(3, 3.5);
    let after = pollster::block_on(predict_logits(&shifted, &data, &rows, &device)).unwrap();
    let expected = shift_class_logit(&before, 3, 3.5);
    assert!(
        after
            .iter()
            .zip(&expected)
            .all(|(a, b)| (a - b).abs() < 1e-5)
    );
}
