//! What the page lets a person poke at once the models exist: the probabilities at any
//! temperature (the "dark knowledge" of Hinton 2015 §2), the test images the teacher finds
//! hard, single predictions with their time, and the class-bias shift of the omitted-class
//! experiment (§3).

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::{Mnist, NUM_CLASSES, TransferSet};
use crate::distill::MAX_TEMPERATURE;
use crate::error::{Error, Result};
use crate::eval::latency::{Timing, time_calls};
use crate::eval::{Evaluation, TestLogits, predict_logits, read_floats};
use crate::export::card::StudentFiles;
use crate::model::{Classifier, Teacher};
use crate::run::Finished;
use crate::settings::DistillSettings;

/// The largest temperature the explorer offers (Hinton 2015 §3 distilled MNIST at T = 20).
pub const EXPLORE_MAX_TEMPERATURE: f32 = 20.0;

/// `softmax(logits / T)` of each 10-logit row, in f64 for the small probabilities that are the
/// point of the exercise.
pub fn soft_probabilities(logits: &[f32], temperature: f32) -> Result<Vec<f32>> {
    if !(temperature > 0.0 && temperature <= MAX_TEMPERATURE) {
        return Err(Error::setting(
            "temperature",
            format!("T = {temperature}; it must be above 0 and at most {MAX_TEMPERATURE}"),
        ));
    }
    if logits.is_empty() || !logits.len().is_multiple_of(NUM_CLASSES) {
        return Err(Error::setting(
            "logits",
            format!("{} values; give rows of {NUM_CLASSES}", logits.len()),
        ));
    }
    let t = temperature as f64;
    let mut out = Vec::with_capacity(logits.len());
    for row in logits.chunks_exact(NUM_CLASSES) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let exps: Vec<f64> = row.iter().map(|&z| ((z as f64 - max) / t).exp()).collect();
        let sum: f64 = exps.iter().sum();
        out.extend(exps.iter().map(|e| (e / sum) as f32));
    }
    Ok(out)
}

/// [`soft_probabilities`] for the explorer's slider, which goes up to
/// [`EXPLORE_MAX_TEMPERATURE`].
pub fn slider_probabilities(logits: &[f32], temperature: f32) -> Result<Vec<f32>> {
    if temperature > EXPLORE_MAX_TEMPERATURE {
        return Err(Error::setting(
            "temperature",
            format!("T = {temperature}; the explorer goes up to {EXPLORE_MAX_TEMPERATURE}"),
        ));
    }
    soft_probabilities(logits, temperature)
}

/// How a model sees each class: for each class k, the mean probability (softmax at `temperature`)
/// it gives k on the images whose label is not k. The omit-a-class experiment in one number per
/// class: a student that never sees k can only learn about k from this share (issue 21).
pub fn class_affinity(logits: &[f32], labels: &[u8], temperature: f32) -> Result<Vec<f64>> {
    let probabilities = slider_probabilities(logits, temperature)?;
    let mut sums = [0.0f64; NUM_CLASSES];
    let mut counts = [0usize; NUM_CLASSES];
    for (row, &label) in probabilities.chunks_exact(NUM_CLASSES).zip(labels) {
        for class in (0..NUM_CLASSES).filter(|&c| c != label as usize) {
            sums[class] += row[class] as f64;
            counts[class] += 1;
        }
    }
    Ok((0..NUM_CLASSES)
        .map(|c| sums[c] / counts[c].max(1) as f64)
        .collect())
}

/// Test images ordered from the one the teacher finds hardest: lowest probability (T = 1) on
/// the true label first, so its mistakes come before its doubts. Returns the first `count`.
pub fn hardest_examples(teacher_logits: &[f32], labels: &[u8], count: usize) -> Result<Vec<u32>> {
    let probabilities = soft_probabilities(teacher_logits, 1.0)?;
    let mut scored: Vec<(f32, u32)> = probabilities
        .chunks_exact(NUM_CLASSES)
        .zip(labels)
        .enumerate()
        .map(|(i, (p, &label))| (p[label as usize], i as u32))
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(scored.into_iter().take(count).map(|(_, i)| i).collect())
}

