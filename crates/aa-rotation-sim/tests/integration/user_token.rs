//! `POST /iam/v1/user/token/generate`.

use aa_rotation_sim::UserSeed;
use reqwest::StatusCode;

use crate::support::*;

const INVALID: &str = "Invalid username/password or password is expired";
const MISSING: &str = "User Id/Password is missing in the request";

#[tokio::test]
async fn user_token_success_body() {
    let harness = start().await;
    let reply = harness.user_token_reply(USERNAME, PASSWORD).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.str_field("ver"), "1.0.0");
    assert_rfc3339_millis(reply.str_field("timestamp"));
    assert_uuid_v4(reply.str_field("txnId"));
    assert_eq!(reply.field("expiresIn"), 86_400);
    assert_eq!(reply.field("refreshExpiresIn"), 0);
    assert_eq!(reply.str_field("tokenType"), "Bearer");
    assert_eq!(reply.field("notBeforePolicy"), 0);
    assert_eq!(
        reply.str_field("scope"),
        "email secret-expiry-ts profile entityMetadata"
    );
}

#[tokio::test]
async fn user_token_claims_verify() {
    let harness = start().await;
    let token = harness.user_token().await;
    let claims = harness.verify_token(&token).await;

    assert_eq!(claims["iss"], harness.sim.base_url().as_str());
    assert_eq!(claims["sub"], USERNAME);
    assert_eq!(claims["typ"], "user");
    let issued_at = claims["iat"].as_i64().unwrap();
    let expires_at = claims["exp"].as_i64().unwrap();
    assert_eq!(expires_at - issued_at, 86_400);
    assert!((issued_at - harness.sim.now().as_second()).abs() <= 2);
    assert!(claims["jti"].is_string());
    let entities: Vec<&str> = claims["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(entities, [ENTITY, NO_EXPIRY_ENTITY, UNKNOWN_ENTITY]);
    assert!(!claims.contains_key("secret-expiry-ts"));
}

#[tokio::test]
async fn user_token_carries_password_expiry() {
    let harness = start().await;
    let password_expiry = harness.sim.now().as_second() + 30 * DAY;
    harness.sim.add_user(UserSeed {
        username: "expiring@example.in".into(),
        password: "pw".into(),
        entities: vec![ENTITY.into()],
        password_expires_at: Some(password_expiry),
    });

    let reply = harness.user_token_reply("expiring@example.in", "pw").await;
    assert_eq!(reply.status, StatusCode::OK);
    let claims = harness.verify_token(reply.str_field("accessToken")).await;
    assert_eq!(claims["secret-expiry-ts"], password_expiry);
}

#[tokio::test]
async fn user_token_wrong_password() {
    let harness = start().await;
    let reply = harness.user_token_reply(USERNAME, "not-the-password").await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn user_token_unknown_user() {
    let harness = start().await;
    let reply = harness
        .user_token_reply("nobody@example.in", PASSWORD)
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn user_token_expired_password() {
    let harness = start().await;
    harness.sim.add_user(UserSeed {
        username: "expired@example.in".into(),
        password: "pw".into(),
        entities: vec![ENTITY.into()],
        password_expires_at: Some(harness.sim.now().as_second() - 10),
    });
    let reply = harness.user_token_reply("expired@example.in", "pw").await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID);
}

#[tokio::test]
async fn user_token_missing_fields() {
    let harness = start().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[("username", USERNAME)],
        &[("password", PASSWORD)],
        &[("username", USERNAME), ("password", "")],
        &[],
    ];
    for fields in cases {
        let response = harness.post_form("/v1/user/token/generate", fields).await;
        let reply = json_reply(response).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", MISSING);
    }
}
