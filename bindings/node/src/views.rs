//! Results of the core as plain JavaScript objects.
//!
//! Each struct here mirrors a core type field by field, with camelCase names.
//! Timestamps become RFC 3339 strings in UTC with milliseconds (the format of
//! `Date.prototype.toISOString`), fingerprints become their `sha256:…` text,
//! and secret values appear only in the structs whose docs name them, for the
//! JavaScript layer to wrap into `Secret` objects at once.

use aa_rotation::engine::{
    RecoveryOutcome as CoreRecoveryOutcome, RotationOutcome as CoreRotationOutcome,
    SecretStatus as CoreSecretStatus,
};
use aa_rotation::events::Event;
use aa_rotation::lease::LeaseInfo;
use aa_rotation::store::LastRotation as CoreLastRotation;
use aa_rotation::token_cache::CachedToken;
use aa_rotation::{EntityToken, Fingerprint, SecretInfo, UserToken};
use jiff::Timestamp;
use napi_derive::napi;

/// Formats `at` like `Date.prototype.toISOString`: `2026-06-01T12:00:00.000Z`.
pub(crate) fn iso(at: Timestamp) -> String {
    format!("{at:.3}")
}

fn iso_opt(at: Option<Timestamp>) -> Option<String> {
    at.map(iso)
}

fn text(fingerprint: Option<&Fingerprint>) -> Option<String> {
    fingerprint.map(|f| f.as_str().to_owned())
}

/// Milliseconds since the Unix epoch, the unit of `Date.now()`.
fn epoch_ms(at: Timestamp) -> f64 {
    at.as_millisecond() as f64
}

/// The state of an entity's stored secret.
#[napi(object)]
pub struct SecretStatus {
    pub entity_id: String,
    /// The store's description, such as `file:///var/lib/aa/secret.json`.
    pub store: String,
    /// Fingerprint of the secret in use (`sha256:` and 16 hex digits).
    pub fingerprint: Option<String>,
    pub obtained_at: Option<String>,
    pub expires_at: Option<String>,
    /// `epoch_seconds`, `epoch_millis`, `expiration_date`, `unknown` or `configured`.
    pub expiry_source: Option<String>,
    pub seconds_left: Option<i64>,
    /// Days left as a fraction; negative once expired.
    pub days_left: Option<f64>,
    /// `healthy`, `due`, `grace_period`, `expired` or `unknown`.
    pub state: String,
    /// True when a rotation should happen now, window and jitter aside.
    pub due: bool,
    /// True for an expired secret or one in its grace period.
    pub emergency: bool,
    /// When a scheduled rotation becomes due.
    pub due_at: Option<String>,
    /// Whether now is inside the rotation window; absent when no window is set.
    pub in_window: Option<bool>,
    /// One sentence explaining the state.
    pub reason: String,
    /// `idle`, `resetting` or `verifying`.
    pub journal: String,
    /// True while a new secret is stored but not yet promoted.
    pub pending: bool,
    pub last_rotation: Option<LastRotation>,
    /// The instance holding the rotation lease, if any.
    pub lease_holder: Option<LeaseHolder>,
}

/// The last rotation attempt.
#[napi(object)]
pub struct LastRotation {
    pub at: String,
    /// `rotated`, `recovered`, `drift_healed` or `failed`.
    pub result: String,
    /// The error message of a failed attempt; never contains a secret.
    pub error: Option<String>,
    /// The secret in use afterwards.
    pub fingerprint: Option<String>,
}

/// The holder of a rotation lease.
#[napi(object)]
pub struct LeaseHolder {
    /// `host:pid:random`.
    pub holder: String,
    pub fence: f64,
    pub acquired_at: String,
    pub expires_at: String,
}

/// The result of a `rotate()` or `ensureFresh()` call.
#[napi(object)]
pub struct RotationOutcome {
    pub entity_id: String,
    /// `rotated`, `not_due`, `deferred`, `rotated_elsewhere` or `dry_run`.
    pub action: String,
    /// The secret before the call.
    pub old_fingerprint: Option<String>,
    /// The secret after the call.
    pub fingerprint: Option<String>,
    pub expires_at: Option<String>,
    pub days_left: Option<f64>,
    /// True when the policy considers the secret due (for a dry run: whether
    /// a rotation would happen).
    pub due: bool,
    /// Resets sent by this call: 0, 1, or 2 after a lost reply.
    pub resets: u32,
    pub reason: String,
}

/// The result of a `recover()` call.
#[napi(object)]
pub struct RecoveryOutcome {
    pub entity_id: String,
    /// `nothing`, `completed`, `rolled_back` or `drift_healed`.
    pub action: String,
    pub fingerprint: Option<String>,
    pub message: String,
}

/// One event of the rotation engine. Carries fingerprints, never secrets.
#[napi(object)]
pub struct RotationEvent {
    /// `rotated`, `not_due`, `rotation_failed`, `expiry_warning`,
    /// `grace_period_warning`, `drift_healed` or `recovered`.
    pub kind: String,
    pub entity_id: String,
    pub at: String,
    pub old_fingerprint: Option<String>,
    pub new_fingerprint: Option<String>,
    pub expires_at: Option<String>,
    /// A short explanation: the decision's reason or the error's message.
    pub message: String,
}

