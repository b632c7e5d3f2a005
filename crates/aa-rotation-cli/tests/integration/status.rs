//! `status`: days left in text and JSON, whatever unit `expiresOn` comes in.

use aa_rotation_sim::{Endpoint, ExpiresOnUnit, Fault, SimConfig};

use crate::support::{Background, Fixture, INITIAL_SECRET};

const DAYS_LEFT: f64 = 42.5;

fn days_left_of(fixture: &Fixture) -> f64 {
    let run = fixture.run(&["status", "--json"]);
    run.assert_code(0);
    let status: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    status["days_left"].as_f64().unwrap()
}

#[test]
fn json_days_left_from_milliseconds() {
    let config = SimConfig {
        expires_on_unit: ExpiresOnUnit::Milliseconds,
        ..SimConfig::default()
    };
    let fixture = Fixture::start(config, Some(DAYS_LEFT));

    let days_left = days_left_of(&fixture);

    assert!(
        (days_left - DAYS_LEFT).abs() <= 0.01,
        "days_left {days_left}"
    );
}

#[test]
fn json_days_left_from_seconds() {
    let config = SimConfig {
        expires_on_unit: ExpiresOnUnit::Seconds,
        ..SimConfig::default()
    };
    let fixture = Fixture::start(config, Some(DAYS_LEFT));

    let days_left = days_left_of(&fixture);

    assert!(
        (days_left - DAYS_LEFT).abs() <= 0.01,
        "days_left {days_left}"
    );
}

#[test]
fn json_days_left_from_seconds_fault() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);
    fixture
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpiresOnSeconds, None)
        .unwrap();

    let days_left = days_left_of(&fixture);

    assert!(
        (days_left - DAYS_LEFT).abs() <= 0.01,
        "days_left {days_left}"
    );
}

#[test]
fn json_has_state_and_fingerprint() {
    let fixture = Fixture::with_days_left(10.0);

    let run = fixture.run(&["status", "--json"]);

    run.assert_code(0);
    let status: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["state"], "due");
    assert_eq!(status["due"], true);
    assert_eq!(status["entity_id"], crate::support::ENTITY);
    assert_eq!(
        status["fingerprint"],
        aa_rotation::Fingerprint::of(INITIAL_SECRET).as_str()
    );
}

#[test]
fn text_shows_days_utc_and_ist() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);

    let run = fixture.run(&["status"]);

    run.assert_code(0);
    assert!(run.stdout.contains("days left      42.5"), "{}", run.stdout);
    assert!(run.stdout.contains(" UTC ("), "{}", run.stdout);
    assert!(run.stdout.contains(" IST)"), "{}", run.stdout);
    assert!(run.stdout.contains("rotation due   no: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("last rotation  never"),
        "{}",
        run.stdout
    );
}

#[test]
fn text_shows_last_rotation() {
    let fixture = Fixture::with_days_left(10.0);
    fixture.run(&["rotate"]).assert_code(0);

    let run = fixture.run(&["status"]);

    run.assert_code(0);
    assert!(
        run.stdout.contains("rotated, secret sha256:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("days left      180.0"),
        "{}",
        run.stdout
    );
}

#[test]
fn configured_secret_has_unknown_expiry() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);
    let mut command = fixture.command(&["status"]);
    command
        .env_remove("AA_ROTATION_USERNAME")
        .env_remove("AA_ROTATION_PASSWORD")
        .env("AA_ROTATION_SECRET", INITIAL_SECRET);

    let run = fixture.run_command(command);

    run.assert_code(0);
    assert!(
        run.stdout
            .contains("expiry unknown: the secret came from AA_ROTATION_SECRET and was never read"),
        "{}",
        run.stdout
    );
}

#[test]
fn service_without_expiry_says_so() {
    let fixture = Fixture::start(SimConfig::default(), None);

    let run = fixture.run(&["status"]);

    run.assert_code(0);
    assert!(
        run.stdout
            .contains("expiry unknown: the Token Service reports no expiry"),
        "{}",
        run.stdout
    );
}

#[test]
fn config_file_and_variables_combine() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);
    let config = fixture.dir.path().join("aa-rotation.toml");
    std::fs::write(
        &config,
        format!(
            "entity_id = \"{}\"\nrotate_before_days = 45\n",
            crate::support::ENTITY
        ),
    )
    .unwrap();
    let mut command = fixture.command(&["--config", config.to_str().unwrap(), "status", "--json"]);
    command.env_remove("AA_ROTATION_ENTITY_ID");

    let run = fixture.run_command(command);

    run.assert_code(0);
    let status: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        status["state"], "due",
        "42.5 days left is due under a 45-day threshold"
    );
}

#[test]
fn interrupted_advice_follows_lease() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["rotate"]);
    command.env("AA_ROTATION_TEST_FAILPOINT", "persist:pause");
    let mut rotating = Background::spawn(command);
    rotating.wait_for_stderr("paused after step persist");

    // The paused process still holds the lease: its rotation is running.
    let running = fixture.run(&["status"]);

    running.assert_code(0);
    assert!(
        running
            .stdout
            .contains("in progress    journal verifying; the lease holder is rotating"),
        "{}",
        running.stdout
    );
    assert!(
        running.stdout.contains("wait for the holder to finish"),
        "{}",
        running.stdout
    );
    assert!(
        running.stdout.contains("lease          held by "),
        "{}",
        running.stdout
    );
    assert!(
        !running.stdout.contains("aa-rotation recover"),
        "{}",
        running.stdout
    );

    rotating.child.kill().unwrap();
    fixture.assert_no_leak(&rotating.finish(), false);
    let stopped = fixture.run(&["status"]);

    stopped.assert_code(0);
    assert!(
        stopped.stdout.contains(
            "interrupted    journal verifying; no process holds the lease: run `aa-rotation recover`"
        ),
        "{}",
        stopped.stdout
    );
    assert!(
        stopped.stdout.contains("lease          free"),
        "{}",
        stopped.stdout
    );
    assert!(
        !stopped.stdout.contains("wait for the holder"),
        "{}",
        stopped.stdout
    );
}

#[test]
fn config_option_after_command() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);
    let config = fixture.dir.path().join("aa-rotation.toml");
    std::fs::write(&config, "rotate_before_days = 45\n").unwrap();
    let mut command = fixture.command(&["status", "--json", "--config", config.to_str().unwrap()]);
    // The option wins over the variable, which names a file that does not exist.
    command.env(
        "AA_ROTATION_CONFIG",
        fixture.dir.path().join("missing.toml"),
    );

    let run = fixture.run_command(command);

    run.assert_code(0);
    let status: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["state"], "due", "45-day threshold from the file");
}

#[test]
fn config_variable_is_read() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);
    let config = fixture.dir.path().join("aa-rotation.toml");
    std::fs::write(&config, "rotate_before_days = 45\n").unwrap();
    let mut command = fixture.command(&["status", "--json"]);
    command.env("AA_ROTATION_CONFIG", &config);

    let run = fixture.run_command(command);

    run.assert_code(0);
    let status: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["state"], "due", "45-day threshold from the file");
}

#[test]
fn two_config_files_are_rejected() {
    let fixture = Fixture::with_days_left(DAYS_LEFT);

    let run = fixture.run(&["--config", "a.toml", "status", "--config", "b.toml"]);

    run.assert_code(3);
    assert!(
        run.stderr.contains("--config is given twice"),
        "{}",
        run.stderr
    );
}
