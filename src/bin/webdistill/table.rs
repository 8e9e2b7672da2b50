//! The comparison as a text table.

use webdistill::experiment::{Comparison, ModelReport};

pub fn render(c: &Comparison) -> String {
    let mut out = format!(
        "{} → student {} | {} | {} epochs, batch {}, lr {}, seed {} | transfer set {} ({} labeled{}) | {} steps on {}\n\n",
        c.teacher.architecture,
        c.settings.student.describe(),
        c.settings.objective.describe(),
        c.settings.epochs,
        c.settings.batch_size,
        c.settings.learning_rate,
        c.settings.seed,
        c.transfer_size,
        c.labeled,
        if c.settings.transfer.omit_classes.is_empty() {
            String::new()
        } else {
            format!(", without {:?}", c.settings.transfer.omit_classes)
        },
        c.steps,
        c.backend,
    );
    out += &format!(
        "{:<10} {:>9} {:>7} {:>10} {:>11} {:>10} {:>9}\n",
        "model", "accuracy", "errors", "params", "bytes", "ms/image", "speed-up"
    );
    let mut row = |name: &str, r: Option<&ModelReport>| {
        out += &match r {
            Some(r) => format!(
                "{:<10} {:>8.2}% {:>7} {:>10} {:>11} {:>10.4} {:>8.1}×\n",
                name,
                r.accuracy * 100.0,
                r.errors,
                r.params,
                r.bytes,
                r.ms_per_image,
                r.speedup
            ),
            None => format!("{name:<10} (no labeled examples: nothing to learn from)\n"),
        };
    };
    row("teacher", Some(&c.teacher));
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
    out += &format!(
        "\naccuracy and errors on the full {}-image test set; ms/image at batch {} (median of {} after {} warm-up runs)\n",
        c.teacher.evaluation.total,
        c.teacher.latency.last().map(|l| l.batch_size).unwrap_or(0),
        c.teacher.latency.last().map(|l| l.repeats).unwrap_or(0),
        c.teacher.latency.last().map(|l| l.warmup).unwrap_or(0),
    );
    out
}
