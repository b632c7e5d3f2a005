//! The rotation engine and RotationClient against the simulator: the
//! protocol, crashes after each step, lost replies, drift, concurrency,
//! bootstrap, the policy's window, and events.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aa_rotation::engine::{RecoveryAction, RotationAction};
use aa_rotation::store::{Journal, RotationResult, SecretStore};
use aa_rotation::{
    ClientSecret, ErrorKind, EventKind, RotateOptions, RotationClient, RotationWindow, SecretState,
};
use aa_rotation_sim::{Endpoint, Fault};
use common::{ENTITY, SECRET, fixture};

const FORCE: RotateOptions = RotateOptions {
    force: true,
    dry_run: false,
};
const DUE: RotateOptions = RotateOptions {
    force: false,
    dry_run: false,
};

#[tokio::test]
async fn due_secret_is_rotated() {
    let f = fixture(10.0).await;
    let client = f.rotation_client();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    client.subscribe(move |event| seen.lock().unwrap().push(event.kind));

    let outcome = client.rotate(DUE).await.unwrap();
    assert_eq!(outcome.action, RotationAction::Rotated);
    assert_eq!(outcome.resets, 1);
    assert_eq!(f.resets(), 1);
    assert_eq!(
        outcome.old_fingerprint,
        Some(ClientSecret::new(SECRET).fingerprint())
    );
    assert_eq!(
        outcome.fingerprint.unwrap().as_str(),
        f.sim.counters().entities[ENTITY].fingerprint
    );
    assert!((outcome.days_left.unwrap() - 180.0).abs() < 0.01);

    let stored = f.stored_secret().await;
    assert_eq!(stored, f.service_secret());
    assert!(f.authenticates(&stored).await);
    assert!(!f.authenticates(SECRET).await);
    assert_eq!(*events.lock().unwrap(), vec![EventKind::Rotated]);

    let audit = std::fs::read_to_string(f.dir.path().join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"kind\":\"rotated\""), "{audit}");
    assert!(
        !audit.contains(&stored) && !audit.contains(SECRET),
        "{audit}"
    );
}

#[tokio::test]
async fn store_file_is_private_after_rotation() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture(10.0).await;
    f.rotation_client().rotate(DUE).await.unwrap();
    let mode = std::fs::metadata(f.store_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

#[tokio::test]
async fn fresh_secret_is_not_due() {
    let f = fixture(100.0).await;
    let outcome = f.rotation_client().rotate(DUE).await.unwrap();
    assert_eq!(outcome.action, RotationAction::NotDue);
    assert!(!outcome.due);
    assert_eq!(f.resets(), 0);
}

#[tokio::test]
async fn dry_run_makes_no_reset() {
    let f = fixture(10.0).await;
    let outcome = f
        .rotation_client()
        .rotate(RotateOptions {
            force: false,
            dry_run: true,
        })
        .await
        .unwrap();
    assert_eq!(outcome.action, RotationAction::DryRun);
    assert!(outcome.due);
    assert_eq!(f.resets(), 0);
    assert_eq!(f.sim.counters().calls.secret_reset, 0);
}

#[tokio::test]
async fn force_rotates_fresh_secret() {
    let f = fixture(100.0).await;
    let outcome = f.rotation_client().rotate(FORCE).await.unwrap();
    assert_eq!(outcome.action, RotationAction::Rotated);
    assert_eq!(f.resets(), 1);
    assert_eq!(f.stored_secret().await, f.service_secret());
}

#[tokio::test]
async fn requested_validity_is_sent() {
    let f = fixture(10.0).await;
    let mut config = f.rotation_config();
    config.engine.policy.secret_expiry_days = Some(60);
    let outcome = RotationClient::new(config)
        .unwrap()
        .rotate(DUE)
        .await
        .unwrap();
    assert!(
        (outcome.days_left.unwrap() - 60.0).abs() < 0.01,
        "{:?}",
        outcome.days_left
    );
}

#[tokio::test]
async fn lost_reset_reply_is_recovered_through_read() {
    let f = fixture(10.0).await;
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))
        .unwrap();
    let outcome = f.rotation_client().rotate(DUE).await.unwrap();
    assert_eq!(outcome.action, RotationAction::Rotated);
    // Read showed the Reset had happened: no second Reset.
    assert_eq!(f.sim.counters().calls.secret_reset, 1);
    assert_eq!(f.resets(), 1);
    let stored = f.stored_secret().await;
    assert_eq!(stored, f.service_secret());
    assert!(f.authenticates(&stored).await);
}

