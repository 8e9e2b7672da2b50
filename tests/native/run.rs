//! The comparison run beyond its basics: the teacher-assistant chain, soft targets reused by a
//! second run (and never when corrupted), settings refused up front for memory, and the sweep.

use webdistill::model::StudentKind;
use webdistill::run::{Limits, Phase, Run};
use webdistill::settings::DistillSettings;
use webdistill::soft_targets::{self, Source};
use webdistill::sweep::{sweep_students, sweep_to_end};

use crate::support::{lab, quick, run_collecting as run, synthetic};

#[test]
fn an_assistant_learns_from_the_teacher_and_teaches_the_student() {
    let lab = lab(synthetic(300), synthetic(100), None);
    let settings = DistillSettings {
        assistant: vec![32],
        ..quick()
    };
    let (finished, updates) = run(&lab, &settings);
    let phases: Vec<Phase> = updates.iter().map(|u| u.phase).collect();
    let at = |p: Phase| phases.iter().position(|&q| q == p);
    assert!(at(Phase::Assistant).is_some(), "{phases:?}");
    assert!(at(Phase::Assistant) < at(Phase::AssistantLabelling));
    assert!(at(Phase::AssistantLabelling) < at(Phase::Training));
    let c = &finished.comparison;
    let assistant = c.assistant.as_ref().expect("the assistant is measured");
    assert_eq!(assistant.architecture, "MLP 784-32-10");
    assert_eq!(c.distilled.architecture, "MLP 784-8-10");
    assert_eq!(finished.assistant.as_deref(), Some("MLP 784-32-10"));
    // The student's card names the chain.
    let kept = webdistill::explore::TrainedRun {
        transfer: webdistill::data::TransferSet::select(&lab.train, &settings.transfer()).unwrap(),
        finished,
        teacher: lab.teacher_architecture.clone(),
        distilled_test_logits: Default::default(),
    };
    let card = kept.export("distilled").unwrap().card;
    assert_eq!(card.taught_by.len(), 2, "{:?}", card.taught_by);
    assert!(
        card.taught_by[1].contains("784-32-10"),
        "{:?}",
        card.taught_by
    );
    let card = kept.export("scratch").unwrap().card;
    assert!(card.taught_by.is_empty());
}

#[test]
fn an_assistant_outside_the_students_and_teachers_sizes_is_refused() {
    let lab = lab(synthetic(300), synthetic(100), None);
    let smaller = DistillSettings {
        hidden: vec![64],
        assistant: vec![8],
        ..quick()
    };
    let err = smaller.validate().unwrap_err();
    assert_eq!(err.setting_key(), Some("assistant"));
    assert!(err.to_string().contains("larger than the student"), "{err}");
    let larger = DistillSettings {
        assistant: vec![4096, 4096],
        ..quick()
    };
    let err = Run::new(&lab, larger, 100.0).err().unwrap();
    assert!(err.to_string().contains("teacher"), "{err}");
}

#[test]
fn a_second_run_on_the_same_images_reuses_the_soft_targets() {
    let lab = lab(synthetic(300), synthetic(100), None);
    let (first, updates) = run(&lab, &quick());
    assert_eq!(first.comparison.soft_targets, Source::Computed);
    assert_eq!(updates[0].soft_targets, Source::Computed);
    // Another temperature, the same images: no labelling at all.
    let again = DistillSettings {
        temperature: 8.0,
        ..quick()
    };
    let (second, updates) = run(&lab, &again);
    assert_eq!(second.comparison.soft_targets, Source::Cached);
    assert!(updates.iter().all(|u| u.phase != Phase::Labelling));
    // Other images: labelled anew.
    let other = DistillSettings { seed: 9, ..quick() };
    assert_eq!(
        run(&lab, &other).0.comparison.soft_targets,
        Source::Computed
    );
}

