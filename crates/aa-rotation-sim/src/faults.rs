//! Fault injection: per-endpoint misbehaviour that tests switch on and off at run time.
//!
//! Every injected fault is independent. A request to an endpoint uses up one
//! count of each fault active on that endpoint, and the faults combine in a
//! fixed order:
//! 1. `latency` delays the request.
//! 2. The first of `error`, `html`, `empty`, `rate_limit` and `redirect`
//!    responds in place of the endpoint, which then has no effect.
//! 3. `drop_before_apply` closes the connection without a response, and the
//!    endpoint then has no effect.
//! 4. The endpoint runs and its effect is applied.
//! 5. The first of `drop_after_apply` and `hang_after_apply` withholds the response.
//! 6. Body faults reshape the response: `expires_on_seconds`,
//!    `expires_on_out_of_range`, `expiration_date_only`, `unknown_fields`,
//!    `message`, `oversized`, and `malformed_json` last.

use std::time::Duration;

use axum::http::StatusCode;
use axum::http::header::{HeaderValue, LOCATION, RETRY_AFTER};
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::SimError;
use crate::reply::{self, Reply, new_txn_id};

/// Largest `latency` accepted, in milliseconds (ten minutes).
const MAX_LATENCY_MS: u64 = 600_000;

/// Largest `oversized` body accepted, in bytes (64 MiB).
const MAX_OVERSIZED_BYTES: usize = 64 * 1024 * 1024;

/// A Token Service endpoint that counts calls and takes faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /iam/v1/user/token/generate`.
    UserToken,
    /// `POST /iam/v1/entity/secret/read`.
    SecretRead,
    /// `POST /iam/v1/entity/secret/reset`.
    SecretReset,
    /// `POST /iam/v1/entity/token/generate`.
    EntityToken,
    /// `POST /auth/realms/sahamati/protocol/openid-connect/token` (deprecated path).
    OidcToken,
}

impl Endpoint {
    /// Every endpoint, in documentation order.
    pub const ALL: [Endpoint; 5] = [
        Endpoint::UserToken,
        Endpoint::SecretRead,
        Endpoint::SecretReset,
        Endpoint::EntityToken,
        Endpoint::OidcToken,
    ];

    /// Returns the endpoint's name as used in JSON and logs, e.g. `secret_reset`.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::UserToken => "user_token",
            Endpoint::SecretRead => "secret_read",
            Endpoint::SecretReset => "secret_reset",
            Endpoint::EntityToken => "entity_token",
            Endpoint::OidcToken => "oidc_token",
        }
    }
}

/// A misbehaviour of one endpoint. In JSON the variant is the `kind` field in
/// snake_case and the other fields are camelCase, e.g.
/// `{"kind": "error", "status": 503, "errorCode": "Service Unavailable"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Fault {
    /// Sleeps `ms` milliseconds, then lets the endpoint respond normally.
    Latency {
        /// Delay in milliseconds, at most 600000.
        ms: u64,
    },
    /// Responds with the JSON error envelope and `status`, without running the endpoint.
    Error {
        /// HTTP status, 100 to 599.
        status: u16,
        /// `errorCode`, by default the status's reason phrase.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_code: Option<String>,
        /// `errorMsg`, by default a generic failure message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_msg: Option<String>,
    },
    /// Responds with a `text/html` gateway error page, as a proxy in front of
    /// the service would (502, 503, 504).
    Html {
        /// HTTP status, 100 to 599.
        status: u16,
    },
    /// Responds with `status` and an empty body.
    Empty {
        /// HTTP status, 100 to 599.
        status: u16,
    },
    /// Responds 429 with the JSON error envelope.
    RateLimit {
        /// `Retry-After` value in seconds. Without it, no header is sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Runs the endpoint and applies its effect (a Reset really changes the
    /// secret), then closes the TCP connection without sending any response bytes.
    DropAfterApply,
    /// Closes the TCP connection without any response bytes and without
    /// running the endpoint: the client sees the same lost reply as with
    /// `drop_after_apply`, but nothing changed (a Reset did not happen).
    DropBeforeApply,
    /// Runs the endpoint and applies its effect, then never responds. The
    /// connection is closed when the client gives up or the simulator shuts down.
    HangAfterApply,
    /// Sends `expiresOn` in epoch seconds whatever the configured unit.
    ExpiresOnSeconds,
    /// Leaves `expiresOn` out, so that only `expirationDate` carries the expiry.
    ExpirationDateOnly,
    /// Sends `expiresOn: 1`, a date in 1970.
    ExpiresOnOutOfRange,
    /// Adds unknown fields at the top level and a nested unknown object.
    UnknownFields,
    /// Responds 200 with the first half of the real body, which is not valid JSON.
    MalformedJson,
    /// Pads the JSON body with a `padding` string field to `bytes` bytes.
    Oversized {
        /// Target body size in bytes, at most 64 MiB.
        bytes: usize,
    },
    /// Responds 307 with this `Location`, without running the endpoint.
    Redirect {
        /// A path on the simulator (`/elsewhere`) or an http(s) URL on a loopback host.
        location: String,
    },
    /// Adds a `message` field to a success body.
    Message {
        /// The message text.
        message: String,
    },
}

