//! `webdistill sweep`: the page's *Sweep*: students of every kind and several sizes, each
//! distilled and from scratch on the given settings, as rows of accuracy, size and time per image.

use webdistill::sweep::{SweepResult, SweepUpdate, sweep_to_end};

use crate::{block, experiment_args, show_progress};

pub fn run(args: impl Iterator<Item = String>) -> Result<(), String> {
    let (settings, lab, json, ()) = experiment_args(args, |_| Ok(()))?;
    let mut shown = 0;
    let started = std::time::Instant::now();
    let mut progress = |u: &SweepUpdate| {
        for row in &u.rows[shown..] {
            eprintln!(
                "\r{:<80}",
                format!(
                    "{:>5.1} s  {}: distilled {:.2}%, scratch {}",
                    started.elapsed().as_secs_f64(),
                    row.architecture,
                    row.distilled.accuracy * 100.0,
                    row.scratch
                        .as_ref()
                        .map_or("–".into(), |s| format!("{:.2}%", s.accuracy * 100.0))
                )
            );
        }
        if u.rows.len() == shown {
            show_progress(&u.run);
        }
        shown = u.rows.len();
    };
    let result = block(sweep_to_end(&lab, &settings, &mut progress))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", render(&result));
    }
    Ok(())
}

fn render(r: &SweepResult) -> String {
    let mut out = format!(
        "{:<24} {:>10} {:>11} {:>11} {:>10} {:>10} {:>12}\n",
        "student", "params", "bytes", "int8 bytes", "distilled", "scratch", "ms/image"
    );
    if let Some(t) = &r.teacher {
        out += &format!(
            "{:<24} {:>10} {:>11} {:>11} {:>9.2}% {:>10} {:>12.4}\n",
            "teacher",
            t.params,
            t.bytes,
            "–",
            t.accuracy * 100.0,
            "–",
            t.ms_per_image
        );
    }
    for row in &r.rows {
        out += &format!(
            "{:<24} {:>10} {:>11} {:>11} {:>9.2}% {:>10} {:>12.4}\n",
            row.architecture,
            row.params,
            row.bytes,
            row.int8_bytes.map_or("–".into(), |b| b.to_string()),
            row.distilled.accuracy * 100.0,
            row.scratch
                .as_ref()
                .map_or("–".into(), |s| format!("{:.2}%", s.accuracy * 100.0)),
            row.distilled.ms_per_image
        );
    }
    for why in &r.left_out {
        out += &format!("left out: {why}\n");
    }
    out
}
