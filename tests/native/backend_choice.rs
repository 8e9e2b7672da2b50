//! "Auto": the backend chosen from what each measured, and not measured at all on a software
//! adapter (src/calibrate.rs).

use webdistill::calibrate::{Calibration, choose, choose_without_measuring};
use webdistill::eval::Backend;
use webdistill::settings::DistillSettings;

fn timed(backend: Backend, ms_per_step: f64, ms_per_teacher_batch: f64) -> Calibration {
    Calibration {
        backend,
        ms_per_step,
        ms_per_teacher_batch,
        warmup_ms: 0.0,
    }
}

#[test]
fn auto_takes_the_backend_predicted_faster_for_the_whole_run_and_says_both_figures() {
    let settings = DistillSettings::default();
    let cpu = timed(Backend::Cpu, 2.0, 50.0);
    // Faster steps but a slower teacher: the run's total decides, not either figure alone.
    let gpu = timed(Backend::WebGpu, 1.0, 400.0);
    let choice = choose(&cpu, Some(&gpu), &settings, 1200.0);
    assert!(gpu.predicted_seconds(&settings) > cpu.predicted_seconds(&settings));
    assert_eq!(choice.backend, Backend::Cpu);
    assert!(
        choice.reason.contains("CPU: 2.0 ms a step")
            && choice.reason.contains("WebGPU: 1.0 ms a step"),
        "{}",
        choice.reason
    );
    let fast = timed(Backend::WebGpu, 0.5, 10.0);
    assert_eq!(
        choose(&cpu, Some(&fast), &settings, 1200.0).backend,
        Backend::WebGpu
    );
    let late = choose(&cpu, None, &settings, 1200.0);
    assert_eq!(late.backend, Backend::Cpu);
    assert!(late.reason.contains("within 1200 ms"), "{}", late.reason);
}

#[test]
fn auto_takes_the_cpu_without_measuring_only_on_a_software_fallback_adapter() {
    let choice = choose_without_measuring(true, "google swiftshader").expect("not measured");
    assert_eq!(choice.backend, Backend::Cpu);
    assert!(
        choice.reason.contains("google swiftshader") && choice.reason.contains("software fallback"),
        "{}",
        choice.reason
    );
    assert_eq!(
        choose_without_measuring(false, "nvidia ampere"),
        None,
        "a real GPU is measured"
    );
}