#[test]
fn a_cached_entry_that_fails_its_checksum_is_recomputed_not_used() {
    let lab = lab(synthetic(300), synthetic(100), None);
    let settings = quick();
    run(&lab, &settings);
    let transfer = webdistill::data::TransferSet::select(&lab.train, &settings.transfer()).unwrap();
    let key = soft_targets::key(&lab.teacher_id, &transfer.indices, false);
    assert!(lab.caches.soft_targets.corrupt(&key));
    let (finished, updates) = run(&lab, &settings);
    assert_eq!(finished.comparison.soft_targets, Source::Computed);
    assert_eq!(updates[0].phase, Phase::Training, "labelled again first");
    assert!(
        lab.caches.soft_targets.get(&key).is_some(),
        "and kept again, intact"
    );
}

#[test]
fn settings_beyond_the_backends_memory_are_refused_with_the_estimate() {
    let mut lab = lab(synthetic(300), synthetic(100), None);
    lab.limits = Limits::WASM32;
    let huge = DistillSettings {
        hidden: vec![4096; 8],
        batch_size: 8192,
        ..quick()
    };
    let err = Run::new(&lab, huge, 100.0).err().unwrap();
    assert_eq!(err.setting_key(), Some("memory"));
    assert!(err.to_string().contains("MB"), "{err}");
    lab.limits = Limits::webgpu(100.0 * 1024.0 * 1024.0, 256.0 * 1024.0 * 1024.0);
    let wide = DistillSettings {
        hidden: vec![4096],
        batch_size: 8192,
        ..quick()
    };
    let err = Run::new(&lab, wide, 100.0).err().unwrap();
    assert!(err.to_string().contains("buffer of about 134 MB"), "{err}");
    assert!(Run::new(&lab, quick(), 100.0).is_ok());
}

#[test]
fn a_sweep_gives_a_row_per_student_of_every_kind_with_the_teacher_as_reference() {
    let lab = lab(synthetic(300), synthetic(100), None);
    let mut rows_seen = Vec::new();
    let result = pollster::block_on(sweep_to_end(&lab, &quick(), &mut |u| {
        rows_seen.push(u.rows.len());
    }))
    .unwrap();
    let students = sweep_students();
    assert!(
        rows_seen.windows(2).all(|w| w[1] - w[0] <= 1) && rows_seen.last() == Some(&students.len()),
        "each row arrives when its pair finishes: {rows_seen:?}"
    );
    assert!(result.left_out.is_empty(), "{:?}", result.left_out);
    assert_eq!(result.rows.len(), students.len());
    // One point for the linear model, three sizes of each neural kind and three depths of tree,
    // each kind's sizes growing.
    for (kind, at_least) in [
        (StudentKind::Linear, 1),
        (StudentKind::Mlp, 3),
        (StudentKind::Cnn, 3),
        (StudentKind::Tree, 3),
    ] {
        let params: Vec<usize> = result
            .rows
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.params)
            .collect();
        assert!(params.len() >= at_least, "{kind:?}: {params:?}");
        assert!(
            params.windows(2).all(|w| w[0] < w[1]),
            "{kind:?}: {params:?}"
        );
    }
    for (row, student) in result.rows.iter().zip(&students) {
        assert_eq!(&row.student, student, "rows in the sweep's order");
        assert_eq!(row.kind, student.kind());
        assert_eq!(row.params, student.params());
        assert!(row.int8_bytes.unwrap() < row.bytes, "{}", row.architecture);
        assert!(row.scratch.is_some());
        assert!(row.distilled.ms_per_image > 0.0);
    }
    let teacher = result.teacher.as_ref().unwrap();
    assert_eq!(teacher.params, lab.teacher.num_params());
    assert_eq!(
        lab.caches.soft_targets.len(),
        1,
        "one transfer set, labelled once"
    );
}

#[test]
fn a_sweep_with_a_hint_loss_leaves_out_the_students_without_a_hidden_layer_and_says_why() {
    use webdistill::settings::Loss;
    use webdistill::sweep::Sweep;
    let lab = lab(synthetic(300), synthetic(100), None);
    let hint = DistillSettings {
        loss: Loss::Hint,
        ..quick()
    };
    let sweep = Sweep::new(&lab, hint, 100.0).unwrap();
    let left_out = &sweep.result().left_out;
    let kinds = |kind| sweep_students().iter().filter(|s| s.kind() == kind).count();
    assert_eq!(
        left_out.len(),
        kinds(StudentKind::Linear) + kinds(StudentKind::Tree),
        "{left_out:?}"
    );
    assert!(
        left_out.iter().all(|l| l.contains("no hidden layer")),
        "{left_out:?}"
    );
    // Settings no student can run are refused whole, with the reason.
    let bad = DistillSettings {
        temperature: -1.0,
        ..quick()
    };
    let err = Sweep::new(&lab, bad, 100.0).err().unwrap().to_string();
    assert!(err.contains("no student of the sweep can run"), "{err}");
}

