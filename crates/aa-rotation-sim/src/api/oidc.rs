//! `POST /auth/realms/sahamati/protocol/openid-connect/token`: the deprecated
//! path that issued entity tokens straight from the identity provider with
//! the OAuth 2.0 client-credentials grant (RFC 6749 §4.4).
//!
//! It applies the same secret rules as the entity token call but speaks
//! OAuth: snake_case token fields and `{error, error_description}` errors.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;

use super::entity_token::{ENTITY_SCOPE, SecretCheck, check_secret, sign_entity_token};
use super::{FormFields, body_rejected, handle_call};
use crate::Endpoint;
use crate::counters::fingerprint;
use crate::reply::{Reply, new_txn_id};
use crate::server::ConnectionHandle;
use crate::state::{Shared, State};

/// Client credentials from the `Authorization: Basic` header.
struct BasicCredentials {
    client_id: String,
    client_secret: String,
}

pub(super) async fn token(
    AxumState(shared): AxumState<Arc<Shared>>,
    connection: Option<Extension<ConnectionHandle>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejected(&shared, Endpoint::OidcToken, &rejection),
    };
    let form = FormFields::parse(&body);
    let basic = basic_credentials(&headers);
    let connection = connection.map(|Extension(handle)| handle);
    handle_call(
        &shared,
        Endpoint::OidcToken,
        connection,
        |shared, state, now| issue(shared, state, now, &form, basic),
    )
    .await
}

fn issue(
    shared: &Shared,
    state: &mut State,
    now: Timestamp,
    form: &FormFields,
    basic: Result<Option<BasicCredentials>, &'static str>,
) -> Reply {
    let txn_id = new_txn_id();
    match form.get("grant_type") {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("Grant type {other} is not supported; use client_credentials"),
                &txn_id,
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing form parameter: grant_type",
                &txn_id,
            );
        }
    }

    // Basic authentication first (RFC 6749 §2.3.1), then client_id and
    // client_secret in the form body.
    let credentials = match basic {
        Err(problem) => return invalid_client(problem, &txn_id),
        Ok(Some(basic)) => Some((basic.client_id, basic.client_secret)),
        Ok(None) => form
            .get("client_id")
            .zip(form.get("client_secret"))
            .map(|(id, secret)| (id.to_owned(), secret.to_owned())),
    };
    let Some((client_id, client_secret)) = credentials else {
        return invalid_client(
            "Client credentials are missing; send them with HTTP Basic authentication",
            &txn_id,
        );
    };

    let grace_warning = match check_secret(state, now, &client_id, &client_secret) {
        SecretCheck::Valid { grace_warning } => grace_warning,
        SecretCheck::Invalid(reason) => {
            tracing::info!(entity_id = %client_id, reason, "OIDC entity token rejected");
            let mut reply =
                invalid_client("Invalid client credentials or secret is expired", &txn_id);
            reply.entity_id = Some(client_id);
            return reply;
        }
    };

    let (token, validity) = sign_entity_token(shared, state, now, &client_id);
    let mut reply = Reply::bare(StatusCode::OK, &txn_id);
    reply.insert("access_token", token);
    reply.insert("expires_in", validity);
    reply.insert("refresh_expires_in", 0);
    reply.insert("token_type", "Bearer");
    reply.insert("not-before-policy", 0);
    reply.insert("scope", ENTITY_SCOPE);
    if let Some(warning) = grace_warning {
        reply.insert("message", warning);
    }
    reply.fingerprint = Some(fingerprint(&client_secret));
    reply.entity_id = Some(client_id);
    reply
}

fn oauth_error(status: StatusCode, error: &str, description: &str, txn_id: &str) -> Reply {
    let mut reply = Reply::bare(status, txn_id);
    reply.insert("error", error);
    reply.insert("error_description", description);
    reply
}

fn invalid_client(description: &str, txn_id: &str) -> Reply {
    let mut reply = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        description,
        txn_id,
    );
    reply.headers.insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Basic realm="sahamati""#),
    );
    reply
}

/// Reads `Authorization: Basic base64(id:secret)`.
///
/// Returns `Ok(None)` without the header or with another scheme. Values are
/// used as sent: RFC 6749 §2.3.1 has clients form-encode them first, which
/// leaves letters, digits, `-`, `.` and `_` unchanged, and many clients skip that step.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<BasicCredentials>, &'static str> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let Some((scheme, encoded)) = value.to_str().ok().and_then(|text| text.split_once(' ')) else {
        return Err("Invalid Authorization header");
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }

    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or("Invalid Basic credentials: not base64 of UTF-8 text")?;
    let (client_id, client_secret) = decoded
        .split_once(':')
        .ok_or("Invalid Basic credentials: expected client_id:client_secret")?;
    if client_id.is_empty() || client_secret.is_empty() {
        return Err("Invalid Basic credentials: client id or secret is empty");
    }
    Ok(Some(BasicCredentials {
        client_id: client_id.to_owned(),
        client_secret: client_secret.to_owned(),
    }))
}
