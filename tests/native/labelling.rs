//! The labelling plan the page's worker follows to label a transfer set on every core
//! (src/run/labelling.rs): whole batches per worker, every row once and in order, and none at all
//! where the run must label alone.

use webdistill::run::{LABEL_BATCH, labelling_plan, transfer_rows};
use webdistill::settings::{DistillSettings, Loss};

use crate::support::{lab, synthetic};

fn settings(size: usize) -> DistillSettings {
    DistillSettings {
        size,
        labeled: 10,
        hidden: vec![8],
        ..DistillSettings::default()
    }
}

#[test]
fn a_plan_gives_each_worker_whole_batches_and_every_row_once_in_order() {
    let lab = lab(synthetic(3000), synthetic(20), None);
    let s = settings(2000);
    let plan = labelling_plan(&lab, &s, 3)
        .unwrap()
        .expect("three workers share the labelling");
    assert_eq!(plan.classes, 10);
    assert_eq!(plan.slices.len(), 3);
    for slice in &plan.slices[..2] {
        assert_eq!(
            slice.len() % LABEL_BATCH,
            0,
            "whole batches: {}",
            slice.len()
        );
    }
    let joined: Vec<u32> = plan.slices.concat();
    assert_eq!(joined, transfer_rows(&lab, &s).unwrap());
}

#[test]
fn a_run_labels_alone_with_one_worker_a_hint_loss_or_a_single_batch() {
    let lab = lab(synthetic(3000), synthetic(20), None);
    assert_eq!(labelling_plan(&lab, &settings(2000), 1).unwrap(), None);
    let hint = DistillSettings {
        loss: Loss::Hint,
        ..settings(2000)
    };
    assert_eq!(
        labelling_plan(&lab, &hint, 4).unwrap(),
        None,
        "a hint loss needs the teacher's hidden layer too"
    );
    assert_eq!(
        labelling_plan(&lab, &settings(LABEL_BATCH), 4).unwrap(),
        None,
        "one batch is one worker's"
    );
}