#[tokio::test]
async fn hung_reset_reply_is_recovered_through_read() {
    let f = fixture(10.0).await;
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::HangAfterApply, Some(1))
        .unwrap();
    let mut config = f.rotation_config();
    config.client.request_timeout = Duration::from_millis(500);
    let outcome = RotationClient::new(config)
        .unwrap()
        .rotate(DUE)
        .await
        .unwrap();
    assert_eq!(outcome.action, RotationAction::Rotated);
    assert!(f.resets() <= 2);
    assert_eq!(f.stored_secret().await, f.service_secret());
}

#[tokio::test]
async fn gateway_503_on_reset_is_not_retried() {
    let f = fixture(10.0).await;
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::Empty { status: 503 }, Some(1))
        .unwrap();
    let error = f.rotation_client().rotate(DUE).await.unwrap_err();
    // A 503 is a definite failure, not a lost reply: no second Reset.
    assert_eq!(error.root().kind(), ErrorKind::GatewayError);
    assert_eq!(f.sim.counters().calls.secret_reset, 1);
    assert_eq!(f.resets(), 0);
}

#[tokio::test]
async fn html_502_on_reset_leaves_store_unchanged() {
    let f = fixture(10.0).await;
    let client = f.rotation_client();
    client.status().await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::Html { status: 502 }, None)
        .unwrap();
    let error = client.rotate(DUE).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RotationFailed);
    assert_eq!(error.root().kind(), ErrorKind::GatewayError);
    let text = error.to_string();
    assert!(!text.contains('<'), "{text}");
    assert!(text.contains("HTTP 502"), "{text}");

    let store = aa_rotation::store::FileStore::new(f.store_path()).unwrap();
    let record = store.get(ENTITY).await.unwrap().unwrap();
    assert_eq!(
        record.current.as_ref().unwrap().value.expose_secret(),
        SECRET
    );
    assert!(record.pending.is_none());
    assert_eq!(record.journal, Journal::Idle);
    assert_eq!(record.last_rotation.unwrap().result, RotationResult::Failed);
    assert_eq!(f.service_secret(), SECRET);
}

/// Runs a rotation that crashes right after `step`, then recovers in a new
/// client (a new process, as far as the engine can tell).
async fn crash_then_recover(step: &str) -> (common::Fixture, RecoveryAction) {
    let f = fixture(10.0).await;
    f.crash_rotation(step, false).await;

    let outcome = f.rotation_client().recover().await.unwrap();
    let stored = f.stored_secret().await;
    assert_eq!(stored, f.service_secret(), "step {step}");
    assert!(f.authenticates(&stored).await, "step {step}");
    let record = aa_rotation::store::FileStore::new(f.store_path())
        .unwrap()
        .get(ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.journal, Journal::Idle, "step {step}");
    assert!(record.pending.is_none(), "step {step}");
    (f, outcome.action)
}

#[tokio::test]
async fn crash_after_intent_rolls_back() {
    let (f, action) = crash_then_recover("intent").await;
    assert_eq!(action, RecoveryAction::RolledBack);
    assert_eq!(f.resets(), 0);
    assert_eq!(f.service_secret(), SECRET);
}

#[tokio::test]
async fn crash_after_reset_completes() {
    let (f, action) = crash_then_recover("reset").await;
    assert_eq!(action, RecoveryAction::Completed);
    assert_eq!(f.resets(), 1);
}

#[tokio::test]
async fn crash_after_persist_completes() {
    let (f, action) = crash_then_recover("persist").await;
    assert_eq!(action, RecoveryAction::Completed);
    assert_eq!(f.resets(), 1);
}

#[tokio::test]
async fn crash_after_verify_completes() {
    let (f, action) = crash_then_recover("verify").await;
    assert_eq!(action, RecoveryAction::Completed);
    assert_eq!(f.resets(), 1);
}

#[tokio::test]
async fn crash_after_promote_needs_nothing() {
    let (f, action) = crash_then_recover("promote").await;
    assert_eq!(action, RecoveryAction::Nothing);
    assert_eq!(f.resets(), 1);
}

#[tokio::test]
async fn rotate_after_crash_recovers_first() {
    let f = fixture(10.0).await;
    f.crash_rotation("reset", false).await;
    // The next rotate finishes the interrupted one; the secret is then fresh.
    let outcome = f.rotation_client().rotate(DUE).await.unwrap();
    // It reports the secret the interrupted rotation made, and sends no Reset.
    assert_eq!(outcome.action, RotationAction::RotatedElsewhere);
    assert_eq!(f.resets(), 1);
    assert_eq!(f.stored_secret().await, f.service_secret());
}

