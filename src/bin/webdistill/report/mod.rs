//! `webdistill report`: runs the page's presets and the experiments around them, and writes
//! `docs/REPORT.md` and `docs/report.json`. Every number comes from this run, and every sentence
//! that states a result is chosen by the numbers it states.

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;
use webdistill::data::Task;
use webdistill::eval::{Evaluation, predict_all, predict_logits};
use webdistill::explore::{PAPER_BIAS_SHIFT, fit_class_bias, shift_class_logit};
use webdistill::run::{Comparison, Finished, Lab};
use webdistill::settings::{DistillSettings, Preset, message};

use crate::{Args, TeacherSource, block, compare, open_lab};
use webdistill::teacher_card::{BUNDLED_TEACHERS, DEFAULT_TEACHER};

mod fashion;
mod kinds;
mod render;
mod splice;
use render::render;

const TEMPERATURES: [f32; 5] = [1.0, 2.0, 4.0, 8.0, 20.0];
/// Seeds of the capacity-gap experiment: enough for a mean and a spread.
const SEEDS: [u64; 3] = [1, 2, 3];
/// The tiny student of the capacity-gap experiments, and the assistant put between it (and the
/// default student) and the teacher: about four times the default student's parameters and a
/// third of the teacher's.
const TINY: [usize; 1] = [16];
const ASSISTANT: [usize; 1] = [256];
/// report.json's keys for the sections `--only` also reruns alone (splice.rs writes one over).
const OMIT_KEY: &str = "omitted_threes";
const KINDS_KEY: &str = "student_kinds";
const FASHION_KEY: &str = "fashion";

/// Section 6's numbers in report.json, from the whole report or from `--only omit-3`.
fn omit_json(omitted: &[OmitCase]) -> serde_json::Value {
    json!(omitted.iter().map(OmitCase::json).collect::<Vec<_>>())
}

/// Section 7's numbers in report.json, from the whole report or from `--only kinds`.
fn kinds_json(kinds: &[kinds::KindCase]) -> serde_json::Value {
    json!(kinds.iter().map(kinds::KindCase::json).collect::<Vec<_>>())
}

