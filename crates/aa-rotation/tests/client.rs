//! The Token Service client against the simulator over HTTP: every call's
//! success path and every error kind, each with the input that produces it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use aa_rotation::client::{ExpirySource, MessageKind, RetryPolicy};
use aa_rotation::{
    BearerToken, ClientConfig, ClientSecret, Error, ErrorKind, Password, TokenServiceClient,
};
use aa_rotation_sim::{Endpoint, EntitySeed, Fault, SimConfig, UserSeed};
use common::{ENTITY, PASSWORD, SECRET, USERNAME, fixture, fixture_with};

async fn user_token(client: &TokenServiceClient) -> BearerToken {
    client
        .generate_user_token(USERNAME, &Password::new(PASSWORD))
        .await
        .unwrap()
        .token
}

#[tokio::test]
async fn user_token_success() {
    let f = fixture(100.0).await;
    let token = f
        .token_service()
        .generate_user_token(USERNAME, &Password::new(PASSWORD))
        .await
        .unwrap();
    assert_eq!(token.token.expose_secret().split('.').count(), 3);
    let life = token.expires_at.duration_since(token.issued_at).as_secs();
    assert_eq!(life, 86_400);
}

#[tokio::test]
async fn read_returns_current_secret_and_expiry() {
    let f = fixture(100.0).await;
    let client = f.token_service();
    let info = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap();
    assert_eq!(info.secret.expose_secret(), SECRET);
    assert_eq!(info.entity_id, ENTITY);
    assert_eq!(info.expiry.source, ExpirySource::EpochMillis);
    let expected = f.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(info.expiry.at.unwrap().as_second(), expected);
}

#[tokio::test]
async fn reset_returns_new_secret_with_requested_validity() {
    let f = fixture(10.0).await;
    let client = f.token_service();
    let token = user_token(&client).await;
    let info = client.reset_secret(&token, ENTITY, Some(90)).await.unwrap();
    assert_ne!(info.secret.expose_secret(), SECRET);
    assert_eq!(info.secret.expose_secret(), f.service_secret());
    let days = (info.expiry.at.unwrap().as_second() - f.sim.now().as_second()) as f64 / 86_400.0;
    assert!((days - 90.0).abs() < 0.01, "{days}");
    assert!(info.message.is_none());

    let defaulted = client.reset_secret(&token, ENTITY, None).await.unwrap();
    assert_eq!(
        defaulted.message.unwrap().kind,
        MessageKind::ExpiryDefaulted
    );
}

#[tokio::test]
async fn entity_token_success() {
    let f = fixture(100.0).await;
    let token = f
        .token_service()
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await
        .unwrap();
    assert_eq!(token.token.expose_secret().split('.').count(), 3);
    assert_eq!(
        token.secret_fingerprint,
        ClientSecret::new(SECRET).fingerprint()
    );
    assert!(token.warning.is_none());
}