use burn::module::Module;

#[test]
fn soft_targets_labelled_outside_the_run_are_used_and_reported_as_computed() {
    use webdistill::run::{Prepared, provide_soft_targets, soft_targets_kept, teacher_outputs};
    let lab = lab(synthetic(300), synthetic(100), None);
    let settings = quick();
    let prepared = Prepared::new(&lab, settings.clone()).unwrap();
    // Two helpers label halves of the transfer set; the run takes the joined logits.
    let rows = prepared.transfer.indices.clone();
    let (a, b) = rows.split_at(rows.len() / 2);
    let label = |part: &[u32]| {
        pollster::block_on(teacher_outputs(&lab, &lab.train, part, false))
            .unwrap()
            .0
    };
    let mut logits = label(a);
    logits.extend(label(b));
    assert!(!soft_targets_kept(&lab, &prepared));
    let err = provide_soft_targets(&lab, &prepared, logits[..10].to_vec(), 1.0).unwrap_err();
    assert!(
        err.to_string().contains("10 values for 256 images"),
        "{err}"
    );
    let hint = DistillSettings {
        loss: webdistill::settings::Loss::Hint,
        ..quick()
    };
    let hint = Prepared::new(&lab, hint).unwrap();
    assert!(provide_soft_targets(&lab, &hint, logits.clone(), 1.0).is_err());
    // Labelled in 30 s (say): the run counts them in its wall time.
    provide_soft_targets(&lab, &prepared, logits, 30.0).unwrap();
    assert!(soft_targets_kept(&lab, &prepared));
    let (finished, updates) = run(&lab, &settings);
    assert_eq!(
        finished.comparison.soft_targets,
        Source::Computed,
        "computed for this run"
    );
    assert!(
        updates.iter().all(|u| u.phase != Phase::Labelling),
        "the run labelled nothing"
    );
    assert!(finished.comparison.seconds >= 30.0, "the labelling counts");
    let (again, _) = run(&lab, &settings);
    assert_eq!(again.comparison.soft_targets, Source::Cached);
    assert!(
        again.comparison.seconds < 30.0,
        "reused: labelled once, counted once"
    );
    // What the helpers labelled is what the run would have labelled (batches cut elsewhere
    // change the sums' order: equal to rounding).
    let whole = label(&rows);
    let kept = lab
        .caches
        .soft_targets
        .get(&soft_targets::key(&lab.teacher_id, &rows, false));
    let kept = kept.unwrap().logits;
    let worst = whole
        .iter()
        .zip(kept.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "{worst}");
}

#[test]
fn a_sizes_two_students_can_run_apart_and_join_into_the_same_row() {
    use webdistill::run::{Part, Run};
    use webdistill::sweep::SweepRow;
    let lab = lab(synthetic(300), synthetic(100), None);
    let settings = quick();
    let part = |part: Part| {
        let mut run = Run::part(&lab, settings.clone(), 100.0, part).unwrap();
        let mut phases = Vec::new();
        while run.phase() != Phase::Done {
            phases.push(pollster::block_on(run.advance(&lab)).unwrap().phase);
        }
        assert!(run.finish(&lab).is_err(), "a part ends with finish_part");
        (run.finish_part().unwrap(), phases)
    };
    let (distilled, _) = part(Part::Distilled);
    let (scratch, phases) = part(Part::Scratch);
    assert!(
        !phases.contains(&Phase::Labelling),
        "no teacher for the scratch student"
    );
    assert!(scratch.quantized.is_empty() && distilled.quantized.len() == 3);
    let joined = SweepRow::from_parts(quick().student(), &distilled, Some(&scratch)).unwrap();
    assert!(SweepRow::from_parts(quick().student(), &scratch, Some(&distilled)).is_err());
    // The same students as a run of both: same seed, same steps, same weights.
    let (both, _) = run(&lab, &settings);
    let c = &both.comparison;
    let whole = SweepRow::new(
        quick().student(),
        &c.distilled,
        c.scratch.as_ref(),
        &c.quantized,
    );
    assert_eq!(joined.distilled.errors, whole.distilled.errors);
    assert_eq!(
        joined.scratch.as_ref().unwrap().errors,
        whole.scratch.as_ref().unwrap().errors
    );
    assert_eq!(joined.int8_bytes, whole.int8_bytes);
    let none = DistillSettings {
        labeled: 0,
        ..quick()
    };
    assert!(Run::part(&lab, none, 100.0, Part::Scratch).is_err());
}

