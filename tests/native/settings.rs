//! Every invalid setting is refused with a message naming it.

use webdistill::Error;
use webdistill::distill::Objective;
use webdistill::experiment::DistillSettings;
use webdistill::model::StudentConfig;

fn refused(settings: DistillSettings, needle: &str) {
    let err = settings.validate().unwrap_err();
    assert!(matches!(err, Error::InvalidSetting { .. }), "{err}");
    assert!(err.to_string().contains(needle), "{err:?} lacks {needle:?}");
}

fn hinton(temperature: f32, alpha: f32) -> DistillSettings {
    DistillSettings {
        objective: Objective::Hinton { temperature, alpha },
        ..DistillSettings::default()
    }
}

#[test]
fn defaults_are_valid() {
    DistillSettings::default().validate().unwrap();
}

#[test]
fn temperature_must_be_positive_and_finite() {
    for t in [0.0, -1.0, f32::NAN, f32::INFINITY, 1e6] {
        refused(hinton(t, 0.5), "temperature");
    }
}

#[test]
fn alpha_must_lie_in_the_unit_interval() {
    for a in [-0.1, 1.1, f32::NAN] {
        refused(hinton(4.0, a), "alpha");
    }
    refused(
        DistillSettings {
            objective: Objective::LogitMatching { alpha: 2.0 },
            ..DistillSettings::default()
        },
        "alpha",
    );
}

#[test]
fn hidden_layers_must_exist_and_have_width() {
    for hidden in [vec![], vec![0], vec![800, 0], vec![100_000], vec![8; 9]] {
        refused(
            DistillSettings {
                student: StudentConfig { hidden },
                ..DistillSettings::default()
            },
            "hidden layers",
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
        "batch size",
    );
    refused(
        DistillSettings {
            batch_size: 1 << 20,
            ..d()
        },
        "batch size",
    );
    refused(DistillSettings { epochs: 0, ..d() }, "epochs");
    refused(
        DistillSettings {
            learning_rate: 0.0,
            ..d()
        },
        "learning rate",
    );
    refused(
        DistillSettings {
            learning_rate: f64::NAN,
            ..d()
        },
        "learning rate",
    );
}
