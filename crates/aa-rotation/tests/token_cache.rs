//! The entity-token cache: single flight, refresh at 80% of life,
//! invalidation, and a secret rotated elsewhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use aa_rotation::{ClientSecret, Clock, ErrorKind, RotateOptions, RotationClient};
use common::{SECRET, fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_cold_callers_make_one_request() {
    let f = fixture(100.0).await;
    let client = f.shared_client();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.access_token().await })
        })
        .collect();
    let mut values = std::collections::HashSet::new();
    for task in tasks {
        values.insert(
            task.await
                .unwrap()
                .unwrap()
                .token
                .expose_secret()
                .to_owned(),
        );
    }
    assert_eq!(values.len(), 1);
    assert_eq!(f.sim.counters().calls.entity_token, 1);
}

#[tokio::test]
async fn cached_token_makes_no_request() {
    let f = fixture(100.0).await;
    let client = f.rotation_client();
    let first = client.access_token().await.unwrap();
    let second = client.access_token().await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    assert!(client.cached_access_token().is_some());
    assert_eq!(f.sim.counters().calls.entity_token, 1);
}

#[tokio::test]
async fn invalidate_removes_only_that_token() {
    let f = fixture(100.0).await;
    let client = f.rotation_client();
    let first = client.access_token().await.unwrap();
    client.invalidate(Some("some-other-token"));
    assert!(client.cached_access_token().is_some());
    client.invalidate(Some(first.token.expose_secret()));
    assert!(client.cached_access_token().is_none());
    let second = client.access_token().await.unwrap();
    assert_ne!(first.token.expose_secret(), second.token.expose_secret());
    assert_eq!(f.sim.counters().calls.entity_token, 2);
}

#[tokio::test]
async fn refresh_starts_at_eighty_percent_of_life() {
    let f = fixture(100.0).await;
    let clock = Clock::system();
    let mut config = f.rotation_config();
    config.clock = clock.clone();
    let client = RotationClient::new(config).unwrap();
    client.access_token().await.unwrap();

    // 80% of the simulator's 24-hour token is 19.2 hours.
    let advance = |seconds: u64| {
        clock.advance(Duration::from_secs(seconds));
        f.sim.advance_clock(Duration::from_secs(seconds));
    };
    advance(19 * 3600);
    client.access_token().await.unwrap();
    assert_eq!(f.sim.counters().calls.entity_token, 1);
    advance(20 * 60);
    client.access_token().await.unwrap();
    assert_eq!(f.sim.counters().calls.entity_token, 2);
}

#[tokio::test]
async fn rejected_secret_without_user_is_typed_error() {
    let f = fixture(100.0).await;
    let mut config = f.rotation_config();
    config.engine.credentials = None;
    config.engine.bootstrap_secret = Some(ClientSecret::new("stale-secret-value"));
    let error = RotationClient::new(config)
        .unwrap()
        .access_token()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidEntitySecret);
    assert!(!error.to_string().contains("stale-secret-value"));
}

#[tokio::test]
async fn rotation_by_another_process_is_picked_up() {
    let f = fixture(100.0).await;
    let this = f.rotation_client();
    let old = this.access_token().await.unwrap();
    assert_eq!(
        old.secret_fingerprint,
        ClientSecret::new(SECRET).fingerprint()
    );

    // Another process rotates the shared store.
    f.rotation_client()
        .rotate(RotateOptions {
            force: true,
            dry_run: false,
        })
        .await
        .unwrap();
    // A peer rejects the old token (tokens stay valid at the simulator, but
    // a peer may still answer 401); the next token uses the new secret.
    this.invalidate(Some(old.token.expose_secret()));
    let new = this.access_token().await.unwrap();
    assert_eq!(
        new.secret_fingerprint.as_str(),
        f.sim.counters().entities[common::ENTITY].fingerprint
    );
    assert_eq!(f.resets(), 1);
}

#[tokio::test]
async fn own_rotation_invalidates_cache() {
    let f = fixture(100.0).await;
    let client = f.rotation_client();
    let old = client.access_token().await.unwrap();
    client
        .rotate(RotateOptions {
            force: true,
            dry_run: false,
        })
        .await
        .unwrap();
    let new = client.access_token().await.unwrap();
    assert_ne!(old.secret_fingerprint, new.secret_fingerprint);
}

#[tokio::test]
async fn token_change_listener_sees_new_token() {
    let f = fixture(100.0).await;
    let client = f.rotation_client();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    client.on_token_change(move |cached| sink.lock().unwrap().push(cached.map(|c| c.refresh_at)));
    let token = client.access_token().await.unwrap();
    client.invalidate(None);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let refresh_at = seen[0].unwrap();
    let life = token
        .expires_at
        .duration_since(token.issued_at)
        .as_secs_f64();
    let until_refresh = refresh_at.duration_since(token.issued_at).as_secs_f64();
    assert!((until_refresh / life - 0.8).abs() < 0.001);
    assert_eq!(seen[1], None);
}
