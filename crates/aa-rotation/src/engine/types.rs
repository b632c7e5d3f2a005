//! The engine's settings and results.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use crate::client::ExpirySource;
use crate::lease::LeaseInfo;
use crate::policy::{Decision, RotationPolicy, SecretState};
use crate::secret::{ClientSecret, Fingerprint, Password};
use crate::store::{LastRotation, SecretRecord};

/// The designated user's credentials.
#[derive(Clone, Debug)]
pub struct UserCredentials {
    pub username: String,
    pub password: Password,
}

/// Settings of an [`super::Engine`].
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub entity_id: String,
    /// Needed for Read and Reset; without them the engine can only use and
    /// verify the stored secret.
    pub credentials: Option<UserCredentials>,
    /// Stored with an unknown expiry when the store is empty and no
    /// credentials are configured.
    pub bootstrap_secret: Option<ClientSecret>,
    pub policy: RotationPolicy,
    /// How long a lease lasts. Ten minutes is far above a rotation's few
    /// seconds, yet frees an entity soon after a holder hangs.
    pub lease_ttl: Duration,
    /// How long `rotate` waits for another instance's lease before it fails.
    pub lease_wait: Duration,
}

impl EngineConfig {
    /// Settings with defaults for everything but the entity id.
    pub fn new(entity_id: impl Into<String>) -> Self {
        Self {
            entity_id: entity_id.into(),
            credentials: None,
            bootstrap_secret: None,
            policy: RotationPolicy::default(),
            lease_ttl: Duration::from_secs(600),
            lease_wait: Duration::from_secs(120),
        }
    }
}

/// Options of one `rotate` call.
#[derive(Clone, Copy, Debug, Default)]
pub struct RotateOptions {
    /// Rotate even if the policy finds the secret not due.
    pub force: bool,
    /// Decide and report, without any Reset.
    pub dry_run: bool,
}

/// The action a `rotate` or `ensure_fresh` call took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RotationAction {
    /// A new secret was obtained, verified and stored.
    Rotated,
    /// The secret is not due.
    NotDue,
    /// The secret is due, but the window or the jitter delay defers the
    /// rotation.
    Deferred,
    /// Another instance rotated while this one waited.
    RotatedElsewhere,
    /// A dry run: nothing was changed.
    DryRun,
}

impl RotationAction {
    /// Stable text, for example `rotated`.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationAction::Rotated => "rotated",
            RotationAction::NotDue => "not_due",
            RotationAction::Deferred => "deferred",
            RotationAction::RotatedElsewhere => "rotated_elsewhere",
            RotationAction::DryRun => "dry_run",
        }
    }
}

/// The result of a `rotate` or `ensure_fresh` call.
#[derive(Clone, Debug, Serialize)]
pub struct RotationOutcome {
    pub entity_id: String,
    pub action: RotationAction,
    /// The secret before the call.
    pub old_fingerprint: Option<Fingerprint>,
    /// The secret after the call.
    pub fingerprint: Option<Fingerprint>,
    pub expires_at: Option<Timestamp>,
    pub days_left: Option<f64>,
    /// True when the policy considers the secret due (for a dry run: whether a
    /// rotation would happen).
    pub due: bool,
    /// Resets sent by this call: 0, 1, or 2 after a lost reply.
    pub resets: u32,
    pub reason: String,
}

pub(super) fn outcome(
    record: &SecretRecord,
    decision: &Decision,
    action: RotationAction,
    resets: u32,
    reason: &str,
) -> RotationOutcome {
    // The live secret: the pending one during an interrupted rotation, so that
    // fingerprint, expiry and days left all describe the same secret.
    let current = record.effective();
    let old = if action == RotationAction::Rotated {
        record
            .history
            .iter()
            .rev()
            .nth(1)
            .map(|h| h.fingerprint.clone())
    } else {
        current.map(|c| c.fingerprint.clone())
    };
    RotationOutcome {
        entity_id: record.entity_id.clone(),
        action,
        old_fingerprint: old,
        fingerprint: current.map(|c| c.fingerprint.clone()),
        expires_at: current.and_then(|c| c.expires_at),
        days_left: decision.days_left(),
        due: decision.due,
        resets,
        reason: reason.to_owned(),
    }
}

