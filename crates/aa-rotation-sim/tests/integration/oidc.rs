//! The deprecated OpenID Connect token endpoint (client-credentials grant).

use aa_rotation_sim::EntitySeed;
use reqwest::StatusCode;

use crate::support::*;

async fn oidc_request(
    harness: &Harness,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> JsonReply {
    let mut request = harness.http.post(harness.sim.oidc_token_url()).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    json_reply(request.send().await.unwrap()).await
}

const GRANT: &[(&str, &str)] = &[("grant_type", "client_credentials")];

#[tokio::test]
async fn oidc_token_success_body() {
    let harness = start().await;
    let reply = oidc_request(&harness, Some((ENTITY, SECRET)), GRANT).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.field("expires_in"), 86_400);
    assert_eq!(reply.field("refresh_expires_in"), 0);
    assert_eq!(reply.str_field("token_type"), "Bearer");
    assert_eq!(reply.field("not-before-policy"), 0);
    assert!(reply.field("scope").is_string());

    let claims = harness.verify_token(reply.str_field("access_token")).await;
    assert_eq!(claims["sub"], ENTITY);
    assert_eq!(claims["typ"], "entity");

    let calls = harness.sim.counters().calls;
    assert_eq!(calls.oidc_token, 1);
    assert_eq!(calls.entity_token, 0);
}

#[tokio::test]
async fn oidc_token_form_credentials() {
    let harness = start().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", ENTITY),
        ("client_secret", SECRET),
    ];
    let reply = oidc_request(&harness, None, &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn oidc_token_wrong_secret() {
    let harness = start().await;
    let response = harness
        .http
        .post(harness.sim.oidc_token_url())
        .basic_auth(ENTITY, Some("wrong"))
        .form(GRANT)
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .contains_key(reqwest::header::WWW_AUTHENTICATE)
    );
    let reply = json_reply(response).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.str_field("error"), "invalid_client");
    assert_eq!(
        reply.str_field("error_description"),
        "Invalid client credentials or secret is expired"
    );
}

#[tokio::test]
async fn oidc_token_missing_credentials() {
    let harness = start().await;
    let reply = oidc_request(&harness, None, GRANT).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.str_field("error"), "invalid_client");
}

#[tokio::test]
async fn oidc_token_unsupported_grant() {
    let harness = start().await;
    let reply = oidc_request(
        &harness,
        Some((ENTITY, SECRET)),
        &[("grant_type", "password")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.str_field("error"), "unsupported_grant_type");

    let reply = oidc_request(&harness, Some((ENTITY, SECRET)), &[]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.str_field("error"), "invalid_request");
}

#[tokio::test]
async fn oidc_token_follows_reset_and_grace() {
    let harness = start().await;
    let reset = harness.reset(ENTITY, None).await;
    let new_secret = reset.str_field("secret").to_owned();

    let old = oidc_request(&harness, Some((ENTITY, SECRET)), GRANT).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = oidc_request(&harness, Some((ENTITY, &new_secret)), GRANT).await;
    assert_eq!(new.status, StatusCode::OK);

    harness.sim.add_entity(EntitySeed {
        entity_id: "AA-LATE-2".into(),
        secret: "late".into(),
        expires_at: Some(harness.sim.now().as_second() - DAY),
    });
    let late = oidc_request(&harness, Some(("AA-LATE-2", "late")), GRANT).await;
    assert_eq!(late.status, StatusCode::OK);
    assert!(
        late.str_field("message")
            .contains("within the grace period"),
        "{}",
        late.body
    );
}
