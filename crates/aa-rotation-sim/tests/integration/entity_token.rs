//! `POST /iam/v1/entity/token/generate`, the grace period, and the JWKS.

use aa_rotation_sim::{EntitySeed, SimConfig};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

const INVALID: &str = "Invalid entity id/secret or secret is expired";
const MISSING: &str = "Entity Id/Secret is missing in the request";
const LATE_ENTITY: &str = "AA-LATE-1";
const LATE_SECRET: &str = "late-secret";

/// Seeds `LATE_ENTITY` with a secret that expired `days_ago` days ago; returns the expiry.
fn seed_expired(harness: &Harness, days_ago: i64) -> i64 {
    let expires_at = harness.sim.now().as_second() - days_ago * DAY;
    harness.sim.add_entity(EntitySeed {
        entity_id: LATE_ENTITY.into(),
        secret: LATE_SECRET.into(),
        expires_at: Some(expires_at),
    });
    expires_at
}

fn grace_message(expires_at: i64) -> String {
    let grace_end = Timestamp::from_second(expires_at + 5 * DAY).unwrap();
    format!(
        "The secret for entity {LATE_ENTITY} is expired and within the grace period; reset it before {grace_end:.3}"
    )
}

#[tokio::test]
async fn entity_token_success_body() {
    let harness = start().await;
    let reply = harness.entity_token_reply(ENTITY, SECRET).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.str_field("ver"), "1.0.0");
    assert_rfc3339_millis(reply.str_field("timestamp"));
    assert_uuid_v4(reply.str_field("txnId"));
    assert_eq!(reply.field("expiresIn"), 86_400);
    assert_eq!(reply.field("refreshExpiresIn"), 0);
    assert_eq!(reply.str_field("tokenType"), "Bearer");
    assert_eq!(reply.field("notBeforePolicy"), 0);
    assert!(reply.field("scope").is_string());
    assert!(!reply.has("message"));
    assert_eq!(harness.sim.counters().calls.entity_token, 1);
}

#[tokio::test]
async fn entity_token_claims_verify() {
    let harness = start().await;
    let reply = harness.entity_token_reply(ENTITY, SECRET).await;
    let claims = harness.verify_token(reply.str_field("accessToken")).await;

    assert_eq!(claims["iss"], harness.sim.base_url().as_str());
    assert_eq!(claims["sub"], ENTITY);
    assert_eq!(claims["azp"], ENTITY);
    assert_eq!(claims["typ"], "entity");
    assert!(claims["jti"].is_string());
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 86_400);
}

#[tokio::test]
async fn entity_token_validity_is_configurable() {
    let harness = start_with(SimConfig {
        entity_token_validity_seconds: 600,
        ..SimConfig::default()
    })
    .await;
    let reply = harness.entity_token_reply(ENTITY, SECRET).await;
    assert_eq!(reply.field("expiresIn"), 600);
    let claims = harness.verify_token(reply.str_field("accessToken")).await;
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 600);
}

#[tokio::test]
async fn jwks_endpoints_publish_same_key() {
    let harness = start().await;
    let iam: Value = harness
        .http
        .get(harness.root("/iam/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let certs_response = harness
        .http
        .get(harness.root("/auth/realms/sahamati/protocol/openid-connect/certs"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        certs_response.headers()[reqwest::header::CONTENT_TYPE],
        "application/json"
    );
    let certs: Value = certs_response.json().await.unwrap();
    assert_eq!(iam, certs);

    let key = &iam["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "EdDSA");
    assert!(key["kid"].is_string());
    assert_eq!(
        key["x"].as_str().unwrap().len(),
        43,
        "32 bytes in base64url"
    );
}

#[tokio::test]
async fn entity_token_wrong_secret() {
    let harness = start().await;
    let reply = harness.entity_token_reply(ENTITY, "wrong-secret").await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn entity_token_unknown_id() {
    let harness = start().await;
    let reply = harness.entity_token_reply("AA-NOBODY", SECRET).await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn entity_token_missing_fields() {
    let harness = start().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[("id", ENTITY)],
        &[("secret", SECRET)],
        &[("id", ""), ("secret", SECRET)],
        &[],
    ];
    for fields in cases {
        let response = harness.post_form("/v1/entity/token/generate", fields).await;
        let reply = json_reply(response).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", MISSING);
    }
}

#[tokio::test]
async fn grace_period_warns() {
    let harness = start().await;
    let expires_at = seed_expired(&harness, 2);
    let reply = harness.entity_token_reply(LATE_ENTITY, LATE_SECRET).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.field("accessToken").is_string());
    assert_eq!(reply.str_field("message"), grace_message(expires_at));
}

#[tokio::test]
async fn grace_period_ended() {
    let harness = start().await;
    seed_expired(&harness, 6);
    let reply = harness.entity_token_reply(LATE_ENTITY, LATE_SECRET).await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn grace_period_disabled() {
    let harness = start_with(SimConfig {
        grace_period_days: 0,
        ..SimConfig::default()
    })
    .await;
    seed_expired(&harness, 2);
    let reply = harness.entity_token_reply(LATE_ENTITY, LATE_SECRET).await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn legacy_secret_never_expires() {
    let harness = start().await;
    harness
        .sim
        .advance_clock(std::time::Duration::from_secs(1000 * 86_400));
    let reply = harness
        .entity_token_reply(NO_EXPIRY_ENTITY, NO_EXPIRY_SECRET)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(!reply.has("message"));
}

#[tokio::test]
async fn entity_token_body_too_large() {
    let harness = start().await;
    let padding = "x".repeat(3 * 1024 * 1024);
    let response = harness
        .post_form(
            "/v1/entity/token/generate",
            &[("id", ENTITY), ("secret", SECRET), ("padding", &padding)],
        )
        .await;
    let reply = json_reply(response).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.content_type, "application/json");
    assert!(reply.field("errorMsg").is_string());
    assert_eq!(harness.sim.counters().calls.entity_token, 1);
}
