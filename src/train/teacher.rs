//! Training the teacher natively (`train-teacher`): each member of the ensemble is a CNN
//! trained on all 60,000 labeled images, every image randomly distorted ([`Augment`]), with
//! cross-entropy and Adam whose step shrinks every epoch. Members of an ensemble differ only in
//! their seed (initial weights, batch order and distortions), as Hinton et al. 2015's did.

use burn::optim::AdamConfig;
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use web_time::Instant;

use crate::data::{Augment, IMAGE_PIXELS, Mnist, NUM_CLASSES};
use crate::distill::label_loss;
use crate::error::{Error, Result};
use crate::eval::{Evaluation, evaluate};
use crate::model::{Classifier, Cnn, CnnConfig, NormalisedCnn};
use crate::rng::SplitMix64;
use crate::train::optimizer_step;

/// How to train one member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberTraining {
    pub member: CnnConfig,
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam's step size in the first epoch.
    pub learning_rate: f64,
    /// The step shrinks by this factor every epoch: fast progress early, small steps to settle
    /// at the end (an exponential schedule; 0.85^20 ≈ 0.04).
    pub lr_decay: f64,
    pub augment: Augment,
    /// Train with batch normalisation after each convolution ([`NormalisedCnn`]), folded into
    /// the convolutions at the end. Left out of the serialised form when off, so the cache keys
    /// of members trained before it existed still match.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub batch_norm: bool,
    pub seed: u64,
}

impl Default for MemberTraining {
    fn default() -> Self {
        Self {
            member: CnnConfig::default(),
            epochs: 20,
            batch_size: 128,
            learning_rate: 1e-3,
            lr_decay: 0.85,
            augment: Augment::default(),
            batch_norm: false,
            seed: 1,
        }
    }
}

impl MemberTraining {
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 || self.batch_size == 0 {
            return Err(Error::setting(
                "epochs",
                "train for at least one epoch of batches of at least one image",
            ));
        }
        if !(self.learning_rate > 0.0 && (0.0..=1.0).contains(&self.lr_decay)) {
            return Err(Error::setting(
                "learning_rate",
                "the step must be above 0 and its decay within [0, 1]",
            ));
        }
        Ok(())
    }

    /// The optimizer and schedule in words, for the teacher's card.
    pub fn describe_optimizer(&self) -> String {
        let norm = match self.batch_norm {
            true => {
                ", batch normalisation after each convolution (folded into its weights for the file)"
            }
            false => "",
        };
        format!(
            "Adam (β = 0.9, 0.999; ε = 1e-8), lr {} × {}^epoch, batch {}, dropout {} on the hidden layer{norm}",
            self.learning_rate, self.lr_decay, self.batch_size, self.member.dropout
        )
    }
}

/// Where a member's training stands after an epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// 1-based.
    pub epoch: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    /// Mean training loss over the epoch (on distorted images, with dropout).
    pub loss: f32,
    pub test: Evaluation,
    pub seconds: f64,
}

/// Trains one member on `train`, scoring it on `test` after every epoch (`on_epoch` hears each
/// score; nothing is chosen by it, so the test set does not leak into the training).
pub async fn train_member(
    config: &MemberTraining,
    train: &Mnist,
    test: &Mnist,
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Cnn> {
    config.validate()?;
    let ad = device.clone().autodiff();
    ad.seed(config.seed);
    let cnn = config.member.init(&ad);
    Ok(match config.batch_norm {
        true => train_loop(
            config,
            NormalisedCnn::new(cnn),
            train,
            test,
            device,
            on_epoch,
        )
        .await?
        .fold(),
        false => train_loop(config, cnn, train, test, device, on_epoch).await?,
    })
}

/// The epochs of [`train_member`], for a plain or a normalised CNN on the autodiff device;
/// returns it for inference.
async fn train_loop<M: Module + Classifier>(
    config: &MemberTraining,
    mut model: M,
    train: &Mnist,
    test: &Mnist,
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<M> {
    let started = Instant::now();
    let ad = device.clone().autodiff();
    let mut optimizer = AdamConfig::new().with_epsilon(1e-8).init();
    let mut rng = SplitMix64::new(config.seed);
    let mut order: Vec<u32> = (0..train.len() as u32).collect();
    for epoch in 0..config.epochs {
        let learning_rate = config.learning_rate * config.lr_decay.powi(epoch as i32);
        rng.shuffle(&mut order);
        let mut loss_sum: Option<Tensor<1>> = None;
        let batches = order.chunks_exact(config.batch_size);
        let steps = batches.len();
        for rows in batches {
            let n = rows.len();
            let pixels = config.augment.batch(train, rows, &mut rng);
            let images = Tensor::from_data(TensorData::new(pixels, [n, IMAGE_PIXELS]), &ad);
            let targets = one_hot(train, rows, &ad);
            let loss = label_loss(model.logits(images), targets, n); // [1]
            let detached = loss.clone().detach();
            loss_sum = Some(match loss_sum.take() {
                Some(sum) => sum + detached,
                None => detached,
            });
            model = optimizer_step(&mut optimizer, learning_rate, model, loss);
        }
        let loss = match loss_sum {
            Some(sum) => crate::eval::read_floats(sum).await?[0] / steps as f32,
            None => f32::NAN,
        };
        let test = evaluate(&model.valid(), test, device).await?;
        on_epoch(&EpochReport {
            epoch: epoch + 1,
            epochs: config.epochs,
            learning_rate,
            loss,
            test,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    Ok(model.valid())
}

/// One-hot labels of `rows`: `[rows.len(), 10]`.
fn one_hot(data: &Mnist, rows: &[u32], device: &Device) -> Tensor<2> {
    let mut targets = vec![0.0f32; rows.len() * NUM_CLASSES];
    for (i, &row) in rows.iter().enumerate() {
        targets[i * NUM_CLASSES + data.labels()[row as usize] as usize] = 1.0;
    }
    Tensor::from_data(TensorData::new(targets, [rows.len(), NUM_CLASSES]), device)
}
