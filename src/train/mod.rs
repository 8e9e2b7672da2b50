//! Training. [`Trainer`] is the step-wise student trainer: one optimizer step per call, so a
//! browser worker can drive it, report progress and stop between steps; the same code trains the
//! distilled and the scratch student. [`teacher`] trains the bundled teacher natively. Both take
//! their steps through [`optimizer_step`].

pub mod teacher;

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::TrainingSet;
use crate::distill::Objective;
use crate::distill::hint_loss;
use crate::error::{Error, Result};
use crate::model::{Scored, Student, StudentConfig, Trainee};
use crate::rng::SplitMix64;

/// The largest batch we accept (a hostile setting must not allocate gigabytes).
pub const MAX_BATCH_SIZE: usize = 8192;
/// The most epochs we accept.
pub const MAX_EPOCHS: usize = 1000;

/// How to train one student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub student: StudentConfig,
    pub objective: Objective,
    /// Passes over the transfer set.
    pub epochs: usize,
    pub batch_size: usize,
    /// Adam's step size (Kingma & Ba 2015 recommend 1e-3).
    pub learning_rate: f64,
    /// Seeds the student's initial weights and the batch order.
    pub seed: u64,
}

impl TrainConfig {
    pub fn validate(&self) -> Result<()> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every invalid setting, so a form can flag them all at once.
    pub fn problems(&self) -> Vec<Error> {
        let mut problems: Vec<Error> = [self.student.validate(), self.objective.validate()]
            .into_iter()
            .filter_map(Result::err)
            .collect();
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            problems.push(Error::setting(
                "epochs",
                format!("{}; train for 1 to {MAX_EPOCHS} epochs", self.epochs),
            ));
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            problems.push(Error::setting(
                "batch_size",
                format!("{}; use 1 to {MAX_BATCH_SIZE}", self.batch_size),
            ));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            problems.push(Error::setting(
                "learning_rate",
                format!("{}; it must be above 0 and at most 1", self.learning_rate),
            ));
        }
        problems
    }

    /// Steps of `epochs` passes over `examples` examples. Every step uses a full batch (the last
    /// partial batch of an epoch is dropped), so shapes never change and GPU kernels compiled for
    /// the first step serve every step.
    pub fn steps_for(&self, examples: usize) -> usize {
        self.epochs * steps_per_epoch(examples, self.batch_size)
    }
}

fn steps_per_epoch(examples: usize, batch_size: usize) -> usize {
    (examples / batch_size).max(1)
}

/// Where a run stands, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct Progress {
    pub step: usize,
    pub total_steps: usize,
    /// Passes over the training set completed, fractional.
    pub epoch: f64,
    /// Examples in the training set an epoch passes over (all the transfer set for a distilled
    /// student, only its labeled examples for the scratch one).
    pub examples: usize,
    /// Mean loss over the steps since the previous report, when any ran.
    pub loss: Option<f32>,
}

/// One step of gradient descent, the same for every model trained here: backward through `loss`,
/// the gradients of `model`'s parameters, and the optimizer's update.
pub fn optimizer_step<M: Module>(
    optimizer: &mut ModuleOptimizer,
    learning_rate: f64,
    model: M,
    loss: Tensor<1>,
) -> M {
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optimizer.step(learning_rate, model, grads)
}

/// Trains one student, a step at a time.
pub struct Trainer {
    config: TrainConfig,
    set: TrainingSet,
    device: Device,
    model: Option<Trainee>,
    optimizer: ModuleOptimizer,
    rng: SplitMix64,
    order: Vec<usize>,
    cursor: usize,
    batch: usize,
    step: usize,
    total_steps: usize,
    /// Sum of the losses since the last readback, kept on the device: reading a value back is
    /// a synchronisation (and async on WebGPU), so we do it once per report, not per step.
    loss_sum: Option<Tensor<1>>,
    loss_terms: usize,
    /// Reshuffle every epoch (always, except in benchmarks that replay the same batches
    /// elsewhere).
    shuffle: bool,
}

impl Trainer {
    /// A trainer of `total_steps` steps over `set` (see [`TrainConfig::steps_for`]); the student
    /// starts from the weights `config.seed` draws on `device` (a plain device: autodiff is
    /// added here).
    pub fn new(
        config: TrainConfig,
        set: TrainingSet,
        total_steps: usize,
        device: &Device,
    ) -> Result<Self> {
        config.validate()?;
        if config.objective.needs_teacher() && !set.has_teacher() {
            return Err(Error::setting(
                "loss",
                "distillation needs the teacher's logits for the transfer set",
            ));
        }
        let hint_width = match (config.objective.hint_weight(), set.teacher_hidden_width()) {
            (None, _) => None,
            (Some(_), Some(width)) => Some(width),
            (Some(_), None) => {
                return Err(Error::setting(
                    "loss",
                    "a hint loss needs the teacher's hidden layer for the transfer set",
                ));
            }
        };
        let device = device.clone().autodiff();
        // The student first, so its initial weights are the same whatever the objective.
        let model = crate::model::seeded(&device, config.seed, || {
            Trainee::new(&config.student, hint_width, &device)
        })?;
        let optimizer = AdamConfig::new().with_epsilon(1e-8).init();
        let batch = config.batch_size.min(set.len());
        let order = (0..set.len()).collect();
        let rng = SplitMix64::new(config.seed ^ 0x0005_eed0_fba7_c4e5);
        Ok(Self {
            config,
            set,
            device,
            model: Some(model),
            optimizer,
            rng,
            order,
            cursor: usize::MAX,
            batch,
            step: 0,
            total_steps,
            loss_sum: None,
            loss_terms: 0,
            shuffle: true,
        })
    }

