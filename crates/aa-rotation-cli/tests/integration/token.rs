//! `token`: the entity token alone on stdout.

use crate::support::Fixture;

/// Asserts that `token` has three non-empty base64url segments, as a JWT has.
fn assert_jwt(token: &str) {
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3, "{token}");
    for segment in segments {
        assert!(!segment.is_empty(), "{token}");
        assert!(
            segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "not base64url: {segment}"
        );
    }
}

#[test]
fn token_is_the_only_stdout_line() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = fixture.command(&["token"]);
    command.env("AA_ROTATION_LOG", "trace");

    let run = crate::support::run_to_end(command);
    fixture.assert_no_leak(&run, true);

    run.assert_code(0);
    assert!(run.stdout.ends_with('\n'));
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let token = run.stdout.trim_end();
    assert_jwt(token);
    assert!(
        !run.stderr.is_empty(),
        "AA_ROTATION_LOG=trace printed nothing"
    );
    assert!(
        !run.stderr.contains(token),
        "the trace output contains the token"
    );
}

#[test]
fn json_adds_expiry() {
    let fixture = Fixture::with_days_left(100.0);

    let run = crate::support::run_to_end(fixture.command(&["token", "--json"]));
    fixture.assert_no_leak(&run, true);

    run.assert_code(0);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_jwt(body["token"].as_str().unwrap());
    let expires_at: jiff::Timestamp = body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires_at > jiff::Timestamp::now());
}

#[test]
fn grace_period_warns_on_stderr() {
    let fixture = Fixture::with_days_left(-1.0);

    let run = crate::support::run_to_end(fixture.command(&["token"]));
    fixture.assert_no_leak(&run, true);

    run.assert_code(0);
    assert_jwt(run.stdout.trim_end());
    assert!(run.stderr.contains("warning: "), "{}", run.stderr);
    assert!(run.stderr.contains("grace period"), "{}", run.stderr);
}
