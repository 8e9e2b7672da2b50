//! Every kind of student (issue 19): the linear model, the MLP, the CNN and the soft decision
//! tree each learn from the teacher as the distilled twin and from the labels as the scratch
//! twin, from the same initial weights; each is measured, quantised, exported with a card that
//! names its kind, and loads back as itself. A hint loss where there is no hidden layer is
//! refused beside the loss, with the reason.

use burn::prelude::*;
use webdistill::eval::evaluate;
use webdistill::export::card::{StudentOrigin, export_student, load_student};
use webdistill::model::{StudentConfig, StudentKind, Trainee, seeded};
use webdistill::quantize::{Precision, quantize_tensors};
use webdistill::run::run_to_end;
use webdistill::settings::{DistillSettings, Loss};
use webdistill::weights::to_safetensors;

use crate::support::{lab, mnist, teacher};

const KINDS: [StudentKind; 4] = [
    StudentKind::Linear,
    StudentKind::Mlp,
    StudentKind::Cnn,
    StudentKind::Tree,
];

/// Quick settings for `kind`: 3,000 images, 100 of them labeled, two epochs.
fn quick(kind: StudentKind) -> DistillSettings {
    DistillSettings {
        student: kind,
        hidden: vec![16],
        channels: vec![2, 4],
        depth: 3,
        size: 3000,
        labeled: 100,
        epochs: 2,
        ..DistillSettings::default()
    }
}

#[test]
fn every_kind_learns_from_the_teacher_and_loads_back_as_itself() {
    let device = Device::flex();
    let lab = lab(mnist("train"), mnist("t10k"), Some(teacher(&device)));
    for kind in KINDS {
        let settings = quick(kind);
        let finished = pollster::block_on(run_to_end(&lab, &settings, &mut |_| {})).unwrap();
        let c = &finished.comparison;
        let config = settings.student();
        assert_eq!(config.kind(), kind);
        assert!(
            c.distilled.architecture.starts_with(kind.name()),
            "{}",
            c.distilled.architecture
        );
        assert_eq!(c.distilled.params, config.params(), "{kind:?}");
        let scratch = c.scratch.as_ref().unwrap();
        // With 100 labels, the teacher's soft targets on 3,000 images teach every kind more.
        assert!(
            c.distilled.accuracy > scratch.accuracy && c.distilled.accuracy > 0.5,
            "{kind:?}: distilled {} vs scratch {}",
            c.distilled.accuracy,
            scratch.accuracy
        );
        assert_eq!(
            c.quantized.iter().map(|q| q.precision).collect::<Vec<_>>(),
            [Precision::F32, Precision::F16, Precision::Int8]
        );
        assert!(
            c.quantized[2].bytes < c.quantized[1].bytes
                && c.quantized[1].bytes < c.quantized[0].bytes
        );

        // Exported and loaded back: the same kind and shape, the same test errors.
        let origin = StudentOrigin {
            role: "distilled",
            objective: settings.objective().describe(),
            taught_by: vec!["teacher: bundled".into()],
            settings: &settings,
            test_accuracy: c.distilled.accuracy,
            test_errors: c.distilled.errors,
            backend: "CPU".into(),
        };
        let (file, card) = export_student(&finished.distilled.weights, origin).unwrap();
        assert_eq!(card.student, config);
        assert!(card.architecture.starts_with(kind.name()));
        let (loaded, found) = load_student(&file, &device).unwrap();
        assert_eq!(found, config);
        let e = pollster::block_on(evaluate(&loaded, &lab.test, &device)).unwrap();
        assert_eq!(e.errors, c.distilled.errors, "{kind:?}");
    }
}

#[test]
fn twins_of_every_kind_start_from_the_same_weights() {
    let device = Device::flex().autodiff();
    for kind in KINDS {
        let config = quick(kind).student();
        let draw = |hint: Option<usize>| {
            let trainee = seeded(&device, 5, || Trainee::new(&config, hint, &device)).unwrap();
            pollster::block_on(to_safetensors(&trainee.student, &Default::default())).unwrap()
        };
        let first = draw(None);
        assert_eq!(first, draw(None), "{kind:?}");
        if config.hint_width().is_ok() {
            // A hint's regressor is drawn after the student: the student is the same.
            assert_eq!(first, draw(Some(32)), "{kind:?}");
        }
    }
}