impl Fault {
    /// Returns the `kind` name, e.g. `drop_after_apply`.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Latency { .. } => "latency",
            Fault::Error { .. } => "error",
            Fault::Html { .. } => "html",
            Fault::Empty { .. } => "empty",
            Fault::RateLimit { .. } => "rate_limit",
            Fault::DropAfterApply => "drop_after_apply",
            Fault::DropBeforeApply => "drop_before_apply",
            Fault::HangAfterApply => "hang_after_apply",
            Fault::ExpiresOnSeconds => "expires_on_seconds",
            Fault::ExpirationDateOnly => "expiration_date_only",
            Fault::ExpiresOnOutOfRange => "expires_on_out_of_range",
            Fault::UnknownFields => "unknown_fields",
            Fault::MalformedJson => "malformed_json",
            Fault::Oversized { .. } => "oversized",
            Fault::Redirect { .. } => "redirect",
            Fault::Message { .. } => "message",
        }
    }

    /// Checks statuses, sizes and the redirect target.
    ///
    /// # Errors
    /// [`SimError::InvalidFault`] naming the value out of range. A redirect
    /// must stay on loopback: a path, or an http(s) URL whose host is
    /// `localhost`, in 127.0.0.0/8 or `[::1]`.
    pub fn validate(&self) -> Result<(), SimError> {
        match self {
            Fault::Latency { ms } if *ms > MAX_LATENCY_MS => Err(SimError::InvalidFault(format!(
                "latency of {ms} ms is above the maximum of {MAX_LATENCY_MS} ms"
            ))),
            Fault::Error { status, .. } | Fault::Html { status } | Fault::Empty { status } => {
                status_code(*status).map(|_| ())
            }
            Fault::Oversized { bytes } if *bytes > MAX_OVERSIZED_BYTES => {
                Err(SimError::InvalidFault(format!(
                    "oversized body of {bytes} bytes is above the maximum of {MAX_OVERSIZED_BYTES}"
                )))
            }
            Fault::Redirect { location } => validate_redirect(location),
            _ => Ok(()),
        }
    }
}

fn status_code(status: u16) -> Result<StatusCode, SimError> {
    match StatusCode::from_u16(status) {
        Ok(code) if (100..=599).contains(&status) => Ok(code),
        _ => Err(SimError::InvalidFault(format!(
            "status {status} is not an HTTP status from 100 to 599"
        ))),
    }
}

fn validate_redirect(location: &str) -> Result<(), SimError> {
    if HeaderValue::from_str(location).is_err() {
        return Err(SimError::InvalidFault(format!(
            "redirect location {location:?} is not a valid header value"
        )));
    }
    if location.starts_with('/') && !location.starts_with("//") {
        return Ok(());
    }

    let url = url::Url::parse(location).map_err(|error| {
        SimError::InvalidFault(format!(
            "redirect location {location:?} is neither a path nor a URL: {error}"
        ))
    })?;
    let on_loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    if matches!(url.scheme(), "http" | "https") && on_loopback {
        Ok(())
    } else {
        Err(SimError::InvalidFault(format!(
            "redirect location {location:?} must be a path or an http(s) URL on a loopback host"
        )))
    }
}

/// An injected fault with the requests it has left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveFault {
    /// The endpoint it applies to.
    pub endpoint: Endpoint,
    /// The fault.
    pub fault: Fault,
    /// Requests it still applies to, or `None` to apply until cleared.
    pub remaining: Option<u32>,
}

/// The faults injected into one simulator.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    active: Vec<ActiveFault>,
}

impl FaultTable {
    pub(crate) fn inject(
        &mut self,
        endpoint: Endpoint,
        fault: Fault,
        count: Option<u32>,
    ) -> Result<(), SimError> {
        fault.validate()?;
        if count == Some(0) {
            return Err(SimError::InvalidFault(
                "count is 0; give at least 1, or no count to apply until cleared".into(),
            ));
        }
        self.active.push(ActiveFault {
            endpoint,
            fault,
            remaining: count,
        });
        Ok(())
    }

    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }

    pub(crate) fn list(&self) -> Vec<ActiveFault> {
        self.active.clone()
    }

    /// Returns the faults that apply to one request to `endpoint` and uses up
    /// one count of each, removing those with none left.
    pub(crate) fn take(&mut self, endpoint: Endpoint) -> FaultPlan {
        let mut faults = Vec::new();
        self.active.retain_mut(|active| {
            if active.endpoint != endpoint {
                return true;
            }
            faults.push(active.fault.clone());
            match &mut active.remaining {
                None => true,
                Some(remaining) => {
                    *remaining -= 1;
                    *remaining > 0
                }
            }
        });
        FaultPlan { faults }
    }
}

