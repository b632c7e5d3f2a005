//! `POST /iam/v1/entity/secret/read` and `POST /iam/v1/entity/secret/reset`:
//! the secret management calls, authorised by a user token.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::extract::rejection::BytesRejection;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{BAD_REQUEST, FORBIDDEN, UNAUTHORIZED, body_rejected, handle_call};
use crate::clock::add_seconds;
use crate::config::ExpiresOnUnit;
use crate::counters::fingerprint;
use crate::reply::{Reply, new_txn_id};
use crate::server::ConnectionHandle;
use crate::state::{Entity, Shared, State, generate_secret};
use crate::{Endpoint, SimConfig};

const INVALID_USER_TOKEN: &str = "Invalid or expired user token";
const MISSING_ENTITY_ID: &str = "Entity Id is missing in the request";
const INVALID_ENTITY_ID: &str = "Invalid entity id";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Operation {
    Read,
    Reset,
}

pub(super) async fn read(
    AxumState(shared): AxumState<Arc<Shared>>,
    connection: Option<Extension<ConnectionHandle>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejected(&shared, Endpoint::SecretRead, &rejection),
    };
    let bearer = bearer_token(&headers);
    let connection = connection.map(|Extension(handle)| handle);
    handle_call(
        &shared,
        Endpoint::SecretRead,
        connection,
        |shared, state, now| {
            process(
                shared,
                state,
                now,
                bearer.as_deref(),
                &body,
                Operation::Read,
            )
        },
    )
    .await
}

pub(super) async fn reset(
    AxumState(shared): AxumState<Arc<Shared>>,
    connection: Option<Extension<ConnectionHandle>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejected(&shared, Endpoint::SecretReset, &rejection),
    };
    let bearer = bearer_token(&headers);
    let connection = connection.map(|Extension(handle)| handle);
    handle_call(
        &shared,
        Endpoint::SecretReset,
        connection,
        |shared, state, now| {
            process(
                shared,
                state,
                now,
                bearer.as_deref(),
                &body,
                Operation::Reset,
            )
        },
    )
    .await
}

/// A validated Read or Reset request body.
struct SecretRequest {
    entity_id: String,
    /// Requested validity of a reset secret, in days. Read ignores it.
    secret_expiry_days: Option<i64>,
}

/// Runs Read or Reset. Checks, in order: the user token (401), the body (400),
/// that the entity exists (400) and that the user manages it (403).
fn process(
    shared: &Shared,
    state: &mut State,
    now: Timestamp,
    bearer: Option<&str>,
    body: &[u8],
    operation: Operation,
) -> Reply {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    // Errors echo the request's txnId too, when it is a valid UUID.
    let txn_id = parsed
        .as_ref()
        .and_then(|value| value.get("txnId"))
        .and_then(Value::as_str)
        .filter(|text| Uuid::parse_str(text).is_ok())
        .map_or_else(new_txn_id, str::to_owned);
    let error = |status: StatusCode, code: &str, message: &str| {
        Reply::error(status, code, message, &txn_id, now)
    };

    let username = match authenticate(shared, state, now, bearer) {
        Ok(username) => username,
        Err(reason) => {
            tracing::info!(txn_id = %txn_id, reason, "user token rejected");
            return error(StatusCode::UNAUTHORIZED, UNAUTHORIZED, INVALID_USER_TOKEN);
        }
    };

    let request = match parse_request(parsed) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, BAD_REQUEST, &message),
    };
    let entity_id = request.entity_id.as_str();

    let mut reply = if !state.entities.contains_key(entity_id) {
        error(StatusCode::BAD_REQUEST, BAD_REQUEST, INVALID_ENTITY_ID)
    } else if !manages(state, &username, entity_id) {
        let message = format!("User is not authorised for entity {entity_id}");
        error(StatusCode::FORBIDDEN, FORBIDDEN, &message)
    } else {
        match operation {
            Operation::Read => read_secret(state, now, &txn_id, entity_id),
            Operation::Reset => reset_secret(state, now, &txn_id, &username, &request),
        }
    };
    reply.entity_id = Some(request.entity_id);
    reply
}

fn manages(state: &State, username: &str, entity_id: &str) -> bool {
    state
        .users
        .get(username)
        .is_some_and(|user| user.entities.iter().any(|id| id == entity_id))
}

fn read_secret(state: &State, now: Timestamp, txn_id: &str, entity_id: &str) -> Reply {
    match state.entities.get(entity_id) {
        Some(entity) => secret_reply(&state.config, now, txn_id, entity_id, entity),
        // The caller checked that the entity exists.
        None => Reply::error(
            StatusCode::BAD_REQUEST,
            BAD_REQUEST,
            INVALID_ENTITY_ID,
            txn_id,
            now,
        ),
    }
}

