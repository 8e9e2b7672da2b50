//! `webdistill evaluate`: loads a student downloaded from the page (safetensors, and optionally
//! its card) and measures it on the full test set, so a file's claimed accuracy can be checked.

use std::path::Path;

use serde::Serialize;
use webdistill::data::{Mnist, Task};
use webdistill::eval::evaluate;
use webdistill::export::card::{StudentCard, load_student};
use webdistill::settings::message;

use crate::Args;
use crate::{block, device_for};

#[derive(Serialize)]
struct Evaluated {
    architecture: String,
    backend: String,
    accuracy: f64,
    errors: usize,
    total: usize,
    /// What the card claims, when one was given.
    card_accuracy: Option<f64>,
    card_errors: Option<usize>,
}

pub fn run(args: impl Iterator<Item = String>) -> Result<(), String> {
    let mut args = Args::parse(args, &["json"])?;
    let weights: String = args
        .get("weights")?
        .ok_or("give --weights student.safetensors")?;
    let card: Option<String> = args.get("card")?;
    let backend: String = args.get("backend")?.unwrap_or_else(|| "cpu".into());
    let task: Option<String> = args.get("task")?;
    let data: Option<String> = args.get("data")?;
    let json = args.switch("json");
    args.finish()?;
    let bytes = read(&weights)?;
    let card = match card {
        Some(path) => {
            let text = String::from_utf8(read(&path)?).map_err(|_| format!("{path}: not UTF-8"))?;
            let card = StudentCard::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
            card.check(&bytes).map_err(|e| format!("{weights}: {e}"))?;
            Some(card)
        }
        None => None,
    };
    let (device, backend) = device_for(&backend)?;
    let (student, config) = load_student(&bytes, &device).map_err(|e| format!("{weights}: {e}"))?;
    // The card names the task; without one, --task (digits unless given).
    let task = match (&card, task) {
        (_, Some(key)) => {
            Task::from_key(&key).ok_or_else(|| format!("--task: {key:?}; use digits or fashion"))?
        }
        (Some(card), None) => card.settings.task,
        (None, None) => Task::Digits,
    };
    if let Some(card) = &card
        && card.settings.task != task
    {
        return Err(format!(
            "{weights}: the card says it was trained on {}, and --task is {}",
            card.settings.task.dataset(),
            task.dataset()
        ));
    }
    let data = data.map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(task.data_dir())
    });
    let test = Mnist::load_task_dir(task, &data, "t10k").map_err(|e| message(&e))?;
    let evaluation = block(evaluate(&student, &test, &device))?;
    let result = Evaluated {
        architecture: config.title(),
        backend: backend.name().to_string(),
        accuracy: evaluation.accuracy,
        errors: evaluation.errors,
        total: evaluation.total,
        card_accuracy: card.as_ref().map(|c| c.test_accuracy),
        card_errors: card.as_ref().map(|c| c.test_errors),
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "student {}: {:.2}% ({} errors of {}) on the test set, {}",
            result.architecture,
            result.accuracy * 100.0,
            result.errors,
            result.total,
            result.backend
        );
        if let (Some(accuracy), Some(errors)) = (result.card_accuracy, result.card_errors) {
            println!("its card claims {:.2}% ({errors} errors)", accuracy * 100.0);
        }
    }
    Ok(())
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(Path::new(path)).map_err(|e| format!("{path}: {e}"))
}
