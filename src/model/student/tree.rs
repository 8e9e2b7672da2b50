//! The soft decision tree student of Frosst & Hinton (2017), "Distilling a Neural Network Into a
//! Soft Decision Tree": a full binary tree whose every inner node is a learned filter on the image
//! that sends it right with probability σ(x·w + b), and whose every leaf holds a learned class
//! distribution. Trained as the paper does, each leaf's prediction scored and weighted by the
//! probability of the path to it; it answers with the leaf at the end of its most probable path,
//! so each decision can be shown.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, sigmoid};

use crate::data::{IMAGE_PIXELS, NUM_CLASSES};
use crate::error::{Error, Result};

/// The deepest tree we accept: 1,023 filters, a 3.2 MB student.
pub const MAX_DEPTH: usize = 10;
/// Strength λ of the penalty that keeps each node's split balanced (Frosst & Hinton 2017 §3:
/// −λ·2^−d·Σ ½·log α + ½·log(1 − α) over the nodes at depth d; they give no value for λ).
const BALANCE_PENALTY: f32 = 0.1;

pub(super) fn validate(depth: usize) -> Result<()> {
    if depth == 0 || depth > MAX_DEPTH {
        return Err(Error::setting(
            "depth",
            format!("{depth}; a soft tree needs a depth of 1 to {MAX_DEPTH}"),
        ));
    }
    Ok(())
}

pub(super) fn params(depth: usize) -> usize {
    let nodes = (1 << depth) - 1;
    nodes * (IMAGE_PIXELS + 1) + (1 << depth) * NUM_CLASSES
}

pub(super) fn init(depth: usize, device: &Device) -> SoftTree {
    SoftTree {
        inner: LinearConfig::new(IMAGE_PIXELS, (1 << depth) - 1).init(device),
        // Uniform leaves at first: the filters break the symmetry.
        leaves: Param::from_tensor(Tensor::zeros([1 << depth, NUM_CLASSES], device)),
    }
}

/// A soft decision tree. Nodes are in heap order: node i's children are 2i + 1 (left) and
/// 2i + 2 (right); the leaves follow the last level's nodes left to right.
#[derive(Module, Debug)]
pub struct SoftTree {
    /// Every inner node's filter and bias: weight `[784, nodes]`.
    pub inner: Linear,
    /// Every leaf's class logits `[leaves, 10]` (its distribution is their softmax).
    pub leaves: Param<Tensor<2>>,
}

impl SoftTree {
    pub fn depth(&self) -> usize {
        let nodes = self.inner.weight.val().dims()[1];
        (nodes + 1).trailing_zeros() as usize
    }

    /// Each node's probability of sending the image right, `[batch, nodes]`.
    pub fn right_probabilities(&self, images: Tensor<2>) -> Tensor<2> {
        sigmoid(self.inner.forward(images))
    }

    /// Walks the tree level by level: the probability of reaching each leaf given each node's
    /// probability of going right. Returns the leaves' `[batch, leaves]` and, per level, the
    /// probability of reaching each of its nodes with the nodes' own right-probabilities.
    fn walk(&self, right: Tensor<2>) -> (Tensor<2>, Vec<(Tensor<2>, Tensor<2>)>) {
        let [batch, _] = right.dims();
        let mut reach = Tensor::ones([batch, 1], &right.device()); // the root: reached always
        let mut levels = Vec::new();
        for level in 0..self.depth() {
            let (first, count) = ((1 << level) - 1, 1 << level);
            let p = right.clone().slice([0..batch, first..first + count]); // [batch, count]
            levels.push((reach.clone(), p.clone()));
            let left = reach.clone() * (p.clone().neg() + 1.0);
            let right = reach * p;
            // Children of node j of this level are 2j and 2j + 1 of the next.
            reach = Tensor::stack::<3>(vec![left, right], 2).reshape([batch, 2 * count]);
        }
        (reach, levels)
    }

    /// What training needs: the probability of reaching each leaf `[batch, leaves]`, the leaves'
    /// logits `[leaves, 10]` (the loss scores each leaf, weighted by its reach:
    /// `Objective::expected_leaf_loss`), and the balance penalty on this batch `[1]`.
    pub fn forward_train(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>, Tensor<1>) {
        let (reach, levels) = self.walk(self.right_probabilities(images));
        let mut penalty: Option<Tensor<1>> = None;
        for (level, (reach, p)) in levels.into_iter().enumerate() {
            // α: the share of what reaches a node that it sends right, over the batch.
            let alpha = (reach.clone() * p).sum_dim(0) / reach.sum_dim(0).clamp_min(1e-12);
            let alpha = alpha.clamp(1e-6, 1.0 - 1e-6);
            let balance = (alpha.clone().log() + (alpha.neg() + 1.0).log()) * -0.5;
            let term = balance.sum() * (BALANCE_PENALTY / (1u32 << level) as f32);
            penalty = Some(match penalty {
                Some(p) => p + term,
                None => term,
            });
        }
        let penalty = penalty.expect("a tree has at least one level");
        (reach, self.leaves.val(), penalty)
    }

    /// How the trained tree answers: the log-distribution of the leaf at the end of the most
    /// probable path (at each node, the likelier child).
    ///
    /// # Shapes
    /// - images: `[batch, 784]` → `[batch, 10]`
    pub fn most_probable_path(&self, images: Tensor<2>) -> Tensor<2> {
        let right = self.right_probabilities(images).greater_elem(0.5).float();
        let (leaf, _) = self.walk(right); // one-hot: [batch, leaves]
        leaf.matmul(log_softmax(self.leaves.val(), 1))
    }
}
