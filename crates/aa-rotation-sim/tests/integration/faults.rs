//! Each fault kind, its count, and which requests it touches.

use std::time::{Duration, Instant};

use aa_rotation_sim::{Endpoint, Fault};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use serde_json::Value;

use crate::support::*;

/// Sends an entity token request and returns the raw response.
async fn entity_token_response(harness: &Harness) -> reqwest::Response {
    harness
        .post_form(
            "/v1/entity/token/generate",
            &[("id", ENTITY), ("secret", SECRET)],
        )
        .await
}

/// Sends a Reset with a fresh user token and returns the raw result.
async fn reset_result(
    harness: &Harness,
    http: &reqwest::Client,
) -> reqwest::Result<reqwest::Response> {
    let token = harness.user_token().await;
    http.post(harness.url("/v1/entity/secret/reset"))
        .bearer_auth(token)
        .json(&secret_body(ENTITY))
        .send()
        .await
}

#[tokio::test]
async fn latency_delays_then_responds() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::EntityToken, Fault::Latency { ms: 300 }, Some(1))
        .unwrap();

    let started = Instant::now();
    let response = entity_token_response(&harness).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), StatusCode::OK);

    assert!(
        harness.sim.active_faults().is_empty(),
        "count=1 is used up by one request"
    );
}

#[tokio::test]
async fn error_fault_sends_envelope() {
    let harness = start().await;
    let fault = Fault::Error {
        status: 503,
        error_code: Some("ServiceUnavailable".into()),
        error_msg: Some("Token Service under maintenance".into()),
    };
    harness
        .sim
        .inject_fault(Endpoint::SecretReset, fault, Some(1))
        .unwrap();

    let reply = harness.reset(ENTITY, None).await;
    reply.assert_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "Token Service under maintenance",
    );
    let counters = harness.sim.counters();
    assert_eq!(
        counters.calls.secret_reset, 1,
        "a faulted request is counted"
    );
    assert_eq!(counters.resets_of(ENTITY), 0, "the endpoint did not run");
    assert_eq!(harness.sim.current_secret(ENTITY).as_deref(), Some(SECRET));

    let reply = harness.reset(ENTITY, None).await;
    assert_eq!(reply.status, StatusCode::OK, "count=1 applies once");
}

#[tokio::test]
async fn error_fault_defaults() {
    let harness = start().await;
    let fault = Fault::Error {
        status: 500,
        error_code: None,
        error_msg: None,
    };
    harness
        .sim
        .inject_fault(Endpoint::UserToken, fault, None)
        .unwrap();
    for _ in 0..2 {
        let reply = harness.user_token_reply(USERNAME, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.str_field("errorCode"), "Internal Server Error");
        assert!(reply.field("errorMsg").is_string());
    }

    harness.sim.clear_faults();
    assert!(harness.sim.active_faults().is_empty());
    let reply = harness.user_token_reply(USERNAME, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn html_fault_sends_gateway_page() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::EntityToken, Fault::Html { status: 502 }, Some(1))
        .unwrap();

    let response = entity_token_response(&harness).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html");
    let page = response.text().await.unwrap();
    assert!(page.contains("<title>502 Bad Gateway</title>"), "{page}");
    assert!((200..1000).contains(&page.len()), "{} bytes", page.len());
    assert!(serde_json::from_str::<Value>(&page).is_err());
}

#[tokio::test]
async fn empty_fault_sends_no_body() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::Empty { status: 504 }, Some(1))
        .unwrap();

    let token = harness.user_token().await;
    let response = harness
        .secret_call_raw(
            "read",
            Some(&token),
            &serde_json::to_vec(&secret_body(ENTITY)).unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn rate_limit_with_retry_after() {
    let harness = start().await;
    let fault = Fault::RateLimit {
        retry_after: Some(7),
    };
    harness
        .sim
        .inject_fault(Endpoint::EntityToken, fault, Some(1))
        .unwrap();

    let response = entity_token_response(&harness).await;
    assert_eq!(response.headers()[RETRY_AFTER], "7");
    let reply = json_reply(response).await;
    reply.assert_error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        "Too many requests. Retry after 7 seconds.",
    );
}

#[tokio::test]
async fn rate_limit_without_retry_after() {
    let harness = start().await;
    let fault = Fault::RateLimit { retry_after: None };
    harness
        .sim
        .inject_fault(Endpoint::EntityToken, fault, Some(1))
        .unwrap();

    let response = entity_token_response(&harness).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!response.headers().contains_key(RETRY_AFTER));
}

#[tokio::test]
async fn drop_after_apply_loses_response() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))
        .unwrap();

    let error = reset_result(&harness, &harness.http).await.unwrap_err();
    assert!(
        !error.is_timeout(),
        "expected a closed connection: {error:?}"
    );
    assert!(
        error.status().is_none(),
        "no HTTP status was sent: {error:?}"
    );

    let counters = harness.sim.counters();
    assert_eq!(counters.resets_of(ENTITY), 1, "the Reset was applied");
    let secret = harness.sim.current_secret(ENTITY).unwrap();
    assert_ne!(secret, SECRET, "the secret changed");
    let read = harness.read(ENTITY).await;
    assert_eq!(read.str_field("secret"), secret);

    let response = reset_result(&harness, &harness.http).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "count=1 applies once");
    assert_eq!(harness.sim.counters().resets_of(ENTITY), 2);
}

