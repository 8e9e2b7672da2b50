//! The comparison as a text table.

use webdistill::eval::ModelReport;
use webdistill::run::Comparison;

/// A time per image as a number, or `<` its bound when the clock could not resolve it.
pub fn ms(r: &ModelReport) -> String {
    if r.ms_per_image_resolved {
        format!("{:.4}", r.ms_per_image)
    } else {
        format!("<{:.4}", r.ms_per_image)
    }
}

pub fn speedup(r: &ModelReport) -> String {
    r.speedup.map_or("–".into(), |s| format!("{s:.1}×"))
}

pub fn render(c: &Comparison) -> String {
    let s = &c.settings;
    let assistant = s
        .assistant()
        .map(|a| format!(" → assistant {}", a.title()))
        .unwrap_or_default();
    let mut out = format!(
        "{}{assistant} → student {} | {} | {} epochs, batch {}, lr {}, seed {} | transfer set {} ({} labeled{}; soft targets {}) | {} steps on {}\n\n",
        c.teacher.architecture,
        s.student().title(),
        s.objective().describe(),
        s.epochs,
        s.batch_size,
        s.learning_rate,
        s.seed,
        c.transfer_size,
        c.labeled,
        if s.omit.is_empty() {
            String::new()
        } else {
            format!(", without {:?}", s.omit)
        },
        match c.soft_targets {
            webdistill::soft_targets::Source::Computed => "computed",
            webdistill::soft_targets::Source::Cached => "reused",
        },
        c.steps,
        c.backend.name(),
    );
    out += &format!(
        "{:<10} {:>9} {:>7} {:>10} {:>11} {:>10} {:>9}\n",
        "model", "accuracy", "errors", "params", "bytes", "ms/image", "speed-up"
    );
    let mut row = |name: &str, r: Option<&ModelReport>| {
        out += &match r {
            Some(r) => format!(
                "{:<10} {:>8.2}% {:>7} {:>10} {:>11} {:>10} {:>9}\n",
                name,
                r.accuracy * 100.0,
                r.errors,
                r.params,
                r.bytes,
                ms(r),
                speedup(r)
            ),
            None => format!("{name:<10} (no labeled examples: nothing to learn from)\n"),
        };
    };
    row("teacher", Some(&c.teacher));
    if let Some(a) = &c.assistant {
        row("assistant", Some(a));
    }
    row("distilled", Some(&c.distilled));
    row("scratch", c.scratch.as_ref());
    for q in &c.quantized {
        out += &format!(
            "distilled as {:<18} {:>8.2}% {:>7} {:>11} bytes (largest weight change {:.2e})\n",
            q.precision.name(),
            q.accuracy * 100.0,
            q.errors,
            q.bytes,
            q.max_weight_error
        );
    }
    let t = c.teacher.latency.last();
    out += &format!(
        "\naccuracy and errors on the full {}-image test set; ms/image at batch {} (median of {} windows of {} calls after {} warm-up calls); {:.0} s in all\n",
        c.teacher.evaluation.total,
        t.map_or(0, |l| l.batch_size),
        t.map_or(0, |l| l.timing.windows),
        t.map_or(0, |l| l.timing.calls_per_window),
        t.map_or(0, |l| l.timing.warmup),
        c.seconds,
    );
    out
}
