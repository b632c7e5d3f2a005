//! `check`: one line on stdout and the monitoring exit code.

use crate::support::{Fixture, Run, closed_port};

/// Asserts the exit code and that stdout is one line starting with `label`.
fn assert_check(run: &Run, code: i32, label: &str) {
    run.assert_code(code);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with(&format!("{label}: ")),
        "{}",
        run.stdout
    );
}

#[test]
fn healthy_secret_exits_0() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["check"]);

    assert_check(&run, 0, "OK");
    assert!(run.stdout.contains("100.0 days left"), "{}", run.stdout);
}

#[test]
fn due_secret_exits_1() {
    let fixture = Fixture::with_days_left(10.0);

    let run = fixture.run(&["check"]);

    assert_check(&run, 1, "WARNING");
    assert!(run.stdout.contains("10.0 days left"), "{}", run.stdout);
    assert_eq!(fixture.resets(), 0, "check must never rotate");
}

#[test]
fn expired_secret_exits_2() {
    // Expired 10 days ago: past the simulator's 5-day grace period.
    let fixture = Fixture::with_days_left(-10.0);

    let run = fixture.run(&["check"]);

    assert_check(&run, 2, "CRITICAL");
    assert_eq!(fixture.resets(), 0, "check must never rotate");
}

#[test]
fn grace_period_exits_2() {
    let fixture = Fixture::with_days_left(-2.0);

    let run = fixture.run(&["check"]);

    assert_check(&run, 2, "CRITICAL");
    assert!(run.stdout.contains("grace period"), "{}", run.stdout);
}

#[test]
fn bad_credentials_exit_2() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["check"]);
    command.env("AA_ROTATION_PASSWORD", "canary-Wrong-Password-0d44");

    let run = fixture.run_command(command);

    assert_check(&run, 2, "CRITICAL");
    assert!(!run.stdout.contains("canary-Wrong-Password-0d44"));
}

#[test]
fn bad_credentials_on_bootstrapped_store_exit_2() {
    let fixture = Fixture::with_days_left(100.0);
    fixture.run(&["status"]).assert_code(0);
    let mut command = fixture.command(&["check"]);
    command.env("AA_ROTATION_PASSWORD", "canary-Wrong-Password-0d44");

    // The stored secret still works; the designated user's password does not.
    let run = fixture.run_command(command);

    assert_check(&run, 2, "CRITICAL");
    assert!(
        run.stdout.contains("username or password"),
        "{}",
        run.stdout
    );
}

#[test]
fn unreachable_service_exits_2() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["check"]);
    command
        .env(
            "AA_ROTATION_BASE_URL",
            format!("http://127.0.0.1:{}/iam", closed_port()),
        )
        .env("AA_ROTATION_CONNECT_TIMEOUT_SECONDS", "2")
        .env("AA_ROTATION_REQUEST_TIMEOUT_SECONDS", "2");

    let run = fixture.run_command(command);

    assert_check(&run, 2, "CRITICAL");
}

#[test]
fn missing_entity_id_exits_3() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["check"]);
    command.env_remove("AA_ROTATION_ENTITY_ID");

    let run = fixture.run_command(command);

    assert_check(&run, 3, "UNKNOWN");
    assert!(
        run.stdout.contains("AA_ROTATION_ENTITY_ID"),
        "{}",
        run.stdout
    );
}