#[tokio::test]
async fn drop_before_apply_loses_response_and_effect() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::DropBeforeApply, Some(1))
        .unwrap();

    let error = reset_result(&harness, &harness.http).await.unwrap_err();
    assert!(
        error.status().is_none(),
        "no HTTP status was sent: {error:?}"
    );
    assert_eq!(harness.sim.counters().calls.secret_reset, 1);
    assert_eq!(
        harness.sim.counters().resets_of(ENTITY),
        0,
        "the Reset did not happen"
    );
    assert_eq!(harness.sim.current_secret(ENTITY).unwrap(), SECRET);

    let response = reset_result(&harness, &harness.http).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "count=1 applies once");
    assert_eq!(harness.sim.counters().resets_of(ENTITY), 1);
}

#[tokio::test]
async fn hang_after_apply_never_responds() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::HangAfterApply, Some(1))
        .unwrap();

    let impatient = client(Duration::from_millis(500));
    let error = reset_result(&harness, &impatient).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(harness.sim.counters().resets_of(ENTITY), 1);
    assert_ne!(harness.sim.current_secret(ENTITY).unwrap(), SECRET);

    let Harness { sim, .. } = harness;
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .expect("shutdown does not wait for the held connection");
}

#[tokio::test]
async fn expires_on_seconds_fault() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpiresOnSeconds, Some(1))
        .unwrap();
    let reply = harness.read(ENTITY).await;
    let expires_at = harness.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(reply.field("expiresOn"), expires_at);

    let reply = harness.read(ENTITY).await;
    assert_eq!(reply.field("expiresOn"), expires_at * 1000);
}

#[tokio::test]
async fn expiration_date_only_fault() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::ExpirationDateOnly, Some(1))
        .unwrap();
    let reply = harness.reset(ENTITY, Some(30)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.has("expiresOn"), "{}", reply.body);
    assert!(reply.field("expirationDate").is_string());
    assert!(reply.field("secret").is_string());
}

#[tokio::test]
async fn expires_on_out_of_range_fault() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpiresOnOutOfRange, Some(1))
        .unwrap();
    let reply = harness.read(ENTITY).await;
    assert_eq!(reply.field("expiresOn"), 1);
}

#[tokio::test]
async fn unknown_fields_fault() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::UnknownFields, Some(1))
        .unwrap();
    let reply = harness.read(ENTITY).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.str_field("secret"), SECRET);
    let known = [
        "ver",
        "timestamp",
        "txnId",
        "entityId",
        "secret",
        "expiresOn",
        "expirationDate",
    ];
    let object = reply.body.as_object().unwrap();
    let unknown: Vec<&String> = object
        .keys()
        .filter(|key| !known.contains(&key.as_str()))
        .collect();
    assert!(unknown.len() >= 2, "{}", reply.body);
    assert!(
        unknown.iter().any(|key| object[key.as_str()].is_object()),
        "a nested unknown object: {}",
        reply.body
    );
}

#[tokio::test]
async fn malformed_json_fault() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::EntityToken, Fault::MalformedJson, Some(1))
        .unwrap();
    let response = entity_token_response(&harness).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    let text = response.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn oversized_fault() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(
            Endpoint::UserToken,
            Fault::Oversized { bytes: 100_000 },
            Some(1),
        )
        .unwrap();
    let response = harness
        .post_form(
            "/v1/user/token/generate",
            &[("username", USERNAME), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len(), 100_000);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(body["accessToken"].is_string());
}

#[tokio::test]
async fn redirect_fault() {
    let harness = start().await;
    let target = harness.url("/v1/somewhere-else");
    let fault = Fault::Redirect {
        location: target.clone(),
    };
    harness
        .sim
        .inject_fault(Endpoint::EntityToken, fault, Some(1))
        .unwrap();

    let response = entity_token_response(&harness).await;
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(response.headers()[LOCATION], target.as_str());

    let followed = harness.http.get(&target).send().await.unwrap();
    let reply = json_reply(followed).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn redirect_to_other_host_rejected() {
    let harness = start().await;
    let fault = Fault::Redirect {
        location: "https://api.example.com/iam".into(),
    };
    let error = harness
        .sim
        .inject_fault(Endpoint::EntityToken, fault, Some(1))
        .unwrap_err();
    assert!(error.to_string().contains("loopback"), "{error}");
}

#[tokio::test]
async fn message_fault() {
    let harness = start().await;
    let fault = Fault::Message {
        message: "Scheduled maintenance on Sunday".into(),
    };
    harness
        .sim
        .inject_fault(Endpoint::UserToken, fault, Some(1))
        .unwrap();
    let reply = harness.user_token_reply(USERNAME, PASSWORD).await;
    assert_eq!(
        reply.str_field("message"),
        "Scheduled maintenance on Sunday"
    );
}

#[tokio::test]
async fn fault_touches_only_its_endpoint() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretReset, Fault::Html { status: 503 }, None)
        .unwrap();

    let read = harness.read(ENTITY).await;
    assert_eq!(read.status, StatusCode::OK);
    let token = harness.entity_token_reply(ENTITY, SECRET).await;
    assert_eq!(token.status, StatusCode::OK);
    assert_eq!(harness.sim.active_faults().len(), 1);
}

#[tokio::test]
async fn faults_combine() {
    let harness = start().await;
    harness
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::Latency { ms: 200 }, Some(1))
        .unwrap();
    harness
        .sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpiresOnSeconds, Some(1))
        .unwrap();

    let started = Instant::now();
    let reply = harness.read(ENTITY).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    let expires_at = harness.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(reply.field("expiresOn"), expires_at);
}
