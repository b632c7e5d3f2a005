//! One test per fault found by trying the tool as a new user would, each with
//! the input that produced it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use aa_rotation::engine::{FailAction, RotationAction};
use aa_rotation::store::{Journal, SecretStore};
use aa_rotation::{ErrorKind, RotateOptions, RotationClient, Settings};
use aa_rotation_sim::{Endpoint, EntitySeed, Fault, SimConfig, UserSeed};
use common::{ENTITY, SECRET, fixture, fixture_with};

const FORCE: RotateOptions = RotateOptions {
    force: true,
    dry_run: false,
};

async fn record(f: &common::Fixture) -> aa_rotation::store::SecretRecord {
    aa_rotation::store::FileStore::new(f.store_path())
        .unwrap()
        .get(ENTITY)
        .await
        .unwrap()
        .unwrap()
}

/// A 2xx Reset reply that cannot be used may follow a Reset that took effect:
/// Read must decide, and the journal must not be cleared blindly.
#[tokio::test]
async fn unusable_reset_replies_are_resolved_by_read() {
    for fault in [
        Fault::MalformedJson,
        Fault::ExpiresOnOutOfRange,
        Fault::Oversized { bytes: 2_000_000 },
    ] {
        let f = fixture(10.0).await;
        let label = fault.kind();
        f.sim
            .inject_fault(Endpoint::SecretReset, fault, Some(1))
            .unwrap();
        let outcome = f.rotation_client().rotate(FORCE).await.unwrap();
        assert_eq!(outcome.action, RotationAction::Rotated, "{label}");
        assert_eq!(f.resets(), 1, "{label}");
        assert_eq!(f.stored_secret().await, f.service_secret(), "{label}");
        assert_eq!(record(&f).await.journal, Journal::Idle, "{label}");
    }
}

/// Two overlapping forced rotations: the second loaded the record while the
/// first's journal was `resetting`, and must not send a second Reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_forced_rotations_make_one_reset() {
    let f = fixture(100.0).await;
    f.rotation_client().status().await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::Latency { ms: 1_500 }, Some(1))
        .unwrap();
    let first = f.shared_client();
    let second = f.shared_client();
    let first_task = tokio::spawn(async move { first.rotate(FORCE).await });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second_outcome = second.rotate(FORCE).await.unwrap();
    let first_outcome = first_task.await.unwrap().unwrap();
    assert_eq!(first_outcome.action, RotationAction::Rotated);
    assert_eq!(second_outcome.action, RotationAction::RotatedElsewhere);
    assert_eq!(f.resets(), 1);
    assert_eq!(f.stored_secret().await, f.service_secret());
}

/// A forced rotation waiting on a killed one finishes it instead of resetting again.
#[tokio::test]
async fn forced_rotation_after_crash_sends_no_second_reset() {
    let f = fixture(100.0).await;
    f.crash_rotation("persist", true).await;
    let outcome = f.rotation_client().rotate(FORCE).await.unwrap();
    assert_eq!(outcome.action, RotationAction::RotatedElsewhere);
    assert_eq!(f.resets(), 1);
    assert_eq!(f.stored_secret().await, f.service_secret());
}

/// `AA_ROTATION_SECRET_EXPIRY_DAYS=20` with the default 30-day threshold, and
/// `AA_ROTATION_ROTATE_BEFORE_DAYS=400`, would rotate on every check.
#[tokio::test]
async fn looping_policies_are_rejected_at_construction() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.engine.policy.secret_expiry_days = Some(20);
    let error = RotationClient::new(config).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(
        error.to_string().contains("AA_ROTATION_SECRET_EXPIRY_DAYS"),
        "{error}"
    );

    let mut config = f.rotation_config();
    config.engine.policy.rotate_before = aa_rotation::policy::days(400);
    let error = RotationClient::new(config).unwrap_err();
    assert!(error.to_string().contains("180 days"), "{error}");
}

/// A service that grants less validity than the threshold (here it caps every
/// secret at 20 days) must not make the schedule rotate on every check.
#[tokio::test]
async fn short_granted_validity_does_not_loop() {
    let config = SimConfig {
        default_secret_expiry_days: 20,
        max_secret_expiry_days: 20,
        ..SimConfig::default()
    };
    let f = fixture_with(10.0, config).await;
    let client = f.rotation_client();
    assert_eq!(
        client.ensure_fresh().await.unwrap().action,
        RotationAction::Rotated
    );
    let again = client.ensure_fresh().await.unwrap();
    assert_eq!(again.action, RotationAction::Deferred);
    assert!(
        again.reason.contains("AA_ROTATION_ROTATE_BEFORE_DAYS"),
        "{}",
        again.reason
    );
    assert_eq!(f.resets(), 1);
}

