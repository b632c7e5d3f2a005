//! Live responses checked against the response schemas of the Token Service
//! OpenAPI document (version 2.1.0, "Token Service APIs").
//!
//! The schemas are copied here by hand: the property names and JSON types of
//! `TokenResponse`, `EntitySecretResponse` and the inline 400/401 error
//! objects. The document marks no response property as required. The
//! `required` lists below name the properties that the simulator sends on
//! every such response, so clients may rely on them.

use aa_rotation_sim::EntitySeed;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

#[derive(Clone, Copy, Debug)]
enum JsonType {
    String,
    /// `type: string, format: date-time` (RFC 3339).
    DateTime,
    Integer,
    Number,
}

struct Shape {
    name: &'static str,
    required: &'static [(&'static str, JsonType)],
    /// Properties that appear only in some responses (`message` in the examples).
    optional: &'static [(&'static str, JsonType)],
}

/// `components.schemas.TokenResponse`: 200 of user token and entity token.
const TOKEN_RESPONSE: Shape = Shape {
    name: "TokenResponse",
    required: &[
        ("ver", JsonType::String),
        ("timestamp", JsonType::DateTime),
        ("txnId", JsonType::String),
        ("accessToken", JsonType::String),
        ("expiresIn", JsonType::Integer),
        ("tokenType", JsonType::String),
    ],
    optional: &[("message", JsonType::String)],
};

/// `components.schemas.EntitySecretResponse`: 200 of Read and Reset for a secret with an expiry.
const ENTITY_SECRET_RESPONSE: Shape = Shape {
    name: "EntitySecretResponse",
    required: &[
        ("ver", JsonType::String),
        ("timestamp", JsonType::DateTime),
        ("txnId", JsonType::String),
        ("entityId", JsonType::String),
        ("secret", JsonType::String),
        ("expiresOn", JsonType::Number),
        ("expirationDate", JsonType::String),
    ],
    optional: &[("message", JsonType::String)],
};

/// The inline 400 and 401 schemas, identical on all four calls.
const ERROR_RESPONSE: Shape = Shape {
    name: "error",
    required: &[
        ("ver", JsonType::String),
        ("timestamp", JsonType::DateTime),
        ("txnId", JsonType::String),
        ("errorCode", JsonType::String),
        ("errorMsg", JsonType::String),
    ],
    optional: &[],
};

fn type_matches(value: &Value, expected: JsonType) -> bool {
    match expected {
        JsonType::String => value.is_string(),
        JsonType::DateTime => value
            .as_str()
            .is_some_and(|text| text.parse::<jiff::Timestamp>().is_ok()),
        JsonType::Integer => value.is_i64() || value.is_u64(),
        JsonType::Number => value.is_number(),
    }
}

fn violations(shape: &Shape, body: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let Some(object) = body.as_object() else {
        return vec![format!("{}: body is not an object", shape.name)];
    };
    for (name, expected) in shape.required {
        match object.get(*name) {
            None => found.push(format!("{}: missing {name}", shape.name)),
            Some(value) if !type_matches(value, *expected) => {
                found.push(format!(
                    "{}: {name} = {value} is not {expected:?}",
                    shape.name
                ));
            }
            Some(_) => {}
        }
    }
    for (name, expected) in shape.optional {
        let mismatch = object
            .get(*name)
            .filter(|value| !type_matches(value, *expected));
        if let Some(value) = mismatch {
            found.push(format!(
                "{}: {name} = {value} is not {expected:?}",
                shape.name
            ));
        }
    }
    found
}

fn assert_conforms(call: &str, reply: &JsonReply, status: StatusCode, shape: &Shape) {
    assert_eq!(reply.status, status, "{call}: {}", reply.body);
    assert_eq!(reply.content_type, "application/json", "{call}");
    let found = violations(shape, &reply.body);
    assert!(found.is_empty(), "{call}: {found:?} in {}", reply.body);
}

