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

#[test]
fn rotate_after_kill_recovers_first() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["rotate"]);
    command.env("AA_ROTATION_TEST_FAILPOINT", "reset:pause");
    let mut rotating = Background::spawn(command);
    rotating.wait_for_stderr("paused after step reset");
    rotating.child.kill().unwrap();
    fixture.assert_no_leak(&rotating.finish(), false);

    // A plain `rotate` finds the interrupted rotation and finishes it
    // instead of sending a second Reset.
    let run = fixture.run(&["rotate"]);

    run.assert_code(0);
    assert_eq!(fixture.resets(), 1);
    assert_eq!(fixture.stored_secret(), fixture.current_secret());
}