/// One model's logits for one image, and the time of one prediction (upload, forward, read
/// back), timed in windows long enough for the browser's coarse clock ([`time_calls`]).
pub async fn timed_logits(
    model: &dyn Classifier,
    data: &Mnist,
    index: u32,
    device: &Device,
) -> Result<(Vec<f32>, Timing)> {
    let values = read_floats(model.logits(data.images_tensor(&[index], device))).await?;
    let timing = time_calls(|| {
        let logits = model.logits(data.images_tensor(&[index], device));
        async move { read_floats(logits).await.map(|_| ()) }
    })
    .await?;
    Ok((values, timing))
}

/// How a student does on the test set, overall and on one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct ClassScore {
    pub accuracy: f64,
    pub errors: usize,
    /// Test images of the class it got wrong, out of how many there are.
    pub class_errors: u32,
    pub class_total: u32,
}

impl ClassScore {
    fn of(evaluation: &Evaluation, class: usize) -> Self {
        Self {
            accuracy: evaluation.accuracy,
            errors: evaluation.errors,
            class_errors: evaluation.class_total(class) - evaluation.class_right(class),
            class_total: evaluation.class_total(class),
        }
    }
}

/// How far Hinton et al. 2015 (§3) raised the 3s' output bias in the student that never saw a 3.
pub const PAPER_BIAS_SHIFT: f32 = 3.5;

/// Raising one class's output bias (Hinton 2015 §3: a student that never saw a 3 learns too low
/// a bias for it; raising it by [`PAPER_BIAS_SHIFT`] brought the 3s back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct BiasShift {
    pub class: u8,
    pub delta: f32,
    /// How many held-out training images `delta` was fitted on; `None` when it was given.
    pub fitted_on: Option<usize>,
    /// Where `delta` came from.
    pub source: ShiftOrigin,
    pub before: ClassScore,
    pub after: ClassScore,
}

/// Where a bias shift's amount came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum ShiftOrigin {
    /// [`PAPER_BIAS_SHIFT`].
    Paper,
    /// Fitted on held-out training images (`BiasShift::fitted_on` says how many).
    Fitted,
    /// Another amount, as given.
    Given,
}

/// Where the bias shift comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShiftSource<'a> {
    /// A given amount (the paper's 3.5).
    Given(f32),
    /// The amount, on a 0 to 10 grid, that maximises accuracy on these training rows (held out
    /// from the transfer set, so nothing about the test set leaks in).
    FitOn(&'a Mnist, &'a [u32]),
}

/// `student`'s test accuracy before and after raising `class`'s bias, given its logits on `test` (a bias shift moves logits only, so the
/// test set need not be read again for every amount tried).
pub async fn shift_bias_of(
    student: &impl Classifier,
    test: &Mnist,
    test_logits: &[f32],
    class: u8,
    source: ShiftSource<'_>,
    device: &Device,
) -> Result<BiasShift> {
    if class as usize >= NUM_CLASSES {
        return Err(Error::setting("class", format!("{class} is not a class")));
    }
    let (delta, fitted_on) = match source {
        ShiftSource::Given(delta) if delta.is_finite() && delta.abs() <= 100.0 => (delta, None),
        ShiftSource::Given(delta) => {
            return Err(Error::setting(
                "bias shift",
                format!("{delta}; give an amount between −100 and 100"),
            ));
        }
        ShiftSource::FitOn(_, []) => {
            return Err(Error::setting(
                "bias shift",
                "no training images were held out to fit it on: set held-out images above 0 and run again",
            ));
        }
        ShiftSource::FitOn(data, rows) => {
            let logits = predict_logits(student, data, rows, device).await?;
            let labels: Vec<u8> = rows.iter().map(|&r| data.labels()[r as usize]).collect();
            let (delta, _) = fit_class_bias(&logits, &labels, class as usize);
            (delta, Some(rows.len()))
        }
    };
    let before = Evaluation::from_logits(test_logits, test.labels());
    let shifted = shift_class_logit(test_logits, class as usize, delta);
    let after = Evaluation::from_logits(&shifted, test.labels());
    let source = match fitted_on {
        Some(_) => ShiftOrigin::Fitted,
        None if delta == PAPER_BIAS_SHIFT => ShiftOrigin::Paper,
        None => ShiftOrigin::Given,
    };
    Ok(BiasShift {
        class,
        delta,
        fitted_on,
        source,
        before: ClassScore::of(&before, class as usize),
        after: ClassScore::of(&after, class as usize),
    })
}