#[tokio::test]
async fn concurrent_clients_make_one_reset() {
    let f = fixture(10.0).await;
    // Bootstrap once so that all clients start from the same record.
    f.rotation_client().status().await.unwrap();
    let clients: Vec<_> = (0..6).map(|_| f.shared_client()).collect();
    let tasks: Vec<_> = clients
        .iter()
        .map(|client| {
            let client = client.clone();
            tokio::spawn(async move { client.rotate(DUE).await })
        })
        .collect();
    let mut actions = Vec::new();
    for task in tasks {
        actions.push(task.await.unwrap().unwrap().action);
    }
    assert_eq!(f.resets(), 1, "{actions:?}");
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == RotationAction::Rotated)
            .count(),
        1,
        "{actions:?}"
    );
    assert_eq!(f.stored_secret().await, f.service_secret());
}

#[tokio::test]
async fn drift_is_healed_by_recover() {
    let f = fixture(100.0).await;
    let client = f.rotation_client();
    client.status().await.unwrap();
    // Someone resets the secret by hand, outside this tool.
    let service = f.token_service();
    let token = service
        .generate_user_token(
            common::USERNAME,
            &aa_rotation::Password::new(common::PASSWORD),
        )
        .await
        .unwrap();
    service
        .reset_secret(&token.token, ENTITY, None)
        .await
        .unwrap();

    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    client.subscribe(move |event| seen.lock().unwrap().push(event.kind));
    let outcome = client.recover().await.unwrap();
    assert_eq!(outcome.action, RecoveryAction::DriftHealed);
    assert_eq!(f.stored_secret().await, f.service_secret());
    assert_eq!(*events.lock().unwrap(), vec![EventKind::DriftHealed]);
}

#[tokio::test]
async fn drift_is_healed_by_token_request() {
    let f = fixture(100.0).await;
    let client = f.rotation_client();
    client.status().await.unwrap();
    let service = f.token_service();
    let token = service
        .generate_user_token(
            common::USERNAME,
            &aa_rotation::Password::new(common::PASSWORD),
        )
        .await
        .unwrap();
    service
        .reset_secret(&token.token, ENTITY, None)
        .await
        .unwrap();

    let entity_token = client.access_token().await.unwrap();
    assert_eq!(
        entity_token.secret_fingerprint.as_str(),
        f.sim.counters().entities[ENTITY].fingerprint
    );
    assert_eq!(f.stored_secret().await, f.service_secret());
}

#[tokio::test]
async fn recover_with_nothing_to_do() {
    let f = fixture(100.0).await;
    let outcome = f.rotation_client().recover().await.unwrap();
    assert_eq!(outcome.action, RecoveryAction::Nothing);
    assert_eq!(f.resets(), 0);
}

#[tokio::test]
async fn bootstrap_reads_expiry_from_service() {
    let f = fixture(100.0).await;
    let status = f.rotation_client().status().await.unwrap();
    assert_eq!(status.state, SecretState::Healthy);
    assert!((status.days_left.unwrap() - 100.0).abs() < 0.01);
    assert_eq!(
        status.fingerprint,
        Some(ClientSecret::new(SECRET).fingerprint())
    );
    assert_eq!(f.sim.counters().calls.secret_read, 1);
}

#[tokio::test]
async fn bootstrap_from_secret_alone_has_unknown_expiry() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.engine.credentials = None;
    config.engine.bootstrap_secret = Some(ClientSecret::new(SECRET));
    let client = RotationClient::new(config).unwrap();
    let status = client.status().await.unwrap();
    assert_eq!(status.state, SecretState::Unknown);
    assert_eq!(status.expires_at, None);
    assert_eq!(
        serde_json::to_value(status.expiry_source).unwrap(),
        "configured"
    );
    // The token cache works without the designated user.
    assert!(client.access_token().await.is_ok());
}

#[tokio::test]
async fn configured_secret_learns_expiry_when_user_is_known() {
    let f = fixture(40.0).await;
    let mut config = f.rotation_config();
    config.engine.bootstrap_secret = Some(ClientSecret::new(SECRET));
    let mut no_user = config.clone();
    no_user.engine.credentials = None;
    RotationClient::new(no_user)
        .unwrap()
        .status()
        .await
        .unwrap();
    let status = RotationClient::new(config).unwrap().status().await.unwrap();
    assert!(
        (status.days_left.unwrap() - 40.0).abs() < 0.01,
        "{:?}",
        status.days_left
    );
}