/// Way of withholding the response after the endpoint has applied its effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Withhold {
    /// Close the connection without a response.
    Drop,
    /// Keep the connection open and never respond.
    Hang,
}

/// The faults that apply to one request.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    faults: Vec<Fault>,
}

impl FaultPlan {
    pub(crate) fn kinds(&self) -> Vec<&'static str> {
        self.faults.iter().map(Fault::kind).collect()
    }

    /// Total delay of the `latency` faults.
    pub(crate) fn latency(&self) -> Duration {
        self.faults
            .iter()
            .map(|fault| match fault {
                Fault::Latency { ms } => Duration::from_millis(*ms),
                _ => Duration::ZERO,
            })
            .sum()
    }

    /// Builds the response of the first fault that responds in place of the
    /// endpoint, with its kind for the log.
    pub(crate) fn early_response(&self, now: Timestamp) -> Option<(&'static str, Response)> {
        self.faults.iter().find_map(|fault| {
            let response = match fault {
                Fault::Error {
                    status,
                    error_code,
                    error_msg,
                } => error_fault(*status, error_code.as_deref(), error_msg.as_deref(), now),
                Fault::Html { status } => html_fault(*status),
                Fault::Empty { status } => reply::raw_response(
                    checked_status(*status),
                    Some(reply::APPLICATION_JSON),
                    Vec::new(),
                ),
                Fault::RateLimit { retry_after } => rate_limit_fault(*retry_after, now),
                Fault::Redirect { location } => redirect_fault(location, now),
                _ => return None,
            };
            Some((fault.kind(), response))
        })
    }

    /// True when the connection must be closed before the endpoint runs.
    pub(crate) fn drops_before_apply(&self) -> bool {
        self.faults
            .iter()
            .any(|fault| matches!(fault, Fault::DropBeforeApply))
    }

    /// Returns how the response is withheld, if a fault withholds it.
    pub(crate) fn withhold(&self) -> Option<Withhold> {
        self.faults.iter().find_map(|fault| match fault {
            Fault::DropAfterApply => Some(Withhold::Drop),
            Fault::HangAfterApply => Some(Withhold::Hang),
            _ => None,
        })
    }

    /// Applies the body faults to `reply` and builds the response.
    pub(crate) fn shape(&self, mut reply: Reply) -> Response {
        let has = |wanted: &str| self.faults.iter().any(|fault| fault.kind() == wanted);

        if let Some(expiry) = reply.secret_expiry {
            if has("expires_on_seconds") {
                reply.insert("expiresOn", expiry.as_second());
            }
            if has("expires_on_out_of_range") {
                reply.insert("expiresOn", 1);
            }
            if has("expiration_date_only") {
                reply.body.remove("expiresOn");
            }
        }

        if has("unknown_fields") {
            reply.insert("simExtension", "unrecognised top-level field");
            reply.insert("simFlags", json!(["alpha", "beta"]));
            reply.insert(
                "simMetadata",
                json!({ "region": "loopback", "build": { "version": "0.0.0-sim", "nodes": 3 } }),
            );
        }

        if reply.is_success() {
            for fault in &self.faults {
                if let Fault::Message { message } = fault {
                    reply.insert("message", message.as_str());
                }
            }
        }

        for fault in &self.faults {
            if let Fault::Oversized { bytes } = fault {
                pad_body(&mut reply, *bytes);
            }
        }

        if has("malformed_json") {
            return malformed_response(&reply);
        }
        reply.into_response()
    }
}

/// Converts a status that was checked on injection. The fallback to 500 only
/// keeps an unchecked value from panicking.
fn checked_status(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn error_fault(
    status: u16,
    error_code: Option<&str>,
    error_msg: Option<&str>,
    now: Timestamp,
) -> Response {
    let status = checked_status(status);
    let error_code = error_code
        .map(str::to_owned)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
    let error_msg = error_msg.unwrap_or("The Token Service could not process the request");
    Reply::error(status, &error_code, error_msg, &new_txn_id(), now).into_response()
}

fn rate_limit_fault(retry_after: Option<u64>, now: Timestamp) -> Response {
    let message = match retry_after {
        Some(seconds) => format!("Too many requests. Retry after {seconds} seconds."),
        None => "Too many requests. Retry later.".to_owned(),
    };
    let mut reply = Reply::error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        message,
        &new_txn_id(),
        now,
    );
    if let Some(seconds) = retry_after {
        reply
            .headers
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    reply.into_response()
}

fn redirect_fault(location: &str, now: Timestamp) -> Response {
    let mut reply = Reply::error(
        StatusCode::TEMPORARY_REDIRECT,
        "Temporary Redirect",
        format!("The resource has moved temporarily to {location}"),
        &new_txn_id(),
        now,
    );
    if let Ok(value) = HeaderValue::from_str(location) {
        reply.headers.insert(LOCATION, value);
    }
    reply.into_response()
}

/// Builds a gateway error page of a few hundred bytes, like a reverse proxy's default page.
fn html_fault(status: u16) -> Response {
    let status = checked_status(status);
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<!DOCTYPE html>\r\n<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n\
         <h1>{title}</h1>\r\n\
         <p>The gateway could not get a valid response from the upstream service. \
         Please try again later.</p>\r\n\
         <hr><p><small>edge-gateway</small></p>\r\n</body>\r\n</html>\r\n"
    );
    reply::raw_response(status, Some("text/html"), page.into_bytes())
}

