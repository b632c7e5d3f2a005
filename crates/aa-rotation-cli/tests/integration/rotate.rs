//! `rotate`: due, not due, dry run, forced, and six processes at once.

use std::os::unix::fs::PermissionsExt;

use aa_rotation::Fingerprint;

use crate::support::{Background, Fixture, INITIAL_SECRET};

#[test]
fn due_secret_rotates_once() {
    let fixture = Fixture::with_days_left(10.0);

    // Traces everything, HTTP libraries included, for the leak check.
    let run = fixture.run(&["-vvv", "rotate"]);

    run.assert_code(0);
    assert!(run.stdout.contains("Rotated the secret"), "{}", run.stdout);
    assert!(!run.stderr.is_empty(), "-vvv printed no trace output");
    assert_eq!(fixture.resets(), 1);
    let stored = fixture.stored_secret();
    assert_eq!(stored, fixture.current_secret());
    assert_ne!(stored, INITIAL_SECRET);
    assert!(fixture.authenticates(&stored));
}

#[test]
fn rotation_output_names_both_fingerprints() {
    let fixture = Fixture::with_days_left(10.0);

    let run = fixture.run(&["rotate"]);

    run.assert_code(0);
    let old = Fingerprint::of(INITIAL_SECRET);
    let new = Fingerprint::of(&fixture.current_secret());
    assert!(
        run.stdout.contains(&format!("old secret     {old}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("new secret     {new}")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("resets sent    1"), "{}", run.stdout);
    assert!(
        run.stdout.contains("days left      180.0"),
        "{}",
        run.stdout
    );
}

#[test]
fn not_due_secret_is_kept() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["rotate"]);

    run.assert_code(0);
    assert!(run.stdout.contains("Not rotated"), "{}", run.stdout);
    assert_eq!(fixture.resets(), 0);
    assert_eq!(fixture.stored_secret(), INITIAL_SECRET);
}

#[test]
fn dry_run_sends_no_reset() {
    let fixture = Fixture::with_days_left(10.0);

    let run = fixture.run(&["rotate", "--dry-run"]);

    run.assert_code(0);
    assert!(run.stdout.contains("would rotate it now"), "{}", run.stdout);
    assert_eq!(fixture.resets(), 0);
    assert_eq!(fixture.current_secret(), INITIAL_SECRET);
}

#[test]
fn force_dry_run_says_what_force_does() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["rotate", "--force", "--dry-run"]);

    run.assert_code(0);
    assert!(
        run.stdout.contains(
            "Dry run: `aa-rotation rotate --force` would rotate the secret of entity FIU-TEST-1 now \
             (although it is not due)."
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("only"), "{}", run.stdout);
    assert_eq!(fixture.resets(), 0);
    assert_eq!(fixture.current_secret(), INITIAL_SECRET);
}

#[test]
fn dry_run_not_due_names_both_commands() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["rotate", "--dry-run"]);

    run.assert_code(0);
    assert!(
        run.stdout.contains(
            "is not due, so `aa-rotation rotate` would keep it; `aa-rotation rotate --force` would rotate it now \
             anyway."
        ),
        "{}",
        run.stdout
    );
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn force_rotates_fresh_secret() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["rotate", "--force"]);

    run.assert_code(0);
    assert_eq!(fixture.resets(), 1);
    let stored = fixture.stored_secret();
    assert_eq!(stored, fixture.current_secret());
    assert_ne!(stored, INITIAL_SECRET);
    assert!(fixture.authenticates(&stored));
    assert!(!fixture.authenticates(INITIAL_SECRET));
}

#[test]
fn json_outcome_has_action_and_resets() {
    let fixture = Fixture::with_days_left(10.0);

    let run = fixture.run(&["rotate", "--json"]);

    run.assert_code(0);
    let outcome: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(outcome["action"], "rotated");
    assert_eq!(outcome["resets"], 1);
    assert_eq!(
        outcome["old_fingerprint"],
        Fingerprint::of(INITIAL_SECRET).as_str()
    );
    assert_eq!(
        outcome["fingerprint"],
        Fingerprint::of(&fixture.current_secret()).as_str()
    );
    let days_left = outcome["days_left"].as_f64().unwrap();
    assert!((days_left - 180.0).abs() < 0.01, "days_left {days_left}");
}

#[test]
fn store_file_has_mode_0600() {
    let fixture = Fixture::with_days_left(10.0);

    fixture.run(&["rotate"]).assert_code(0);

    let mode = std::fs::metadata(fixture.store_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "store mode {mode:o}");
}

#[test]
fn six_processes_make_one_reset() {
    let fixture = Fixture::with_days_left(10.0);
    // Bootstrap first, so that all six start from the same stored record.
    fixture.run(&["status"]).assert_code(0);

    let processes: Vec<Background> = (0..6)
        .map(|_| Background::spawn(fixture.command(&["rotate", "--json"])))
        .collect();
    let runs: Vec<_> = processes.into_iter().map(Background::finish).collect();

    for run in &runs {
        fixture.assert_no_leak(run, false);
        run.assert_code(0);
    }
    assert_eq!(fixture.resets(), 1);
    let actions: Vec<String> = runs
        .iter()
        .map(|run| {
            serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        actions.iter().filter(|action| *action == "rotated").count(),
        1,
        "{actions:?}"
    );
    assert_eq!(fixture.stored_secret(), fixture.current_secret());
    assert!(fixture.authenticates(&fixture.stored_secret()));
}
