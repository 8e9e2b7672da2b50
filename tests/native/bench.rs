//! The training benchmark (src/bench.rs) times exactly the steps it was asked for.

use webdistill::bench::{TrainingBenchSpec, training_throughput};
use webdistill::run::Lab;

use crate::support::synthetic;

fn lab(train_images: usize) -> Lab {
    crate::support::lab(synthetic(train_images), synthetic(20), None)
}

fn spec(warmup: usize, steps: usize) -> TrainingBenchSpec {
    TrainingBenchSpec {
        hidden: vec![8],
        batch_size: 16,
        checked_steps: 2,
        warmup,
        steps,
        seed: 1,
        ..TrainingBenchSpec::page_defaults()
    }
}

#[test]
fn a_benchmark_that_fits_the_loaded_images_runs_and_hands_its_batches_to_the_peer() {
    // 2 + 3 + 5 steps of 16 = 160 images: exactly what is loaded.
    let bench = pollster::block_on(training_throughput(&lab(160), &spec(3, 5))).unwrap();
    assert_eq!(bench.first_losses.len(), 2);
    assert!(bench.ms_per_step > 0.0 && bench.final_loss.is_finite());
    assert_eq!(
        bench.replay.rows.len(),
        160,
        "the peer replays every step's batch"
    );
    assert_eq!(bench.replay.teacher_logits.len(), 160 * 10);
}

#[test]
fn more_steps_than_the_loaded_images_cover_is_refused_not_timed_as_if_run() {
    // 2 + 3 + 6 steps of 16 = 176 images, 160 loaded: the trainer would stop a step early and
    // the time would still be divided by 6.
    let err = pollster::block_on(training_throughput(&lab(160), &spec(3, 6))).unwrap_err();
    assert!(err.to_string().contains("176 training images"), "{err}");
    let err = pollster::block_on(training_throughput(&lab(160), &spec(3, 0))).unwrap_err();
    assert!(err.to_string().contains("timed step"), "{err}");
}

#[test]
fn a_cnn_spec_trains_the_cnn_student_and_hands_over_its_initial_weights() {
    let cnn = TrainingBenchSpec {
        channels: vec![2, 4],
        ..spec(1, 2)
    };
    let bench = pollster::block_on(training_throughput(&lab(80), &cnn)).unwrap();
    assert!(bench.final_loss.is_finite());
    let weights = webdistill::weights::SafeTensors::parse(&bench.replay.initial_weights).unwrap();
    let names: Vec<&String> = weights.tensors.keys().collect();
    assert!(
        weights.tensors.contains_key("conv1.weight")
            && weights.tensors.contains_key("conv2.weight"),
        "the peer gets the CNN's weights: {names:?}"
    );
    let bad = TrainingBenchSpec {
        channels: vec![4],
        ..spec(1, 2)
    };
    let err = pollster::block_on(training_throughput(&lab(80), &bad)).unwrap_err();
    assert_eq!(err.setting_key(), Some("channels"), "{err}");
}