/// Replaces the entity's secret with a new random one.
///
/// Validity is `secretExpiryDays`, or the default when absent, capped at the
/// configured maximum and at the user's password expiry. The response carries
/// a `message` when the default or the maximum was applied.
fn reset_secret(
    state: &mut State,
    now: Timestamp,
    txn_id: &str,
    username: &str,
    request: &SecretRequest,
) -> Reply {
    let config = state.config.clone();
    let (days, message) = match request.secret_expiry_days {
        Some(days) if days <= i64::from(config.max_secret_expiry_days) => (days, None),
        Some(_) => capped_days(config.max_secret_expiry_days),
        None => capped_days(config.default_secret_expiry_days),
    };

    let mut expires_at = add_seconds(now, days * 86_400);
    let password_expiry = state
        .users
        .get(username)
        .and_then(|user| user.password_expires_at);
    if let Some(password_expiry) = password_expiry {
        expires_at = expires_at.min(password_expiry);
    }
    // Whole milliseconds, so that `expiresOn` in milliseconds is exact.
    expires_at = Timestamp::from_millisecond(expires_at.as_millisecond()).unwrap_or(expires_at);

    let entity_id = request.entity_id.as_str();
    let Some(entity) = state.entities.get_mut(entity_id) else {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            BAD_REQUEST,
            INVALID_ENTITY_ID,
            txn_id,
            now,
        );
    };
    let previous_fingerprint = fingerprint(&entity.secret);
    entity.secret = generate_secret();
    entity.expires_at = Some(expires_at);
    entity.created_at = now;

    let mut reply = secret_reply(&config, now, txn_id, entity_id, entity);
    if let Some(message) = message {
        reply.insert("message", message);
    }
    tracing::info!(
        entity_id,
        txn_id,
        previous_fingerprint = %previous_fingerprint,
        fingerprint = reply.fingerprint.as_deref(),
        expires_at = %expires_at,
        "secret reset"
    );
    state.record_reset(entity_id);
    reply
}

fn capped_days(days: u32) -> (i64, Option<String>) {
    let message = format!(
        "The expiry is set to {days} days by default, as the user didn't specify or exceeded the default limit"
    );
    (i64::from(days), Some(message))
}

/// Builds the Read and Reset success body. A secret without expiry gets
/// neither `expiresOn` nor `expirationDate`.
fn secret_reply(
    config: &SimConfig,
    now: Timestamp,
    txn_id: &str,
    entity_id: &str,
    entity: &Entity,
) -> Reply {
    let mut reply = Reply::envelope(StatusCode::OK, txn_id, now);
    reply.insert("entityId", entity_id);
    reply.insert("secret", entity.secret.as_str());
    if let Some(expires_at) = entity.expires_at {
        let expires_on = match config.expires_on_unit {
            ExpiresOnUnit::Milliseconds => expires_at.as_millisecond(),
            ExpiresOnUnit::Seconds => expires_at.as_second(),
        };
        reply.insert("expiresOn", expires_on);
        reply.insert(
            "expirationDate",
            expiration_date(expires_at, config.expiration_date_offset_minutes),
        );
    }
    reply.secret_expiry = entity.expires_at;
    reply.fingerprint = Some(fingerprint(&entity.secret));
    reply
}

/// Formats `expirationDate`: a local date-time without zone, such as
/// `2024-12-17T07:10:52.929`, at the configured UTC offset (IST by default).
fn expiration_date(expires_at: Timestamp, offset_minutes: i32) -> String {
    let offset = Offset::from_seconds(offset_minutes * 60).unwrap_or(Offset::UTC);
    let local = expires_at.to_zoned(TimeZone::fixed(offset)).datetime();
    format!("{local:.3}")
}

/// Checks the bearer user token and returns its username.
fn authenticate(
    shared: &Shared,
    state: &State,
    now: Timestamp,
    bearer: Option<&str>,
) -> Result<String, &'static str> {
    let token = bearer.ok_or("no bearer token")?;
    let claims = shared
        .signer
        .verify(token)
        .map_err(|rejection| rejection.as_str())?;

    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    if claim("typ") != Some("user") {
        return Err("not a user token");
    }
    if claim("iss") != Some(shared.base_url.as_str()) {
        return Err("issued by another simulator");
    }
    let expires_at = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or("no exp claim")?;
    if now.as_second() >= expires_at {
        return Err("user token expired");
    }
    let username = claim("sub").ok_or("no sub claim")?;
    if !state.users.contains_key(username) {
        return Err("user no longer exists");
    }
    Ok(username.to_owned())
}

/// Reads `Authorization: Bearer <token>`, with a case-insensitive scheme.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

fn parse_request(parsed: Option<Value>) -> Result<SecretRequest, String> {
    let Some(value) = parsed else {
        return Err("Request body is not valid JSON".into());
    };
    let Value::Object(fields) = value else {
        return Err("Request body must be a JSON object".into());
    };

    required_string(&fields, "ver", "Version (ver) is missing in the request")?;

    let timestamp = required_string(&fields, "timestamp", "Timestamp is missing in the request")?;
    if timestamp.parse::<Timestamp>().is_err() {
        return Err(format!(
            "Timestamp {timestamp:?} is not an RFC 3339 date-time such as 2024-07-16T11:33:34.509Z"
        ));
    }

    let txn_id = required_string(&fields, "txnId", "Txn Id is missing in the request")?;
    if Uuid::parse_str(txn_id).is_err() {
        return Err(format!("Txn Id {txn_id:?} is not a valid UUID"));
    }

    let entity_id = required_string(&fields, "entityId", MISSING_ENTITY_ID)?.to_owned();

    let secret_expiry_days = match fields.get("secretExpiryDays") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_i64() {
            Some(days) if days >= 1 => Some(days),
            _ => {
                return Err(format!(
                    "secretExpiryDays must be a whole number of days, at least 1; got {value}"
                ));
            }
        },
    };

    Ok(SecretRequest {
        entity_id,
        secret_expiry_days,
    })
}

/// Returns a non-empty string field, or `missing` as the error.
fn required_string<'a>(
    fields: &'a Map<String, Value>,
    name: &str,
    missing: &str,
) -> Result<&'a str, String> {
    match fields.get(name).and_then(Value::as_str) {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(missing.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn expiration_date_is_ist_without_zone() {
        let expires_at: Timestamp = "2024-12-17T01:40:52.929Z".parse().unwrap();
        assert_eq!(expiration_date(expires_at, 330), "2024-12-17T07:10:52.929");
        assert_eq!(expiration_date(expires_at, 0), "2024-12-17T01:40:52.929");
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers).as_deref(), Some("abc"));
    }
}