/// Adds a `padding` string so that the serialized body reaches `target` bytes.
fn pad_body(reply: &mut Reply, target: usize) {
    reply.insert("padding", "");
    let current = reply::serialize(&reply.body).len();
    let padding = "x".repeat(target.saturating_sub(current));
    reply.insert("padding", padding);
}

/// Sends the first half of the real body: a JSON object cut before its closing
/// brace can never parse.
fn malformed_response(reply: &Reply) -> Response {
    let body = reply::serialize(&reply.body);
    let cut = body.len() / 2;
    reply::raw_response(
        StatusCode::OK,
        Some(reply::APPLICATION_JSON),
        body[..cut].to_vec(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn fault_json_uses_kind_and_camel_case() {
        let fault: Fault = serde_json::from_value(json!({
            "kind": "error", "status": 503, "errorCode": "Service Unavailable"
        }))
        .unwrap();
        assert_eq!(
            fault,
            Fault::Error {
                status: 503,
                error_code: Some("Service Unavailable".into()),
                error_msg: None,
            }
        );
        let fault: Fault =
            serde_json::from_value(json!({ "kind": "rate_limit", "retryAfter": 7 })).unwrap();
        assert_eq!(
            fault,
            Fault::RateLimit {
                retry_after: Some(7)
            }
        );
        let fault: Fault = serde_json::from_value(json!({ "kind": "drop_after_apply" })).unwrap();
        assert_eq!(fault, Fault::DropAfterApply);
    }

    #[test]
    fn unknown_fault_field_is_rejected() {
        let parsed = serde_json::from_value::<Fault>(json!({ "kind": "latency", "millis": 5 }));
        assert!(parsed.is_err());
    }

    #[test]
    fn count_is_used_up_per_request() {
        let mut table = FaultTable::default();
        table
            .inject(Endpoint::SecretRead, Fault::UnknownFields, Some(2))
            .unwrap();
        table
            .inject(Endpoint::SecretReset, Fault::DropAfterApply, None)
            .unwrap();

        assert_eq!(table.take(Endpoint::SecretRead).kinds(), ["unknown_fields"]);
        assert_eq!(table.take(Endpoint::SecretRead).kinds(), ["unknown_fields"]);
        assert!(table.take(Endpoint::SecretRead).kinds().is_empty());
        for _ in 0..3 {
            assert_eq!(
                table.take(Endpoint::SecretReset).kinds(),
                ["drop_after_apply"]
            );
        }
    }

    #[test]
    fn zero_count_is_rejected() {
        let mut table = FaultTable::default();
        let result = table.inject(Endpoint::UserToken, Fault::MalformedJson, Some(0));
        assert!(result.is_err());
    }

    #[test]
    fn invalid_status_is_rejected() {
        assert!(Fault::Html { status: 99 }.validate().is_err());
        assert!(Fault::Empty { status: 600 }.validate().is_err());
        assert!(Fault::Html { status: 502 }.validate().is_ok());
    }

    #[test]
    fn redirect_must_stay_on_loopback() {
        for location in [
            "/iam/v1/elsewhere",
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            let fault = Fault::Redirect {
                location: location.into(),
            };
            assert!(fault.validate().is_ok(), "{location}");
        }
        for location in [
            "//example.com/x",
            "http://example.com/x",
            "http://10.0.0.1/x",
            "ftp://127.0.0.1/x",
            "relative/path",
        ] {
            let fault = Fault::Redirect {
                location: location.into(),
            };
            assert!(fault.validate().is_err(), "{location}");
        }
    }

    #[test]
    fn padding_reaches_target_size() {
        let mut reply = Reply::envelope(StatusCode::OK, "t", Timestamp::UNIX_EPOCH);
        pad_body(&mut reply, 4096);
        assert_eq!(reply::serialize(&reply.body).len(), 4096);
    }
}