/// A finished comparison run, kept so its students can be explored and taken away.
pub struct TrainedRun {
    pub finished: Finished,
    pub transfer: TransferSet,
    /// The teacher's one-line description, for the students' cards.
    pub teacher: String,
    /// The distilled student's test logits, read once, when a bias shift first needs them.
    pub distilled_test_logits: TestLogits,
}

/// One model's answer for one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_family = "wasm", derive(tsify::Tsify))]
pub struct ModelOutput {
    /// `teacher`, `distilled` or `scratch`.
    pub model: String,
    /// The digit it predicts (the largest logit).
    pub predicted: usize,
    pub logits: Vec<f32>,
    /// At T = 1.
    pub probabilities: Vec<f32>,
    /// Time of one prediction (upload, forward, read back).
    pub timing: Timing,
}

/// Every model's answer for image `index` of `data`: the teacher's, then the students' of `run`
/// when there is one.
pub async fn predict_each(
    teacher: &Teacher,
    run: Option<&TrainedRun>,
    data: &Mnist,
    index: u32,
    device: &Device,
) -> Result<Vec<ModelOutput>> {
    let mut models: Vec<(&str, &dyn Classifier)> = vec![("teacher", teacher)];
    if let Some(run) = run {
        models.push(("distilled", &run.finished.distilled.model));
        if let Some(scratch) = &run.finished.scratch {
            models.push(("scratch", &scratch.model));
        }
    }
    let mut outputs = Vec::with_capacity(models.len());
    for (name, model) in models {
        let (logits, timing) = timed_logits(model, data, index, device).await?;
        outputs.push(ModelOutput {
            model: name.into(),
            predicted: crate::eval::argmax(&logits),
            probabilities: soft_probabilities(&logits, 1.0)?,
            logits,
            timing,
        });
    }
    Ok(outputs)
}

impl TrainedRun {
    pub fn settings(&self) -> &DistillSettings {
        &self.finished.comparison.settings
    }

    /// The distilled student's logits on `test` (computed on the first call, then kept).
    pub async fn distilled_logits(
        &self,
        test: &Mnist,
        device: &Device,
    ) -> Result<std::rc::Rc<Vec<f32>>> {
        self.distilled_test_logits
            .get(&self.finished.distilled.model, test, device)
            .await
    }

    /// Every file of the `distilled` or `scratch` student and its card (from the weights read
    /// back when the run was measured: nothing is read from the device again).
    pub fn export(&self, role: &str) -> Result<StudentFiles> {
        self.finished.student_files(role, &self.teacher)
    }
}

/// Adds `delta` to one class's logit in every row of `[n × 10]` logits: exactly what raising
/// that class's output bias by `delta` does to the student.
pub fn shift_class_logit(logits: &[f32], class: usize, delta: f32) -> Vec<f32> {
    let mut shifted = logits.to_vec();
    for row in shifted.chunks_exact_mut(NUM_CLASSES) {
        row[class] += delta;
    }
    shifted
}

/// The bias shift for `class`, from a grid of 0 to 10 in steps of 0.1, that maximises accuracy
/// on held-out logits and labels (ties go to the smaller shift). Returns `(shift, accuracy)`.
pub fn fit_class_bias(logits: &[f32], labels: &[u8], class: usize) -> (f32, f64) {
    let mut best = (0.0f32, -1.0f64);
    for step in 0..=100 {
        let delta = step as f32 * 0.1;
        let accuracy =
            Evaluation::from_logits(&shift_class_logit(logits, class, delta), labels).accuracy;
        if accuracy > best.1 {
            best = (delta, accuracy);
        }
    }
    best
}