#[tokio::test]
async fn legacy_oidc_entity_token() {
    let f = fixture(100.0).await;
    let mut config = f.client_config();
    config.legacy_oidc_token_url = Some(f.sim.oidc_token_url().parse().unwrap());
    let client = TokenServiceClient::new(config).unwrap();
    let token = client
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await
        .unwrap();
    assert_eq!(token.token.expose_secret().split('.').count(), 3);
    assert_eq!(f.sim.counters().calls.oidc_token, 1);
    let error = client
        .generate_entity_token(ENTITY, &ClientSecret::new("wrong"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidEntitySecret);
}

#[tokio::test]
async fn grace_period_warning_is_recognised() {
    let f = fixture(-2.0).await;
    let token = f
        .token_service()
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await
        .unwrap();
    assert_eq!(token.warning.unwrap().kind, MessageKind::GracePeriod);
}

#[tokio::test]
async fn wrong_password_is_invalid_user_credentials() {
    let f = fixture(100.0).await;
    let error = f
        .token_service()
        .generate_user_token(USERNAME, &Password::new("wrong-password"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidUserCredentials);
    assert_eq!(error.status(), Some(401));
    let text = error.to_string();
    assert!(text.contains("reset it through Sahamati"), "{text}");
    assert!(!text.contains("wrong-password"), "{text}");
    // A rejected password is not retried.
    assert_eq!(f.sim.counters().calls.user_token, 1);
}

#[tokio::test]
async fn expired_password_is_invalid_user_credentials() {
    let f = fixture(100.0).await;
    let past = f.sim.now().as_second() - 60;
    f.sim.add_user(UserSeed {
        username: "old@fiu.example".into(),
        password: "old-password".into(),
        entities: vec![ENTITY.into()],
        password_expires_at: Some(past),
    });
    let error = f
        .token_service()
        .generate_user_token("old@fiu.example", &Password::new("old-password"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidUserCredentials);
    assert!(
        error
            .detail()
            .unwrap()
            .error_msg
            .as_deref()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn entity_of_another_user_is_not_permitted() {
    let f = fixture(100.0).await;
    f.sim.add_entity(EntitySeed {
        entity_id: "AA-OTHER".into(),
        secret: "other-secret".into(),
        expires_at: None,
    });
    let client = f.token_service();
    let error = client
        .read_secret(&user_token(&client).await, "AA-OTHER")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::EntityNotPermitted);
    assert!(error.to_string().contains("AA-OTHER"));
}

#[tokio::test]
async fn wrong_secret_is_invalid_entity_secret() {
    let f = fixture(100.0).await;
    let error = f
        .token_service()
        .generate_entity_token(ENTITY, &ClientSecret::new("not-the-secret"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidEntitySecret);
    assert!(!error.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn forged_user_token_is_rejected() {
    let f = fixture(100.0).await;
    let error = f
        .token_service()
        .read_secret(&BearerToken::new("a.b.c"), ENTITY)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UserTokenRejected);
}

#[tokio::test]
async fn expired_user_token_is_rejected() {
    let f = fixture(100.0).await;
    let client = f.token_service();
    let token = user_token(&client).await;
    f.sim.advance_clock(Duration::from_secs(86_401));
    let error = client.read_secret(&token, ENTITY).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UserTokenRejected);
}

#[tokio::test]
async fn server_error_envelope_is_server_error() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(
            Endpoint::SecretReset,
            Fault::Error {
                status: 500,
                error_code: Some("InternalError".into()),
                error_msg: Some("database down".into()),
            },
            Some(1),
        )
        .unwrap();
    let client = f.token_service();
    let error = client
        .reset_secret(&user_token(&client).await, ENTITY, None)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ServerError);
    let detail = error.detail().unwrap();
    assert_eq!(detail.status, 500);
    assert_eq!(detail.error_code.as_deref(), Some("InternalError"));
    assert_eq!(detail.error_msg.as_deref(), Some("database down"));
    assert!(detail.txn_id.is_some());
}

#[tokio::test]
async fn bad_request_carries_error_msg() {
    let f = fixture(100.0).await;
    let client = f.token_service();
    let error = client
        .reset_secret(&user_token(&client).await, ENTITY, Some(0))
        .await
        .unwrap_err();
    // Zero days is rejected before sending.
    assert_eq!(error.kind(), ErrorKind::Config);
    f.sim
        .inject_fault(
            Endpoint::SecretRead,
            Fault::Error {
                status: 400,
                error_code: Some("Bad Request".into()),
                error_msg: Some("Entity Id is missing in the request".into()),
            },
            Some(1),
        )
        .unwrap();
    let error = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert!(
        error.to_string().contains("Entity Id is missing"),
        "{error}"
    );
}

#[tokio::test]
async fn html_gateway_page_is_gateway_error() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::Html { status: 502 }, Some(1))
        .unwrap();
    let client = f.token_service();
    let error = client
        .reset_secret(&user_token(&client).await, ENTITY, None)
        .await
        .unwrap_err();
    let Error::GatewayError {
        status, excerpt, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*status, 502);
    assert!(!excerpt.contains('<'), "{excerpt}");
    assert!(excerpt.len() <= 124, "{excerpt}");
    assert!(error.is_transient());
}

#[tokio::test]
async fn empty_503_is_retried_then_succeeds() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::EntityToken, Fault::Empty { status: 503 }, Some(2))
        .unwrap();
    let token = f
        .token_service()
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await;
    assert!(token.is_ok());
    assert_eq!(f.sim.counters().calls.entity_token, 3);
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(
            Endpoint::SecretRead,
            Fault::RateLimit {
                retry_after: Some(1),
            },
            Some(1),
        )
        .unwrap();
    let client = f.token_service();
    let token = user_token(&client).await;
    let started = std::time::Instant::now();
    client.read_secret(&token, ENTITY).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(f.sim.counters().calls.secret_read, 2);
}

#[tokio::test]
async fn rate_limit_error_carries_retry_after() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(
            Endpoint::SecretRead,
            Fault::RateLimit {
                retry_after: Some(120),
            },
            None,
        )
        .unwrap();
    let client = f.token_service();
    let error = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    // 120 s is above the 60 s the client waits for: no retry.
    assert_eq!(f.sim.counters().calls.secret_read, 1);
}

#[tokio::test]
async fn timeout_is_timeout() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::EntityToken, Fault::Latency { ms: 2_000 }, None)
        .unwrap();
    let mut config = f.client_config();
    config.request_timeout = Duration::from_millis(300);
    config.retry = RetryPolicy::none();
    let error = TokenServiceClient::new(config)
        .unwrap()
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.is_outcome_unknown());
}

#[tokio::test]
async fn closed_port_is_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = ClientConfig::for_base_url(&format!("http://127.0.0.1:{port}/iam")).unwrap();
    config.retry = RetryPolicy::none();
    let error = TokenServiceClient::new(config)
        .unwrap()
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connection);
    assert!(error.to_string().contains("could not connect"), "{error}");
}

