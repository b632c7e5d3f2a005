//! `POST /iam/v1/entity/secret/reset`: a new secret, its validity and its effects.

use aa_rotation_sim::{SimConfig, UserSeed, fingerprint};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

const INVALID_CREDENTIALS: &str = "Invalid entity id/secret or secret is expired";

fn default_message(days: u32) -> String {
    format!(
        "The expiry is set to {days} days by default, as the user didn't specify or exceeded the default limit"
    )
}

/// Asserts that `expiresOn` (milliseconds) is `days` days after the simulator's current time.
fn assert_expires_in_days(reply: &JsonReply, now_seconds: i64, days: i64) {
    let expires_on = reply.field("expiresOn").as_i64().unwrap();
    let expected = (now_seconds + days * DAY) * 1000;
    assert!(
        (expires_on - expected).abs() <= 3000,
        "expiresOn {expires_on} is not {days} days from now ({expected})"
    );
}

#[tokio::test]
async fn reset_replaces_secret() {
    let harness = start().await;
    let token = harness.user_token().await;
    let body = secret_body(ENTITY);
    let reply = harness.secret_call("reset", Some(&token), &body).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.field("txnId"), &body["txnId"]);
    assert_eq!(reply.str_field("entityId"), ENTITY);
    let new_secret = reply.str_field("secret");
    assert_ne!(new_secret, SECRET);
    assert_eq!(new_secret.len(), 32);
    assert!(
        new_secret.chars().all(|c| c.is_ascii_alphanumeric()),
        "{new_secret}"
    );
    assert!(reply.str_field("expirationDate").len() == 23);

    assert_eq!(
        harness.sim.current_secret(ENTITY).as_deref(),
        Some(new_secret)
    );
    let counters = harness.sim.counters();
    assert_eq!(counters.resets_of(ENTITY), 1);
    assert_eq!(counters.resets_of(OTHER_ENTITY), 0);
    assert_eq!(counters.calls.secret_reset, 1);
    assert_eq!(
        counters.entities[ENTITY].fingerprint,
        fingerprint(new_secret)
    );

    let read = harness.read(ENTITY).await;
    assert_eq!(read.str_field("secret"), new_secret);
    assert_eq!(read.field("expiresOn"), reply.field("expiresOn"));
}

#[tokio::test]
async fn reset_kills_old_secret_at_once() {
    let harness = start().await;
    let reply = harness.reset(ENTITY, None).await;
    let new_secret = reply.str_field("secret").to_owned();

    let old = harness.entity_token_reply(ENTITY, SECRET).await;
    old.assert_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        INVALID_CREDENTIALS,
    );
    let new = harness.entity_token_reply(ENTITY, &new_secret).await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
}

#[tokio::test]
async fn reset_keeps_issued_entity_tokens_valid() {
    let harness = start().await;
    let before = harness.entity_token_reply(ENTITY, SECRET).await;
    assert_eq!(before.status, StatusCode::OK);
    let token = before.str_field("accessToken").to_owned();

    let reply = harness.reset(ENTITY, None).await;
    assert_eq!(reply.status, StatusCode::OK);

    let claims = harness.verify_token(&token).await;
    assert_eq!(claims["sub"], ENTITY);
    let expires_at = claims["exp"].as_i64().unwrap();
    assert!(expires_at > harness.sim.now().as_second(), "token expired");
}

