//! Control endpoints under `/_sim/`, for tests written in other languages:
//! seed users and entities, move the clock, read counters, inject faults and
//! replace the configuration. Peers not on loopback get 403.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State as AxumState};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use jiff::SignedDuration;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::reply::{self, Reply, new_txn_id};
use crate::state::Shared;
use crate::{Endpoint, Fault, SeedDocument, SimConfig};

/// Largest single clock advance accepted, about a century in seconds.
const MAX_ADVANCE_SECONDS: f64 = 100.0 * 366.0 * 86_400.0;

/// Routes relative to `/_sim`.
pub(crate) fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    Router::new()
        .route("/seed", post(seed))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/counters", get(counters))
        .route("/entities/{id}/secret", get(entity_secret))
        .route(
            "/faults",
            get(list_faults).post(inject_fault).delete(clear_faults),
        )
        .route("/config", get(get_config).put(put_config))
        .route_layer(middleware::from_fn_with_state(
            shared,
            require_loopback_peer,
        ))
}

/// Decides whether a peer may use the control endpoints: only loopback
/// addresses (127.0.0.0/8, `::1`, and IPv4-mapped `::ffff:127.x.x.x`) may.
pub(crate) fn is_loopback_peer(peer: SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

async fn require_loopback_peer(
    AxumState(shared): AxumState<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| *peer);
    match peer {
        Some(peer) if is_loopback_peer(peer) => next.run(request).await,
        _ => {
            tracing::warn!(?peer, "control request from a non-loopback peer rejected");
            control_error(
                &shared,
                StatusCode::FORBIDDEN,
                "Forbidden",
                "Control endpoints accept loopback clients only",
            )
        }
    }
}

fn control_error(shared: &Shared, status: StatusCode, code: &str, message: &str) -> Response {
    let now = shared.lock().clock.now();
    Reply::error(status, code, message, &new_txn_id(), now).into_response()
}

fn bad_request(shared: &Shared, message: &str) -> Response {
    control_error(shared, StatusCode::BAD_REQUEST, "Bad Request", message)
}

/// Parses a control request body, naming `what` in the error message.
fn parse_body<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|error| format!("Invalid {what}: {error}"))
}

async fn seed(AxumState(shared): AxumState<Arc<Shared>>, body: Bytes) -> Response {
    let document: SeedDocument = match parse_body(&body, "seed document") {
        Ok(document) => document,
        Err(message) => return bad_request(&shared, &message),
    };

    let result = {
        let mut state = shared.lock();
        let now = state.clock.now();
        document.resolve(now).map(|seed| {
            let counts = (seed.users.len(), seed.entities.len());
            state.apply_seed(seed);
            counts
        })
    };
    match result {
        Ok((users, entities)) => {
            tracing::info!(users, entities, "seed loaded");
            reply::json_response(
                StatusCode::OK,
                &json!({ "users": users, "entities": entities }),
            )
        }
        Err(error) => bad_request(&shared, &error.to_string()),
    }
}

async fn clock(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let now = shared.lock().clock.now();
    reply::json_response(StatusCode::OK, &json!({ "now": now.as_second() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceRequest {
    seconds: f64,
}

async fn advance_clock(AxumState(shared): AxumState<Arc<Shared>>, body: Bytes) -> Response {
    let request: AdvanceRequest = match parse_body(&body, "clock advance request") {
        Ok(request) => request,
        Err(message) => return bad_request(&shared, &message),
    };
    let seconds = request.seconds;
    if !seconds.is_finite() || !(0.0..=MAX_ADVANCE_SECONDS).contains(&seconds) {
        let message = format!(
            "seconds is {seconds}; the clock only moves forward, by at most {MAX_ADVANCE_SECONDS} seconds"
        );
        return bad_request(&shared, &message);
    }

    let now = {
        let mut state = shared.lock();
        state.clock.advance(SignedDuration::from_secs_f64(seconds));
        state.clock.now()
    };
    tracing::info!(seconds, now = %now, "clock advanced");
    reply::json_response(StatusCode::OK, &json!({ "now": now.as_second() }))
}

async fn counters(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let counters = shared.lock().counters();
    reply::json_response(StatusCode::OK, &counters)
}

async fn entity_secret(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(entity_id): Path<String>,
) -> Response {
    let secret = shared
        .lock()
        .entities
        .get(&entity_id)
        .map(|entity| entity.secret.clone());
    match secret {
        Some(secret) => reply::json_response(StatusCode::OK, &json!({ "secret": secret })),
        None => control_error(
            &shared,
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("Entity {entity_id} not found; seed it first"),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InjectRequest {
    endpoint: Endpoint,
    fault: Fault,
    #[serde(default)]
    count: Option<u32>,
}

async fn inject_fault(AxumState(shared): AxumState<Arc<Shared>>, body: Bytes) -> Response {
    let request: InjectRequest = match parse_body(&body, "fault request") {
        Ok(request) => request,
        Err(message) => return bad_request(&shared, &message),
    };

    let kind = request.fault.kind();
    let result = shared
        .lock()
        .faults
        .inject(request.endpoint, request.fault, request.count);
    match result {
        Ok(()) => {
            tracing::info!(
                endpoint = request.endpoint.as_str(),
                fault = kind,
                count = request.count,
                "fault injected"
            );
            list_faults(AxumState(shared)).await
        }
        Err(error) => bad_request(&shared, &error.to_string()),
    }
}

async fn list_faults(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let faults = shared.lock().faults.list();
    reply::json_response(StatusCode::OK, &json!({ "faults": faults }))
}

async fn clear_faults(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    shared.lock().faults.clear();
    tracing::info!("faults cleared");
    list_faults(AxumState(shared)).await
}

async fn get_config(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let config = shared.lock().config.clone();
    reply::json_response(StatusCode::OK, &config)
}

async fn put_config(AxumState(shared): AxumState<Arc<Shared>>, body: Bytes) -> Response {
    let config: SimConfig = match parse_body(&body, "configuration") {
        Ok(config) => config,
        Err(message) => return bad_request(&shared, &message),
    };
    if let Err(error) = config.validate() {
        return bad_request(&shared, &error.to_string());
    }

    shared.lock().config = config.clone();
    tracing::info!(?config, "configuration replaced");
    reply::json_response(StatusCode::OK, &config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn loopback_peers_are_allowed() {
        for peer in [
            "127.0.0.1:5000",
            "127.8.9.10:1",
            "[::1]:5000",
            "[::ffff:127.0.0.1]:5000",
        ] {
            assert!(is_loopback_peer(peer.parse().unwrap()), "{peer}");
        }
    }

    #[test]
    fn other_peers_are_rejected() {
        for peer in [
            "10.0.0.5:5000",
            "192.168.1.2:5000",
            "0.0.0.0:5000",
            "[::]:5000",
            "[fe80::1]:5000",
            "[::ffff:10.0.0.5]:5000",
        ] {
            assert!(!is_loopback_peer(peer.parse().unwrap()), "{peer}");
        }
    }
}