#[tokio::test]
async fn malformed_json_is_malformed_response() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::MalformedJson, Some(1))
        .unwrap();
    let client = f.token_service();
    let error = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MalformedResponse);
    assert!(!error.to_string().contains(SECRET), "{error}");
}

#[tokio::test]
async fn expires_on_seconds_millis_and_date_agree() {
    let f = fixture(100.0).await;
    let client = f.token_service();
    let token = user_token(&client).await;
    let millis = client.read_secret(&token, ENTITY).await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpiresOnSeconds, Some(1))
        .unwrap();
    let seconds = client.read_secret(&token, ENTITY).await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpirationDateOnly, Some(1))
        .unwrap();
    let date_only = client.read_secret(&token, ENTITY).await.unwrap();

    assert_eq!(millis.expiry.source, ExpirySource::EpochMillis);
    assert_eq!(seconds.expiry.source, ExpirySource::EpochSeconds);
    assert_eq!(date_only.expiry.source, ExpirySource::ExpirationDate);
    let expected = f.sim.counters().entities[ENTITY].expires_at.unwrap();
    assert_eq!(millis.expiry.at.unwrap().as_second(), expected);
    assert_eq!(seconds.expiry.at.unwrap().as_second(), expected);
    assert_eq!(date_only.expiry.at.unwrap().as_second(), expected);
}

#[tokio::test]
async fn expires_on_seconds_by_config() {
    let config = SimConfig {
        expires_on_unit: aa_rotation_sim::ExpiresOnUnit::Seconds,
        ..SimConfig::default()
    };
    let f = fixture_with(100.0, config).await;
    let client = f.token_service();
    let info = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap();
    assert_eq!(info.expiry.source, ExpirySource::EpochSeconds);
}

#[tokio::test]
async fn expires_on_out_of_range_is_malformed() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::ExpiresOnOutOfRange, Some(1))
        .unwrap();
    let client = f.token_service();
    let error = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MalformedResponse);
    assert!(
        error.to_string().contains("outside the years 2000 to 2100"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::UnknownFields, Some(1))
        .unwrap();
    f.sim
        .inject_fault(Endpoint::UserToken, Fault::UnknownFields, Some(1))
        .unwrap();
    let client = f.token_service();
    let info = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap();
    assert_eq!(info.secret.expose_secret(), SECRET);
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(
            Endpoint::SecretRead,
            Fault::Oversized {
                bytes: 2 * 1024 * 1024,
            },
            Some(1),
        )
        .unwrap();
    let client = f.token_service();
    let error = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MalformedResponse);
    assert!(error.to_string().contains("1048576-byte limit"), "{error}");
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let f = fixture(100.0).await;
    f.sim
        .inject_fault(
            Endpoint::EntityToken,
            Fault::Redirect {
                location: "/elsewhere".into(),
            },
            Some(1),
        )
        .unwrap();
    let error = f
        .token_service()
        .generate_entity_token(ENTITY, &ClientSecret::new(SECRET))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Redirected);
    assert_eq!(error.status(), Some(307));
    assert_eq!(f.sim.counters().calls.entity_token, 1);
}

#[test]
fn plain_http_to_remote_host_is_refused() {
    let error = ClientConfig::for_base_url("http://10.0.0.1/iam").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(error.to_string().contains("https://"), "{error}");
}

#[tokio::test]
async fn dropped_reset_reply_is_not_retried() {
    let f = fixture(10.0).await;
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))
        .unwrap();
    let client = f.token_service();
    let error = client
        .reset_secret(&user_token(&client).await, ENTITY, None)
        .await
        .unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(f.sim.counters().calls.secret_reset, 1);
    assert_eq!(f.resets(), 1);
    assert_ne!(f.service_secret(), SECRET);
}

#[tokio::test]
async fn dropped_read_reply_is_retried() {
    let f = fixture(10.0).await;
    f.sim
        .inject_fault(Endpoint::SecretRead, Fault::DropAfterApply, Some(1))
        .unwrap();
    let client = f.token_service();
    let info = client
        .read_secret(&user_token(&client).await, ENTITY)
        .await
        .unwrap();
    assert_eq!(info.secret.expose_secret(), SECRET);
    assert_eq!(f.sim.counters().calls.secret_read, 2);
}

#[tokio::test]
async fn echoed_password_is_scrubbed_from_error() {
    let f = fixture(100.0).await;
    let message = format!("password {PASSWORD} is not allowed");
    f.sim
        .inject_fault(
            Endpoint::UserToken,
            Fault::Error {
                status: 400,
                error_code: None,
                error_msg: Some(message),
            },
            Some(1),
        )
        .unwrap();
    let error = f
        .token_service()
        .generate_user_token(USERNAME, &Password::new(PASSWORD))
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
}
