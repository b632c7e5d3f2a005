//! `POST /iam/v1/entity/token/generate`: the entity token, and the secret
//! check it shares with the deprecated OpenID Connect path.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use serde_json::json;
use uuid::Uuid;

use super::{BAD_REQUEST, FormFields, UNAUTHORIZED, body_rejected, handle_call, token_reply};
use crate::Endpoint;
use crate::clock::add_seconds;
use crate::counters::fingerprint;
use crate::reply::{Reply, format_timestamp, new_txn_id};
use crate::server::ConnectionHandle;
use crate::state::{Shared, State};

const INVALID_CREDENTIALS: &str = "Invalid entity id/secret or secret is expired";
const MISSING_CREDENTIALS: &str = "Entity Id/Secret is missing in the request";

/// Scope of entity tokens.
// NOTE: the real service's value for entity tokens is not documented. This is
// an assumption modelled on identity-provider defaults for client credentials.
pub(super) const ENTITY_SCOPE: &str = "email profile";

pub(super) async fn generate(
    AxumState(shared): AxumState<Arc<Shared>>,
    connection: Option<Extension<ConnectionHandle>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejected(&shared, Endpoint::EntityToken, &rejection),
    };
    let form = FormFields::parse(&body);
    let connection = connection.map(|Extension(handle)| handle);
    handle_call(
        &shared,
        Endpoint::EntityToken,
        connection,
        |shared, state, now| issue(shared, state, now, &form),
    )
    .await
}

fn issue(shared: &Shared, state: &mut State, now: Timestamp, form: &FormFields) -> Reply {
    let txn_id = new_txn_id();
    let (Some(entity_id), Some(secret)) = (form.get("id"), form.get("secret")) else {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            BAD_REQUEST,
            MISSING_CREDENTIALS,
            &txn_id,
            now,
        );
    };

    let grace_warning = match check_secret(state, now, entity_id, secret) {
        SecretCheck::Valid { grace_warning } => grace_warning,
        SecretCheck::Invalid(reason) => {
            tracing::info!(entity_id, reason, "entity token rejected");
            let mut reply = Reply::error(
                StatusCode::UNAUTHORIZED,
                UNAUTHORIZED,
                INVALID_CREDENTIALS,
                &txn_id,
                now,
            );
            reply.entity_id = Some(entity_id.to_owned());
            return reply;
        }
    };

    let (token, validity) = sign_entity_token(shared, state, now, entity_id);
    let mut reply = token_reply(&txn_id, now, token, validity, ENTITY_SCOPE);
    if let Some(warning) = grace_warning {
        reply.insert("message", warning);
    }
    reply.entity_id = Some(entity_id.to_owned());
    reply.fingerprint = Some(fingerprint(secret));
    reply
}

/// Outcome of checking an entity id and secret.
pub(super) enum SecretCheck {
    /// The secret is current. `grace_warning` is set when it has expired but
    /// is still inside the grace period.
    Valid { grace_warning: Option<String> },
    /// The request fails with 401. Only the log shows the reason.
    Invalid(&'static str),
}

/// Checks `secret` against the entity's current secret and its expiry.
///
/// A secret is expired from its expiry instant on. It still works, with a
/// warning, until expiry + grace period, unless the grace period is 0.
pub(super) fn check_secret(
    state: &State,
    now: Timestamp,
    entity_id: &str,
    secret: &str,
) -> SecretCheck {
    let Some(entity) = state.entities.get(entity_id) else {
        return SecretCheck::Invalid("unknown entity id");
    };
    if entity.secret != secret {
        return SecretCheck::Invalid("secret does not match the current secret");
    }
    let Some(expires_at) = entity.expires_at else {
        return SecretCheck::Valid {
            grace_warning: None,
        };
    };
    if now < expires_at {
        return SecretCheck::Valid {
            grace_warning: None,
        };
    }

    let grace_days = state.config.grace_period_days;
    let grace_end = add_seconds(expires_at, i64::from(grace_days) * 86_400);
    if grace_days > 0 && now < grace_end {
        let warning = format!(
            "The secret for entity {entity_id} is expired and within the grace period; \
             reset it before {}",
            format_timestamp(grace_end)
        );
        SecretCheck::Valid {
            grace_warning: Some(warning),
        }
    } else {
        SecretCheck::Invalid("secret expired and past the grace period")
    }
}

/// Signs an entity token for `entity_id` and returns it with its validity in seconds.
pub(super) fn sign_entity_token(
    shared: &Shared,
    state: &State,
    now: Timestamp,
    entity_id: &str,
) -> (String, u64) {
    let validity = state.config.entity_token_validity_seconds;
    let expires_at = add_seconds(now, i64::try_from(validity).unwrap_or(i64::MAX));
    let claims = json!({
        "iss": shared.base_url,
        "sub": entity_id,
        "azp": entity_id,
        "typ": "entity",
        "iat": now.as_second(),
        "exp": expires_at.as_second(),
        "jti": Uuid::new_v4().to_string(),
    });
    (shared.signer.sign(&claims), validity)
}
