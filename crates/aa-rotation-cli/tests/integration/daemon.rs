//! `run`: the schedule rotates a due secret, the endpoints report it, and
//! SIGTERM stops the daemon cleanly.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use aa_rotation_sim::{Endpoint, Fault};

use crate::support::{Background, ENTITY, Fixture, http_get, signal};

/// Reads the listen address from the daemon's first stdout line.
fn listen_address(daemon: &mut Background) -> SocketAddr {
    let line = daemon.next_stdout_line();
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap();
    url.trim_start_matches("http://")
        .trim_end_matches("/metrics")
        .parse()
        .unwrap()
}

/// Polls `path` until `accept` returns true for its status and body.
fn wait_for(address: SocketAddr, path: &str, accept: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = http_get(address, path);
        if accept(status, &body) {
            return (status, body);
        }
        assert!(
            Instant::now() < deadline,
            "{path} never became ready: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn daemon_rotates_serves_and_stops() {
    let fixture = Fixture::with_days_left(10.0);
    let mut command = fixture.command(&["run", "--listen", "127.0.0.1:0"]);
    // About one second between checks.
    command.env("AA_ROTATION_CHECK_INTERVAL_MINUTES", "0.02");
    let mut daemon = Background::spawn(command);

    let address = listen_address(&mut daemon);

    // The rotation event wakes the status monitor, so the new expiry follows
    // the counter within moments rather than a check interval.
    let days_left = format!("aa_rotation_secret_days_left{{entity_id=\"{ENTITY}\"}} 179.");
    let (_, metrics) = wait_for(address, "/metrics", |status, body| {
        status == 200 && body.contains("result=\"rotated\"} 1") && body.contains(&days_left)
    });
    assert!(
        metrics.contains("aa_rotation_secret_expiry_timestamp_seconds{"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "aa_rotation_last_check_success{{entity_id=\"{ENTITY}\"}} 1"
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("# TYPE aa_rotation_rotations_total counter"),
        "{metrics}"
    );
    assert_eq!(fixture.resets(), 1);

    let (status, health) = wait_for(address, "/healthz", |status, body| {
        status == 200 && body.contains("\"healthy\"")
    });
    assert_eq!(status, 200, "{health}");
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["healthy"], true);
    assert_eq!(health["state"], "healthy");
    assert_eq!(health["entity_id"], ENTITY);

    signal(daemon.child.id(), "TERM");
    let run = daemon.finish();
    fixture.assert_no_leak(&run, false);
    run.assert_code(0);
    assert_eq!(fixture.stored_secret(), fixture.current_secret());
}

#[test]
fn unhealthy_when_credentials_rejected() {
    // An empty store and a wrong password: the first check cannot bootstrap.
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["run", "--listen", "127.0.0.1:0"]);
    command.env("AA_ROTATION_PASSWORD", "canary-Wrong-Password-a9e0");
    let mut daemon = Background::spawn(command);
    let address = listen_address(&mut daemon);

    let (status, body) = wait_for(address, "/healthz", |_, body| {
        body.contains("\"error_code\":\"")
    });

    assert_eq!(status, 503, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["error_code"], "INVALID_USER_CREDENTIALS", "{body}");
    assert_eq!(health["last_check_success"], false, "{body}");
    assert!(!body.contains("canary-Wrong-Password-a9e0"));
    let (_, metrics) = http_get(address, "/metrics");
    assert!(
        metrics.contains(&format!(
            "aa_rotation_last_check_success{{entity_id=\"{ENTITY}\"}} 0"
        )),
        "{metrics}"
    );
    signal(daemon.child.id(), "INT");
    let run = daemon.finish();
    run.assert_code(0);
    assert!(!run.stderr.contains("canary-Wrong-Password-a9e0"));
}

#[test]
fn remote_listen_address_is_rejected() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["run", "--listen", "0.0.0.0:0"]);

    run.assert_code(3);
    assert!(
        run.stderr.contains("--allow-remote-metrics"),
        "{}",
        run.stderr
    );
}

#[test]
fn gateway_fault_turns_healthz_503() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["run", "--listen", "127.0.0.1:0"]);
    // About one second between checks.
    command.env("AA_ROTATION_CHECK_INTERVAL_MINUTES", "0.02");
    let mut daemon = Background::spawn(command);
    let address = listen_address(&mut daemon);
    wait_for(address, "/healthz", |status, _| status == 200);

    fixture
        .sim
        .inject_fault(Endpoint::EntityToken, Fault::Html { status: 502 }, None)
        .unwrap();
    let injected = Instant::now();
    let (status, body) = wait_for(address, "/healthz", |status, _| status != 200);

    // Each check verifies the stored secret with an entity token, retrying a
    // gateway error for about 3 s, so a few intervals suffice.
    let waited = injected.elapsed();
    assert!(
        waited < Duration::from_secs(20),
        "503 only after {waited:?}"
    );
    assert_eq!(status, 503, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["healthy"], false, "{body}");
    assert_eq!(health["last_check_success"], false, "{body}");
    assert_eq!(health["error_code"], "GATEWAY_ERROR", "{body}");
    assert!(health["error"].as_str().unwrap().contains("502"), "{body}");
    let (_, metrics) = http_get(address, "/metrics");
    assert!(
        metrics.contains(&format!(
            "aa_rotation_last_check_success{{entity_id=\"{ENTITY}\"}} 0"
        )),
        "{metrics}"
    );

    // Once the gateway recovers, so does the next check.
    fixture.sim.clear_faults();
    let (status, body) = wait_for(address, "/healthz", |status, _| status == 200);
    assert_eq!(status, 200, "{body}");

    signal(daemon.child.id(), "TERM");
    let run = daemon.finish();
    fixture.assert_no_leak(&run, false);
    run.assert_code(0);
    assert!(
        run.stderr.contains(&format!(
            "serving /healthz and /metrics on {address}; checking entity {ENTITY} every 0.02 minutes"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("aa-rotation run: stopped (SIGTERM received)"),
        "{}",
        run.stderr
    );
    assert_eq!(fixture.resets(), 0);
}

#[test]
fn listen_host_name_gets_hint() {
    let fixture = Fixture::with_days_left(100.0);

    let run = fixture.run(&["run", "--listen", "localhost:9999"]);

    run.assert_code(3);
    assert!(
        run.stderr.contains("use an address such as 127.0.0.1:PORT"),
        "{}",
        run.stderr
    );
}