pub fn run(args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut args = Args::parse(args, &[])?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out: PathBuf = args
        .get::<String>("out")?
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("docs/REPORT.md"));
    let backend: String = args.get("backend")?.unwrap_or_else(|| "cpu".into());
    let data = crate::data_dir(&mut args, Task::Digits)?;
    let only: Option<String> = args.get("only")?;
    args.finish()?;
    let started = Instant::now();
    let lab = open_lab(
        &backend,
        Task::Digits,
        &data,
        &TeacherSource::Bundled(Task::Digits, DEFAULT_TEACHER.into()),
    )?;
    // One section alone: printed, and written over its old text and numbers (splice.rs).
    let alone = match only.as_deref() {
        None => None,
        Some("omit-3") => {
            let omitted = omit_cases(&lab, &backend, &data)?;
            Some((
                render::omit_section(&omitted),
                OMIT_KEY,
                omit_json(&omitted),
            ))
        }
        Some("kinds") => {
            let kinds = kinds::kind_cases(&lab)?;
            Some((kinds::kinds_section(&kinds), KINDS_KEY, kinds_json(&kinds)))
        }
        Some("fashion") => {
            let fashion = fashion::fashion_cases(&fashion_lab(&backend)?)?;
            Some((
                fashion::fashion_section(&fashion),
                FASHION_KEY,
                fashion.json(),
            ))
        }
        Some(other) => {
            return Err(format!(
                "--only: {other:?}; the sections run alone are omit-3, kinds and fashion"
            ));
        }
    };
    if let Some((section, key, numbers)) = alone {
        print!("{section}");
        splice::write_section(&out, &section, key, numbers)?;
        eprintln!("wrote the section into {} and report.json", out.display());
        return Ok(());
    }
    let preset = |id: &str| {
        Preset::get(id)
            .map(Preset::settings)
            .map_err(|e| message(&e))
    };

    eprintln!("1/8 the page's default (few labels)");
    let default = compare(&lab, &preset("few-labels")?)?.comparison;
    eprintln!("2/8 Hinton's student");
    let hinton = compare(&lab, &preset("small-student")?)?.comparison;
    eprintln!("3/8 more labels");
    let more = DistillSettings {
        labeled: 1000,
        ..preset("few-labels")?
    };
    let few = vec![default.clone(), compare(&lab, &more)?.comparison];
    eprintln!("4/8 a tiny student across temperatures");
    let tiny = temperatures(&lab)?;
    eprintln!("5/8 the capacity gap and a teacher assistant");
    let gap = capacity_gap(&lab)?;
    eprintln!(
        "6/8 leaving out the 3s, with each bundled teacher over {} seeds",
        SEEDS.len()
    );
    let omitted = omit_cases(&lab, &backend, &data)?;
    eprintln!("7/8 every kind of student, with few labels and all");
    let kinds = kinds::kind_cases(&lab)?;
    eprintln!("8/8 Fashion-MNIST");
    let fashion = fashion::fashion_cases(&fashion_lab(&backend)?)?;

    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let markdown = render(&render::Results {
        default: &default,
        hinton: &hinton,
        few: &few,
        tiny: &tiny,
        gap: &gap,
        omitted: &omitted,
        kinds: &kinds,
        fashion: &fashion,
        minutes,
    });
    let raw = json!({
        "default": default, "hinton": hinton, "few_labels": few, "tiny_student": tiny.json(),
        "capacity_gap": gap.iter().map(GapCase::json).collect::<Vec<_>>(),
        OMIT_KEY: omit_json(&omitted), KINDS_KEY: kinds_json(&kinds),
        FASHION_KEY: fashion.json(), "minutes": minutes,
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(&out, markdown).map_err(|e| format!("{}: {e}", out.display()))?;
    let json_path = out.with_file_name("report.json");
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(&raw).map_err(|e| e.to_string())? + "\n",
    )
    .map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {} and {} in {minutes:.1} min",
        out.display(),
        json_path.display()
    );
    Ok(())
}

/// The tiny student (all labels) distilled at each temperature, and its scratch twin (the same
/// in every run: the temperature does not touch it).
struct Temperatures {
    settings: DistillSettings,
    runs: Vec<(f32, Comparison)>,
}

impl Temperatures {
    fn scratch(&self) -> &webdistill::eval::ModelReport {
        self.runs[0].1.scratch.as_ref().expect("all labels")
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "settings": self.settings,
            "scratch": self.scratch(),
            "distilled": self.runs.iter().map(|(t, c)| json!({"temperature": t, "report": c.distilled})).collect::<Vec<_>>(),
        })
    }
}

/// The default's settings with every label kept and the tiny student.
fn tiny_all_labels() -> DistillSettings {
    let base = DistillSettings::default();
    DistillSettings {
        hidden: TINY.to_vec(),
        labeled: base.size,
        ..base
    }
}

fn temperatures(lab: &Lab) -> Result<Temperatures, String> {
    let settings = tiny_all_labels();
    let mut runs = Vec::new();
    for temperature in TEMPERATURES {
        let one = DistillSettings {
            temperature,
            ..settings.clone()
        };
        let c = compare(lab, &one)?.comparison;
        eprintln!("  T = {temperature}: {} errors", c.distilled.errors);
        runs.push((temperature, c));
    }
    Ok(Temperatures { settings, runs })
}

/// One setting of the capacity-gap experiment: errors over seeds, without and with an assistant.
struct GapCase {
    name: &'static str,
    settings: DistillSettings,
    scratch: Vec<usize>,
    direct: Vec<usize>,
    assisted: Vec<usize>,
    assistant: Vec<usize>,
}

impl GapCase {
    fn json(&self) -> serde_json::Value {
        json!({
            "case": self.name, "settings": self.settings, "seeds": SEEDS,
            "scratch_errors": self.scratch, "distilled_errors": self.direct,
            "assisted_errors": self.assisted, "assistant_errors": self.assistant,
        })
    }
}

