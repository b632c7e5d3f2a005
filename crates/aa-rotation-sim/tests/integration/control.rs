//! The `/_sim/` control endpoints over HTTP, as tests in other languages use them.

use aa_rotation_sim::{SimConfig, Simulator, fingerprint};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;

async fn get_json(harness: &Harness, path: &str) -> JsonReply {
    json_reply(harness.http.get(harness.root(path)).send().await.unwrap()).await
}

async fn send_json(
    harness: &Harness,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> JsonReply {
    let response = harness
        .http
        .request(method, harness.root(path))
        .json(body)
        .send()
        .await
        .unwrap();
    json_reply(response).await
}

async fn post_json(harness: &Harness, path: &str, body: &Value) -> JsonReply {
    send_json(harness, reqwest::Method::POST, path, body).await
}

/// Starts a simulator with nothing seeded.
async fn empty_harness() -> Harness {
    Harness {
        sim: Simulator::start(SimConfig::default()).await.unwrap(),
        http: client(std::time::Duration::from_secs(20)),
    }
}

#[tokio::test]
async fn seed_over_http() {
    let harness = empty_harness().await;
    let document = json!({
        "users": [{
            "username": "ci@example.in",
            "password": "ci-password",
            "entities": ["AA-CI-1", "FIU-CI-2"],
        }],
        "entities": [
            { "entityId": "AA-CI-1", "secret": "ci-secret-1", "expiresInDays": -2 },
            { "entityId": "FIU-CI-2" },
            { "entityId": "FIP-CI-3", "secret": "ci-secret-3", "expiresAt": 4102444800_i64 },
        ],
    });
    let reply = post_json(&harness, "/_sim/seed", &document).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, json!({ "users": 1, "entities": 3 }));

    let token = harness
        .user_token_reply("ci@example.in", "ci-password")
        .await;
    assert_eq!(token.status, StatusCode::OK);

    let late = harness.entity_token_reply("AA-CI-1", "ci-secret-1").await;
    assert_eq!(late.status, StatusCode::OK);
    assert!(
        late.has("message"),
        "expired 2 days ago, inside the grace period"
    );

    let generated = get_json(&harness, "/_sim/entities/FIU-CI-2/secret").await;
    let secret = generated.str_field("secret").to_owned();
    assert_eq!(secret.len(), 32);
    let token = harness.entity_token_reply("FIU-CI-2", &secret).await;
    assert_eq!(token.status, StatusCode::OK);

    let counters = harness.sim.counters();
    assert_eq!(
        counters.entities["FIP-CI-3"].expires_at,
        Some(4_102_444_800)
    );
    assert_eq!(counters.entities["FIU-CI-2"].expires_at, None);
}

#[tokio::test]
async fn seed_invalid_document() {
    let harness = empty_harness().await;
    let cases = [
        json!({ "entities": [{ "entityId": "A", "expiresAt": 1, "expiresInDays": 1 }] }),
        json!({ "entities": [{ "entityId": "" }] }),
        json!({ "entities": [{ "entityId": "A", "secrt": "typo" }] }),
        json!({ "users": [{ "username": "u" }] }),
    ];
    for document in cases {
        let reply = post_json(&harness, "/_sim/seed", &document).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{document}");
        assert_eq!(reply.content_type, "application/json");
        assert!(
            reply.str_field("errorMsg").contains("seed document"),
            "{}",
            reply.body
        );
    }
    assert!(harness.sim.counters().entities.is_empty());
}