/// A dry run with an interrupted rotation in the store changes nothing.
#[tokio::test]
async fn dry_run_does_not_recover() {
    let f = fixture(100.0).await;
    f.crash_rotation("persist", true).await;
    let before = record(&f).await;
    let calls_before = f.sim.counters().calls;

    let outcome = f
        .rotation_client()
        .rotate(RotateOptions {
            force: false,
            dry_run: true,
        })
        .await
        .unwrap();
    assert_eq!(outcome.action, RotationAction::DryRun);
    assert!(outcome.reason.contains("interrupted"), "{}", outcome.reason);
    let after = record(&f).await;
    assert_eq!(after.version, before.version);
    assert_eq!(after.journal.as_str(), "verifying");
    assert_eq!(f.sim.counters().calls, calls_before);
}

/// During an interrupted rotation the pending secret is the live one, and
/// status reports it.
#[tokio::test]
async fn status_shows_pending_secret_as_live() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::EntityToken, Fault::Html { status: 502 }, None)
        .unwrap();
    let error = f.rotation_client().rotate(FORCE).await.unwrap_err();
    assert!(error.to_string().contains("at step verify"), "{error}");
    assert!(error.to_string().contains("aa-rotation recover"), "{error}");
    let status = f.rotation_client().status().await.unwrap();
    assert_eq!(
        status.fingerprint.unwrap().as_str(),
        f.sim.counters().entities[ENTITY].fingerprint
    );
    assert!(status.pending);
    assert!(status.reason.contains("interrupted"), "{}", status.reason);
}

/// A lost Reset reply whose Read also fails leaves an unknown outcome, and
/// the error names the command to run next.
#[tokio::test]
async fn unknown_reset_outcome_names_recover() {
    let f = fixture(10.0).await;
    f.rotation_client().status().await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))
        .unwrap();
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::Html { status: 502 }, None)
        .unwrap();
    let error = f.rotation_client().rotate(FORCE).await.unwrap_err();
    assert!(
        error.to_string().contains("run `aa-rotation recover`"),
        "{error}"
    );
    assert_eq!(record(&f).await.journal.as_str(), "resetting");
    f.sim.clear_faults();
    f.rotation_client().recover().await.unwrap();
    assert_eq!(f.stored_secret().await, f.service_secret());
}

/// `AA_ROTATION_STORE=/dev/null` must not get advice to chmod a device.
#[tokio::test]
async fn device_store_is_not_a_regular_file() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.store = aa_rotation::StoreChoice::File("/dev/null".into());
    let error = RotationClient::new(config)
        .unwrap()
        .status()
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a regular file"), "{error}");
    assert!(!error.contains("chmod"), "{error}");
}

#[test]
fn folder_password_file_is_rejected() {
    let error = Settings::load_with(None, |name| match name {
        "AA_ROTATION_ENTITY_ID" => Some("E".into()),
        "AA_ROTATION_ENV" => Some("uat".into()),
        "AA_ROTATION_USERNAME" => Some("bot@fiu.example".into()),
        "AA_ROTATION_PASSWORD_FILE" => Some("/etc".into()),
        _ => None,
    })
    .unwrap()
    .into_config()
    .unwrap_err()
    .to_string();
    assert!(error.contains("not a regular file"), "{error}");
    assert!(!error.contains("chmod"), "{error}");
}

#[test]
fn password_and_password_file_conflict() {
    let error = Settings::load_with(None, |name| match name {
        "AA_ROTATION_PASSWORD" => Some("x".into()),
        "AA_ROTATION_PASSWORD_FILE" => Some("/tmp/pw".into()),
        _ => None,
    })
    .unwrap_err()
    .to_string();
    assert!(error.contains("set only one"), "{error}");
}

#[test]
fn base_url_without_iam_is_rejected() {
    let error = Settings::load_with(None, |name| match name {
        "AA_ROTATION_ENTITY_ID" => Some("E".into()),
        "AA_ROTATION_BASE_URL" => Some("http://127.0.0.1:8080".into()),
        _ => None,
    })
    .unwrap()
    .into_config()
    .unwrap_err()
    .to_string();
    assert!(error.contains("does not end in /iam"), "{error}");
}

