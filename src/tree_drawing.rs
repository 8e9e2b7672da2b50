//! A soft decision tree student, drawn as Frosst & Hinton (2017) draw theirs (their Figure 2):
//! each inner node's learned filter as a 28×28 image, each leaf's class distribution, and for one
//! image the probability each node gives of going right, with the most probable path.

use burn::prelude::*;
use serde::Serialize;

use crate::data::IMAGE_PIXELS;
use crate::error::Result;
use crate::eval::read_floats;
use crate::model::SoftTree;
use burn::tensor::activation::softmax;

/// What the page draws of a tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct TreeDrawing {
    pub depth: usize,
    /// Every inner node's filter, heap order (node i's children are 2i + 1 and 2i + 2), as 784
    /// grey levels: 128 for a zero weight, 255 for the filter's largest positive weight, 1 for
    /// its most negative (each filter scaled on its own, symmetrically).
    pub filters: Vec<Vec<u8>>,
    /// Every leaf's class distribution, left to right.
    pub leaves: Vec<Vec<f32>>,
    /// For the image asked about: each node's probability of sending it right.
    pub right: Option<Vec<f32>>,
    /// The nodes of its most probable path, root first, and the leaf it ends at.
    pub path: Vec<usize>,
    pub leaf: Option<usize>,
    /// The class that leaf gives the highest probability: the tree's answer.
    pub predicted: Option<usize>,
}

/// `tree` drawn, with the path of `image` (`[1, 784]`, normalised) when given.
pub async fn draw_tree(tree: &SoftTree, image: Option<Tensor<2>>) -> Result<TreeDrawing> {
    let depth = tree.depth();
    let nodes = (1 << depth) - 1;
    // The filter weights: [784, nodes], column i is node i's.
    let weights = read_floats(tree.inner.weight.val()).await?;
    let filters = (0..nodes)
        .map(|node| {
            let column: Vec<f32> = (0..IMAGE_PIXELS)
                .map(|p| weights[p * nodes + node])
                .collect();
            grey_levels(&column)
        })
        .collect();
    let distributions = read_floats(softmax(tree.leaves.val(), 1)).await?;
    let leaves: Vec<Vec<f32>> = distributions
        .chunks_exact(crate::data::NUM_CLASSES)
        .map(<[f32]>::to_vec)
        .collect();
    let (right, path, leaf) = match image {
        None => (None, Vec::new(), None),
        Some(image) => {
            let right = read_floats(tree.right_probabilities(image)).await?;
            let mut path = vec![0];
            let mut node = 0;
            while 2 * node + 1 < nodes {
                node = 2 * node + if right[node] > 0.5 { 2 } else { 1 };
                path.push(node);
            }
            let leaf = 2 * node + if right[node] > 0.5 { 2 } else { 1 } - nodes;
            (Some(right), path, Some(leaf))
        }
    };
    Ok(TreeDrawing {
        depth,
        filters,
        predicted: leaf.map(|l| crate::eval::argmax(&leaves[l])),
        leaves,
        right,
        path,
        leaf,
    })
}

/// Weights as grey levels around 128, scaled by the largest magnitude.
fn grey_levels(weights: &[f32]) -> Vec<u8> {
    let largest = weights
        .iter()
        .fold(0.0f32, |m, w| m.max(w.abs()))
        .max(1e-12);
    weights
        .iter()
        .map(|w| (128.0 + 127.0 * w / largest).round().clamp(1.0, 255.0) as u8)
        .collect()
}
