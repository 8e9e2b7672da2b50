//! The second task, Fashion-MNIST (issue 20): its real files load, a missing or broken one says
//! what to run, its teacher teaches its data only, and a quick distillation on it runs end to end.

use webdistill::data::{Mnist, Task};
use webdistill::settings::DistillSettings;

use crate::support::{root, split, webdistill_fails, webdistill_ok};

#[test]
fn the_fashion_files_load_as_ten_balanced_classes_of_clothes() {
    for (prefix, n) in [("train", 60_000), ("t10k", 10_000)] {
        let data = split(Task::Fashion, prefix);
        assert_eq!(data.len(), n);
        let mut per_class = [0usize; 10];
        for &l in data.labels() {
            per_class[l as usize] += 1;
        }
        assert_eq!(per_class, [n / 10; 10], "{prefix}");
        // Not MNIST under another name: MNIST's first training image is a 5, Fashion's an ankle boot.
        assert_ne!(data.image(0), split(Task::Digits, prefix).image(0));
    }
    assert_eq!(split(Task::Fashion, "train").labels()[0], 9);
    assert_eq!(Task::Fashion.class_names()[9], "Ankle boot");
}

#[test]
fn a_missing_or_truncated_fashion_file_names_itself_and_the_command_that_installs_it() {
    let dir = std::env::temp_dir().join(format!("webdistill-fashion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = Mnist::load_task_dir(Task::Fashion, &dir, "t10k")
        .unwrap_err()
        .to_string();
    assert!(err.contains("t10k-images-idx3-ubyte"), "{err}");
    assert!(
        err.contains("apt-get install dataset-fashion-mnist"),
        "{err}"
    );

    let source = root().join(Task::Fashion.data_dir());
    for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
        std::fs::copy(source.join(name), dir.join(name)).unwrap();
    }
    let images = std::fs::read(dir.join("t10k-images-idx3-ubyte.gz")).unwrap();
    std::fs::write(
        dir.join("t10k-images-idx3-ubyte.gz"),
        &images[..images.len() / 2],
    )
    .unwrap();
    let err = Mnist::load_task_dir(Task::Fashion, &dir, "t10k")
        .unwrap_err()
        .to_string();
    assert!(err.contains("t10k-images-idx3-ubyte.gz"), "{err}");

    let err = webdistill_fails([
        "distill",
        "--task",
        "fashion",
        "--data",
        dir.to_str().unwrap(),
    ]);
    assert!(
        err.contains("train-images-idx3-ubyte") && err.contains("dataset-fashion-mnist"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_task_setting_takes_digits_or_fashion_and_names_them_when_refused() {
    let settings = webdistill_ok(["settings", "--task", "fashion"]);
    let settings: DistillSettings = serde_json::from_slice(&settings.stdout).unwrap();
    assert_eq!(settings.task, Task::Fashion);
    assert_eq!(DistillSettings::default().task, Task::Digits);
    let err = webdistill_fails(["settings", "--task", "shoes"]);
    assert!(
        err.contains("\"shoes\"") && err.contains("digits or fashion"),
        "{err}"
    );
}

#[test]
fn a_teacher_of_the_other_task_is_refused_with_both_names() {
    // The digits' teacher, given as one's own file, on Fashion-MNIST's data.
    let dir = std::env::temp_dir().join(format!("webdistill-other-task-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("digits.safetensors");
    std::fs::copy(root().join("assets/teacher.safetensors"), &path).unwrap();
    std::fs::copy(root().join("assets/teacher.json"), dir.join("digits.json")).unwrap();
    let err = webdistill_fails([
        "distill",
        "--task",
        "fashion",
        "--teacher",
        path.to_str().unwrap(),
    ]);
    assert!(
        err.contains("trained on MNIST") && err.contains("the data is Fashion-MNIST"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A quick run on Fashion-MNIST: the task's own teacher labels, and the distilled student,
/// taught on 10,000 images of which 300 keep their labels, beats its twin that has those 300 alone.
#[test]
fn a_quick_fashion_distillation_learns_from_the_fashion_teacher() {
    let out = webdistill_ok([
        "distill",
        "--task",
        "fashion",
        "--backend",
        "cpu",
        "--json",
        "--size",
        "10000",
        "--labeled",
        "300",
        "--epochs",
        "2",
        "--hidden",
        "32",
    ]);
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["settings"]["task"], "fashion");
    let card: webdistill::teacher_card::TeacherCard = serde_json::from_str(
        &std::fs::read_to_string(root().join("assets/teacher-fashion.json")).unwrap(),
    )
    .unwrap();
    let teacher_errors = c["teacher"]["errors"].as_u64().unwrap() as usize;
    assert!(
        teacher_errors.abs_diff(card.test_errors) <= 2,
        "{teacher_errors} vs {}",
        card.test_errors
    );
    let (distilled, scratch) = (
        c["distilled"]["accuracy"].as_f64().unwrap(),
        c["scratch"]["accuracy"].as_f64().unwrap(),
    );
    eprintln!("fashion, 300 labels: distilled {distilled}, scratch {scratch}");
    assert!(
        distilled > scratch,
        "distilled {distilled} vs scratch {scratch}"
    );
}
