//! The one settings schema: every invalid setting is refused with a message naming it (by key),
//! the table and the struct agree, links and flags parse through it, and the presets are valid.

use webdistill::Error;
use webdistill::distill::{MAX_HINT_WEIGHT, MAX_TEMPERATURE};
use webdistill::model::{MAX_CHANNELS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, StudentConfig};
use webdistill::settings::{
    DEFAULT_PRESET, DistillSettings, Kind, MAX_SEED, PRESETS, Preset, SCHEMA, Values, message,
};
use webdistill::train::{MAX_BATCH_SIZE, MAX_EPOCHS};

/// `settings` are refused, naming setting `key` (the page puts the message beside its field).
fn refused(settings: DistillSettings, key: &str) {
    let err = settings.validate().unwrap_err();
    assert!(matches!(err, Error::InvalidSetting { .. }), "{err}");
    assert_eq!(err.setting_key(), Some(key), "{err}");
}

fn values(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_person_reads_a_setting_by_its_label_and_the_error_carries_its_key() {
    let err = DistillSettings {
        hidden: vec![MAX_HIDDEN_UNITS + 1],
        ..DistillSettings::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(err.setting_key(), Some("hidden"));
    assert!(err.to_string().starts_with("invalid hidden: "), "{err}");
    let shown = message(&err);
    assert!(
        shown.starts_with("invalid student hidden layers: "),
        "{shown}"
    );
    assert!(shown.ends_with(&err.reason()), "{shown} / {}", err.reason());
    // Names outside the schema are shown as they are; other errors in their own words.
    assert_eq!(
        message(&Error::setting("session", "closed")),
        "invalid session: closed"
    );
    let other = Error::Device("lost".into());
    assert_eq!(message(&other), other.to_string());
}

#[test]
fn defaults_are_valid_and_are_the_default_preset() {
    DistillSettings::default().validate().unwrap();
    assert_eq!(
        Preset::get(DEFAULT_PRESET).unwrap().settings(),
        DistillSettings::default()
    );
}

#[test]
fn temperature_must_be_positive_and_finite() {
    for t in [0.0, -1.0, f32::NAN, f32::INFINITY, 1e6] {
        refused(
            DistillSettings {
                temperature: t,
                ..Default::default()
            },
            "temperature",
        );
    }
}

#[test]
fn alpha_must_lie_in_the_unit_interval() {
    for a in [-0.1, 1.1, f32::NAN] {
        refused(
            DistillSettings {
                alpha: a,
                ..Default::default()
            },
            "alpha",
        );
    }
}

#[test]
fn hidden_layers_must_exist_and_have_width() {
    for hidden in [vec![], vec![0], vec![800, 0], vec![100_000], vec![8; 9]] {
        refused(
            DistillSettings {
                hidden,
                ..Default::default()
            },
            "hidden",
        );
    }
    assert!(StudentConfig::new(vec![32]).is_ok());
}

#[test]
fn batch_epochs_and_learning_rate_must_be_usable() {
    let d = DistillSettings::default;
    refused(
        DistillSettings {
            batch_size: 0,
            ..d()
        },
        "batch_size",
    );
    refused(
        DistillSettings {
            batch_size: 1 << 20,
            ..d()
        },
        "batch_size",
    );
    refused(DistillSettings { epochs: 0, ..d() }, "epochs");
    refused(
        DistillSettings {
            learning_rate: 0.0,
            ..d()
        },
        "learning_rate",
    );
    refused(
        DistillSettings {
            learning_rate: f64::NAN,
            ..d()
        },
        "learning_rate",
    );
}

#[test]
fn text_values_parse_into_the_struct_and_back() {
    let text = values(&[
        ("hidden", "800, 800"),
        ("learning_rate", "3e-3"),
        ("omit", "3"),
        ("loss", "hint"),
    ]);
    let s = DistillSettings::from_values(&text).unwrap();
    assert_eq!(s.hidden, vec![800, 800]);
    assert_eq!(s.learning_rate, 0.003);
    assert_eq!(s.omit, vec![3]);
    assert!(s.objective().hint_weight().is_some());
    // Written back, every setting parses to the same struct.
    assert_eq!(DistillSettings::from_values(&s.to_values()).unwrap(), s);
    assert_eq!(s.to_values().len(), SCHEMA.len());
}

#[test]
fn values_that_do_not_parse_are_named_by_key() {
    let text = values(&[
        ("epochs", "lots"),
        ("hidden", "800,x"),
        ("temperature", "4e"),
        ("loss", "mse"),
        ("omit", "300"),
        ("shoe_size", "9"),
    ]);
    let problems = DistillSettings::from_values(&text).unwrap_err();
    let keys: Vec<&str> = problems.iter().filter_map(Error::setting_key).collect();
    assert_eq!(
        keys,
        [
            "epochs",
            "hidden",
            "loss",
            "omit",
            "shoe_size",
            "temperature"
        ]
    );
    let epochs = &problems[0];
    assert!(epochs.to_string().contains("whole number"), "{epochs}");
    // A hostile value is quoted short, never whole.
    let long = "9".repeat(5000);
    let problems = DistillSettings::from_values(&values(&[("seed", &long)])).unwrap_err();
    assert!(problems[0].to_string().len() < 200, "{}", problems[0]);
}

#[test]
fn the_table_takes_its_upper_limits_from_the_constants_and_helps_every_setting() {
    let limit = |key: &str| {
        let spec = SCHEMA.iter().find(|s| s.key == key).unwrap();
        (spec.min, spec.max)
    };
    assert_eq!(limit("temperature").1, Some(MAX_TEMPERATURE as f64));
    assert_eq!(limit("beta").1, Some(MAX_HINT_WEIGHT as f64));
    assert_eq!(limit("hidden").1, Some(MAX_HIDDEN_UNITS as f64));
    assert_eq!(limit("epochs").1, Some(MAX_EPOCHS as f64));
    assert_eq!(limit("batch_size").1, Some(MAX_BATCH_SIZE as f64));
    // Just past each limit is refused; at it, accepted.
    let at = |key: &str, text: &str| {
        let s = DistillSettings::from_values(&values(&[(key, text)])).unwrap();
        s.problems(None)
            .iter()
            .any(|e| e.setting_key() == Some(key))
    };
    assert!(!at("epochs", &MAX_EPOCHS.to_string()) && at("epochs", &(MAX_EPOCHS + 1).to_string()));
    assert!(
        !at("batch_size", &MAX_BATCH_SIZE.to_string())
            && at("batch_size", &(MAX_BATCH_SIZE + 1).to_string())
    );
    for spec in SCHEMA {
        assert!(
            !spec.help.is_empty() && !spec.label.is_empty(),
            "{}",
            spec.key
        );
        if spec.kind == Kind::Choice {
            assert!(spec.choices.iter().any(|(v, _)| *v == spec.default));
        }
    }
}

/// `--help` states each setting's values as the schema has them.
#[test]
fn each_settings_limits_are_worded_from_the_schema() {
    let limits = |key: &str| SCHEMA.iter().find(|s| s.key == key).unwrap().limits();
    assert_eq!(
        limits("temperature"),
        format!("above 0, at most {MAX_TEMPERATURE}")
    );
    assert_eq!(
        limits("hidden"),
        format!("1 to {MAX_HIDDEN_LAYERS} values, each 1 to {MAX_HIDDEN_UNITS}")
    );
    assert_eq!(
        limits("channels"),
        format!("2 values, each 1 to {MAX_CHANNELS}")
    );
    assert_eq!(limits("student"), "one of mlp, linear, cnn, tree");
    assert_eq!(limits("seed"), format!("0 to {MAX_SEED}"));
    assert!(
        SCHEMA.iter().all(|s| !s.limits().is_empty()),
        "every setting has limits"
    );
}

/// Every limit the schema states, both ends, is the one the core enforces: at a limit a value is
/// accepted (refused at an exclusive lower one), just past it refused, naming the setting.
#[test]
fn every_limit_the_schema_states_is_enforced_at_both_ends() {
    // A kind's size setting is checked with that kind of student, β with the hint loss, an
    // assistant with a student smaller than it.
    let refused = |key: &str, text: &str| {
        let kind = SCHEMA.iter().find(|s| s.key == key).unwrap().for_student;
        let mut pairs = vec![(key, text)];
        pairs.extend(kind.map(|k| ("student", k)));
        // β weighs the hint loss's term: it is checked where that loss is chosen.
        if key == "beta" {
            pairs.push(("loss", "hint"));
        }
        // An assistant must be larger than its student: the smallest CNN is smaller than even a
        // one-unit assistant.
        if key == "assistant" {
            pairs.extend([("student", "cnn"), ("channels", "1,1")]);
        }
        match DistillSettings::from_values(&values(&pairs)) {
            Err(problems) => problems.iter().any(|e| e.setting_key() == Some(key)),
            Ok(s) => s
                .problems(None)
                .iter()
                .any(|e| e.setting_key() == Some(key)),
        }
    };
    let mut checked = 0;
    for spec in SCHEMA {
        let (Some(min), Some(max)) = (spec.min, spec.max) else {
            continue;
        };
        // One step past a limit: a whole one for whole numbers, a sliver for decimals.
        let step = if spec.kind == Kind::Float { 1e-6 } else { 1.0 };
        // A list gets the value in every element, as many as its default has (a CNN has two).
        let elements = spec
            .default
            .split(',')
            .filter(|e| !e.is_empty())
            .count()
            .max(1);
        let text = |v: f64| match spec.kind {
            Kind::Float => format!("{v}"),
            Kind::List => vec![(v as i64).to_string(); elements].join(","),
            _ => format!("{}", v as i64),
        };
        assert_eq!(
            refused(spec.key, &text(min)),
            spec.min_exclusive,
            "{} at its least, {min}",
            spec.key
        );
        if min - step >= 0.0 || spec.kind == Kind::Float {
            assert!(
                refused(spec.key, &text(min - step)),
                "{} below {min}",
                spec.key
            );
        }
        assert!(
            !refused(spec.key, &text(max)),
            "{} at its greatest, {max}",
            spec.key
        );
        assert!(
            refused(spec.key, &text(max + step.max(max * 1e-6))),
            "{} above {max}",
            spec.key
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} settings have limits");
}

#[test]
fn every_preset_is_valid_and_sets_only_known_keys() {
    assert!(PRESETS.iter().any(|p| p.id == DEFAULT_PRESET));
    for preset in PRESETS {
        let s = preset.settings();
        s.validate()
            .unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        for (key, _) in preset.values {
            assert!(
                SCHEMA.iter().any(|spec| spec.key == *key),
                "{}: {key}",
                preset.id
            );
        }
    }
    let omit = Preset::get("omit-3").unwrap().settings();
    assert_eq!((omit.omit.as_slice(), omit.temperature), (&[3u8][..], 20.0));
    // Values given beside a preset override it.
    let s = Preset::get("omit-3")
        .unwrap()
        .with(&values(&[("epochs", "1")]))
        .unwrap();
    assert_eq!((s.epochs, s.holdout), (1, omit.holdout));
    assert!(
        Preset::get("nope")
            .unwrap_err()
            .to_string()
            .contains("few-labels")
    );
}

#[test]
fn the_cli_runs_the_pages_presets_with_flags_over_them() {
    // `webdistill settings` prints the settings a run would use: the same object the page builds.
    let out = crate::support::webdistill_ok([
        "settings",
        "--preset",
        "omit-3",
        "--learning-rate",
        "0.002",
    ]);
    let printed: DistillSettings = serde_json::from_slice(&out.stdout).unwrap();
    let expected = Preset::get("omit-3")
        .unwrap()
        .with(&values(&[("learning_rate", "0.002")]))
        .unwrap();
    assert_eq!(printed, expected);
    for (args, needle) in [(["--epochs", "0"], "epochs"), (["--hiden", "3"], "--hiden")] {
        let stderr = crate::support::webdistill_fails(["settings"].into_iter().chain(args));
        assert!(stderr.contains(needle), "{args:?}");
    }
}

#[test]
fn an_assistant_is_refused_with_a_hint_loss_by_the_settings_alone() {
    refused(
        DistillSettings {
            loss: webdistill::settings::Loss::Hint,
            assistant: vec![256],
            ..Default::default()
        },
        "assistant",
    );
}

#[test]
fn every_list_takes_the_number_of_values_the_schema_states() {
    // A value each list accepts on its own, and the student kind the list sizes.
    let element = |key: &str| match key {
        "hidden" => ("64", "mlp"),
        "channels" => ("4", "cnn"),
        "assistant" => ("256", "mlp"), // larger than the default student, as an assistant must be
        "omit" => ("3", "mlp"),
        other => panic!("a list setting this test does not know: {other}"),
    };
    let outcome = |key: &str, n: usize| {
        let (value, student) = element(key);
        let text = vec![value; n].join(",");
        match DistillSettings::from_values(&values(&[("student", student), (key, &text)])) {
            Err(problems) => Err(problems.into_iter().next().unwrap()),
            Ok(settings) => settings.validate(),
        }
    };
    let mut checked = 0;
    for spec in SCHEMA.iter().filter(|s| s.kind == Kind::List) {
        let (least, most) = spec.items.expect("a list states how many values it takes");
        for n in [least, most] {
            assert!(
                outcome(spec.key, n).is_ok(),
                "{}: {n} values accepted",
                spec.key
            );
        }
        let mut refused = vec![most + 1];
        if least > 0 {
            refused.push(least - 1);
        }
        for n in refused {
            let err = outcome(spec.key, n).expect_err(&format!("{}: {n} values", spec.key));
            assert_eq!(err.setting_key(), Some(spec.key), "{err}");
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "hidden, channels, assistant and omit");
    assert!(
        SCHEMA
            .iter()
            .all(|s| (s.kind == Kind::List) == s.items.is_some()),
        "only lists state a number of values"
    );
}
