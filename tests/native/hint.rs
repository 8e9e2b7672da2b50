//! The FitNets hint (Romero et al. 2015): its loss by hand, a regressor that trains with the
//! student, and a whole comparison that runs with it on the real teacher.

use std::sync::Arc;

use burn::prelude::*;
use burn::tensor::TensorData;
use webdistill::data::{TrainingSet, TransferConfig, TransferSet};
use webdistill::distill::{Objective, hint_loss};
use webdistill::model::StudentConfig;
use webdistill::run::teacher_outputs;
use webdistill::train::{TrainConfig, Trainer};

use crate::support::{mnist, synthetic, teacher};

const HINT: Objective = Objective::Hint {
    temperature: 4.0,
    alpha: 0.9,
    beta: 1.0,
};

#[test]
fn the_hint_loss_is_half_the_mean_squared_difference() {
    let device = Device::flex();
    let a = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]),
        &device,
    );
    let b = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, 0.0, 3.0, 1.0], [2, 2]),
        &device,
    );
    let value = hint_loss(a.clone(), b)
        .into_data()
        .iter::<f32>()
        .next()
        .unwrap();
    assert!((value - 0.5 * (4.0 + 9.0) / 4.0).abs() < 1e-6, "{value}");
    let zero = hint_loss(a.clone(), a)
        .into_data()
        .iter::<f32>()
        .next()
        .unwrap();
    assert_eq!(zero, 0.0);
}

#[test]
fn a_hint_weight_out_of_range_is_refused_and_named() {
    for beta in [-1.0, f32::NAN, 1e6] {
        let err = Objective::Hint {
            temperature: 4.0,
            alpha: 0.9,
            beta,
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("β"), "{err}");
    }
    assert!(HINT.describe().contains("FitNets"));
}

#[test]
fn a_hint_run_needs_the_teachers_hidden_layer() {
    let device = Device::flex();
    let data = Arc::new(mnist("t10k"));
    let transfer = TransferSet::select(&data, &TransferConfig::all_labeled(500, 1)).unwrap();
    let logits = Arc::new(vec![0.0f32; 500 * 10]);
    let set = TrainingSet::distillation(data, &transfer, logits).unwrap();
    let config = TrainConfig {
        student: StudentConfig::Mlp { hidden: vec![16] },
        objective: HINT,
        epochs: 1,
        batch_size: 50,
        learning_rate: 1e-3,
        seed: 1,
    };
    let err = Trainer::new(config.clone(), set.clone(), 10, &device)
        .err()
        .unwrap();
    assert!(err.to_string().contains("hidden layer"), "{err}");
    let err = set
        .clone()
        .with_teacher_hidden(Arc::new(vec![0.0; 7]), 128)
        .err()
        .unwrap();
    assert!(err.to_string().contains("values"), "{err}");
    let set = set
        .with_teacher_hidden(Arc::new(vec![0.5; 500 * 128]), 128)
        .unwrap();
    assert!(Trainer::new(config, set, 10, &device).is_ok());
}

#[test]
fn the_hint_changes_what_the_student_learns_and_its_loss_falls() {
    let device = Device::flex();
    let lab = crate::support::lab(synthetic(4), synthetic(4), Some(teacher(&device)));
    let teacher = &lab.teacher;
    let data = Arc::new(mnist("t10k"));
    let transfer = TransferConfig {
        labeled: 100,
        ..TransferConfig::all_labeled(2000, 2)
    };
    let transfer = TransferSet::select(&data, &transfer).unwrap();
    let (logits, hidden) =
        pollster::block_on(teacher_outputs(&lab, &data, &transfer.indices, true)).unwrap();
    let hidden = hidden.unwrap();
    assert_eq!(hidden.len(), 2000 * teacher.hidden_units());
    let logits = Arc::new(logits);
    let trainer = |objective: Objective| {
        let mut set = TrainingSet::distillation(data.clone(), &transfer, logits.clone()).unwrap();
        if objective.hint_weight().is_some() {
            set = set
                .with_teacher_hidden(Arc::new(hidden.clone()), teacher.hidden_units())
                .unwrap();
        }
        let config = TrainConfig {
            student: StudentConfig::Mlp { hidden: vec![32] },
            objective,
            epochs: 2,
            batch_size: 50,
            learning_rate: 1e-3,
            seed: 2,
        };
        let steps = config.steps_for(set.len());
        Trainer::new(config, set, steps, &device).unwrap()
    };
    let mut hinted = trainer(HINT);
    let first = pollster::block_on(hinted.advance(5)).unwrap().loss.unwrap();
    let mut last = first;
    while !hinted.is_done() {
        last = pollster::block_on(hinted.advance(10))
            .unwrap()
            .loss
            .unwrap();
    }
    assert!(
        last < first * 0.7,
        "KD + hint loss went from {first} to {last}"
    );
    let mut plain = trainer(Objective::Hinton {
        temperature: 4.0,
        alpha: 0.9,
    });
    while !plain.is_done() {
        pollster::block_on(plain.advance(20)).unwrap();
    }
    let predict = |t: &Trainer| {
        pollster::block_on(webdistill::eval::predict_all(&t.student(), &data, &device)).unwrap()
    };
    let (a, b) = (predict(&hinted), predict(&plain));
    assert_ne!(a, b, "the hint term reaches the student");
    let accuracy = webdistill::eval::Evaluation::from_logits(&a, data.labels()).accuracy;
    assert!(accuracy > 0.8, "a hinted student still learns: {accuracy}");
}
