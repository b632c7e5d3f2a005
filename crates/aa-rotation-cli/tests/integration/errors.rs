//! Failures: rejected credentials, a gateway's HTML page, missing settings.

use aa_rotation_sim::{Endpoint, Fault};

use crate::support::{Fixture, INITIAL_SECRET};

const WRONG_PASSWORD: &str = "canary-Wrong-Password-51b2";

#[test]
fn wrong_password_exits_2() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["rotate"]);
    command.env("AA_ROTATION_PASSWORD", WRONG_PASSWORD);

    let run = fixture.run_command(command);

    run.assert_code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(
        run.stderr.contains("username or password"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(WRONG_PASSWORD));
    assert!(!run.stderr.contains(WRONG_PASSWORD));
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn wrong_password_from_file_exits_2() {
    let fixture = Fixture::with_days_left(10.0);
    let file = crate::support::private_file(
        fixture.dir.path(),
        "password",
        &format!("{WRONG_PASSWORD}\n"),
    );
    let mut command = fixture.command(&["-vvv", "rotate"]);
    command
        .env_remove("AA_ROTATION_PASSWORD")
        .env("AA_ROTATION_PASSWORD_FILE", &file);

    let run = fixture.run_command(command);

    run.assert_code(2);
    assert!(!run.stdout.contains(WRONG_PASSWORD));
    assert!(!run.stderr.contains(WRONG_PASSWORD));
}

#[test]
fn html_502_on_reset_is_one_clean_line() {
    let fixture = Fixture::with_days_left(10.0);
    fixture.run(&["status"]).assert_code(0);
    fixture
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::Html { status: 502 }, None)
        .unwrap();

    let run = fixture.run(&["rotate"]);

    run.assert_code(2);
    // Besides the error, stderr may hold the core's warning log lines.
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].contains("502"), "{}", run.stderr);
    assert!(errors[0].contains("try again later"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("\x1b["),
        "colour codes in a pipe: {}",
        run.stderr
    );
    assert!(!run.stderr.contains('<'), "{}", run.stderr);
    assert!(!run.stderr.contains('>'), "{}", run.stderr);
    assert_eq!(fixture.stored_secret(), INITIAL_SECRET);
    assert_eq!(fixture.current_secret(), INITIAL_SECRET);
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn missing_entity_id_explains_setting() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["status"]);
    command.env_remove("AA_ROTATION_ENTITY_ID");

    let run = fixture.run_command(command);

    run.assert_code(3);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("AA_ROTATION_ENTITY_ID"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Central Registry"), "{}", run.stderr);
}

#[test]
fn missing_service_names_both_variables() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["status"]);
    command.env_remove("AA_ROTATION_BASE_URL");

    let run = fixture.run_command(command);

    run.assert_code(3);
    assert!(run.stderr.contains("AA_ROTATION_ENV"), "{}", run.stderr);
    assert!(
        run.stderr.contains("AA_ROTATION_BASE_URL"),
        "{}",
        run.stderr
    );
}

#[test]
fn username_without_password_is_not_prompted() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["status"]);
    command.env_remove("AA_ROTATION_PASSWORD");

    // Standard input is /dev/null, not a terminal: no prompt, a clear error.
    let run = fixture.run_command(command);

    run.assert_code(3);
    assert!(
        run.stderr.contains("AA_ROTATION_PASSWORD"),
        "{}",
        run.stderr
    );
}

#[test]
fn invalid_failpoint_is_rejected() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["rotate"]);
    command.env("AA_ROTATION_TEST_FAILPOINT", "reset:explode");

    let run = fixture.run_command(command);

    run.assert_code(3);
    assert!(
        run.stderr.contains("AA_ROTATION_TEST_FAILPOINT"),
        "{}",
        run.stderr
    );
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn usage_error_exits_3() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["rotate", "--no-such-option"]);

    run.assert_code(3);
}

#[test]
fn memory_store_is_rejected() {
    let fixture = Fixture::with_days_left(10.0);
    let commands: [&[&str]; 6] = [
        &["status"],
        &["rotate"],
        &["recover"],
        &["token"],
        &["check"],
        &["run", "--listen", "127.0.0.1:0"],
    ];
    for args in commands {
        let mut command = fixture.command(args);
        command.env("AA_ROTATION_STORE", "memory:");

        let run = fixture.run_command(command);

        run.assert_code(3);
        // `check` reports on stdout, the other commands on stderr.
        let output = format!("{}{}", run.stdout, run.stderr);
        assert!(
            output.contains("the store is `memory:`"),
            "{args:?}: {output}"
        );
        assert!(
            output.contains("forgets the secret when the process exits"),
            "{args:?}: {output}"
        );
    }
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn json_failure_is_json_on_stdout() {
    let fixture = Fixture::with_days_left(10.0);
    for command_name in ["status", "rotate", "recover", "token"] {
        let mut command = fixture.command(&[command_name, "--json"]);
        command.env("AA_ROTATION_PASSWORD", WRONG_PASSWORD);

        let run = fixture.run_command(command);

        run.assert_code(2);
        let body: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|error| panic!("{command_name}: {error}: {}", run.stdout));
        assert_eq!(
            body["error"]["code"], "INVALID_USER_CREDENTIALS",
            "{command_name}: {body}"
        );
        assert_eq!(body["error"]["exitCode"], 2, "{command_name}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("username or password"),
            "{command_name}: {message}"
        );
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .collect();
        assert_eq!(errors, [format!("error: {message}")], "{command_name}");
        assert!(!run.stdout.contains(WRONG_PASSWORD));
    }
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn json_config_failure_is_json() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["status", "--json"]);
    command.env("AA_ROTATION_STORE", "memory:");

    let run = fixture.run_command(command);

    run.assert_code(3);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(body["error"]["code"], "CONFIG", "{body}");
    assert_eq!(body["error"]["exitCode"], 3, "{body}");
}