#[test]
fn toml_type_error_names_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aa.toml");
    std::fs::write(
        &path,
        "entity_id = \"E\"\nrotate_before_days = \"thirty\"\n",
    )
    .unwrap();
    let error = Settings::load_with(Some(&path), |_| None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("line 2"), "{error}");
    assert!(error.contains("rotate_before_days"), "{error}");
    assert!(error.contains("expected a number"), "{error}");
}

#[test]
fn relative_paths_follow_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aa.toml");
    std::fs::write(
        &path,
        "store = \"state/secret.json\"\naudit_log = \"audit.jsonl\"\n",
    )
    .unwrap();
    let settings = Settings::load_with(Some(&path), |_| None).unwrap();
    assert_eq!(
        settings.store.unwrap(),
        dir.path().join("state/secret.json").display().to_string()
    );
    assert_eq!(settings.audit_log.unwrap(), dir.path().join("audit.jsonl"));
}

#[test]
fn file_url_with_host_is_rejected() {
    let error = aa_rotation::StoreChoice::parse("file://otherhost/x.json")
        .unwrap_err()
        .to_string();
    assert!(error.contains("file:///"), "{error}");
    assert!(aa_rotation::StoreChoice::parse("file:relative.json").is_err());
    assert!(aa_rotation::StoreChoice::parse("file://localhost/var/x.json").is_ok());
}

#[tokio::test]
async fn audit_log_folder_path_is_rejected() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.audit_log = Some(f.dir.path().to_path_buf());
    let error = RotationClient::new(config).unwrap_err().to_string();
    assert!(error.contains("is a folder"), "{error}");
}

/// `check` must see that the designated user may not manage the entity.
#[tokio::test]
async fn probe_reports_entity_not_permitted_and_drift() {
    let f = fixture(100.0).await;
    f.sim.add_user(UserSeed {
        username: "other@fiu.example".into(),
        password: "other-password".into(),
        entities: vec!["SOMEONE-ELSE".into()],
        password_expires_at: None,
    });
    f.sim.add_entity(EntitySeed {
        entity_id: "SOMEONE-ELSE".into(),
        secret: "x".into(),
        expires_at: None,
    });
    let client = f.rotation_client();
    let report = client.probe().await.unwrap();
    assert_eq!(report.matches_service, Some(true));

    let mut config = f.rotation_config();
    config.engine.credentials.as_mut().unwrap().username = "other@fiu.example".into();
    config.engine.credentials.as_mut().unwrap().password =
        aa_rotation::Password::new("other-password");
    let error = RotationClient::new(config)
        .unwrap()
        .probe()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::EntityNotPermitted);

    // Drift: the secret reset elsewhere; the stored one no longer works.
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
    let error = client.probe().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidEntitySecret);
    assert_eq!(f.stored_secret().await, SECRET);
}

/// The schedule verifies the stored secret every interval and keeps the
/// result, so that a daemon's health check reports a dead secret.
#[tokio::test]
async fn schedule_records_each_check() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.check_interval = Duration::from_millis(200);
    let client = RotationClient::new(config).unwrap();
    client.start().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let check = client.last_check().unwrap();
    assert!(check.error.is_none(), "{:?}", check.error);
    assert_eq!(check.outcome.unwrap().action, RotationAction::NotDue);

    // The service fails behind a gateway: the next checks fail with the error code.
    f.sim
        .inject_fault(Endpoint::EntityToken, Fault::Html { status: 502 }, None)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let check = client.last_check().unwrap();
    assert_eq!(check.error_code, Some("GATEWAY_ERROR"), "{:?}", check.error);
    client.stop();
}

