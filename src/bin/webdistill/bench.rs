//! `webdistill bench`: the benchmark workload natively (docs/BENCHMARKS.md): training steps of
//! Hinton KD for a small and a large MLP student and the CNN student at its default size, and
//! inference latency of teacher and MLP students.

use serde::Serialize;
use webdistill::bench::{
    LabellingBench, TrainingBench, TrainingBenchSpec, fresh_student_latency, labelling_throughput,
    training_throughput,
};
use webdistill::eval::latency::{LatencyProfile, latency_profile};
use webdistill::model::StudentConfig;
use webdistill::settings::{DistillSettings, message};

use crate::Args;
use crate::{TeacherSource, block, open_lab};
use webdistill::data::Task;
use webdistill::teacher_card::DEFAULT_TEACHER;

/// Test images the teacher labels for the labelling throughput.
pub const LABEL_IMAGES: usize = 10_000;

/// The students the benchmark trains (issue #4): a small one and Hinton's.
pub const STUDENTS: [&[usize]; 2] = [&[64], &[800, 800]];

#[derive(Serialize)]
struct Report {
    backend: String,
    training: Vec<TrainingBench>,
    labelling: LabellingBench,
    latency: Vec<(String, LatencyProfile)>,
}

pub fn run(args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut args = Args::parse(args, &["json"])?;
    let backend: String = args.get("backend")?.unwrap_or_else(|| "cpu".into());
    let steps = args.get("steps")?.unwrap_or(50);
    let warmup = args.get("warmup")?.unwrap_or(10);
    let data = crate::data_dir(&mut args, Task::Digits)?;
    let json = args.switch("json");
    args.finish()?;
    let lab = open_lab(
        &backend,
        Task::Digits,
        &data,
        &TeacherSource::Bundled(Task::Digits, DEFAULT_TEACHER.into()),
    )?;
    let spec = TrainingBenchSpec {
        batch_size: 128,
        checked_steps: 3,
        warmup,
        steps,
        seed: 1,
        ..TrainingBenchSpec::page_defaults()
    };
    let mut specs: Vec<TrainingBenchSpec> = STUDENTS
        .iter()
        .map(|hidden| TrainingBenchSpec {
            hidden: hidden.to_vec(),
            ..spec.clone()
        })
        .collect();
    // The CNN student at its default size (issue 19: its step against TF.js's).
    specs.push(TrainingBenchSpec {
        channels: DistillSettings::default().channels,
        ..spec
    });
    let mut training = Vec::new();
    for spec in &specs {
        training.push(block(training_throughput(&lab, spec))?);
    }
    let labelling = block(labelling_throughput(&lab, LABEL_IMAGES))?;
    let mut latency = vec![(
        "teacher".to_string(),
        block(latency_profile(&lab.teacher, &lab.test, &lab.device))?,
    )];
    for hidden in STUDENTS {
        let config = StudentConfig::new(hidden.to_vec()).map_err(|e| message(&e))?;
        let student = block(fresh_student_latency(&config, &lab.test, &lab.device))?;
        latency.push((format!("student {hidden:?}"), student));
    }
    let report = Report {
        backend: lab.backend.name().to_string(),
        training,
        labelling,
        latency,
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print_table(&report);
    }
    Ok(())
}

fn print_table(r: &Report) {
    println!("backend: {}\n", r.backend);
    println!(
        "{:<22} {:>10} {:>12} {:>14}",
        "training (batch 128)", "ms/step", "examples/s", "first losses"
    );
    for t in &r.training {
        let name = match t.spec.channels.as_slice() {
            [c1, c2] => StudentConfig::Cnn {
                channels: [*c1, *c2],
            },
            _ => StudentConfig::Mlp {
                hidden: t.spec.hidden.clone(),
            },
        }
        .title();
        let losses: Vec<String> = t.first_losses.iter().map(|l| format!("{l:.4}")).collect();
        println!(
            "{name:<22} {:>10.3} {:>12.0} {:>14}",
            t.ms_per_step,
            t.examples_per_s,
            losses.join(" ")
        );
    }
    println!(
        "\nteacher labelling: {:.0} images/s ({} images in batches of {}, {:.2} s)",
        r.labelling.images_per_s, r.labelling.images, r.labelling.batch, r.labelling.seconds
    );
    println!(
        "\n{:<22} {:>14} {:>18}",
        "inference", "ms (batch 1)", "ms/image (256)"
    );
    for (name, l) in &r.latency {
        println!(
            "{name:<22} {:>14.4} {:>18.5}",
            l[0].ms_per_batch, l[1].ms_per_image
        );
    }
}
