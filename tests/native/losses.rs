//! The distillation losses against values computed by hand (and checked with NumPy), and the
//! gradient Hinton 2015 §2.1 derives.

use burn::prelude::*;
use burn::tensor::TensorData;
use webdistill::distill::{Objective, hinton_loss, label_loss, logit_matching_loss};

fn device() -> Device {
    Device::flex()
}

fn tensor(values: &[[f32; 3]]) -> Tensor<2> {
    let flat: Vec<f32> = values.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [values.len(), 3]), &device())
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_data().iter::<f32>().next().unwrap() as f64
}

/// Two examples: the first labeled as class 0, the second unlabeled.
fn example() -> (Tensor<2>, Tensor<2>, Tensor<2>) {
    let student = tensor(&[[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]);
    let teacher = tensor(&[[2.0, 1.0, 0.0], [0.5, 0.5, 2.0]]);
    let targets = tensor(&[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]);
    (student, teacher, targets)
}

fn softmax(row: &[f64], t: f64) -> Vec<f64> {
    let m = row.iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = row.iter().map(|x| ((x - m) / t).exp()).collect();
    let z: f64 = e.iter().sum();
    e.iter().map(|x| x / z).collect()
}

/// The same loss written out with scalars: T²·mean KL + CE of the labeled row.
fn by_hand(t: f64, alpha: f64) -> f64 {
    let ce = -softmax(&[1.0, 2.0, 0.5], 1.0)[0].ln();
    alpha * t * t * kl_by_hand(t) + (1.0 - alpha) * ce
}

#[test]
fn hinton_loss_matches_the_formula() {
    // NumPy gives 1.464368784, 0.963835198 and 0.463301611 for α = 0, 0.5, 1 at T = 2.
    for (alpha, numpy) in [(0.0, 1.464368784), (0.5, 0.963835198), (1.0, 0.463301611)] {
        let (s, t, y) = example();
        let loss = scalar(hinton_loss(s, t, y, 1, 2.0, alpha as f32));
        assert!(
            (loss - by_hand(2.0, alpha)).abs() < 1e-5,
            "α={alpha}: {loss}"
        );
        assert!(
            (loss - numpy).abs() < 1e-5,
            "α={alpha}: {loss} vs NumPy {numpy}"
        );
    }
}

/// The mean KL(softmax(t/T) ‖ softmax(s/T)) over the example's two rows, without any factor.
fn kl_by_hand(t: f64) -> f64 {
    let s = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]];
    let te = [[2.0, 1.0, 0.0], [0.5, 0.5, 2.0]];
    let mut kl = 0.0;
    for (s_row, t_row) in s.iter().zip(&te) {
        let (p_s, p_t) = (softmax(s_row, t), softmax(t_row, t));
        kl += (0..3).map(|i| p_t[i] * (p_t[i] / p_s[i]).ln()).sum::<f64>();
    }
    kl / 2.0
}

#[test]
fn the_soft_term_scales_with_t_squared() {
    // At α = 1 the loss is T²·KL (Hinton 2015 §2: the factor keeps the soft gradients' size as
    // T changes). The KL is computed here on its own, so the factor is checked, not assumed.
    for t in [1.0, 4.0, 20.0] {
        let (s, te, y) = example();
        let loss = scalar(hinton_loss(s, te, y, 1, t as f32, 1.0));
        let kl = kl_by_hand(t);
        assert!(
            (loss - t * t * kl).abs() < 1e-4 * (t * t * kl).max(1e-3),
            "T={t}: loss {loss}, T²·KL {}",
            t * t * kl
        );
    }
}

#[test]
fn alpha_zero_is_plain_cross_entropy_on_labeled_rows() {
    let (s, t, y) = example();
    let kd = scalar(hinton_loss(s.clone(), t, y.clone(), 1, 4.0, 0.0));
    let ce = scalar(label_loss(s, y, 1));
    assert!((kd - ce).abs() < 1e-6);
    assert!((ce - (-softmax(&[1.0, 2.0, 0.5], 1.0)[0].ln())).abs() < 1e-5);
}

#[test]
fn unlabeled_rows_do_not_count_in_the_label_term() {
    // Changing the unlabeled row's student logits changes nothing at α = 0.
    let (_, t, y) = example();
    let other = tensor(&[[1.0, 2.0, 0.5], [9.0, 9.0, -9.0]]);
    let (s, _, _) = example();
    let a = scalar(hinton_loss(s, t.clone(), y.clone(), 1, 4.0, 0.0));
    let b = scalar(hinton_loss(other, t, y, 1, 4.0, 0.0));
    assert!((a - b).abs() < 1e-6);
}

