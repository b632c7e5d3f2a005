//! `check`: one line on stdout and the monitoring exit code.

use std::time::{Duration, Instant};

use aa_rotation_sim::{Endpoint, EntitySeed, Fault, UserSeed};

use crate::support::{ENTITY, Fixture, INITIAL_SECRET, PASSWORD, Run, USERNAME, closed_port};

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

#[test]
fn user_without_entity_rights_exits_2() {
    let fixture = Fixture::with_days_left(100.0);
    fixture.run(&["status"]).assert_code(0);
    // The designated user can still sign in, and the stored secret still
    // gets entity tokens, but the user now manages another entity only.
    fixture.sim.add_user(UserSeed {
        username: USERNAME.into(),
        password: PASSWORD.into(),
        entities: vec!["FIU-OTHER-2".into()],
        password_expires_at: None,
    });

    let run = fixture.run(&["check"]);

    assert_check(&run, 2, "CRITICAL");
    assert!(
        run.stdout.contains("not permitted to manage entity"),
        "{}",
        run.stdout
    );
}

#[test]
fn drifted_secret_exits_2() {
    let fixture = Fixture::with_days_left(100.0);
    fixture.run(&["status"]).assert_code(0);
    // Entity tokens come from a second simulator through the OpenID Connect
    // path, where the stored secret still works. Read on the first returns a
    // secret reset elsewhere, a drift that `check` must report although the
    // stored secret still gets a token.
    let token_service = fixture.start_simulator();
    let now = token_service.now().as_second();
    token_service.add_entity(EntitySeed {
        entity_id: ENTITY.into(),
        secret: INITIAL_SECRET.into(),
        expires_at: Some(now + 100 * crate::support::DAY),
    });
    fixture.sim.add_entity(EntitySeed {
        entity_id: ENTITY.into(),
        secret: "canary-reset-elsewhere-5e21".into(),
        expires_at: Some(now + 100 * crate::support::DAY),
    });
    let mut command = fixture.command(&["check"]);
    command.env("AA_ROTATION_OIDC_TOKEN_URL", token_service.oidc_token_url());

    let run = fixture.run_command(command);

    assert_check(&run, 2, "CRITICAL");
    assert!(
        run.stdout.contains(
            "the stored secret is not the Token Service's current one: run `aa-rotation recover`"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        fixture.stored_secret(),
        INITIAL_SECRET,
        "check must change nothing"
    );
}

#[test]
fn slow_service_hits_timeout() {
    let fixture = Fixture::with_days_left(100.0);
    fixture
        .sim
        .inject_fault(Endpoint::EntityToken, Fault::Latency { ms: 20_000 }, None)
        .unwrap();
    let started = Instant::now();

    let run = fixture.run(&["check", "--timeout", "2"]);

    assert_check(&run, 2, "CRITICAL");
    assert!(
        run.stdout.contains("did not finish within 2 s"),
        "{}",
        run.stdout
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(10),
        "check took {elapsed:?} despite --timeout 2"
    );
}

#[test]
fn timeout_help_names_seconds() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["check", "--help"]);

    run.assert_code(0);
    assert!(run.stdout.contains("--timeout <SECONDS>"), "{}", run.stdout);
    assert!(run.stdout.contains("in seconds"), "{}", run.stdout);
}

#[test]
fn invalid_timeout_exits_3() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["check", "--timeout", "0"]);

    run.assert_code(3);
    assert!(
        run.stderr.contains("positive number of seconds"),
        "{}",
        run.stderr
    );
}
