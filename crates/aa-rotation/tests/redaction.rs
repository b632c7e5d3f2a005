//! Every type that holds a secret, password or token prints without the
//! value, in every form Rust offers (`Debug`, pretty `Debug`, `Display`
//! where implemented), and the serializable status types carry fingerprints
//! only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use aa_rotation::client::{Expiry, ExpirySource};
use aa_rotation::engine::{EngineConfig, UserCredentials};
use aa_rotation::store::{SecretRecord, StoredSecret};
use aa_rotation::{
    BearerToken, CachedToken, ClientConfig, ClientSecret, EntityToken, Password, RotateOptions,
    RotationConfig, SecretInfo, Settings, StoreChoice, UserToken,
};
use jiff::Timestamp;

const SECRET: &str = "canary-secret-5b1e";
const PASSWORD: &str = "canary-password-77c2";
const TOKEN: &str = "canary-token-a9d0";

fn assert_clean(label: &str, text: &str) {
    for value in [SECRET, PASSWORD, TOKEN] {
        assert!(!text.contains(value), "{label} prints a credential: {text}");
    }
}

fn check_debug<T: std::fmt::Debug>(label: &str, value: &T) {
    assert_clean(label, &format!("{value:?}"));
    assert_clean(label, &format!("{value:#?}"));
}

fn entity_token() -> EntityToken {
    EntityToken {
        token: BearerToken::new(TOKEN),
        issued_at: Timestamp::now(),
        expires_at: Timestamp::now(),
        warning: None,
        secret_fingerprint: ClientSecret::new(SECRET).fingerprint(),
    }
}

fn record() -> SecretRecord {
    let mut record = SecretRecord::new("FIU-1");
    let stored = StoredSecret::new(
        ClientSecret::new(SECRET),
        None,
        ExpirySource::Unknown,
        Timestamp::now(),
    );
    record.push_history(&stored, Timestamp::now(), "bootstrap");
    record.pending = Some(stored.clone());
    record.current = Some(stored);
    record
}

#[test]
fn wrappers_redact_debug_and_display() {
    let secret = ClientSecret::new(SECRET);
    let password = Password::new(PASSWORD);
    let token = BearerToken::new(TOKEN);
    check_debug("ClientSecret", &secret);
    check_debug("Password", &password);
    check_debug("BearerToken", &token);
    assert_clean(
        "ClientSecret Display",
        &format!("{secret} {secret:>40} {secret:<40}"),
    );
    assert_clean("Password Display", &format!("{password}"));
    assert_clean("BearerToken Display", &format!("{token}"));
}

#[test]
fn token_types_redact_debug() {
    check_debug("EntityToken", &entity_token());
    check_debug(
        "UserToken",
        &UserToken {
            token: BearerToken::new(TOKEN),
            issued_at: Timestamp::now(),
            expires_at: Timestamp::now(),
        },
    );
    check_debug(
        "CachedToken",
        &CachedToken {
            token: Arc::new(entity_token()),
            refresh_at: Timestamp::now(),
        },
    );
    check_debug(
        "SecretInfo",
        &SecretInfo {
            entity_id: "FIU-1".into(),
            secret: ClientSecret::new(SECRET),
            expiry: Expiry {
                at: None,
                source: ExpirySource::Unknown,
            },
            message: None,
            txn_id: None,
        },
    );
}

#[test]
fn store_types_redact_debug() {
    let record = record();
    check_debug("SecretRecord", &record);
    check_debug("StoredSecret", record.current.as_ref().unwrap());
    // The record's JSON is what a store keeps, so it must contain the value.
    assert!(record.to_json().unwrap().contains(SECRET));
}

#[test]
fn configuration_types_redact_debug() {
    let mut engine = EngineConfig::new("FIU-1");
    engine.credentials = Some(UserCredentials {
        username: "bot@fiu.example".into(),
        password: Password::new(PASSWORD),
    });
    engine.bootstrap_secret = Some(ClientSecret::new(SECRET));
    check_debug("UserCredentials", engine.credentials.as_ref().unwrap());
    check_debug("EngineConfig", &engine);
    let config = RotationConfig::new(
        engine,
        ClientConfig::for_base_url("http://127.0.0.1:9/iam").unwrap(),
        StoreChoice::Memory,
    );
    check_debug("RotationConfig", &config);
    let client = aa_rotation::RotationClient::new(config).unwrap();
    check_debug("RotationClient", &client);
    check_debug("TokenServiceClient", client.token_service());

    let settings = Settings::load_with(None, |name| match name {
        "AA_ROTATION_PASSWORD" => Some(PASSWORD.into()),
        "AA_ROTATION_SECRET" => Some(SECRET.into()),
        _ => None,
    })
    .unwrap();
    check_debug("Settings", &settings);
}

#[tokio::test]
async fn status_outcome_and_events_carry_no_values() {
    let f = common::fixture(10.0).await;
    let client = f.rotation_client();
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    client.subscribe(move |event| {
        sink.lock()
            .unwrap()
            .push(serde_json::to_string(event).unwrap())
    });
    let status = client.status().await.unwrap();
    let outcome = client.rotate(RotateOptions::default()).await.unwrap();
    let recovery = client.recover().await.unwrap();
    let new_secret = f.service_secret();
    let texts = [
        serde_json::to_string(&status).unwrap(),
        serde_json::to_string(&outcome).unwrap(),
        serde_json::to_string(&recovery).unwrap(),
        format!("{status:?} {outcome:?} {recovery:?}"),
        events.lock().unwrap().join("\n"),
    ];
    for text in texts {
        assert!(!text.contains(common::SECRET), "{text}");
        assert!(!text.contains(&new_secret), "{text}");
        assert!(!text.contains(common::PASSWORD), "{text}");
    }
}