fn capacity_gap(lab: &Lab) -> Result<Vec<GapCase>, String> {
    let cases = [
        ("tiny student, all labels", tiny_all_labels()),
        ("the default: few labels", DistillSettings::default()),
    ];
    let mut out = Vec::new();
    for (name, base) in cases {
        let mut case = GapCase {
            name,
            settings: base.clone(),
            scratch: Vec::new(),
            direct: Vec::new(),
            assisted: Vec::new(),
            assistant: Vec::new(),
        };
        for seed in SEEDS {
            let direct = DistillSettings {
                seed,
                ..base.clone()
            };
            let assisted = DistillSettings {
                assistant: ASSISTANT.to_vec(),
                ..direct.clone()
            };
            let d = compare(lab, &direct)?.comparison;
            let a = compare(lab, &assisted)?.comparison;
            eprintln!(
                "  {name}, seed {seed}: scratch {}, distilled {}, with assistant {}",
                d.scratch.as_ref().map_or(0, |s| s.errors),
                d.distilled.errors,
                a.distilled.errors
            );
            case.scratch
                .push(d.scratch.as_ref().map_or(0, |s| s.errors));
            case.direct.push(d.distilled.errors);
            case.assisted.push(a.distilled.errors);
            case.assistant
                .push(a.assistant.as_ref().map_or(0, |r| r.errors));
        }
        out.push(case);
    }
    Ok(out)
}

/// The omit-3 preset with each bundled teacher (its lab opened here unless it is `lab`'s), over
/// the seeds.
fn omit_cases(lab: &Lab, backend: &str, data: &std::path::Path) -> Result<Vec<OmitCase>, String> {
    let mut omitted = Vec::new();
    for teacher in BUNDLED_TEACHERS.iter().filter(|t| t.task == Task::Digits) {
        let own_lab;
        let teacher_lab = if teacher.id == DEFAULT_TEACHER {
            lab
        } else {
            own_lab = open_lab(
                backend,
                Task::Digits,
                data,
                &TeacherSource::Bundled(teacher.task, teacher.id.into()),
            )?;
            &own_lab
        };
        let mut runs = Vec::new();
        for seed in SEEDS {
            let run = omitted_threes(teacher_lab, teacher.id, seed)?;
            eprintln!(
                "  {}, seed {seed}: {} 3s right",
                teacher.id, run.distilled_threes
            );
            runs.push(run);
        }
        // How the teacher sees 3 on the other digits at the preset's T (issue 21's statistic).
        let logits = block(predict_all(
            &teacher_lab.teacher,
            &teacher_lab.test,
            &teacher_lab.device,
        ))?;
        let t = Preset::get("omit-3")
            .map_err(|e| message(&e))?
            .settings()
            .temperature;
        let affinity = webdistill::explore::class_affinity(&logits, teacher_lab.test.labels(), t)
            .map_err(|e| message(&e))?;
        omitted.push(OmitCase {
            teacher: teacher.name,
            runs,
            affinity,
            temperature: t,
        });
    }
    Ok(omitted)
}

/// The omitted-class experiment with one teacher: a run per seed, and how that teacher sees each
/// class on the other classes' test images at the preset's T.
struct OmitCase {
    teacher: &'static str,
    runs: Vec<OmittedThrees>,
    affinity: Vec<f64>,
    temperature: f32,
}

impl OmitCase {
    fn json(&self) -> serde_json::Value {
        json!({
            "teacher": self.teacher, "seeds": SEEDS,
            "runs": self.runs.iter().map(OmittedThrees::json).collect::<Vec<_>>(),
            "class_affinity": self.affinity, "temperature": self.temperature,
        })
    }
}

/// The omitted-class experiment's numbers.
struct OmittedThrees {
    comparison: Comparison,
    threes: u32,
    distilled_threes: u32,
    scratch_threes: u32,
    paper_shift: Evaluation,
    fitted_shift: f32,
    fitted: Evaluation,
    holdout: usize,
}