#[tokio::test]
async fn empty_store_without_credentials_is_not_bootstrapped() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.engine.credentials = None;
    let error = RotationClient::new(config)
        .unwrap()
        .status()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotBootstrapped);
    assert!(error.to_string().contains("AA_ROTATION_SECRET"), "{error}");
}

#[tokio::test]
async fn window_defers_scheduled_rotation() {
    let f = fixture(10.0).await;
    let mut config = f.rotation_config();
    // A half-hour window starting on the hour twelve hours from now is
    // closed now, whatever the minute (a minute-wide window at hh:59 would
    // wrap past midnight and contain the present).
    let closed = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(12))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC);
    let spec = format!("* {:02}:00-{:02}:30 UTC", closed.hour(), closed.hour());
    config.engine.policy.window = Some(RotationWindow::parse(&spec).unwrap());
    let client = RotationClient::new(config).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    client.subscribe(move |event| seen.lock().unwrap().push(event.kind));
    let outcome = client.ensure_fresh().await.unwrap();
    assert_eq!(outcome.action, RotationAction::Deferred);
    assert_eq!(f.resets(), 0);
    assert_eq!(*events.lock().unwrap(), vec![EventKind::ExpiryWarning]);
    // A manual rotation ignores the window.
    assert_eq!(
        client.rotate(DUE).await.unwrap().action,
        RotationAction::Rotated
    );
}

#[tokio::test]
async fn grace_period_rotates_outside_window() {
    let f = fixture(-2.0).await;
    let mut config = f.rotation_config();
    let closed = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(12))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC);
    let spec = format!("* {:02}:00-{:02}:01 UTC", closed.hour(), closed.hour());
    config.engine.policy.window = Some(RotationWindow::parse(&spec).unwrap());
    let client = RotationClient::new(config).unwrap();
    assert_eq!(
        client.status().await.unwrap().state,
        SecretState::GracePeriod
    );
    let outcome = client.ensure_fresh().await.unwrap();
    assert_eq!(outcome.action, RotationAction::Rotated);
    assert_eq!(f.resets(), 1);
}

#[tokio::test]
async fn expired_secret_is_rotated_with_user_credentials() {
    let f = fixture(-30.0).await;
    let client = f.rotation_client();
    assert_eq!(client.status().await.unwrap().state, SecretState::Expired);
    assert_eq!(
        client.ensure_fresh().await.unwrap().action,
        RotationAction::Rotated
    );
    assert!(client.access_token().await.is_ok());
}

#[tokio::test]
async fn wrong_password_fails_rotation_cleanly() {
    let f = fixture(10.0).await;
    let mut config = f.rotation_config();
    config.engine.credentials.as_mut().unwrap().password =
        aa_rotation::Password::new("wrong-password-123");
    let error = RotationClient::new(config)
        .unwrap()
        .rotate(DUE)
        .await
        .unwrap_err();
    assert_eq!(error.root().kind(), ErrorKind::InvalidUserCredentials);
    assert!(!format!("{error} {error:?}").contains("wrong-password-123"));
}

#[tokio::test]
async fn unapplied_lost_reset_is_retried_once() {
    let f = fixture(10.0).await;
    // The connection closes before the service acts: the same lost reply as
    // after a Reset, but Read shows the old secret, so one more Reset is safe.
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::DropBeforeApply, Some(1))
        .unwrap();
    let outcome = f.rotation_client().rotate(DUE).await.unwrap();
    assert_eq!(outcome.action, RotationAction::Rotated);
    assert_eq!(outcome.resets, 2);
    assert_eq!(f.sim.counters().calls.secret_reset, 2);
    assert_eq!(f.resets(), 1);
    assert_eq!(f.stored_secret().await, f.service_secret());
}

#[tokio::test]
async fn twice_lost_unapplied_reset_fails_without_third() {
    let f = fixture(10.0).await;
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::DropBeforeApply, Some(2))
        .unwrap();
    let error = f.rotation_client().rotate(DUE).await.unwrap_err();
    assert_eq!(error.root().kind(), ErrorKind::Connection);
    assert_eq!(f.sim.counters().calls.secret_reset, 2);
    assert_eq!(f.resets(), 0);
    let record = aa_rotation::store::FileStore::new(f.store_path())
        .unwrap()
        .get(ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.journal, Journal::Idle);
    assert_eq!(record.current.unwrap().value.expose_secret(), SECRET);
}