/// A cold-cache token request whose secret is reset under it by this
/// process's own rotation must get a token of the new secret, not a false
/// "expired" error. The rotation lingers after its Reset so that the request
/// reads the old secret, gets 401, and waits for the rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_request_during_own_rotation_succeeds() {
    for store in ["file", "memory"] {
        let f = fixture(10.0).await;
        let mut config = f.rotation_config();
        if store == "memory" {
            config.store = aa_rotation::StoreChoice::Memory;
        }
        let client = std::sync::Arc::new(RotationClient::new(config).unwrap());
        client.status().await.unwrap();
        client.engine().set_failpoint("reset", FailAction::Delay);
        let rotating = tokio::spawn({
            let client = client.clone();
            async move { client.rotate(FORCE).await }
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        let token = client
            .access_token()
            .await
            .unwrap_or_else(|e| panic!("{store}: {e}"));
        assert_eq!(
            rotating.await.unwrap().unwrap().action,
            RotationAction::Rotated,
            "{store}"
        );
        assert_eq!(
            token.secret_fingerprint.as_str(),
            f.sim.counters().entities[ENTITY].fingerprint,
            "{store}"
        );
        assert_eq!(f.resets(), 1, "{store}");
    }
}

/// A rotation whose future is dropped (an asyncio task cancelled, a request
/// handler timing out) must not keep the in-process lease until its
/// ten-minute time-to-live.
#[tokio::test]
async fn cancelled_rotation_releases_memory_lease() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.store = aa_rotation::StoreChoice::Memory;
    config.engine.lease_wait = Duration::from_secs(2);
    let client = RotationClient::new(config).unwrap();
    client.status().await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::Latency { ms: 1_500 }, Some(1))
        .unwrap();
    let cancelled = tokio::time::timeout(Duration::from_millis(300), client.rotate(FORCE)).await;
    assert!(cancelled.is_err(), "the rotation should still be running");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    // Whether or not the Reset took effect, recover can take the lease at once
    // and settles the outcome through Read.
    let started = std::time::Instant::now();
    let outcome = client.recover().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "recover waited for the lease"
    );
    assert!(
        matches!(
            outcome.action,
            aa_rotation::engine::RecoveryAction::Completed
                | aa_rotation::engine::RecoveryAction::RolledBack
        ),
        "{:?}",
        outcome.action
    );
    let token = client.access_token().await.unwrap();
    assert_eq!(
        token.secret_fingerprint.as_str(),
        f.sim.counters().entities[ENTITY].fingerprint
    );
}

/// `token_refresh_fraction = NaN` used to panic inside the token cache.
#[tokio::test]
async fn nan_refresh_fraction_is_rejected() {
    let f = fixture(100.0).await;
    for fraction in [f64::NAN, 0.0, 2.0, -1.0] {
        let mut config = f.rotation_config();
        config.token_refresh_fraction = fraction;
        let error = RotationClient::new(config).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{fraction}");
        assert!(error.to_string().contains("0.1 to 0.95"), "{error}");
    }
}

/// Host-language stores, as the bindings pass them in.
struct OddStore {
    behaviour: &'static str,
}

#[async_trait::async_trait]
impl SecretStore for OddStore {
    async fn get(
        &self,
        _entity_id: &str,
    ) -> aa_rotation::Result<Option<aa_rotation::store::SecretRecord>> {
        match self.behaviour {
            "hang" => std::future::pending().await,
            "other-entity" => Ok(Some(aa_rotation::store::SecretRecord::new("OTHER"))),
            _ => Ok(None),
        }
    }
    async fn put(
        &self,
        _record: &aa_rotation::store::SecretRecord,
        _expected: Option<u64>,
    ) -> aa_rotation::Result<bool> {
        Ok(false)
    }
    fn describe(&self) -> String {
        format!("test store ({})", self.behaviour)
    }
}

fn custom(f: &common::Fixture, behaviour: &'static str) -> RotationClient {
    let mut config = f.rotation_config();
    let store: std::sync::Arc<dyn SecretStore> = std::sync::Arc::new(OddStore { behaviour });
    config.store = aa_rotation::StoreChoice::Custom { store, lease: None };
    RotationClient::new(config).unwrap()
}

#[tokio::test]
async fn store_declining_first_write_is_named() {
    let f = fixture(100.0).await;
    let error = custom(&f, "decline").status().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Store, "{error}");
    assert!(error.to_string().contains("put returned false"), "{error}");
}

#[tokio::test]
async fn store_record_of_other_entity_is_rejected() {
    let f = fixture(100.0).await;
    let error = custom(&f, "other-entity").status().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Store, "{error}");
    assert!(error.to_string().contains("\"OTHER\""), "{error}");
}

#[tokio::test(start_paused = true)]
async fn hung_store_times_out() {
    let f = fixture(100.0).await;
    let error = custom(&f, "hang").status().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Store, "{error}");
    assert!(
        error.to_string().contains("did not return within 30 s"),
        "{error}"
    );
}
