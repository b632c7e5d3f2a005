//! `POST /iam/v1/entity/secret/read`.

use aa_rotation_sim::{ExpiresOnUnit, SimConfig};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

const INVALID_TOKEN: &str = "Invalid or expired user token";

#[tokio::test]
async fn read_returns_current_secret() {
    let harness = start().await;
    let token = harness.user_token().await;
    let body = secret_body(ENTITY);
    let reply = harness.secret_call("read", Some(&token), &body).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.str_field("ver"), "1.0.0");
    assert_rfc3339_millis(reply.str_field("timestamp"));
    assert_eq!(reply.field("txnId"), &body["txnId"]);
    assert_eq!(reply.str_field("entityId"), ENTITY);
    assert_eq!(reply.str_field("secret"), SECRET);
    assert!(!reply.has("message"));

    let expires_at = harness.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(reply.field("expiresOn"), expires_at * 1000);
}

#[tokio::test]
async fn read_expiration_date_is_ist() {
    let harness = start().await;
    let reply = harness.read(ENTITY).await;

    let expires_on = reply.field("expiresOn").as_i64().unwrap();
    let expiry = jiff::Timestamp::from_millisecond(expires_on).unwrap();
    let ist =
        jiff::tz::TimeZone::fixed(jiff::tz::Offset::from_seconds(5 * 3600 + 30 * 60).unwrap());
    let expected = format!("{:.3}", expiry.to_zoned(ist).datetime());
    assert_eq!(reply.str_field("expirationDate"), expected);
    assert_eq!(expected.len(), "2024-12-17T07:10:52.929".len());
}

#[tokio::test]
async fn read_expires_on_in_seconds_when_configured() {
    let harness = start_with(SimConfig {
        expires_on_unit: ExpiresOnUnit::Seconds,
        ..SimConfig::default()
    })
    .await;
    let reply = harness.read(ENTITY).await;
    let expires_at = harness.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(reply.field("expiresOn"), expires_at);
}

#[tokio::test]
async fn read_legacy_secret_has_no_expiry() {
    let harness = start().await;
    let reply = harness.read(NO_EXPIRY_ENTITY).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.str_field("secret"), NO_EXPIRY_SECRET);
    assert!(!reply.has("expiresOn"), "{}", reply.body);
    assert!(!reply.has("expirationDate"), "{}", reply.body);
}

#[tokio::test]
async fn read_tolerates_unknown_fields() {
    let harness = start().await;
    let token = harness.user_token().await;
    let mut body = secret_body(ENTITY);
    body["clientVersion"] = json!("9.9");
    body["extra"] = json!({ "nested": [1, 2, 3] });
    let reply = harness.secret_call("read", Some(&token), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn read_without_bearer_token() {
    let harness = start().await;
    let reply = harness
        .secret_call("read", None, &secret_body(ENTITY))
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID_TOKEN);
}

#[tokio::test]
async fn read_with_garbage_token() {
    let harness = start().await;
    for token in ["not-a-jwt", "a.b.c", "eyJhbGciOiJFZERTQSJ9.e30.AAAA"] {
        let reply = harness
            .secret_call("read", Some(token), &secret_body(ENTITY))
            .await;
        reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID_TOKEN);
    }
}

#[tokio::test]
async fn read_with_foreign_signed_token() {
    let harness = start().await;
    let other = start().await;
    let foreign_token = other.user_token().await;
    let reply = harness
        .secret_call("read", Some(&foreign_token), &secret_body(ENTITY))
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID_TOKEN);
}

#[tokio::test]
async fn read_with_tampered_token() {
    let harness = start().await;
    let token = harness.user_token().await;
    let mut segments: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims = decode_segment(&segments[1]);
    claims["entities"] = json!([OTHER_ENTITY]);
    segments[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let forged = segments.join(".");

    let reply = harness
        .secret_call("read", Some(&forged), &secret_body(OTHER_ENTITY))
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID_TOKEN);
}

