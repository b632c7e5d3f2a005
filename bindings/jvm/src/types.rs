//! Records and objects that carry the core's results to the JVM.
//!
//! Records hold no secret values (fingerprints only), because generated
//! Kotlin data classes and Java records print every field in `toString()`.
//! Secret-holding values cross as objects whose `toString()` is redacted and
//! whose value comes out only through an explicit `reveal()`.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use aa_rotation::engine::{
    RecoveryOutcome as CoreRecovery, RotationOutcome as CoreOutcome, SecretStatus as CoreStatus,
};
use aa_rotation::{Event, Fingerprint};
use jiff::Timestamp;
use serde::Serialize;

/// Converts a core timestamp to the `SystemTime` that UniFFI maps onto
/// `java.time.Instant`.
pub(crate) fn instant(at: Timestamp) -> SystemTime {
    SystemTime::from(at)
}

fn fingerprint(value: Option<&Fingerprint>) -> Option<String> {
    value.map(|f| f.as_str().to_owned())
}

/// The snake_case name that serde gives a unit enum variant, such as
/// `epoch_millis`: the same text the CLI and the audit log show.
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::from("unknown"),
    }
}

/// The state of an entity's stored secret.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SecretStatus {
    pub entity_id: String,
    /// Where the record is stored, such as `file:///…` or `memory:`.
    pub store: String,
    /// Fingerprint of the secret in use, such as `sha256:9f86d081884c7d65`.
    pub fingerprint: Option<String>,
    pub obtained_at: Option<SystemTime>,
    pub expires_at: Option<SystemTime>,
    /// `epoch_seconds`, `epoch_millis`, `expiration_date`, `unknown` or `configured`.
    pub expiry_source: Option<String>,
    pub seconds_left: Option<i64>,
    pub days_left: Option<f64>,
    /// `healthy`, `due`, `grace_period`, `expired` or `unknown`.
    pub state: String,
    pub due: bool,
    pub emergency: bool,
    /// When a scheduled rotation becomes due.
    pub due_at: Option<SystemTime>,
    /// Whether now is inside the rotation window; absent when no window is set.
    pub in_window: Option<bool>,
    pub reason: String,
    /// `idle`, `resetting` or `verifying`.
    pub journal: String,
    pub pending: bool,
    pub last_rotation: Option<LastRotation>,
    pub lease_holder: Option<LeaseHolder>,
}

/// How the last rotation attempt ended.
#[derive(Clone, Debug, uniffi::Record)]
pub struct LastRotation {
    pub at: SystemTime,
    /// `rotated`, `recovered`, `drift_healed` or `failed`.
    pub result: String,
    /// The error message of a failed attempt.
    pub error: Option<String>,
    pub fingerprint: Option<String>,
}

/// The instance that holds the rotation lease.
#[derive(Clone, Debug, uniffi::Record)]
pub struct LeaseHolder {
    /// `host:pid:random`.
    pub holder: String,
    pub fence: i64,
    pub acquired_at: SystemTime,
    pub expires_at: SystemTime,
}

impl From<CoreStatus> for SecretStatus {
    fn from(status: CoreStatus) -> Self {
        Self {
            entity_id: status.entity_id,
            store: status.store,
            fingerprint: fingerprint(status.fingerprint.as_ref()),
            obtained_at: status.obtained_at.map(instant),
            expires_at: status.expires_at.map(instant),
            expiry_source: status.expiry_source.as_ref().map(serde_name),
            seconds_left: status.seconds_left,
            days_left: status.days_left,
            state: status.state.as_str().to_owned(),
            due: status.due,
            emergency: status.emergency,
            due_at: status.due_at.map(instant),
            in_window: status.in_window,
            reason: status.reason,
            journal: status.journal,
            pending: status.pending,
            last_rotation: status.last_rotation.map(|last| LastRotation {
                at: instant(last.at),
                result: serde_name(&last.result),
                error: last.error,
                fingerprint: fingerprint(last.fingerprint.as_ref()),
            }),
            lease_holder: status.lease_holder.map(|lease| LeaseHolder {
                holder: lease.holder,
                fence: i64::try_from(lease.fence).unwrap_or(i64::MAX),
                acquired_at: instant(lease.acquired_at),
                expires_at: instant(lease.expires_at),
            }),
        }
    }
}

/// The result of a `rotate` or `ensure_fresh` call.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RotationOutcome {
    pub entity_id: String,
    /// `rotated`, `not_due`, `deferred`, `rotated_elsewhere` or `dry_run`.
    pub action: String,
    /// The secret before the call.
    pub old_fingerprint: Option<String>,
    /// The secret after the call.
    pub fingerprint: Option<String>,
    pub expires_at: Option<SystemTime>,
    pub days_left: Option<f64>,
    /// Whether the policy considers the secret due.
    pub due: bool,
    /// Resets sent by this call: 0, 1, or 2 after a lost reply.
    pub resets: i32,
    pub reason: String,
}

impl From<CoreOutcome> for RotationOutcome {
    fn from(outcome: CoreOutcome) -> Self {
        Self {
            entity_id: outcome.entity_id,
            action: outcome.action.as_str().to_owned(),
            old_fingerprint: fingerprint(outcome.old_fingerprint.as_ref()),
            fingerprint: fingerprint(outcome.fingerprint.as_ref()),
            expires_at: outcome.expires_at.map(instant),
            days_left: outcome.days_left,
            due: outcome.due,
            resets: i32::try_from(outcome.resets).unwrap_or(i32::MAX),
            reason: outcome.reason,
        }
    }
}

