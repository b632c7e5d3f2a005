//! `POST /iam/v1/user/token/generate`: the designated user's token.

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
use crate::reply::{Reply, new_txn_id};
use crate::server::ConnectionHandle;
use crate::state::{Shared, State};

const INVALID_CREDENTIALS: &str = "Invalid username/password or password is expired";
const MISSING_CREDENTIALS: &str = "User Id/Password is missing in the request";

/// Scope that the real service reports for user tokens.
const USER_SCOPE: &str = "email secret-expiry-ts profile entityMetadata";

pub(super) async fn generate(
    AxumState(shared): AxumState<Arc<Shared>>,
    connection: Option<Extension<ConnectionHandle>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_rejected(&shared, Endpoint::UserToken, &rejection),
    };
    let form = FormFields::parse(&body);
    let connection = connection.map(|Extension(handle)| handle);
    handle_call(
        &shared,
        Endpoint::UserToken,
        connection,
        |shared, state, now| issue(shared, state, now, &form),
    )
    .await
}

fn issue(shared: &Shared, state: &mut State, now: Timestamp, form: &FormFields) -> Reply {
    let txn_id = new_txn_id();
    let (Some(username), Some(password)) = (form.get("username"), form.get("password")) else {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            BAD_REQUEST,
            MISSING_CREDENTIALS,
            &txn_id,
            now,
        );
    };

    let user = match state.users.get(username) {
        Some(user) if user.password == password && !user.password_expired(now) => user,
        found => {
            let reason = match found {
                None => "unknown username",
                Some(user) if user.password != password => "wrong password",
                Some(_) => "password expired",
            };
            tracing::debug!(reason, "user token rejected");
            return Reply::error(
                StatusCode::UNAUTHORIZED,
                UNAUTHORIZED,
                INVALID_CREDENTIALS,
                &txn_id,
                now,
            );
        }
    };

    let validity = state.config.user_token_validity_seconds;
    let issued_at = now.as_second();
    let expires_at = add_seconds(now, i64::try_from(validity).unwrap_or(i64::MAX)).as_second();
    let mut claims = json!({
        "iss": shared.base_url,
        "sub": username,
        "typ": "user",
        "iat": issued_at,
        "exp": expires_at,
        "jti": Uuid::new_v4().to_string(),
        "entities": user.entities,
    });
    if let Some(password_expiry) = user.password_expires_at {
        claims["secret-expiry-ts"] = json!(password_expiry.as_second());
    }

    let token = shared.signer.sign(&claims);
    token_reply(&txn_id, now, token, validity, USER_SCOPE)
}
