//! A short training run lowers the loss; the scratch twin shares seed and steps.

use std::sync::Arc;

use burn::prelude::*;
use webdistill::data::{TrainingSet, TransferConfig, TransferSet};
use webdistill::distill::Objective;
use webdistill::eval::{Evaluation, evaluate, predict_all};
use webdistill::explore::{fit_class_bias, shift_class_logit};
use webdistill::model::StudentConfig;
use webdistill::run::Phase;
use webdistill::settings::DistillSettings;
use webdistill::train::{TrainConfig, Trainer};

use crate::support::{mnist, quick, run_collecting, synthetic};

fn config(objective: Objective) -> TrainConfig {
    TrainConfig {
        student: StudentConfig::Mlp { hidden: vec![32] },
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
    let lab = crate::support::lab(synthetic(300), synthetic(100), None);
    let settings = DistillSettings {
        hidden: vec![16],
        ..quick()
    };
    let (finished, updates) = run_collecting(&lab, &settings);
    let c = &finished.comparison;
    assert_eq!(c.steps, 8);
    assert_eq!(c.labeled, 20);
    assert_eq!(
        updates[0].phase,
        Phase::Training,
        "the teacher labelled all 256 in one slice"
    );
    assert_eq!(updates[0].labelled, 256);
    let phases: Vec<Phase> = updates.iter().map(|u| u.phase).collect();
    assert!(phases.contains(&Phase::Measuring), "{phases:?}");
    let last = updates.last().unwrap();
    assert_eq!(last.phase, Phase::Done);
    assert_eq!(last.measured, last.to_measure);
    let training: Vec<_> = updates.iter().filter(|u| u.distilled.is_some()).collect();
    let (d, s) = {
        let u = training.last().unwrap();
        (u.distilled.as_ref().unwrap(), u.scratch.as_ref().unwrap())
    };
    assert_eq!(
        (d.progress.step, s.progress.step),
        (8, 8),
        "the twins take the same steps"
    );
    assert_eq!((d.progress.examples, s.progress.examples), (256, 20));
    // 8 steps are one pass over the 256 images, and eight over the 20 labeled ones.
    assert_eq!((d.progress.epoch, s.progress.epoch), (1.0, 8.0));
    assert!(
        d.live_accuracy.is_some() && s.live_accuracy.is_some(),
        "scored at the end"
    );
    let scratch = c.scratch.as_ref().unwrap();
    assert_eq!(c.distilled.params, 784 * 16 + 16 + 16 * 10 + 10);
    assert_eq!(scratch.params, c.distilled.params);
    // The reported errors are the kept student's own, counted here independently.
    let logits = pollster::block_on(predict_all(
        &finished.distilled.model,
        &lab.test,
        &lab.device,
    ));
    let own = Evaluation::from_logits(&logits.unwrap(), lab.test.labels());
    assert_eq!(c.distilled.errors, own.errors);
    assert_eq!(
        c.distilled.bytes,
        finished.distilled.weights.to_f32_file().unwrap().len()
    );
    assert!(c.teacher.ms_per_image > 0.0 && c.teacher.speedup == Some(1.0));
    assert_eq!(c.teacher.evaluation.total, 100);
    assert!(c.seconds > 0.0);
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
fn twins_start_from_the_same_weights_however_their_steps_interleave() {
    // burn draws parameters lazily; a student must be drawn where its seed is set, or a twin
    // stepped second would start from the generator's next numbers (it did, before draw_now).
    let device = Device::flex();
    let train = Arc::new(synthetic(300));
    let labeled = TransferConfig {
        labeled: 20,
        ..TransferConfig::all_labeled(256, 1)
    };
    let transfer = TransferSet::select(&train, &labeled).unwrap();
    let make = || {
        let set = TrainingSet::labeled_only(train.clone(), &transfer).unwrap();
        Trainer::new(config(Objective::Labels), set, 8, &device).unwrap()
    };
    let losses = |t: &mut Trainer, other: Option<&mut Trainer>| {
        let mut other = other;
        (0..3)
            .map(|_| {
                if let Some(o) = other.as_deref_mut() {
                    pollster::block_on(o.advance(1)).unwrap();
                }
                pollster::block_on(t.advance(1)).unwrap().loss.unwrap()
            })
            .collect::<Vec<f32>>()
    };
    let alone = losses(&mut make(), None);
    let (mut first, mut second) = (make(), make());
    assert_eq!(losses(&mut second, Some(&mut first)), alone);
}
