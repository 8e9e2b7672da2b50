//! The labelling plan the page's worker follows to label a transfer set on every core
//! (src/run/labelling.rs): whole batches per worker, every row once and in order, and none at all
//! where the run must label alone.

use webdistill::run::{LABEL_BATCH, Lab, LabellingPlan, Phase, Prepared, Update, labelling_plan};
use webdistill::settings::{DistillSettings, Loss};

use crate::support::{lab, synthetic};

/// The plan for `settings` on `lab`, prepared as the page's worker prepares a run.
fn plan(lab: &Lab, settings: &DistillSettings, workers: usize) -> Option<LabellingPlan> {
    labelling_plan(lab, &Prepared::new(lab, settings.clone()).unwrap(), workers)
}

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
    let plan = plan(&lab, &s, 3).expect("three workers share the labelling");
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
    let prepared = Prepared::new(&lab, s).unwrap();
    assert_eq!(joined, prepared.transfer.indices);
}

#[test]
fn a_run_labels_alone_with_one_worker_a_hint_loss_or_a_single_batch() {
    let lab = lab(synthetic(3000), synthetic(20), None);
    assert_eq!(plan(&lab, &settings(2000), 1), None);
    let hint = DistillSettings {
        loss: Loss::Hint,
        ..settings(2000)
    };
    assert_eq!(
        plan(&lab, &hint, 4),
        None,
        "a hint loss needs the teacher's hidden layer too"
    );
    assert_eq!(
        plan(&lab, &settings(LABEL_BATCH), 4),
        None,
        "one batch is one worker's"
    );
}

#[test]
fn labelling_progress_gives_the_time_left_at_its_pace() {
    let u = Update::labelling(1000, 4000, 2.0);
    assert_eq!(u.phase, Phase::Labelling);
    assert_eq!((u.labelled, u.to_label, u.elapsed_s), (1000, 4000, 2.0));
    assert_eq!(u.eta_s, Some(6.0), "a quarter in 2 s: 6 s left");
    assert_eq!(Update::labelling(0, 4000, 1.0).eta_s, None, "no pace yet");
}
