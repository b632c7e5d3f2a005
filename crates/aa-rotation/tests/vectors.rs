//! Runs the shared cases in `tests/vectors/` through the Rust API. The Python,
//! Node and JVM bindings run the same files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use aa_rotation::client::{MessageKind, parse_secret_body};
use aa_rotation::policy::{RotationPolicy, days};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn expiry_vectors() {
    let doc = load("expiry.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = case["body"].to_string();
        let expected = &case["expected"];
        let result = parse_secret_body(&body);
        if let Some(fragment) = expected["error"].as_str() {
            let error = result.expect_err(name);
            assert!(error.contains(fragment), "{name}: {error}");
            continue;
        }
        let (expiry, message) = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let source = serde_json::to_value(expiry.source).unwrap();
        assert_eq!(source, expected["source"], "{name}");
        match expected["expiresAt"].as_str() {
            Some(text) => {
                let at = expiry.at.expect(name);
                assert_eq!(at, text.parse::<Timestamp>().unwrap(), "{name}");
                assert_eq!(
                    Some(at.as_second()),
                    expected["epochSeconds"].as_i64(),
                    "{name}"
                );
            }
            None => assert_eq!(expiry.at, None, "{name}"),
        }
        if let Some(kind) = expected["messageKind"].as_str() {
            let message = message.expect(name);
            assert_eq!(kind, "expiry_defaulted", "{name}");
            assert_eq!(message.kind, MessageKind::ExpiryDefaulted, "{name}");
        }
    }
}

#[test]
fn policy_vectors() {
    let doc = load("policy.json");
    let now: Timestamp = doc["now"].as_str().unwrap().parse().unwrap();
    let policy = RotationPolicy {
        rotate_before: days(doc["policy"]["rotateBeforeDays"].as_u64().unwrap()),
        grace_period: days(doc["policy"]["gracePeriodDays"].as_u64().unwrap()),
        ..RotationPolicy::default()
    };
    for case in doc["cases"].as_array().unwrap() {
        let offset = case["offsetDays"].as_f64();
        let expires_at = offset.map(|d| {
            now.checked_add(SignedDuration::from_secs_f64(d * 86_400.0))
                .unwrap()
        });
        let decision = policy.decide(expires_at, None, now);
        let expected = &case["expected"];
        let label = format!("offset {offset:?} days");
        assert_eq!(
            decision.state.as_str(),
            expected["state"].as_str().unwrap(),
            "{label}"
        );
        assert_eq!(decision.due, expected["due"].as_bool().unwrap(), "{label}");
        assert_eq!(
            decision.emergency,
            expected["emergency"].as_bool().unwrap(),
            "{label}"
        );
        assert_eq!(
            decision.state.check_code() as i64,
            expected["checkExitCode"].as_i64().unwrap(),
            "{label}"
        );
        match expected["daysLeft"].as_f64() {
            Some(days_left) => assert!(
                (decision.days_left().unwrap() - days_left).abs() < 1e-9,
                "{label}"
            ),
            None => assert_eq!(decision.days_left(), None, "{label}"),
        }
    }
}