/// The result of `recover`.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RecoveryOutcome {
    pub entity_id: String,
    /// `nothing`, `completed`, `rolled_back` or `drift_healed`.
    pub action: String,
    pub fingerprint: Option<String>,
    pub message: String,
}

impl From<CoreRecovery> for RecoveryOutcome {
    fn from(outcome: CoreRecovery) -> Self {
        Self {
            entity_id: outcome.entity_id,
            action: outcome.action.as_str().to_owned(),
            fingerprint: fingerprint(outcome.fingerprint.as_ref()),
            message: outcome.message,
        }
    }
}

/// A rotation event, as delivered to listeners and the audit log.
#[derive(Clone, Debug, uniffi::Record)]
pub struct RotationEvent {
    /// `rotated`, `not_due`, `rotation_failed`, `expiry_warning`,
    /// `grace_period_warning`, `drift_healed` or `recovered`.
    pub kind: String,
    pub entity_id: String,
    pub at: SystemTime,
    pub old_fingerprint: Option<String>,
    pub new_fingerprint: Option<String>,
    pub expires_at: Option<SystemTime>,
    /// The decision's reason or the error's message.
    pub message: String,
}

impl From<&Event> for RotationEvent {
    fn from(event: &Event) -> Self {
        Self {
            kind: event.kind.as_str().to_owned(),
            entity_id: event.entity_id.clone(),
            at: instant(event.at),
            old_fingerprint: fingerprint(event.old_fingerprint.as_ref()),
            new_fingerprint: fingerprint(event.new_fingerprint.as_ref()),
            expires_at: event.expires_at.map(instant),
            message: event.message.clone(),
        }
    }
}

/// What is known about an entity token, without its value.
#[derive(Clone, Debug, uniffi::Record)]
pub struct TokenInfo {
    pub issued_at: SystemTime,
    pub expires_at: SystemTime,
    /// Fingerprint of the secret the token was issued for.
    pub secret_fingerprint: String,
    /// The service's warning, such as the grace-period notice.
    pub warning: Option<String>,
}

/// An entity token. Its `toString()` is redacted; `reveal()` returns the
/// bearer value for an `Authorization` header.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct EntityToken {
    pub(crate) inner: Arc<aa_rotation::EntityToken>,
}

impl fmt::Display for EntityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EntityToken([redacted], expires {})",
            self.inner.expires_at
        )
    }
}

#[uniffi::export]
impl EntityToken {
    /// Returns the bearer token itself. Never log the result.
    pub fn reveal(&self) -> String {
        self.inner.token.expose_secret().to_owned()
    }

    /// Returns the token's times, secret fingerprint and warning in one call.
    pub fn info(&self) -> TokenInfo {
        TokenInfo {
            issued_at: instant(self.inner.issued_at),
            expires_at: instant(self.inner.expires_at),
            secret_fingerprint: self.inner.secret_fingerprint.as_str().to_owned(),
            warning: self.inner.warning.as_ref().map(|w| w.text.clone()),
        }
    }
}

/// A user token of the designated user. Its `toString()` is redacted.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct UserToken {
    pub(crate) inner: aa_rotation::UserToken,
}

impl fmt::Display for UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UserToken([redacted], expires {})",
            self.inner.expires_at
        )
    }
}

#[uniffi::export]
impl UserToken {
    /// Returns the bearer token itself. Never log the result.
    pub fn reveal(&self) -> String {
        self.inner.token.expose_secret().to_owned()
    }

    pub fn issued_at(&self) -> SystemTime {
        instant(self.inner.issued_at)
    }

    pub fn expires_at(&self) -> SystemTime {
        instant(self.inner.expires_at)
    }
}

/// What the service returned for a secret read or reset, without the value.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SecretMetadata {
    pub entity_id: String,
    pub fingerprint: String,
    pub expires_at: Option<SystemTime>,
    /// `epoch_seconds`, `epoch_millis`, `expiration_date` or `unknown`.
    pub expiry_source: String,
    /// The service's `message`, if any.
    pub message: Option<String>,
    pub txn_id: Option<String>,
}

/// The result of a secret read or reset. Its `toString()` is redacted.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct SecretInfo {
    pub(crate) inner: aa_rotation::SecretInfo,
}

impl fmt::Display for SecretInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretInfo({}, [redacted], {})",
            self.inner.entity_id,
            self.inner.secret.fingerprint()
        )
    }
}

#[uniffi::export]
impl SecretInfo {
    /// Returns the secret itself. Never log the result.
    pub fn reveal(&self) -> String {
        self.inner.secret.expose_secret().to_owned()
    }

    /// Returns everything but the secret value.
    pub fn metadata(&self) -> SecretMetadata {
        SecretMetadata {
            entity_id: self.inner.entity_id.clone(),
            fingerprint: self.inner.secret.fingerprint().as_str().to_owned(),
            expires_at: self.inner.expiry.at.map(instant),
            expiry_source: serde_name(&self.inner.expiry.source),
            message: self.inner.message.as_ref().map(|m| m.text.clone()),
            txn_id: self.inner.txn_id.clone(),
        }
    }
}