impl OmittedThrees {
    fn json(&self) -> serde_json::Value {
        json!({
            "comparison": self.comparison,
            "threes_in_test_set": self.threes,
            "distilled_threes_right": self.distilled_threes,
            "scratch_threes_right": self.scratch_threes,
            "paper_shift": { "shift": PAPER_BIAS_SHIFT, "errors": self.paper_shift.errors, "threes_right": self.paper_shift.class_right(3) },
            "fitted_shift": { "shift": self.fitted_shift, "holdout": self.holdout, "errors": self.fitted.errors, "threes_right": self.fitted.class_right(3) },
        })
    }
}

/// The page's *omit the 3s* preset (T = 20, as the paper) taught by `teacher` (the teacher `lab`
/// holds), with both bias shifts.
fn omitted_threes(lab: &Lab, teacher: &str, seed: u64) -> Result<OmittedThrees, String> {
    let settings = DistillSettings {
        teacher: teacher.into(),
        seed,
        ..Preset::get("omit-3").map_err(|e| message(&e))?.settings()
    };
    let run_settings = settings.clone();
    let Finished {
        comparison,
        distilled,
        ..
    } = compare(lab, &run_settings)?;
    // The same selection the run made, for its holdout.
    let transfer = webdistill::data::TransferSet::select(&lab.train, &settings.transfer())
        .map_err(|e| message(&e))?;
    let holdout = &transfer.holdout;
    let test_logits = block(predict_all(&distilled.model, &lab.test, &lab.device))?;
    let holdout_logits = block(predict_logits(
        &distilled.model,
        &lab.train,
        holdout,
        &lab.device,
    ))?;
    let holdout_labels: Vec<u8> = holdout
        .iter()
        .map(|&i| lab.train.labels()[i as usize])
        .collect();
    let (fitted_shift, _) = fit_class_bias(&holdout_logits, &holdout_labels, 3);
    let labels = lab.test.labels();
    Ok(OmittedThrees {
        threes: comparison.distilled.evaluation.class_total(3),
        distilled_threes: comparison.distilled.evaluation.class_right(3),
        scratch_threes: comparison
            .scratch
            .as_ref()
            .map(|s| s.evaluation.class_right(3))
            .unwrap_or(0),
        paper_shift: Evaluation::from_logits(
            &shift_class_logit(&test_logits, 3, PAPER_BIAS_SHIFT),
            labels,
        ),
        fitted: Evaluation::from_logits(&shift_class_logit(&test_logits, 3, fitted_shift), labels),
        fitted_shift,
        holdout: settings.holdout,
        comparison,
    })
}

/// Fashion-MNIST's data, from where the README's commands install it, and its bundled teacher.
fn fashion_lab(backend: &str) -> Result<Lab, String> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(Task::Fashion.data_dir());
    open_lab(
        backend,
        Task::Fashion,
        &data,
        &TeacherSource::Bundled(Task::Fashion, DEFAULT_TEACHER.into()),
    )
}

/// A comparison of `settings` for each of [`SEEDS`], each logged with `what` it is.
fn over_seeds(
    lab: &Lab,
    settings: &DistillSettings,
    what: &str,
) -> Result<Vec<Comparison>, String> {
    let mut runs = Vec::new();
    for seed in SEEDS {
        let c = compare(
            lab,
            &DistillSettings {
                seed,
                ..settings.clone()
            },
        )?
        .comparison;
        eprintln!(
            "  {}, {what}, seed {seed}: scratch {}, distilled {} errors",
            settings.student().title(),
            c.scratch.as_ref().map_or(0, |s| s.errors),
            c.distilled.errors
        );
        runs.push(c);
    }
    Ok(runs)
}

/// Accuracy from a mean error count: "97.76 ± 0.05%".
fn accuracy(errors: &[usize], total: usize) -> String {
    let t = total as f64;
    format!(
        "{:.2} ± {:.2}%",
        100.0 * (1.0 - mean(errors) / t),
        100.0 * spread(errors) / t
    )
}

fn mean(values: &[usize]) -> f64 {
    values.iter().sum::<usize>() as f64 / values.len().max(1) as f64
}

/// Sample standard deviation.
fn spread(values: &[usize]) -> f64 {
    let m = mean(values);
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    (values.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
}
