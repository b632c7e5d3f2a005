//! Two core functions exposed so that the JVM tests can run the shared
//! cases in `tests/vectors/` through the same library that applications load.

use std::time::SystemTime;

use aa_rotation::client::MessageKind;
use aa_rotation::policy::{RotationPolicy, days};
use jiff::Timestamp;

use crate::error::RotationError;
use crate::types::{instant, serde_name};

/// The expiry parsed from a secret read or reset body.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ParsedExpiry {
    pub expires_at: Option<SystemTime>,
    /// `epoch_seconds`, `epoch_millis`, `expiration_date` or `unknown`.
    pub source: String,
    /// `grace_period`, `expiry_defaulted` or `other` when the body had a `message`.
    pub message_kind: Option<String>,
}

/// What the rotation policy decides about one secret.
#[derive(Clone, Debug, uniffi::Record)]
pub struct PolicyDecision {
    /// `healthy`, `due`, `grace_period`, `expired` or `unknown`.
    pub state: String,
    pub due: bool,
    pub emergency: bool,
    pub seconds_left: Option<i64>,
    pub days_left: Option<f64>,
    /// The `aa-rotation check` exit code of the state: 0, 1 or 2.
    pub check_code: i32,
    pub reason: String,
}

/// Parses a Token Service secret read or reset body the way the client does.
/// Fails with `MALFORMED_RESPONSE` when the expiry cannot be read.
#[uniffi::export]
pub fn parse_secret_body(body: String) -> Result<ParsedExpiry, RotationError> {
    let (expiry, message) = aa_rotation::client::parse_secret_body(&body).map_err(|detail| {
        RotationError::malformed(format!("the secret body is invalid: {detail}"))
    })?;
    Ok(ParsedExpiry {
        expires_at: expiry.at.map(instant),
        source: serde_name(&expiry.source),
        message_kind: message.map(|m| {
            match m.kind {
                MessageKind::GracePeriod => "grace_period",
                MessageKind::ExpiryDefaulted => "expiry_defaulted",
                MessageKind::Other => "other",
            }
            .to_owned()
        }),
    })
}

/// Decides, at `now`, about a secret that expires at `expires_at` (null:
/// unknown), with the default policy except for the two durations given.
#[uniffi::export]
pub fn decide_rotation(
    expires_at: Option<SystemTime>,
    now: SystemTime,
    rotate_before_days: u32,
    grace_period_days: u32,
) -> Result<PolicyDecision, RotationError> {
    let timestamp = |at: SystemTime| {
        Timestamp::try_from(at)
            .map_err(|e| RotationError::config(format!("the instant is out of range: {e}")))
    };
    let policy = RotationPolicy {
        rotate_before: days(u64::from(rotate_before_days)),
        grace_period: days(u64::from(grace_period_days)),
        ..RotationPolicy::default()
    };
    let decision = policy.decide(
        expires_at.map(timestamp).transpose()?,
        None,
        timestamp(now)?,
    );
    Ok(PolicyDecision {
        state: decision.state.as_str().to_owned(),
        due: decision.due,
        emergency: decision.emergency,
        seconds_left: decision.seconds_left,
        days_left: decision.days_left(),
        check_code: decision.state.check_code(),
        reason: decision.reason,
    })
}