/// An entity token with its value, for the JavaScript layer to wrap into an
/// `AccessToken` at once.
#[napi(object)]
pub struct EntityTokenData {
    /// The bearer token itself.
    pub value: String,
    pub issued_at: String,
    pub expires_at: String,
    /// When the core refreshes the token, in milliseconds since the epoch;
    /// absent on tokens that did not come from the core's cache.
    pub refresh_at_ms: Option<f64>,
    /// Fingerprint of the secret the token was issued for.
    pub secret_fingerprint: String,
    /// The service's warning, such as the grace-period notice.
    pub warning: Option<String>,
}

/// A user token with its value, for the JavaScript layer to wrap at once.
#[napi(object)]
pub struct UserTokenData {
    pub value: String,
    pub issued_at: String,
    pub expires_at: String,
}

/// A secret read or reset result with its value, for the JavaScript layer to
/// wrap at once.
#[napi(object)]
pub struct SecretInfoData {
    pub entity_id: String,
    /// The secret itself.
    pub value: String,
    pub fingerprint: String,
    pub expires_at: Option<String>,
    pub expiry_source: String,
    /// The service's `message`, if any.
    pub message: Option<String>,
    pub txn_id: Option<String>,
}

/// Serializes a serde enum that maps to one string, such as `SecretState`.
fn enum_text(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

impl From<CoreSecretStatus> for SecretStatus {
    fn from(status: CoreSecretStatus) -> Self {
        SecretStatus {
            entity_id: status.entity_id,
            store: status.store,
            fingerprint: text(status.fingerprint.as_ref()),
            obtained_at: iso_opt(status.obtained_at),
            expires_at: iso_opt(status.expires_at),
            expiry_source: status.expiry_source.as_ref().map(enum_text),
            seconds_left: status.seconds_left,
            days_left: status.days_left,
            state: status.state.as_str().to_owned(),
            due: status.due,
            emergency: status.emergency,
            due_at: iso_opt(status.due_at),
            in_window: status.in_window,
            reason: status.reason,
            journal: status.journal,
            pending: status.pending,
            last_rotation: status.last_rotation.map(LastRotation::from),
            lease_holder: status.lease_holder.map(LeaseHolder::from),
        }
    }
}

impl From<CoreLastRotation> for LastRotation {
    fn from(last: CoreLastRotation) -> Self {
        LastRotation {
            at: iso(last.at),
            result: enum_text(&last.result),
            error: last.error,
            fingerprint: text(last.fingerprint.as_ref()),
        }
    }
}

impl From<LeaseInfo> for LeaseHolder {
    fn from(lease: LeaseInfo) -> Self {
        LeaseHolder {
            holder: lease.holder,
            fence: lease.fence as f64,
            acquired_at: iso(lease.acquired_at),
            expires_at: iso(lease.expires_at),
        }
    }
}

impl From<CoreRotationOutcome> for RotationOutcome {
    fn from(outcome: CoreRotationOutcome) -> Self {
        RotationOutcome {
            entity_id: outcome.entity_id,
            action: outcome.action.as_str().to_owned(),
            old_fingerprint: text(outcome.old_fingerprint.as_ref()),
            fingerprint: text(outcome.fingerprint.as_ref()),
            expires_at: iso_opt(outcome.expires_at),
            days_left: outcome.days_left,
            due: outcome.due,
            resets: outcome.resets,
            reason: outcome.reason,
        }
    }
}

impl From<CoreRecoveryOutcome> for RecoveryOutcome {
    fn from(outcome: CoreRecoveryOutcome) -> Self {
        RecoveryOutcome {
            entity_id: outcome.entity_id,
            action: outcome.action.as_str().to_owned(),
            fingerprint: text(outcome.fingerprint.as_ref()),
            message: outcome.message,
        }
    }
}

impl From<&Event> for RotationEvent {
    fn from(event: &Event) -> Self {
        RotationEvent {
            kind: event.kind.as_str().to_owned(),
            entity_id: event.entity_id.clone(),
            at: iso(event.at),
            old_fingerprint: text(event.old_fingerprint.as_ref()),
            new_fingerprint: text(event.new_fingerprint.as_ref()),
            expires_at: iso_opt(event.expires_at),
            message: event.message.clone(),
        }
    }
}

impl EntityTokenData {
    /// Copies the token, with its refresh deadline for a token from the core's cache.
    pub(crate) fn new(token: &EntityToken, refresh_at: Option<Timestamp>) -> Self {
        EntityTokenData {
            value: token.token.expose_secret().to_owned(),
            issued_at: iso(token.issued_at),
            expires_at: iso(token.expires_at),
            refresh_at_ms: refresh_at.map(epoch_ms),
            secret_fingerprint: token.secret_fingerprint.as_str().to_owned(),
            warning: token.warning.as_ref().map(|w| w.text.clone()),
        }
    }
}

impl From<&CachedToken> for EntityTokenData {
    fn from(cached: &CachedToken) -> Self {
        EntityTokenData::new(&cached.token, Some(cached.refresh_at))
    }
}

impl From<UserToken> for UserTokenData {
    fn from(token: UserToken) -> Self {
        UserTokenData {
            value: token.token.expose_secret().to_owned(),
            issued_at: iso(token.issued_at),
            expires_at: iso(token.expires_at),
        }
    }
}

impl From<SecretInfo> for SecretInfoData {
    fn from(info: SecretInfo) -> Self {
        SecretInfoData {
            entity_id: info.entity_id,
            value: info.secret.expose_secret().to_owned(),
            fingerprint: info.secret.fingerprint().as_str().to_owned(),
            expires_at: iso_opt(info.expiry.at),
            expiry_source: enum_text(&info.expiry.source),
            message: info.message.map(|m| m.text),
            txn_id: info.txn_id,
        }
    }
}