#[tokio::test]
async fn reset_honours_requested_days() {
    let harness = start().await;
    let now = harness.sim.now().as_second();
    let reply = harness.reset(ENTITY, Some(7)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_expires_in_days(&reply, now, 7);
    assert!(!reply.has("message"), "{}", reply.body);

    let expires_at = harness.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert!((expires_at - (now + 7 * DAY)).abs() <= 3);
}

#[tokio::test]
async fn reset_caps_days_at_maximum() {
    let harness = start().await;
    let now = harness.sim.now().as_second();
    let reply = harness.reset(ENTITY, Some(400)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_expires_in_days(&reply, now, 180);
    assert_eq!(reply.str_field("message"), default_message(180));
}

#[tokio::test]
async fn reset_without_days_uses_default() {
    let harness = start().await;
    let now = harness.sim.now().as_second();
    let reply = harness.reset(ENTITY, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_expires_in_days(&reply, now, 180);
    assert_eq!(reply.str_field("message"), default_message(180));
}

#[tokio::test]
async fn reset_message_uses_configured_maximum() {
    let harness = start_with(SimConfig {
        default_secret_expiry_days: 60,
        max_secret_expiry_days: 90,
        ..SimConfig::default()
    })
    .await;
    let now = harness.sim.now().as_second();

    let reply = harness.reset(ENTITY, Some(120)).await;
    assert_expires_in_days(&reply, now, 90);
    assert_eq!(reply.str_field("message"), default_message(90));

    let reply = harness.reset(ENTITY, None).await;
    assert_expires_in_days(&reply, now, 60);
    assert_eq!(reply.str_field("message"), default_message(60));

    let reply = harness.reset(ENTITY, Some(90)).await;
    assert_expires_in_days(&reply, now, 90);
    assert!(!reply.has("message"));
}

#[tokio::test]
async fn reset_capped_by_password_expiry() {
    let harness = start().await;
    let password_expiry = harness.sim.now().as_second() + 30 * DAY;
    harness.sim.add_user(UserSeed {
        username: "short@example.in".into(),
        password: "pw".into(),
        entities: vec![ENTITY.into()],
        password_expires_at: Some(password_expiry),
    });
    let token = harness
        .user_token_reply("short@example.in", "pw")
        .await
        .str_field("accessToken")
        .to_owned();

    let mut body = secret_body(ENTITY);
    body["secretExpiryDays"] = json!(90);
    let reply = harness.secret_call("reset", Some(&token), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.field("expiresOn"), password_expiry * 1000);
    assert_eq!(
        harness.sim.counters().entities[ENTITY].expires_at,
        Some(password_expiry)
    );
}

#[tokio::test]
async fn reset_rejects_invalid_days() {
    let harness = start().await;
    let token = harness.user_token().await;
    for days in [json!(0), json!(-3), json!(7.5), json!("7"), json!(true)] {
        let mut body = secret_body(ENTITY);
        body["secretExpiryDays"] = days.clone();
        let reply = harness.secret_call("reset", Some(&token), &body).await;
        let expected =
            format!("secretExpiryDays must be a whole number of days, at least 1; got {days}");
        reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", &expected);
    }
    assert_eq!(harness.sim.counters().resets_of(ENTITY), 0);
    assert_eq!(harness.sim.current_secret(ENTITY).as_deref(), Some(SECRET));
}

#[tokio::test]
async fn reset_entity_not_managed() {
    let harness = start().await;
    let reply = harness.reset(OTHER_ENTITY, None).await;
    reply.assert_error(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "User is not authorised for entity FIU-SIM-2",
    );
    assert_eq!(harness.sim.counters().resets_of(OTHER_ENTITY), 0);
    assert_eq!(
        harness.sim.current_secret(OTHER_ENTITY).as_deref(),
        Some(OTHER_SECRET)
    );
}

#[tokio::test]
async fn reset_errors_match_read() {
    let harness = start().await;
    let token = harness.user_token().await;

    let reply = harness
        .secret_call("reset", None, &secret_body(ENTITY))
        .await;
    reply.assert_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Invalid or expired user token",
    );

    let reply = harness
        .secret_call("reset", Some(&token), &secret_body(UNKNOWN_ENTITY))
        .await;
    reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", "Invalid entity id");

    let mut body = secret_body(ENTITY);
    body.as_object_mut().unwrap().remove("entityId");
    let reply = harness.secret_call("reset", Some(&token), &body).await;
    reply.assert_error(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "Entity Id is missing in the request",
    );

    let response = harness
        .secret_call_raw("reset", Some(&token), b"not json")
        .await;
    let reply = json_reply(response).await;
    reply.assert_error(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "Request body is not valid JSON",
    );

    assert_eq!(harness.sim.counters().resets_of(ENTITY), 0);
}

#[tokio::test]
async fn reset_legacy_secret_gains_expiry() {
    let harness = start().await;
    let now = harness.sim.now().as_second();
    let reply = harness.reset(NO_EXPIRY_ENTITY, Some(30)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_expires_in_days(&reply, now, 30);
    let read = harness.read(NO_EXPIRY_ENTITY).await;
    assert!(read.has("expiresOn"));
    assert!(read.has("expirationDate"));
}