#[test]
fn a_hint_loss_is_refused_where_the_student_has_no_hidden_layer() {
    for kind in [StudentKind::Linear, StudentKind::Tree] {
        let settings = DistillSettings {
            loss: Loss::Hint,
            ..quick(kind)
        };
        let problems = settings.problems(None);
        let hint = problems
            .iter()
            .find(|p| p.setting_key() == Some("loss"))
            .unwrap_or_else(|| panic!("{kind:?}: {problems:?}"));
        assert!(hint.to_string().contains("no hidden layer"), "{hint}");
    }
    for kind in [StudentKind::Mlp, StudentKind::Cnn] {
        let settings = DistillSettings {
            loss: Loss::Hint,
            ..quick(kind)
        };
        assert_eq!(settings.problems(None), vec![], "{kind:?}");
    }
}

#[test]
fn sizes_of_each_kind_are_checked_beside_their_own_setting() {
    let bad = [
        (
            StudentKind::Cnn,
            DistillSettings {
                channels: vec![4],
                ..quick(StudentKind::Cnn)
            },
            "channels",
        ),
        (
            StudentKind::Cnn,
            DistillSettings {
                channels: vec![4, 0],
                ..quick(StudentKind::Cnn)
            },
            "channels",
        ),
        (
            StudentKind::Tree,
            DistillSettings {
                depth: 0,
                ..quick(StudentKind::Tree)
            },
            "depth",
        ),
        (
            StudentKind::Tree,
            DistillSettings {
                depth: 11,
                ..quick(StudentKind::Tree)
            },
            "depth",
        ),
        (
            StudentKind::Mlp,
            DistillSettings {
                hidden: vec![],
                ..quick(StudentKind::Mlp)
            },
            "hidden",
        ),
    ];
    for (kind, settings, key) in bad {
        let problems = settings.problems(None);
        assert!(
            problems.iter().any(|p| p.setting_key() == Some(key)),
            "{kind:?}: {problems:?}"
        );
    }
    // A linear student ignores the MLP's hidden layers: it has none.
    let linear = DistillSettings {
        hidden: vec![],
        ..quick(StudentKind::Linear)
    };
    assert_eq!(linear.problems(None), vec![]);
    assert_eq!(linear.student(), StudentConfig::Mlp { hidden: vec![] });
    assert_eq!(linear.student().params(), 7_850);
}

#[test]
fn a_cnn_kernel_is_stored_as_int8_with_a_scale_per_output_channel() {
    let device = Device::flex();
    let config = StudentConfig::Cnn { channels: [3, 5] };
    let student = seeded(&device, 2, || config.init(&device));
    let weights = pollster::block_on(webdistill::weights::read_weights(&student)).unwrap();
    let (file, restored) =
        quantize_tensors(&weights.tensors, Precision::Int8, &Default::default()).unwrap();
    let header_len = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&file[8..8 + header_len]).unwrap();
    assert_eq!(header["conv2.weight"]["dtype"], "I8");
    assert_eq!(
        header["conv2.weight"]["shape"],
        serde_json::json!([5, 3, 5, 5])
    );
    assert_eq!(
        header["conv2.weight_scale"]["shape"],
        serde_json::json!([5])
    );
    assert_eq!(header["conv2.bias"]["dtype"], "F32");
    // Each output channel's 75 weights come back within half that channel's step.
    let original = &weights.tensors["conv2.weight"].values;
    let back = &restored.tensors["conv2.weight"].values;
    for (channel, (a, b)) in original.chunks(75).zip(back.chunks(75)).enumerate() {
        let step = a.iter().fold(0.0f32, |m, w| m.max(w.abs())) / 127.0;
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x - y).abs() <= step / 2.0 + 1e-7,
                "channel {channel}: {x} → {y}, step {step}"
            );
        }
    }
}

#[test]
fn a_soft_tree_answers_with_the_leaf_at_the_end_of_its_likeliest_path() {
    use webdistill::model::{Classifier, Student};
    let device = Device::flex();
    let student = seeded(&device, 3, || {
        StudentConfig::Tree { depth: 3 }.init(&device)
    });
    let Student::Tree(tree) = &student else {
        panic!("a tree config builds a tree")
    };
    assert_eq!(tree.depth(), 3);
    let test = mnist("t10k");
    let images = test.images_tensor(&[0, 1, 2, 3], &device);
    let right = tree
        .right_probabilities(images.clone())
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let leaves = burn::tensor::activation::log_softmax(tree.leaves.val(), 1)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let logits = student
        .logits(images)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    for row in 0..4 {
        // Walk from the root by hand.
        let mut node = 0;
        for _ in 0..3 {
            node = 2 * node + if right[row * 7 + node] > 0.5 { 2 } else { 1 };
        }
        let leaf = node - 7;
        assert_eq!(
            &logits[row * 10..row * 10 + 10],
            &leaves[leaf * 10..leaf * 10 + 10]
        );
    }
}