#[tokio::test]
async fn clock_over_http() {
    let harness = start().await;
    let before = get_json(&harness, "/_sim/clock").await;
    let before = before.field("now").as_i64().unwrap();
    assert!((before - jiff::Timestamp::now().as_second()).abs() <= 2);

    let reply = post_json(
        &harness,
        "/_sim/clock/advance",
        &json!({ "seconds": 90_000 }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let advanced = reply.field("now").as_i64().unwrap();
    assert!((advanced - before - 90_000).abs() <= 2);

    let after = get_json(&harness, "/_sim/clock").await;
    assert!(after.field("now").as_i64().unwrap() >= advanced);

    for body in [json!({ "seconds": -5 }), json!({ "secs": 5 }), json!({})] {
        let reply = post_json(&harness, "/_sim/clock/advance", &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn counters_over_http() {
    let harness = start().await;
    harness.reset(ENTITY, None).await;
    harness.entity_token_reply(ENTITY, "wrong").await;

    let reply = get_json(&harness, "/_sim/counters").await;
    assert_eq!(reply.status, StatusCode::OK);
    let calls = reply.field("calls");
    assert_eq!(calls["userToken"], 1);
    assert_eq!(calls["secretRead"], 0);
    assert_eq!(calls["secretReset"], 1);
    assert_eq!(calls["entityToken"], 1);
    assert_eq!(calls["oidcToken"], 0);
    assert_eq!(reply.field("resets")[ENTITY], 1);
    assert_eq!(reply.field("resets")[OTHER_ENTITY], 0);

    let secret = harness.sim.current_secret(ENTITY).unwrap();
    let entity = &reply.field("entities")[ENTITY];
    assert_eq!(entity["fingerprint"], fingerprint(&secret).as_str());
    assert!(entity["expiresAt"].is_i64());
    assert!(reply.field("entities")[NO_EXPIRY_ENTITY]["expiresAt"].is_null());
}

#[tokio::test]
async fn entity_secret_over_http() {
    let harness = start().await;
    let reply = get_json(&harness, &format!("/_sim/entities/{ENTITY}/secret")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.str_field("secret"), SECRET);

    let reply = get_json(&harness, "/_sim/entities/NOPE/secret").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.str_field("errorMsg"),
        "Entity NOPE not found; seed it first"
    );
}

#[tokio::test]
async fn faults_over_http() {
    let harness = start().await;
    let request = json!({
        "endpoint": "secret_reset",
        "fault": { "kind": "drop_after_apply" },
        "count": 1,
    });
    let reply = post_json(&harness, "/_sim/faults", &request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.field("faults"),
        &json!([{ "endpoint": "secret_reset", "fault": { "kind": "drop_after_apply" }, "remaining": 1 }])
    );

    let request = json!({
        "endpoint": "entity_token",
        "fault": { "kind": "error", "status": 503, "errorCode": "Unavailable", "errorMsg": "down" },
    });
    let reply = post_json(&harness, "/_sim/faults", &request).await;
    assert_eq!(reply.field("faults").as_array().unwrap().len(), 2);
    let token = harness.entity_token_reply(ENTITY, SECRET).await;
    token.assert_error(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "down");

    let listed = get_json(&harness, "/_sim/faults").await;
    assert_eq!(listed.field("faults").as_array().unwrap().len(), 2);

    let cleared = send_json(
        &harness,
        reqwest::Method::DELETE,
        "/_sim/faults",
        &json!({}),
    )
    .await;
    assert_eq!(cleared.field("faults"), &json!([]));
    let token = harness.entity_token_reply(ENTITY, SECRET).await;
    assert_eq!(token.status, StatusCode::OK);
}

#[tokio::test]
async fn faults_over_http_rejects_invalid() {
    let harness = start().await;
    let cases = [
        json!({ "endpoint": "secret_rest", "fault": { "kind": "html", "status": 502 } }),
        json!({ "endpoint": "secret_reset", "fault": { "kind": "teapot" } }),
        json!({ "endpoint": "secret_reset", "fault": { "kind": "html", "status": 700 } }),
        json!({ "endpoint": "secret_reset", "fault": { "kind": "html", "status": 502 }, "count": 0 }),
        json!({ "endpoint": "secret_reset", "fault": { "kind": "redirect", "location": "http://192.0.2.1/" } }),
    ];
    for request in cases {
        let reply = post_json(&harness, "/_sim/faults", &request).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{request}");
        assert_eq!(reply.str_field("errorCode"), "Bad Request");
    }
    assert!(harness.sim.active_faults().is_empty());
}

#[tokio::test]
async fn config_over_http() {
    let harness = start().await;
    let reply = get_json(&harness, "/_sim/config").await;
    assert_eq!(
        reply.body,
        json!({
            "userTokenValiditySeconds": 86400,
            "entityTokenValiditySeconds": 86400,
            "defaultSecretExpiryDays": 180,
            "maxSecretExpiryDays": 180,
            "gracePeriodDays": 5,
            "expiresOnUnit": "ms",
            "expirationDateOffsetMinutes": 330,
        })
    );

    let update = json!({ "gracePeriodDays": 0, "expiresOnUnit": "s" });
    let reply = send_json(&harness, reqwest::Method::PUT, "/_sim/config", &update).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.field("gracePeriodDays"), 0);
    assert_eq!(
        reply.field("maxSecretExpiryDays"),
        180,
        "omitted fields take defaults"
    );
    assert_eq!(harness.sim.config().grace_period_days, 0);

    let read = harness.read(ENTITY).await;
    let expires_at = harness.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(
        read.field("expiresOn"),
        expires_at,
        "seconds after the change"
    );

    for invalid in [
        json!({ "maxSecretExpiryDays": 0 }),
        json!({ "graceDays": 1 }),
    ] {
        let reply = send_json(&harness, reqwest::Method::PUT, "/_sim/config", &invalid).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{invalid}");
    }
    assert_eq!(harness.sim.config().grace_period_days, 0);
}

#[tokio::test]
async fn unknown_route_is_json_404() {
    let harness = start().await;
    for path in ["/iam/v1/nothing", "/_sim/nothing", "/"] {
        let reply = get_json(&harness, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.content_type, "application/json");
        assert_eq!(reply.str_field("errorCode"), "Not Found");
    }
}

#[tokio::test]
async fn wrong_method_is_json_405() {
    let harness = start().await;
    let reply = get_json(&harness, "/iam/v1/entity/token/generate").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.str_field("errorCode"), "Method Not Allowed");
}

#[tokio::test]
async fn non_loopback_listen_address_rejected() {
    let error = Simulator::start_on("0.0.0.0:0".parse().unwrap(), SimConfig::default())
        .await
        .err()
        .expect("0.0.0.0 is rejected");
    assert!(
        error.to_string().contains("not a loopback address"),
        "{error}"
    );
}

#[tokio::test]
async fn invalid_config_rejected_at_start() {
    let config = SimConfig {
        grace_period_days: 100_000,
        ..SimConfig::default()
    };
    let error = Simulator::start(config).await.err().expect("rejected");
    assert!(error.to_string().contains("gracePeriodDays"), "{error}");
}