#[tokio::test]
async fn conformance_user_token() {
    let harness = start().await;

    let ok = harness.user_token_reply(USERNAME, PASSWORD).await;
    assert_conforms("user token 200", &ok, StatusCode::OK, &TOKEN_RESPONSE);

    let unauthorized = harness.user_token_reply(USERNAME, "wrong").await;
    assert_conforms(
        "user token 401",
        &unauthorized,
        StatusCode::UNAUTHORIZED,
        &ERROR_RESPONSE,
    );

    let response = harness
        .post_form("/v1/user/token/generate", &[("username", USERNAME)])
        .await;
    let bad = json_reply(response).await;
    assert_conforms(
        "user token 400",
        &bad,
        StatusCode::BAD_REQUEST,
        &ERROR_RESPONSE,
    );
}

#[tokio::test]
async fn conformance_secret_read() {
    let harness = start().await;
    let token = harness.user_token().await;

    let ok = harness
        .secret_call("read", Some(&token), &secret_body(ENTITY))
        .await;
    assert_conforms("read 200", &ok, StatusCode::OK, &ENTITY_SECRET_RESPONSE);

    let unauthorized = harness
        .secret_call("read", None, &secret_body(ENTITY))
        .await;
    assert_conforms(
        "read 401",
        &unauthorized,
        StatusCode::UNAUTHORIZED,
        &ERROR_RESPONSE,
    );

    let mut body = secret_body(ENTITY);
    body.as_object_mut().unwrap().remove("entityId");
    let bad = harness.secret_call("read", Some(&token), &body).await;
    assert_conforms("read 400", &bad, StatusCode::BAD_REQUEST, &ERROR_RESPONSE);

    let forbidden = harness
        .secret_call("read", Some(&token), &secret_body(OTHER_ENTITY))
        .await;
    assert_conforms(
        "read 403",
        &forbidden,
        StatusCode::FORBIDDEN,
        &ERROR_RESPONSE,
    );
}

#[tokio::test]
async fn conformance_secret_reset() {
    let harness = start().await;
    let token = harness.user_token().await;

    let ok = harness
        .secret_call("reset", Some(&token), &secret_body(ENTITY))
        .await;
    assert_conforms("reset 200", &ok, StatusCode::OK, &ENTITY_SECRET_RESPONSE);
    assert!(
        ok.has("message"),
        "no secretExpiryDays: the default message"
    );

    let unauthorized = harness
        .secret_call("reset", Some("x.y.z"), &secret_body(ENTITY))
        .await;
    assert_conforms(
        "reset 401",
        &unauthorized,
        StatusCode::UNAUTHORIZED,
        &ERROR_RESPONSE,
    );

    let mut body = secret_body(ENTITY);
    body.as_object_mut().unwrap().remove("entityId");
    let bad = harness.secret_call("reset", Some(&token), &body).await;
    assert_conforms("reset 400", &bad, StatusCode::BAD_REQUEST, &ERROR_RESPONSE);
}

#[tokio::test]
async fn conformance_entity_token() {
    let harness = start().await;

    let ok = harness.entity_token_reply(ENTITY, SECRET).await;
    assert_conforms("entity token 200", &ok, StatusCode::OK, &TOKEN_RESPONSE);

    harness.sim.add_entity(EntitySeed {
        entity_id: "AA-GRACE".into(),
        secret: "grace-secret".into(),
        expires_at: Some(harness.sim.now().as_second() - DAY),
    });
    let warned = harness.entity_token_reply("AA-GRACE", "grace-secret").await;
    assert_conforms(
        "entity token 200 with message",
        &warned,
        StatusCode::OK,
        &TOKEN_RESPONSE,
    );
    assert!(warned.has("message"));

    let unauthorized = harness.entity_token_reply(ENTITY, "wrong").await;
    assert_conforms(
        "entity token 401",
        &unauthorized,
        StatusCode::UNAUTHORIZED,
        &ERROR_RESPONSE,
    );

    let response = harness
        .post_form("/v1/entity/token/generate", &[("id", ENTITY)])
        .await;
    let bad = json_reply(response).await;
    assert_conforms(
        "entity token 400",
        &bad,
        StatusCode::BAD_REQUEST,
        &ERROR_RESPONSE,
    );
}

#[test]
fn shape_checker_finds_violations() {
    let body = serde_json::json!({ "ver": "1.0.0", "timestamp": "yesterday", "txnId": 5 });
    let found = violations(&ERROR_RESPONSE, &body);
    assert_eq!(found.len(), 4, "{found:?}");
}
