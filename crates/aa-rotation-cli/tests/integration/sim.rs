//! `sim`: the simulator as a child process, seeded from a file, used by
//! another `aa-rotation` process, and stopped with SIGTERM.

use std::process::Command;

use crate::support::{BINARY, Background, ENTITY, PASSWORD, USERNAME, run_to_end, signal};

#[test]
fn sim_serves_seeded_entity() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    let document = serde_json::json!({
        "users": [{"username": USERNAME, "password": PASSWORD, "entities": [ENTITY]}],
        "entities": [{"entityId": ENTITY, "expiresInDays": 12.0}],
    });
    std::fs::write(&seed, document.to_string()).unwrap();
    let mut command = Command::new(BINARY);
    command
        .args([
            "sim",
            "--addr",
            "127.0.0.1:0",
            "--seed",
            seed.to_str().unwrap(),
        ])
        .env_clear();
    let mut sim = Background::spawn(command);

    let base_url = sim.next_stdout_line();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert!(base_url.ends_with("/iam"), "{base_url}");

    let mut status = Command::new(BINARY);
    status
        .args(["status", "--json"])
        .env_clear()
        .env("AA_ROTATION_BASE_URL", &base_url)
        .env("AA_ROTATION_ENTITY_ID", ENTITY)
        .env("AA_ROTATION_USERNAME", USERNAME)
        .env("AA_ROTATION_PASSWORD", PASSWORD)
        .env("AA_ROTATION_STORE", dir.path().join("secret.json"));
    let run = run_to_end(status);
    run.assert_code(0);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let days_left = body["days_left"].as_f64().unwrap();
    assert!((days_left - 12.0).abs() <= 0.01, "days_left {days_left}");

    signal(sim.child.id(), "TERM");
    let stopped = sim.finish();
    stopped.assert_code(0);
}

#[test]
fn sim_ignores_config_variable() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "this is = not [valid toml\n").unwrap();
    let mut command = Command::new(BINARY);
    command
        .args(["sim", "--addr", "127.0.0.1:0"])
        .env_clear()
        .env("AA_ROTATION_CONFIG", &broken);
    let mut sim = Background::spawn(command);

    let base_url = sim.next_stdout_line();

    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    signal(sim.child.id(), "TERM");
    sim.finish().assert_code(0);
}

#[test]
fn sim_and_demo_help_omit_config() {
    for command_name in ["sim", "demo"] {
        let mut command = Command::new(BINARY);
        command.args([command_name, "--help"]).env_clear();

        let run = run_to_end(command);

        run.assert_code(0);
        assert!(
            !run.stdout.contains("--config"),
            "{command_name}: {}",
            run.stdout
        );
    }
    let mut command = Command::new(BINARY);
    command.args(["status", "--help"]).env_clear();
    let run = run_to_end(command);
    run.assert_code(0);
    assert!(run.stdout.contains("--config <FILE>"), "{}", run.stdout);
}

#[test]
fn sim_rejects_config_option() {
    let mut command = Command::new(BINARY);
    command
        .args(["--config", "aa-rotation.toml", "sim"])
        .env_clear();

    let run = run_to_end(command);

    run.assert_code(3);
    assert!(
        run.stderr
            .contains("`aa-rotation sim` reads no configuration file"),
        "{}",
        run.stderr
    );
}