#[test]
fn logit_matching_is_mean_squared_error() {
    let (s, t, y) = example();
    // NumPy: mean((s − t)²) = 0.958333.
    let loss = scalar(logit_matching_loss(s, t, y, 1, 1.0));
    assert!((loss - 0.958333333).abs() < 1e-5, "{loss}");
}

#[test]
fn gradient_at_alpha_one_is_the_difference_of_soft_distributions() {
    // Hinton 2015 §2.1: ∂C/∂z_i = (q_i − p_i)/T per example; with our T² factor and the batch
    // mean, ∂L/∂s = (softmax(s/T) − softmax(t/T))·T / batch.
    let temperature = 3.0;
    let device = Device::flex().autodiff();
    let s_values = [[1.0f32, 2.0, 0.5], [0.0, -1.0, 3.0]];
    let flat: Vec<f32> = s_values.iter().flatten().copied().collect();
    let student = Tensor::<2>::from_data(TensorData::new(flat, [2, 3]), &device).require_grad();
    let (_, teacher, targets) = example();
    let teacher = teacher.to_device(&device);
    let targets = targets.to_device(&device);
    let loss = hinton_loss(student.clone(), teacher, targets, 1, temperature, 1.0);
    let grads = loss.backward();
    let grad: Vec<f32> = student
        .grad(&grads)
        .unwrap()
        .into_data()
        .try_to_vec()
        .unwrap();
    let te = [[2.0, 1.0, 0.0], [0.5, 0.5, 2.0]];
    for b in 0..2 {
        let ps = softmax(&s_values[b].map(|v| v as f64), temperature as f64);
        let pt = softmax(&te[b], temperature as f64);
        for k in 0..3 {
            let expected = (ps[k] - pt[k]) * temperature as f64 / 2.0;
            assert!(
                (grad[b * 3 + k] as f64 - expected).abs() < 1e-5,
                "[{b},{k}]"
            );
        }
    }
}

#[test]
fn objectives_dispatch_to_their_loss() {
    let (s, t, y) = example();
    let hinton = Objective::Hinton {
        temperature: 2.0,
        alpha: 0.5,
    };
    let loss = scalar(hinton.loss(s.clone(), Some(t.clone()), y.clone(), 1));
    assert!((loss - 0.963835198).abs() < 1e-5);
    let labels = scalar(Objective::Labels.loss(s.clone(), Some(t), y.clone(), 1));
    assert!((labels - scalar(label_loss(s, y, 1))).abs() < 1e-6);
}

/// A soft tree's loss (Frosst & Hinton 2017 eq. 1) weights each leaf's loss by its reach: with
/// every example reaching one leaf for sure it is that leaf's plain loss, and with reach split
/// between two leaves it is the reach-weighted sum of their losses.
#[test]
fn a_trees_loss_weights_each_leafs_loss_by_its_reach() {
    let (_, teacher, targets) = example();
    let leaves = tensor(&[[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]);
    let objectives = [
        Objective::Labels,
        Objective::Hinton {
            temperature: 4.0,
            alpha: 0.7,
        },
        Objective::LogitMatching { alpha: 0.5 },
    ];
    for objective in objectives {
        let tree = |reach: &[[f32; 2]]| {
            let flat: Vec<f32> = reach.iter().flatten().copied().collect();
            let reach = Tensor::from_data(TensorData::new(flat, [2, 2]), &device());
            scalar(objective.expected_leaf_loss(
                reach,
                leaves.clone(),
                Some(teacher.clone()),
                targets.clone(),
                1,
            ))
        };
        // Example 0 at leaf 0, example 1 at leaf 1: the student's logits are the leaves' rows.
        let plain =
            scalar(objective.loss(leaves.clone(), Some(teacher.clone()), targets.clone(), 1));
        assert!(
            (tree(&[[1.0, 0.0], [0.0, 1.0]]) - plain).abs() < 1e-5,
            "{objective:?}"
        );
        // Every example split 30/70: 0.3 × (all at leaf 0) + 0.7 × (all at leaf 1).
        let all = |leaf: usize| {
            let row: Vec<f32> = (0..2)
                .flat_map(|_| (0..3).map(move |c| [[1.0f32, 2.0, 0.5], [0.0, -1.0, 3.0]][leaf][c]))
                .collect();
            let logits = Tensor::from_data(TensorData::new(row, [2, 3]), &device());
            scalar(objective.loss(logits, Some(teacher.clone()), targets.clone(), 1))
        };
        let split = tree(&[[0.3, 0.7], [0.3, 0.7]]);
        assert!(
            (split - (0.3 * all(0) + 0.7 * all(1))).abs() < 1e-5,
            "{objective:?}: {split}"
        );
    }
}