/// The findings of [`super::Engine::probe`], which changes nothing.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeReport {
    pub entity_id: String,
    /// The stored (live) secret, which the service accepted for an entity token.
    pub fingerprint: Fingerprint,
    /// Whether the service's current secret, read with the designated user's
    /// token, is the stored one; `None` without a designated user.
    pub matches_service: Option<bool>,
    /// The service's warning on the entity token, such as the grace-period notice.
    pub warning: Option<String>,
}

/// The action `recover` took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryAction {
    /// Nothing was interrupted and the stored secret authenticates.
    Nothing,
    /// An interrupted rotation was finished with the service's new secret.
    Completed,
    /// An interrupted rotation had not reset the secret; the journal was cleared.
    RolledBack,
    /// The stored secret was rejected; the service's current one was stored.
    DriftHealed,
}

impl RecoveryAction {
    /// Stable text, for example `drift_healed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryAction::Nothing => "nothing",
            RecoveryAction::Completed => "completed",
            RecoveryAction::RolledBack => "rolled_back",
            RecoveryAction::DriftHealed => "drift_healed",
        }
    }
}

/// The result of `recover`.
#[derive(Clone, Debug, Serialize)]
pub struct RecoveryOutcome {
    pub entity_id: String,
    pub action: RecoveryAction,
    pub fingerprint: Option<Fingerprint>,
    pub message: String,
}

/// The state of an entity's stored secret.
#[derive(Clone, Debug, Serialize)]
pub struct SecretStatus {
    pub entity_id: String,
    /// The store location, such as `file:///…`.
    pub store: String,
    pub fingerprint: Option<Fingerprint>,
    pub obtained_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub expiry_source: Option<ExpirySource>,
    pub seconds_left: Option<i64>,
    pub days_left: Option<f64>,
    pub state: SecretState,
    pub due: bool,
    pub emergency: bool,
    /// When a scheduled rotation becomes due.
    pub due_at: Option<Timestamp>,
    /// Whether now is inside the rotation window (absent: no window set).
    pub in_window: Option<bool>,
    pub reason: String,
    /// `idle`, `resetting` or `verifying`.
    pub journal: String,
    pub pending: bool,
    /// True when a rotation is in flight or was interrupted (journal not
    /// idle, or a pending secret): `recover` finishes it.
    pub interrupted: bool,
    pub last_rotation: Option<LastRotation>,
    pub lease_holder: Option<LeaseInfo>,
}

pub(super) fn build_status(
    record: &SecretRecord,
    decision: &Decision,
    policy: &RotationPolicy,
    now: Timestamp,
    lease_holder: Option<LeaseInfo>,
    store: String,
) -> SecretStatus {
    // The pending secret, when present, is the one the service accepts.
    let secret = record.effective();
    let mut reason = decision.reason.clone();
    let interrupted = record.journal != crate::store::Journal::Idle || record.pending.is_some();
    if interrupted {
        reason = format!(
            "a rotation is interrupted (journal {}); run `aa-rotation recover` to finish it, or wait if the lease \
             holder is still rotating. {reason}",
            record.journal.as_str()
        );
    }
    SecretStatus {
        entity_id: record.entity_id.clone(),
        store,
        fingerprint: secret.map(|s| s.fingerprint.clone()),
        obtained_at: secret.map(|s| s.obtained_at),
        expires_at: secret.and_then(|s| s.expires_at),
        expiry_source: secret.map(|s| s.expiry_source),
        seconds_left: decision.seconds_left,
        days_left: decision.days_left(),
        state: decision.state,
        due: decision.due,
        emergency: decision.emergency,
        due_at: decision.due_at,
        in_window: policy.window.as_ref().map(|w| w.contains(now)),
        reason,
        journal: record.journal.as_str().to_owned(),
        pending: record.pending.is_some(),
        interrupted,
        last_rotation: record.last_rotation.clone(),
        lease_holder,
    }
}
