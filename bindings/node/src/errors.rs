//! Core errors as JavaScript exceptions.
//!
//! A core error crosses the boundary as a napi error whose message is
//! [`PAYLOAD_MARKER`] followed by a JSON payload. The JavaScript layer
//! (`node/lib/errors.js`) recognises the marker and throws an
//! `AaRotationError` carrying the payload's fields, so that users never see
//! the payload itself. The payload holds only what the core error exposes: its
//! `Display` text, which never contains a secret, password or token, and its
//! structured fields.

use aa_rotation::Error;
use serde::Serialize;

/// Prefix of every error message that carries a payload. The control
/// character keeps it from colliding with a message written by hand.
pub(crate) const PAYLOAD_MARKER: &str = "\u{1}aa-rotation-error:";

/// The fields of one `AaRotationError`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_msg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    txn_id: Option<String>,
    /// The `Retry-After` delay in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<f64>,
    transient: bool,
    outcome_unknown: bool,
    /// The rotation step that failed, for `ROTATION_FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<&'static str>,
    /// The innermost error, for `ROTATION_FAILED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<Box<Payload>>,
}

impl Payload {
    fn of(error: &Error) -> Self {
        let detail = error.detail();
        let (step, cause) = match error {
            Error::RotationFailed { step, source, .. } => {
                (Some(*step), Some(Box::new(Payload::of(source.root()))))
            }
            _ => (None, None),
        };
        Payload {
            code: error.kind().code(),
            message: error.to_string(),
            status: error.status(),
            error_code: detail.and_then(|d| d.error_code.clone()),
            error_msg: detail.and_then(|d| d.error_msg.clone()),
            txn_id: detail.and_then(|d| d.txn_id.clone()),
            retry_after: error.retry_after().map(|delay| delay.as_secs_f64()),
            transient: error.is_transient(),
            outcome_unknown: error.is_outcome_unknown(),
            step,
            cause,
        }
    }
}

/// Converts a core error into the napi error that the JavaScript layer turns
/// into an `AaRotationError`.
pub(crate) fn to_napi(error: Error) -> napi::Error {
    let payload = Payload::of(&error);
    match serde_json::to_string(&payload) {
        Ok(json) => napi::Error::from_reason(format!("{PAYLOAD_MARKER}{json}")),
        // Serializing strings and numbers cannot fail; keep the plain text
        // rather than lose the error if it ever does.
        Err(_) => napi::Error::from_reason(error.to_string()),
    }
}

/// Creates a `CONFIG` error for an invalid argument from JavaScript.
pub(crate) fn invalid_argument(message: impl Into<String>) -> napi::Error {
    to_napi(Error::Config(message.into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use aa_rotation::{Endpoint, ErrorKind, ServiceDetail};

    use super::*;

    fn payload_of(error: Error) -> serde_json::Value {
        let text = to_napi(error).reason;
        let json = text.strip_prefix(PAYLOAD_MARKER).expect("marker");
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn rotation_failure_carries_root_fields() {
        let root = Error::RateLimited {
            endpoint: Endpoint::SecretReset,
            retry_after: Some(Duration::from_secs(120)),
            detail: ServiceDetail {
                status: 429,
                txn_id: Some("txn-1".into()),
                ..Default::default()
            },
        };
        let error = Error::RotationFailed {
            entity_id: "E".into(),
            step: "reset",
            source: Box::new(root),
        };
        let payload = payload_of(error);
        assert_eq!(payload["code"], "ROTATION_FAILED");
        assert_eq!(payload["step"], "reset");
        assert_eq!(payload["status"], 429);
        assert_eq!(payload["retryAfter"], 120.0);
        assert_eq!(payload["cause"]["code"], "RATE_LIMITED");
        assert_eq!(payload["cause"]["txnId"], "txn-1");
        let cause = payload["cause"]["code"].as_str().unwrap();
        assert!(ErrorKind::ALL.iter().any(|kind| kind.code() == cause));
    }

    #[test]
    fn config_error_has_no_service_fields() {
        let payload = payload_of(Error::Config("bad".into()));
        assert_eq!(payload["code"], "CONFIG");
        assert!(payload.get("status").is_none());
        assert_eq!(payload["transient"], false);
    }
}