#[tokio::test]
async fn read_with_entity_token_as_bearer() {
    let harness = start().await;
    let entity_token = harness.entity_token_reply(ENTITY, SECRET).await;
    let reply = harness
        .secret_call(
            "read",
            Some(entity_token.str_field("accessToken")),
            &secret_body(ENTITY),
        )
        .await;
    reply.assert_error(StatusCode::UNAUTHORIZED, "Unauthorized", INVALID_TOKEN);
}

#[tokio::test]
async fn read_entity_not_managed() {
    let harness = start().await;
    let token = harness.user_token().await;
    let body = secret_body(OTHER_ENTITY);
    let reply = harness.secret_call("read", Some(&token), &body).await;
    reply.assert_error(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "User is not authorised for entity FIU-SIM-2",
    );
    assert_eq!(
        reply.field("txnId"),
        &body["txnId"],
        "errors echo the txnId"
    );
}

#[tokio::test]
async fn read_unknown_entity() {
    let harness = start().await;
    let token = harness.user_token().await;
    for entity_id in [UNKNOWN_ENTITY, "NEVER-HEARD-OF"] {
        let reply = harness
            .secret_call("read", Some(&token), &secret_body(entity_id))
            .await;
        reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", "Invalid entity id");
    }
}

#[tokio::test]
async fn read_missing_entity_id() {
    let harness = start().await;
    let token = harness.user_token().await;
    let mut body = secret_body(ENTITY);
    body.as_object_mut().unwrap().remove("entityId");
    let reply = harness.secret_call("read", Some(&token), &body).await;
    reply.assert_error(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "Entity Id is missing in the request",
    );
}

#[tokio::test]
async fn read_invalid_txn_id() {
    let harness = start().await;
    let token = harness.user_token().await;
    let mut body = secret_body(ENTITY);
    body["txnId"] = json!("txn-42");
    let reply = harness.secret_call("read", Some(&token), &body).await;
    reply.assert_error(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "Txn Id \"txn-42\" is not a valid UUID",
    );
}

#[tokio::test]
async fn read_invalid_timestamp() {
    let harness = start().await;
    let token = harness.user_token().await;
    for timestamp in ["yesterday", "2024-07-16 11:33", "2024-07-16T11:33:34"] {
        let mut body = secret_body(ENTITY);
        body["timestamp"] = json!(timestamp);
        let reply = harness.secret_call("read", Some(&token), &body).await;
        let expected = format!(
            "Timestamp \"{timestamp}\" is not an RFC 3339 date-time such as 2024-07-16T11:33:34.509Z"
        );
        reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", &expected);
    }
}

#[tokio::test]
async fn read_missing_envelope_fields() {
    let harness = start().await;
    let token = harness.user_token().await;
    let cases = [
        ("ver", "Version (ver) is missing in the request"),
        ("timestamp", "Timestamp is missing in the request"),
        ("txnId", "Txn Id is missing in the request"),
    ];
    for (field, message) in cases {
        let mut body = secret_body(ENTITY);
        body.as_object_mut().unwrap().remove(field);
        let reply = harness.secret_call("read", Some(&token), &body).await;
        reply.assert_error(StatusCode::BAD_REQUEST, "Bad Request", message);
    }
}

#[tokio::test]
async fn read_malformed_json() {
    let harness = start().await;
    let token = harness.user_token().await;
    let response = harness
        .secret_call_raw("read", Some(&token), b"{\"entityId\": ")
        .await;
    let reply = json_reply(response).await;
    reply.assert_error(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "Request body is not valid JSON",
    );

    let response = harness
        .secret_call_raw("read", Some(&token), b"[\"AA-SIM-1\"]")
        .await;
    let reply = json_reply(response).await;
    reply.assert_error(
        StatusCode::BAD_REQUEST,
        "Bad Request",
        "Request body must be a JSON object",
    );
}