#[test]
fn a_sweep_shared_by_two_workers_gives_the_rows_of_one_whatever_order_parts_arrive_in() {
    use webdistill::run::Part;
    use webdistill::sweep::Sweep;
    let main = lab(synthetic(300), synthetic(100), None);
    // The helper worker's own instance: the same data, nothing shared.
    let helper = lab(synthetic(300), synthetic(100), None);
    let whole = pollster::block_on(sweep_to_end(&main, &quick(), &mut |_| {})).unwrap();

    let mut scratch = Sweep::of_part(&helper, quick(), 100.0, Part::Scratch).unwrap();
    let mut parts = Vec::new();
    while !scratch.is_done() {
        let u = pollster::block_on(scratch.advance(&helper)).unwrap();
        assert!(u.rows.is_empty(), "a scratch sweep makes no rows");
        parts.extend(u.part);
    }
    assert_eq!(parts.len(), sweep_students().len());
    assert!(pollster::block_on(scratch.advance(&helper)).is_err());
    let spare = parts[0].clone();

    let mut distilled = Sweep::of_part(&main, quick(), 100.0, Part::Distilled).unwrap();
    // The last student's scratch part arrives first, before any distilled part is done.
    let u = distilled.join(parts.pop().unwrap()).unwrap();
    assert!(u.rows.is_empty() && !u.waiting && !u.done);
    let mut last = loop {
        let u = pollster::block_on(distilled.advance(&main)).unwrap();
        if u.waiting {
            break u;
        }
    };
    assert_eq!(last.rows.len(), 1, "only the last student has both parts");
    assert!(distilled.join(parts[0].clone()).is_ok());
    for part in parts.into_iter().skip(1).rev() {
        assert!(!last.done);
        last = distilled.join(part).unwrap();
    }
    assert!(last.done && !last.waiting);
    let joined = distilled.result();
    assert_eq!(joined.rows.len(), whole.rows.len());
    for (a, b) in joined.rows.iter().zip(&whole.rows) {
        assert_eq!(a.student, b.student, "rows in the sweep's order");
        assert_eq!(a.distilled.errors, b.distilled.errors);
        assert_eq!(
            a.scratch.as_ref().unwrap().errors,
            b.scratch.as_ref().unwrap().errors
        );
        assert_eq!(a.int8_accuracy, b.int8_accuracy);
    }
    let (t, w) = (
        joined.teacher.as_ref().unwrap(),
        whole.teacher.as_ref().unwrap(),
    );
    assert_eq!((t.errors, t.params), (w.errors, w.params));
    assert!(
        pollster::block_on(distilled.advance(&main)).is_err(),
        "done"
    );
    let wrong = Sweep::of_part(&main, quick(), 100.0, Part::Both)
        .unwrap()
        .join(spare);
    assert!(wrong.is_err(), "only a distilled sweep joins parts");
}

