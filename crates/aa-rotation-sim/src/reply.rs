//! Replies of the Token Service endpoints: the `{ver, timestamp, txnId}`
//! envelope, error bodies, and their conversion into HTTP responses.

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

/// `ver` of every envelope the simulator writes.
pub(crate) const API_VERSION: &str = "1.0.0";

pub(crate) const APPLICATION_JSON: &str = "application/json";

/// Formats `timestamp` as RFC 3339 in UTC with milliseconds: `2024-07-16T11:33:34.509Z`.
pub(crate) fn format_timestamp(timestamp: Timestamp) -> String {
    format!("{timestamp:.3}")
}

pub(crate) fn new_txn_id() -> String {
    Uuid::new_v4().to_string()
}

/// A JSON reply, before the endpoint's faults reshape it.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Map<String, Value>,
    /// Headers besides `Content-Type`, such as `WWW-Authenticate`.
    pub(crate) headers: HeaderMap,
    /// Expiry of the secret in a Read or Reset success body, for the faults
    /// that rewrite `expiresOn`.
    pub(crate) secret_expiry: Option<Timestamp>,
    /// Entity id, transaction id and secret fingerprint for the request log line.
    pub(crate) entity_id: Option<String>,
    pub(crate) txn_id: String,
    pub(crate) fingerprint: Option<String>,
}

impl Reply {
    /// Starts a reply whose body is the `{ver, timestamp, txnId}` envelope.
    pub(crate) fn envelope(status: StatusCode, txn_id: &str, now: Timestamp) -> Self {
        let mut body = Map::new();
        body.insert("ver".into(), API_VERSION.into());
        body.insert("timestamp".into(), format_timestamp(now).into());
        body.insert("txnId".into(), txn_id.into());
        Reply {
            status,
            body,
            ..Reply::bare(status, txn_id)
        }
    }

    /// Builds the Token Service error envelope `{ver, timestamp, txnId, errorCode, errorMsg}`.
    pub(crate) fn error(
        status: StatusCode,
        error_code: &str,
        error_msg: impl Into<String>,
        txn_id: &str,
        now: Timestamp,
    ) -> Self {
        let mut reply = Reply::envelope(status, txn_id, now);
        reply.insert("errorCode", error_code);
        reply.insert("errorMsg", error_msg.into());
        reply
    }

    /// Starts a reply with an empty JSON object, for bodies without the envelope (OAuth).
    pub(crate) fn bare(status: StatusCode, txn_id: &str) -> Self {
        Reply {
            status,
            body: Map::new(),
            headers: HeaderMap::new(),
            secret_expiry: None,
            entity_id: None,
            txn_id: txn_id.to_owned(),
            fingerprint: None,
        }
    }

    pub(crate) fn insert(&mut self, key: &str, value: impl Into<Value>) {
        self.body.insert(key.to_owned(), value.into());
    }

    pub(crate) fn is_success(&self) -> bool {
        self.status.is_success()
    }

    pub(crate) fn into_response(self) -> Response {
        let body = serialize(&self.body);
        let mut response = raw_response(self.status, Some(APPLICATION_JSON), body);
        response.headers_mut().extend(self.headers);
        response
    }
}

/// Serializes a JSON object. A map with string keys always serializes, so
/// the empty fallback is never used in practice.
pub(crate) fn serialize(body: &Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_default()
}

/// Builds a response from raw bytes, with `content_type` when given.
pub(crate) fn raw_response(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: Vec<u8>,
) -> Response {
    let length = body.len();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(content_type) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// Builds a JSON response from any serializable value (control endpoints, JWKS).
pub(crate) fn json_response(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    raw_response(status, Some(APPLICATION_JSON), body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn timestamp_has_milliseconds_and_zulu() {
        let timestamp: Timestamp = "2024-07-16T11:33:34Z".parse().unwrap();
        assert_eq!(format_timestamp(timestamp), "2024-07-16T11:33:34.000Z");
        let timestamp: Timestamp = "2024-07-16T11:33:34.509123Z".parse().unwrap();
        assert_eq!(format_timestamp(timestamp), "2024-07-16T11:33:34.509Z");
    }
}