    /// Batches in the set's own order, `[0, B)`, `[B, 2B)`, ..., never shuffled: for benchmarks
    /// whose peers must see the same batches.
    pub fn in_order(mut self) -> Self {
        self.shuffle = false;
        self
    }

    /// The student's weights now (the initial ones, before any step), as safetensors.
    pub async fn weights(&self) -> Result<Vec<u8>> {
        crate::weights::to_safetensors(&self.student(), &Default::default()).await
    }

    /// Steps taken over steps to take, 0 to 1.
    pub fn fraction_done(&self) -> f64 {
        self.step as f64 / self.total_steps.max(1) as f64
    }

    pub fn is_done(&self) -> bool {
        self.step >= self.total_steps
    }

    /// One optimizer step: forward → loss → backward → Adam.
    pub fn step(&mut self) {
        let positions = self.next_positions();
        let batch = self.set.batch(&positions, &self.device);
        let model = self.model.take().expect("the model is always put back");
        let out = model.student.forward_train(batch.images);
        let objective = self.config.objective;
        let mut loss = match out.scored {
            Scored::Logits(logits) => {
                objective.loss(logits, batch.teacher, batch.targets, batch.labeled)
            }
            Scored::Leaves { reach, logits } => objective.expected_leaf_loss(
                reach,
                logits,
                batch.teacher,
                batch.targets,
                batch.labeled,
            ),
        };
        if let (Some(beta), Some(regressor), Some(target), Some(hidden)) = (
            self.config.objective.hint_weight(),
            &model.regressor,
            batch.teacher_hidden,
            out.hidden,
        ) {
            loss = loss + hint_loss(regressor.forward(hidden), target) * beta;
        }
        // The soft tree's balance penalty (Frosst & Hinton 2017), the same for both twins.
        if let Some(penalty) = out.penalty {
            loss = loss + penalty;
        }
        let detached = loss.clone().detach().inner();
        self.loss_sum = Some(match self.loss_sum.take() {
            Some(sum) => sum + detached,
            None => detached,
        });
        self.loss_terms += 1;
        let model = optimizer_step(&mut self.optimizer, self.config.learning_rate, model, loss);
        self.model = Some(model);
        self.step += 1;
    }

    /// Runs up to `max_steps` steps, then reads the mean loss back once.
    pub async fn advance(&mut self, max_steps: usize) -> Result<Progress> {
        for _ in 0..max_steps {
            if self.is_done() {
                break;
            }
            self.step();
        }
        let loss = self.read_loss().await?;
        Ok(self.progress(loss))
    }

    pub fn progress(&self, loss: Option<f32>) -> Progress {
        Progress {
            step: self.step,
            total_steps: self.total_steps,
            epoch: self.step as f64 / steps_per_epoch(self.set.len(), self.batch) as f64,
            examples: self.set.len(),
            loss,
        }
    }

    /// The student as it is now, without autodiff, for evaluation and export.
    pub fn student(&self) -> Student {
        self.model
            .as_ref()
            .expect("the model is always put back")
            .student
            .valid()
    }

    async fn read_loss(&mut self) -> Result<Option<f32>> {
        let Some(sum) = self.loss_sum.take() else {
            return Ok(None);
        };
        let terms = std::mem::take(&mut self.loss_terms);
        let data = sum
            .into_data_async()
            .await
            .map_err(|e| Error::Device(format!("reading the loss back failed: {e:?}")))?;
        let value = data
            .iter::<f32>()
            .next()
            .ok_or_else(|| Error::Device("the loss came back empty".into()))?;
        Ok(Some(value / terms as f32))
    }

    /// Positions of the next batch; reshuffles at the start of every epoch.
    fn next_positions(&mut self) -> Vec<usize> {
        if self.cursor.saturating_add(self.batch) > self.order.len() {
            if self.shuffle {
                self.rng.shuffle(&mut self.order);
            }
            self.cursor = 0;
        }
        let positions = self.order[self.cursor..self.cursor + self.batch].to_vec();
        self.cursor += self.batch;
        positions
    }
}
