//! The Token Service endpoints, the JWKS, and the pipeline that runs every
//! call through its endpoint's faults.

mod entity_token;
mod oidc;
mod secret;
mod user_token;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State as AxumState};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use jiff::Timestamp;

use crate::Endpoint;
use crate::faults::Withhold;
use crate::reply::{self, Reply, new_txn_id};
use crate::server::ConnectionHandle;
use crate::state::{Shared, State};

/// Path of the deprecated OpenID Connect token endpoint, relative to the root URL.
pub(crate) const OIDC_TOKEN_PATH: &str = "/auth/realms/sahamati/protocol/openid-connect/token";
/// Path of the JWKS beside the deprecated token endpoint.
pub(crate) const OIDC_CERTS_PATH: &str = "/auth/realms/sahamati/protocol/openid-connect/certs";
/// Path of the JWKS under the IAM base URL.
pub(crate) const JWKS_PATH: &str = "/iam/.well-known/jwks.json";

pub(crate) const UNAUTHORIZED: &str = "Unauthorized";
pub(crate) const BAD_REQUEST: &str = "Bad Request";
pub(crate) const FORBIDDEN: &str = "Forbidden";

/// Routes of the Token Service endpoints and the JWKS.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/iam/v1/user/token/generate", post(user_token::generate))
        .route("/iam/v1/entity/secret/read", post(secret::read))
        .route("/iam/v1/entity/secret/reset", post(secret::reset))
        .route(
            "/iam/v1/entity/token/generate",
            post(entity_token::generate),
        )
        .route(OIDC_TOKEN_PATH, post(oidc::token))
        .route(JWKS_PATH, get(jwks))
        .route(OIDC_CERTS_PATH, get(jwks))
}

async fn jwks(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    reply::json_response(StatusCode::OK, &shared.signer.jwks())
}

/// Returns the JSON 404 for a request that matches no route.
pub(crate) async fn not_found(
    AxumState(shared): AxumState<Arc<Shared>>,
    request: Request,
) -> Response {
    let now = shared.lock().clock.now();
    let message = format!(
        "No resource at {} {}",
        request.method(),
        request.uri().path()
    );
    Reply::error(
        StatusCode::NOT_FOUND,
        "Not Found",
        message,
        &new_txn_id(),
        now,
    )
    .into_response()
}

/// Returns the JSON 405 for a request whose path exists but not with this method.
pub(crate) async fn method_not_allowed(
    AxumState(shared): AxumState<Arc<Shared>>,
    request: Request,
) -> Response {
    let now = shared.lock().clock.now();
    let message = format!(
        "Method {} is not allowed on {}",
        request.method(),
        request.uri().path()
    );
    Reply::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        message,
        &new_txn_id(),
        now,
    )
    .into_response()
}

/// Builds the JSON error envelope for a request body that axum could not
/// buffer (over its 2 MB default limit, or cut off). The call is counted, but
/// the endpoint's faults are not applied.
pub(crate) fn body_rejected(
    shared: &Shared,
    endpoint: Endpoint,
    rejection: &BytesRejection,
) -> Response {
    let now = {
        let mut state = shared.lock();
        state.calls.increment(endpoint);
        state.clock.now()
    };
    let status = rejection.status();
    tracing::info!(
        endpoint = endpoint.as_str(),
        status = status.as_u16(),
        "Token Service request body rejected"
    );
    let error_code = status.canonical_reason().unwrap_or("Bad Request");
    Reply::error(
        status,
        error_code,
        rejection.body_text(),
        &new_txn_id(),
        now,
    )
    .into_response()
}

/// Runs one Token Service call: counts it, applies the endpoint's faults
/// around `process`, logs the outcome and builds the response.
///
/// `process` runs with the state locked and the simulator clock's current
/// time, and must not block.
pub(crate) async fn handle_call<F>(
    shared: &Shared,
    endpoint: Endpoint,
    connection: Option<ConnectionHandle>,
    process: F,
) -> Response
where
    F: FnOnce(&Shared, &mut State, Timestamp) -> Reply,
{
    let plan = {
        let mut state = shared.lock();
        state.calls.increment(endpoint);
        state.faults.take(endpoint)
    };

    let latency = plan.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let now = shared.lock().clock.now();
    if let Some((fault, response)) = plan.early_response(now) {
        tracing::info!(
            endpoint = endpoint.as_str(),
            status = response.status().as_u16(),
            fault,
            "Token Service request handled by a fault"
        );
        return response;
    }

    if plan.drops_before_apply() {
        tracing::info!(
            endpoint = endpoint.as_str(),
            "closing the connection without a response or effect (drop_before_apply)"
        );
        if let Some(connection) = connection {
            connection.close_without_response();
        }
        return std::future::pending::<Response>().await;
    }

    let reply = {
        let mut state = shared.lock();
        let now = state.clock.now();
        process(shared, &mut state, now)
    };
    tracing::info!(
        endpoint = endpoint.as_str(),
        status = reply.status.as_u16(),
        entity_id = reply.entity_id.as_deref(),
        txn_id = %reply.txn_id,
        fingerprint = reply.fingerprint.as_deref(),
        faults = ?plan.kinds(),
        "Token Service request"
    );

    match plan.withhold() {
        Some(Withhold::Drop) => {
            tracing::info!(
                endpoint = endpoint.as_str(),
                txn_id = %reply.txn_id,
                "closing the connection without a response (drop_after_apply)"
            );
            if let Some(connection) = connection {
                connection.close_without_response();
            }
            // The connection task drops this future together with the connection.
            std::future::pending::<Response>().await
        }
        Some(Withhold::Hang) => {
            tracing::info!(
                endpoint = endpoint.as_str(),
                txn_id = %reply.txn_id,
                "holding the response until the client disconnects or the simulator stops (hang_after_apply)"
            );
            std::future::pending::<Response>().await
        }
        None => plan.shape(reply),
    }
}

/// Fields of an `application/x-www-form-urlencoded` body. The first
/// occurrence of a name wins. The body is parsed whatever its `Content-Type`,
/// so a wrong type shows up as missing fields rather than a non-JSON error page.
pub(crate) struct FormFields(HashMap<String, String>);

impl FormFields {
    pub(crate) fn parse(body: &[u8]) -> Self {
        let mut fields = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            fields
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        FormFields(fields)
    }

    /// Returns the field's value, treating an empty value as missing.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }
}

/// Builds the 200 body of the user and entity token calls.
///
/// No refresh token is issued, so `refreshExpiresIn` is 0.
pub(crate) fn token_reply(
    txn_id: &str,
    now: Timestamp,
    access_token: String,
    validity_seconds: u64,
    scope: &str,
) -> Reply {
    let mut reply = Reply::envelope(StatusCode::OK, txn_id, now);
    reply.insert("accessToken", access_token);
    reply.insert("expiresIn", validity_seconds);
    reply.insert("refreshExpiresIn", 0);
    reply.insert("tokenType", "Bearer");
    reply.insert("notBeforePolicy", 0);
    reply.insert("scope", scope);
    reply
}
