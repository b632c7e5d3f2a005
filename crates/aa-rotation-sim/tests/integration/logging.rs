//! No secret, password or token reaches the simulator's logs, even at trace level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use aa_rotation_sim::{Endpoint, Fault, fingerprint};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

/// A `MakeWriter` that appends every log line to a shared buffer.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn trace_log_has_no_credentials() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The global default, not a thread-local one: the other tests of this
    // binary run in parallel, and a thread-local subscriber can miss events
    // whose callsite another thread first saw with no subscriber (tracing
    // caches that callsite as disabled). No other test here sets one. The
    // capture then holds those tests' lines too, which carry no credentials
    // either.
    tracing::subscriber::set_global_default(subscriber)
        .expect("no other test sets a global subscriber");

    let harness = start().await;
    let mut canaries = vec![PASSWORD.to_owned(), SECRET.to_owned()];

    let user_token = harness.user_token().await;
    canaries.push(user_token.clone());
    let read = harness
        .secret_call("read", Some(&user_token), &secret_body(ENTITY))
        .await;
    assert_eq!(read.status, StatusCode::OK);

    harness
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))
        .unwrap();
    let dropped = harness
        .http
        .post(harness.url("/v1/entity/secret/reset"))
        .bearer_auth(&user_token)
        .json(&secret_body(ENTITY))
        .send()
        .await;
    assert!(dropped.is_err());
    canaries.push(harness.sim.current_secret(ENTITY).unwrap());

    let reset = harness.reset(ENTITY, Some(30)).await;
    let new_secret = reset.str_field("secret").to_owned();
    canaries.push(new_secret.clone());

    let rejected = harness.entity_token_reply(ENTITY, SECRET).await;
    assert_eq!(rejected.status, StatusCode::UNAUTHORIZED);
    let entity_token = harness.entity_token_reply(ENTITY, &new_secret).await;
    canaries.push(entity_token.str_field("accessToken").to_owned());

    let oidc = harness
        .http
        .post(harness.sim.oidc_token_url())
        .basic_auth(ENTITY, Some(&new_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(oidc.status(), StatusCode::OK);

    let seed = json!({
        "users": [{ "username": "log@example.in", "password": "log-canary-password" }],
        "entities": [{ "entityId": "AA-LOG", "secret": "log-canary-secret" }],
    });
    let seeded = harness
        .http
        .post(harness.root("/_sim/seed"))
        .json(&seed)
        .send()
        .await
        .unwrap();
    assert_eq!(seeded.status(), StatusCode::OK);
    canaries.push("log-canary-password".into());
    canaries.push("log-canary-secret".into());

    let text = log.text();
    for canary in &canaries {
        assert!(
            !text.contains(canary.as_str()),
            "log contains {canary:?}:\n{text}"
        );
    }
    assert!(
        text.contains(ENTITY),
        "log lines carry the entity id:\n{text}"
    );
    assert!(
        text.contains(&fingerprint(&new_secret)),
        "log lines carry the fingerprint:\n{text}"
    );
}
