//! The report's Fashion-MNIST section (issue 20): Fashion's default run; students of three sizes
//! with all labels over the seeds (does the teacher help when every answer is known?); and the
//! teacher's confusions, and whether the distilled student makes them where the scratch one does
//! not. The experiment and its Markdown live together here.

use std::fmt::Write as _;

use serde_json::json;
use webdistill::data::Task;
use webdistill::eval::Evaluation;
use webdistill::run::{Comparison, Lab};
use webdistill::settings::{DistillSettings, Preset, message};

use super::{SEEDS, accuracy, mean, over_seeds, spread};
use crate::compare;

/// The MLP sizes run with all labels: the default student, one four times wider, Hinton's.
const SIZES: [&[usize]; 3] = [&[64], &[256], &[800, 800]];

/// Fashion's section: the default run and, per size, a comparison per seed with all labels.
pub(super) struct FashionCases {
    default: Comparison,
    all_labels: Vec<(DistillSettings, Vec<Comparison>)>,
}

impl FashionCases {
    pub(super) fn json(&self) -> serde_json::Value {
        json!({
            "default": self.default,
            "all_labels": self.all_labels.iter().map(|(s, runs)| json!({
                "student": s.student(), "seeds": SEEDS,
                "scratch_errors": runs.iter().map(|c| c.scratch.as_ref().map_or(0, |r| r.errors)).collect::<Vec<_>>(),
                "distilled_errors": runs.iter().map(|c| c.distilled.errors).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// Runs the section's experiments on `lab` (Fashion-MNIST's data and teacher).
pub(super) fn fashion_cases(lab: &Lab) -> Result<FashionCases, String> {
    let preset = Preset::get(webdistill::settings::default_preset(Task::Fashion))
        .map_err(|e| message(&e))?
        .settings();
    let default = compare(lab, &preset)?.comparison;
    eprintln!(
        "  Fashion's default: scratch {}, distilled {} errors",
        default.scratch.as_ref().map_or(0, |s| s.errors),
        default.distilled.errors
    );
    let all = Preset::get("fashion-all-labels")
        .map_err(|e| message(&e))?
        .settings();
    let mut all_labels = Vec::new();
    for hidden in SIZES {
        let settings = DistillSettings {
            hidden: hidden.to_vec(),
            ..all.clone()
        };
        let runs = over_seeds(lab, &settings, "all labels")?;
        all_labels.push((settings, runs));
    }
    Ok(FashionCases {
        default,
        all_labels,
    })
}

/// Pearson correlation of two models' off-diagonal confusion counts: how alike their mistakes are.
fn mistake_likeness(a: &Evaluation, b: &Evaluation) -> f64 {
    let pairs: Vec<(f64, f64)> = (0..10)
        .flat_map(|t| (0..10).filter(move |&p| p != t).map(move |p| (t, p)))
        .map(|(t, p)| (a.confusion[t][p] as f64, b.confusion[t][p] as f64))
        .collect();
    let n = pairs.len() as f64;
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = pairs.iter().map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = pairs.iter().map(|(x, _)| (x - ma).powi(2)).sum();
    let vb: f64 = pairs.iter().map(|(_, y)| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt().max(f64::MIN_POSITIVE)
}

pub(super) fn fashion_section(cases: &FashionCases) -> String {
    let names = Task::Fashion.class_names();
    let d = &cases.default;
    let s = &d.settings;
    let mut md = String::new();
    let scratch = d.scratch.as_ref();
    let _ = writeln!(
        md,
        "## 8. A second task: Fashion-MNIST\n\n\
         Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 28×28 grey images of ten kinds of \
         clothing, in MNIST's format. Its bundled teacher ({}) scores {:.2}% ({} errors), far from \
         the digits' 99.54%.\n\n\
         **Fashion's default** (`webdistill distill --task fashion`: {}, {} transfer images of \
         which {} keep their labels, {} epochs, T = {}, α = {}, seed {}): the distilled student \
         reaches {:.2}%, its twin without the teacher {}, at {:.1}× smaller than the teacher.\n",
        d.teacher.architecture,
        100.0 * d.teacher.accuracy,
        d.teacher.errors,
        d.distilled.architecture,
        s.size,
        s.labeled,
        s.epochs,
        s.temperature,
        s.alpha,
        s.seed,
        100.0 * d.distilled.accuracy,
        scratch.map_or("no labels".into(), |r| format!(
            "{:.2}%",
            100.0 * r.accuracy
        )),
        d.distilled.times_smaller
    );
    let all = &cases.all_labels[0].0;
    let _ = writeln!(
        md,
        "**With all labels** ({} images, {} epochs, T = {}, α = {}, learning rate {}; seeds \
         {SEEDS:?}, mean ± standard deviation):\n\n\
         | student | scratch | distilled | gain | seeds the distilled twin won |\n|---|---:|---:|---:|---:|",
        all.size, all.epochs, all.temperature, all.alpha, all.learning_rate
    );
    let mut verdicts = Vec::new();
    for (settings, runs) in &cases.all_labels {
        let total = runs[0].distilled.evaluation.total;
        let sc: Vec<usize> = runs
            .iter()
            .map(|c| c.scratch.as_ref().map_or(0, |r| r.errors))
            .collect();
        let di: Vec<usize> = runs.iter().map(|c| c.distilled.errors).collect();
        let points = 100.0 * (mean(&sc) - mean(&di)) / total as f64;
        let won = sc.iter().zip(&di).filter(|(s, d)| d < s).count();
        let noise = 100.0 * spread(&sc).max(spread(&di)) / total as f64;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {points:+.2} | {won} of {} |",
            settings.student().title(),
            accuracy(&sc, total),
            accuracy(&di, total),
            SEEDS.len()
        );
        let title = settings.student().title();
        verdicts.push(if won == SEEDS.len() && points > noise {
            format!("the {title} gains {points:.2} points, more than the seeds' spread ({noise:.2}), in every seed")
        } else if won == SEEDS.len() {
            format!("the {title} gains {points:.2} points in every seed, within about the seeds' spread ({noise:.2})")
        } else if won == 0 {
            format!("the {title} loses {:.2} points, in every seed", -points)
        } else {
            format!("the {title} gains nothing consistent ({points:+.2} points on average, better in {won} of {} seeds)", SEEDS.len())
        });
    }
    let _ = writeln!(md, "\nWith every label known: {}.\n", verdicts.join("; "));

    // The teacher's confusions, and who shares them.
    let t = &d.teacher.evaluation;
    let mut pairs: Vec<(usize, usize, u32)> = (0..10)
        .flat_map(|a| (0..10).filter(move |&b| b != a).map(move |b| (a, b)))
        .map(|(a, b)| (a, b, t.confusion[a][b]))
        .collect();
    pairs.sort_by_key(|p| std::cmp::Reverse(p.2));
    let _ = writeln!(
        md,
        "**What the teacher mixes up**, on the default run's test set (true → predicted, of 1,000 each):\n\n\
         | true | predicted | teacher | distilled | scratch |\n|---|---|---:|---:|---:|"
    );
    for &(a, b, n) in pairs.iter().take(5) {
        let _ = writeln!(
            md,
            "| {} | {} | {n} | {} | {} |",
            names[a],
            names[b],
            d.distilled.evaluation.confusion[a][b],
            scratch.map_or("–".into(), |r| r.evaluation.confusion[a][b].to_string())
        );
    }
    let likeness_d = mistake_likeness(t, &d.distilled.evaluation);
    let likeness_s = scratch.map(|r| mistake_likeness(t, &r.evaluation));
    let _ = writeln!(
        md,
        "\nHow alike each student's mistakes are to the teacher's (the correlation of their 90 \
         off-diagonal confusion counts): distilled {likeness_d:.2}{}. {}\n",
        likeness_s.map_or(String::new(), |l| format!(", scratch {l:.2}")),
        match likeness_s {
            Some(l) if likeness_d > l + 0.05 =>
                "The distilled student inherits the teacher's confusions more than its twin does: it learned which clothes the teacher finds alike.",
            Some(l) if likeness_d + 0.05 < l =>
                "The scratch student's mistakes are the more like the teacher's: the teacher's confusions are not what the distilled one inherited.",
            Some(_) =>
                "Both students' mistakes are about as like the teacher's: these are the classes that look alike to any model.",
            None => "",
        }
    );
    md
}
