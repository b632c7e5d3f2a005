//! A `rotate` process killed with SIGKILL in the middle of the protocol, then
//! `recover`: the stored secret must authenticate, with one Reset in all.

use crate::support::{Background, Fixture, INITIAL_SECRET};

/// Pauses `rotate` after `step`, kills it, and runs `recover`.
fn kill_after_step_then_recover(step: &str) {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["rotate"]);
    command.env("AA_ROTATION_TEST_FAILPOINT", format!("{step}:pause"));
    let mut rotating = Background::spawn(command);

    rotating.wait_for_stderr(&format!("paused after step {step}"));
    rotating.child.kill().unwrap();
    let killed = rotating.finish();
    fixture.assert_no_leak(&killed, false);
    assert_eq!(killed.code, None, "the process was not killed by a signal");
    assert_eq!(fixture.resets(), 1);

    let recovered = fixture.run(&["recover", "--json"]);

    recovered.assert_code(0);
    let outcome: serde_json::Value = serde_json::from_str(&recovered.stdout).unwrap();
    assert_eq!(outcome["action"], "completed", "{outcome}");
    let stored = fixture.stored_secret();
    assert_eq!(stored, fixture.current_secret());
    assert_ne!(stored, INITIAL_SECRET);
    assert!(fixture.authenticates(&stored));
    assert_eq!(fixture.resets(), 1);
    assert_eq!(fixture.stored_record()["journal"]["state"], "idle");
}

#[test]
fn kill_after_reset_then_recover() {
    kill_after_step_then_recover("reset");
}

#[test]
fn kill_after_persist_then_recover() {
    kill_after_step_then_recover("persist");
}

/// Starts `rotate`, pauses it after `step` and kills it, leaving an
/// interrupted rotation with one Reset sent.
fn interrupted_rotation(step: &str) -> Fixture {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["rotate"]);
    command.env("AA_ROTATION_TEST_FAILPOINT", format!("{step}:pause"));
    let mut rotating = Background::spawn(command);
    rotating.wait_for_stderr(&format!("paused after step {step}"));
    rotating.child.kill().unwrap();
    fixture.assert_no_leak(&rotating.finish(), false);
    fixture
}

#[test]
fn rotate_after_kill_recovers_first() {
    let fixture = interrupted_rotation("reset");

    // A plain `rotate` finds the interrupted rotation and finishes it
    // instead of sending a second Reset.
    let run = fixture.run(&["rotate"]);

    run.assert_code(0);
    assert_eq!(fixture.resets(), 1);
    assert_eq!(fixture.stored_secret(), fixture.current_secret());
}

#[test]
fn rotate_after_kill_prints_reason() {
    let fixture = interrupted_rotation("persist");

    let run = fixture.run(&["rotate"]);

    run.assert_code(0);
    assert!(
        run.stdout.starts_with(
            "Not rotated again: an interrupted rotation was finished, so its new secret is current;"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("no Reset was sent"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("while this one waited"),
        "{}",
        run.stdout
    );
    assert_eq!(fixture.resets(), 1);
}

#[test]
fn dry_run_after_kill_says_interrupted() {
    let fixture = interrupted_rotation("reset");

    let run = fixture.run(&["rotate", "--dry-run"]);

    run.assert_code(0);
    assert!(
        run.stdout
            .contains("a rotation of entity FIU-TEST-1 is interrupted"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("would rotate it now"),
        "{}",
        run.stdout
    );
    assert_eq!(fixture.stored_record()["journal"]["state"], "resetting");
    assert_eq!(fixture.resets(), 1);
}

#[test]
fn recover_on_empty_store_says_bootstrap() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["recover"]);

    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("The store of entity FIU-TEST-1 was empty, so it was filled"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("from the Token Service (bootstrap: a Read as the designated user)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Nothing to recover"), "{}", run.stdout);
    assert_eq!(fixture.stored_secret(), INITIAL_SECRET);

    // Once filled, the store has nothing to recover.
    let again = fixture.run(&["recover", "--json"]);
    again.assert_code(0);
    let outcome: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(outcome["action"], "nothing", "{outcome}");
    assert_eq!(outcome["bootstrapped"], false, "{outcome}");
}

#[test]
fn recover_json_reports_bootstrap() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["recover", "--json"]);

    run.assert_code(0);
    let outcome: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(outcome["bootstrapped"], true, "{outcome}");
    assert_eq!(outcome["action"], "nothing", "{outcome}");
}

#[test]
fn recover_bootstraps_configured_secret() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["recover"]);
    command
        .env_remove("AA_ROTATION_USERNAME")
        .env_remove("AA_ROTATION_PASSWORD")
        .env("AA_ROTATION_SECRET", INITIAL_SECRET);

    let run = fixture.run_command(command);

    run.assert_code(0);
    assert!(
        run.stdout
            .contains("was empty, so it was filled from AA_ROTATION_SECRET (bootstrap)"),
        "{}",
        run.stdout
    );
    assert_eq!(fixture.stored_secret(), INITIAL_SECRET);
}
