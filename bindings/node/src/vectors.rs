//! Entry points for the shared test vectors in `tests/vectors/`, which every
//! language runs through its own API: expiry parsing and the rotation policy.

use std::time::Duration;

use aa_rotation::RotationPolicy;
use aa_rotation::client::{MessageKind, parse_secret_body as parse_body};
use jiff::Timestamp;
use napi_derive::napi;

use crate::errors::invalid_argument;
use crate::views::iso;

/// The expiry parsed from a secret Read or Reset response body.
#[napi(object)]
pub struct ParsedSecretBody {
    /// The reason the body was rejected; the other fields are then absent.
    pub error: Option<String>,
    pub expires_at: Option<String>,
    pub epoch_seconds: Option<i64>,
    /// `epoch_seconds`, `epoch_millis`, `expiration_date` or `unknown`.
    pub source: Option<String>,
    /// `grace_period`, `expiry_defaulted` or `other`, when the body had a `message`.
    pub message_kind: Option<String>,
}

/// Parses the expiry of a secret Read or Reset response body, as the client
/// does. A body that cannot be parsed gives an `error`, not an exception.
#[napi]
pub fn parse_secret_body(body: String) -> ParsedSecretBody {
    match parse_body(&body) {
        Ok((expiry, message)) => ParsedSecretBody {
            error: None,
            expires_at: expiry.at.map(iso),
            epoch_seconds: expiry.at.map(|at| at.as_second()),
            source: serde_json::to_value(expiry.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned)),
            message_kind: message.map(|m| message_kind(m.kind).to_owned()),
        },
        Err(error) => ParsedSecretBody {
            error: Some(error),
            expires_at: None,
            epoch_seconds: None,
            source: None,
            message_kind: None,
        },
    }
}

fn message_kind(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::GracePeriod => "grace_period",
        MessageKind::ExpiryDefaulted => "expiry_defaulted",
        MessageKind::Other => "other",
    }
}

/// The inputs of one policy decision. Timestamps are RFC 3339 text.
#[napi(object)]
pub struct PolicyInput {
    pub now: String,
    /// Absent for a secret whose expiry is unknown.
    pub expires_at: Option<String>,
    pub obtained_at: Option<String>,
    /// Default 30.
    pub rotate_before_days: Option<f64>,
    /// Default 5.
    pub grace_period_days: Option<f64>,
    pub max_age_days: Option<f64>,
}

/// The rotation policy's conclusion about a secret.
#[napi(object)]
pub struct PolicyDecision {
    /// `healthy`, `due`, `grace_period`, `expired` or `unknown`.
    pub state: String,
    pub due: bool,
    pub emergency: bool,
    pub seconds_left: Option<i64>,
    pub days_left: Option<f64>,
    pub due_at: Option<String>,
    pub reason: String,
    /// The exit code of `aa-rotation check` for this state: 0, 1 or 2.
    pub check_exit_code: i32,
}

fn timestamp(name: &str, text: &str) -> napi::Result<Timestamp> {
    text.parse()
        .map_err(|e| invalid_argument(format!("{name} {text:?} is not an RFC 3339 timestamp: {e}")))
}

fn days(name: &str, value: f64) -> napi::Result<Duration> {
    Duration::try_from_secs_f64(value * 86_400.0).map_err(|_| {
        invalid_argument(format!(
            "{name} is {value}, expected a non-negative number of days"
        ))
    })
}

/// Runs the rotation policy on one secret.
#[napi]
pub fn decide_policy(input: PolicyInput) -> napi::Result<PolicyDecision> {
    let mut policy = RotationPolicy::default();
    if let Some(value) = input.rotate_before_days {
        policy.rotate_before = days("rotateBeforeDays", value)?;
    }
    if let Some(value) = input.grace_period_days {
        policy.grace_period = days("gracePeriodDays", value)?;
    }
    if let Some(value) = input.max_age_days {
        policy.max_age = Some(days("maxAgeDays", value)?);
    }
    let now = timestamp("now", &input.now)?;
    let expires_at = input
        .expires_at
        .as_deref()
        .map(|t| timestamp("expiresAt", t))
        .transpose()?;
    let obtained_at = input
        .obtained_at
        .as_deref()
        .map(|t| timestamp("obtainedAt", t))
        .transpose()?;

    let decision = policy.decide(expires_at, obtained_at, now);
    Ok(PolicyDecision {
        state: decision.state.as_str().to_owned(),
        due: decision.due,
        emergency: decision.emergency,
        seconds_left: decision.seconds_left,
        days_left: decision.days_left(),
        due_at: decision.due_at.map(iso),
        reason: decision.reason.clone(),
        check_exit_code: decision.state.check_code(),
    })
}
