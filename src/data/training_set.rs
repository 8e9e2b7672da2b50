//! What a trainer iterates over: rows of a split, the labels they keep, and (when distilling)
//! the teacher's cached logits for each row.

use std::sync::Arc;

use burn::prelude::*;
use burn::tensor::TensorData;

use crate::data::{Mnist, NUM_CLASSES, TransferSet};
use crate::error::{Error, Result};

/// Examples a student learns from.
#[derive(Debug, Clone)]
pub struct TrainingSet {
    images: Arc<Mnist>,
    indices: Vec<u32>,
    labels: Vec<Option<u8>>,
    /// `[indices.len() × 10]` teacher logits, row-aligned with `indices`.
    teacher_logits: Option<Arc<Vec<f32>>>,
    /// `[indices.len() × width]` teacher hidden activations and their width, for hint losses.
    teacher_hidden: Option<(Arc<Vec<f32>>, usize)>,
}

/// One batch on the device.
pub struct Batch {
    /// `[batch, 784]` normalised images.
    pub images: Tensor<2>,
    /// `[batch, 10]` teacher logits, when the set has them.
    pub teacher: Option<Tensor<2>>,
    /// `[batch, width]` teacher hidden activations, when the set has them.
    pub teacher_hidden: Option<Tensor<2>>,
    /// `[batch, 10]` one-hot labels; all-zero rows for unlabeled examples.
    pub targets: Tensor<2>,
    /// How many rows of `targets` are labeled.
    pub labeled: usize,
}

impl TrainingSet {
    /// The whole transfer set with the teacher's logits: what the distilled student sees.
    pub fn distillation(
        train: Arc<Mnist>,
        transfer: &TransferSet,
        teacher_logits: Arc<Vec<f32>>,
    ) -> Result<Self> {
        if teacher_logits.len() != transfer.len() * NUM_CLASSES {
            return Err(Error::setting(
                "teacher logits",
                format!(
                    "{} values for {} examples",
                    teacher_logits.len(),
                    transfer.len()
                ),
            ));
        }
        let labels = transfer
            .indices
            .iter()
            .zip(&transfer.labeled)
            .map(|(&i, &l)| l.then(|| train.labels()[i as usize]))
            .collect();
        Ok(Self {
            images: train,
            indices: transfer.indices.clone(),
            labels,
            teacher_logits: Some(teacher_logits),
            teacher_hidden: None,
        })
    }

    /// Adds the teacher's hidden activations (`[len × width]`, row-aligned) for a hint loss.
    pub fn with_teacher_hidden(mut self, hidden: Arc<Vec<f32>>, width: usize) -> Result<Self> {
        if width == 0 || hidden.len() != self.len() * width {
            return Err(Error::setting(
                "teacher hidden layer",
                format!(
                    "{} values for {} examples of width {width}",
                    hidden.len(),
                    self.len()
                ),
            ));
        }
        self.teacher_hidden = Some((hidden, width));
        Ok(self)
    }

    /// The width of the teacher's hidden activations, when the set has them.
    pub fn teacher_hidden_width(&self) -> Option<usize> {
        self.teacher_hidden.as_ref().map(|(_, w)| *w)
    }

    /// Only the labeled examples of the transfer set, with their labels: what the student
    /// trained without a teacher sees.
    pub fn labeled_only(train: Arc<Mnist>, transfer: &TransferSet) -> Result<Self> {
        let indices = transfer.labeled_indices();
        if indices.is_empty() {
            return Err(Error::setting(
                "labeled",
                "the student trained without a teacher needs at least one labeled example",
            ));
        }
        let labels = indices
            .iter()
            .map(|&i| Some(train.labels()[i as usize]))
            .collect();
        Ok(Self {
            images: train,
            indices,
            labels,
            teacher_logits: None,
            teacher_hidden: None,
        })
    }

    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    pub fn has_teacher(&self) -> bool {
        self.teacher_logits.is_some()
    }

    /// The batch made of the set's rows at `positions`.
    pub fn batch(&self, positions: &[usize], device: &Device) -> Batch {
        let n = positions.len();
        let rows: Vec<u32> = positions.iter().map(|&p| self.indices[p]).collect();
        let mut targets = vec![0.0f32; n * NUM_CLASSES];
        let mut labeled = 0;
        for (row, &p) in positions.iter().enumerate() {
            if let Some(label) = self.labels[p] {
                targets[row * NUM_CLASSES + label as usize] = 1.0;
                labeled += 1;
            }
        }
        let teacher = self.teacher_logits.as_ref().map(|logits| {
            let mut values = Vec::with_capacity(n * NUM_CLASSES);
            for &p in positions {
                values.extend_from_slice(&logits[p * NUM_CLASSES..(p + 1) * NUM_CLASSES]);
            }
            Tensor::from_data(TensorData::new(values, [n, NUM_CLASSES]), device)
        });
        let teacher_hidden = self.teacher_hidden.as_ref().map(|(hidden, width)| {
            let mut values = Vec::with_capacity(n * width);
            for &p in positions {
                values.extend_from_slice(&hidden[p * width..(p + 1) * width]);
            }
            Tensor::from_data(TensorData::new(values, [n, *width]), device)
        });
        Batch {
            images: self.images.images_tensor(&rows, device),
            teacher,
            teacher_hidden,
            targets: Tensor::from_data(TensorData::new(targets, [n, NUM_CLASSES]), device),
            labeled,
        }
    }
}