#[test]
fn a_scratch_twin_trained_elsewhere_and_joined_gives_the_comparison_of_one_run() {
    use webdistill::run::Part;
    let lab = lab(synthetic(300), synthetic(100), None);
    let settings = quick();
    let to_end = |run: &mut Run, until: Phase| {
        let mut updates = Vec::new();
        while run.phase() != until {
            let update = pollster::block_on(run.advance(&lab)).unwrap();
            let waiting = update.waiting;
            updates.push(update);
            if waiting {
                break;
            }
        }
        updates
    };
    // The twin, alone (as on the page's helper worker): trained, then its weights.
    let mut twin = Run::part(&lab, settings.clone(), 100.0, Part::Scratch).unwrap();
    assert!(
        pollster::block_on(twin.trained_weights()).is_err(),
        "not trained yet"
    );
    to_end(&mut twin, Phase::Measuring);
    let weights = pollster::block_on(twin.trained_weights()).unwrap();

    // Joined late: the run measures everything else, then waits for it.
    let mut late = Run::new(&lab, settings.clone(), 100.0).unwrap();
    late.train_scratch_elsewhere().unwrap();
    let updates = to_end(&mut late, Phase::Done);
    let last = updates.last().unwrap();
    assert!(last.waiting && last.phase == Phase::Measuring, "{last:?}");
    assert!(
        updates.iter().all(|u| u.scratch.is_none()),
        "no scratch curve here"
    );
    assert!(
        late.finish(&lab).is_err(),
        "not done while the twin is awaited"
    );
    late.join_scratch(&lab, &weights).unwrap();
    assert!(late.join_scratch(&lab, &weights).is_err(), "joined twice");
    to_end(&mut late, Phase::Done);
    let late = late.finish(&lab).unwrap();

    // Joined early (the twin finished while the teacher labelled; a fresh lab, so nothing is
    // kept from the run above): no wait at all.
    let fresh = crate::support::lab(synthetic(300), synthetic(100), None);
    let mut early = Run::new(&fresh, settings.clone(), 100.0).unwrap();
    assert_eq!(early.phase(), Phase::Labelling);
    early.train_scratch_elsewhere().unwrap();
    early.join_scratch(&fresh, &weights).unwrap();
    assert!(to_end(&mut early, Phase::Done).iter().all(|u| !u.waiting));
    let early = early.finish(&fresh).unwrap();

    // Soft targets kept from the run above: the students are set up at once, and the twin can
    // still go elsewhere until it takes a step.
    let mut kept = Run::new(&lab, settings.clone(), 100.0).unwrap();
    assert_eq!(kept.phase(), Phase::Training);
    kept.train_scratch_elsewhere().unwrap();
    kept.join_scratch(&lab, &weights).unwrap();
    to_end(&mut kept, Phase::Done);
    let kept = kept.finish(&lab).unwrap();

    // Both equal a run that trains the twins side by side: same seed, steps, batches.
    let (both, _) = run(&lab, &settings);
    for joined in [&late, &early, &kept] {
        let (c, b) = (&joined.comparison, &both.comparison);
        assert_eq!(c.distilled.evaluation, b.distilled.evaluation);
        assert_eq!(
            c.scratch.as_ref().unwrap().evaluation,
            b.scratch.as_ref().unwrap().evaluation
        );
        assert!(c.scratch.as_ref().unwrap().time_shared);
        assert_eq!(
            joined
                .scratch
                .as_ref()
                .unwrap()
                .weights
                .to_f32_file()
                .unwrap(),
            both.scratch
                .as_ref()
                .unwrap()
                .weights
                .to_f32_file()
                .unwrap()
        );
    }

    // A run without labels has no twin to train elsewhere; a started one trains it itself.
    let none = DistillSettings {
        labeled: 0,
        ..quick()
    };
    assert!(
        Run::new(&lab, none, 100.0)
            .unwrap()
            .train_scratch_elsewhere()
            .is_err()
    );
    let mut started = Run::new(&lab, settings, 100.0).unwrap();
    pollster::block_on(started.advance(&lab)).unwrap();
    assert!(started.train_scratch_elsewhere().is_err());
}

#[test]
fn a_sweep_splits_across_workers_only_on_the_cpu_with_two_or_more() {
    use webdistill::eval::Backend;
    use webdistill::run::Part;
    use webdistill::sweep::Sweep;
    assert_eq!(Sweep::part_here(Backend::Cpu, 2), Part::Distilled);
    assert_eq!(Sweep::part_here(Backend::Cpu, 1), Part::Both);
    assert_eq!(Sweep::part_here(Backend::WebGpu, 4), Part::Both);
}
