//! The rotation engine: the rotation protocol, recovery, drift healing and
//! bootstrap, for one entity.
//!
//! The protocol follows AWS Secrets Manager's create, set, test and finish
//! steps, adapted to a service with one secret slot and no idempotency key.
//! Each step is journaled in the store before the next begins, so that a crash
//! at any point leaves enough for [`Engine::recover`] to finish or roll back:
//!
//! 1. lease: one rotation per entity, fleet-wide;
//! 2. re-check: another instance may have rotated while this one waited;
//! 3. intent: journal `resetting`;
//! 4. reset: on a lost reply, Read decides whether the Reset happened;
//! 5. persist: the new secret is stored as `pending` before anything uses it;
//! 6. verify: an entity token from the new secret;
//! 7. promote: `pending` becomes `current`;
//! 8. release the lease and publish the event.

mod failpoint;
mod recover;
mod types;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

pub use failpoint::FailAction;
pub use types::{
    EngineConfig, ProbeReport, RecoveryAction, RecoveryOutcome, RotateOptions, RotationAction,
    RotationOutcome, SecretStatus, UserCredentials,
};

use crate::client::{EntityToken, ExpirySource, SecretInfo, TokenServiceClient, UserToken};
use crate::error::{Error, ErrorKind, Result};
use crate::events::{Event, EventBus, EventKind};
use crate::lease::{LeaseGuard, LeaseManager};
use crate::policy::{Decision, SecretState};
use crate::secret::{BearerToken, Fingerprint};
use crate::store::{
    self, Journal, LastRotation, RotationResult, SecretRecord, SecretStore, StoredSecret,
};

/// A user token is renewed when less than this remains, so that it cannot
/// expire between a Read and the Reset that follows.
const USER_TOKEN_MARGIN: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// How often a process waiting for another holder's lease checks again.
const LEASE_POLL: Duration = Duration::from_millis(200);

/// The rotation engine of one entity.
pub struct Engine {
    config: EngineConfig,
    client: TokenServiceClient,
    store: Arc<dyn SecretStore>,
    lease: Arc<dyn LeaseManager>,
    events: EventBus,
    user_token: tokio::sync::Mutex<Option<UserToken>>,
    /// Serializes rotations and recoveries inside this process; the lease does
    /// the same across processes.
    local: tokio::sync::Mutex<()>,
    failpoint: failpoint::Failpoints,
    /// This process's share of the policy's jitter, drawn once.
    jitter_offset: Duration,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("entity_id", &self.config.entity_id)
            .field("store", &self.store.describe())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Creates an engine for `config.entity_id`.
    pub fn new(
        config: EngineConfig,
        client: TokenServiceClient,
        store: Arc<dyn SecretStore>,
        lease: Arc<dyn LeaseManager>,
        events: EventBus,
    ) -> Result<Self> {
        if config.entity_id.trim().is_empty() {
            return Err(Error::Config(
                "the entity id is empty; set AA_ROTATION_ENTITY_ID".into(),
            ));
        }
        config.policy.validate()?;
        let jitter = config.policy.jitter.as_millis() as u64;
        let jitter_offset = Duration::from_millis(if jitter == 0 {
            0
        } else {
            rand::random::<u64>() % jitter
        });
        Ok(Self {
            config,
            client,
            store,
            lease,
            events,
            user_token: tokio::sync::Mutex::new(None),
            local: tokio::sync::Mutex::new(()),
            failpoint: failpoint::Failpoints::default(),
            jitter_offset,
        })
    }

    /// Returns the entity id this engine manages.
    pub fn entity_id(&self) -> &str {
        &self.config.entity_id
    }

    /// Returns the Token Service client.
    pub fn client(&self) -> &TokenServiceClient {
        &self.client
    }

    /// Returns the event bus.
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// Returns the store.
    pub fn store(&self) -> &Arc<dyn SecretStore> {
        &self.store
    }

    /// Makes the protocol stop at `step` (`intent`, `reset`, `persist`,
    /// `verify` or `promote`, after that step completes) with `action`. For
    /// crash tests only.
    pub fn set_failpoint(&self, step: &str, action: FailAction) {
        self.failpoint.set(step, action);
    }

    /// Returns the status of the stored secret. Bootstraps an empty store, and reads
    /// the expiry from the service when it was never read.
    pub async fn status(&self) -> Result<SecretStatus> {
        let mut record = self.load_record().await?;
        let configured = record
            .current
            .as_ref()
            .is_some_and(|c| c.expiry_source == ExpirySource::Configured);
        if configured && self.config.credentials.is_some() && record.journal == Journal::Idle {
            record = self.refresh_configured_expiry(record).await?;
        }
        let lease_holder = self
            .lease
            .holder(self.entity_id())
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not read the lease holder");
                None
            });
        Ok(types::build_status(
            &record,
            &self.decide(&record),
            &self.config.policy,
            self.now(),
            lease_holder,
            self.store.describe(),
        ))
    }

    /// Rotates the secret if the policy finds it due, or at once with
    /// `force`. With `dry_run`, decides and reports without any Reset.
    pub async fn rotate(&self, options: RotateOptions) -> Result<RotationOutcome> {
        let span = tracing::info_span!("rotation", entity_id = %self.entity_id(), force = options.force, dry_run = options.dry_run);
        self.rotate_inner(options).instrument(span).await
    }

    async fn rotate_inner(&self, options: RotateOptions) -> Result<RotationOutcome> {
        let _local = self.local.lock().await;
        let mut record = self.load_record().await?;
        // The secret in use before anything else happens: if it changes while
        // this call recovers or waits for the lease, another rotation (or the
        // recovery of one) produced a fresh secret, and this call sends no Reset.
        let seen = current_fingerprint(&record)?;
        let interrupted = record.journal != Journal::Idle || record.pending.is_some();
        if interrupted && options.dry_run {
            let decision = self.decide(&record);
            let reason = format!(
                "a rotation is interrupted (journal {}); `recover` or a real `rotate` finishes it first, so nothing \
                 else is decided now",
                record.journal.as_str()
            );
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::DryRun,
                0,
                &reason,
            ));
        }
        if interrupted {
            tracing::info!("an interrupted rotation is journaled; recovering it first");
            self.recover_locked().await?;
            record = self.load_record().await?;
            if current_fingerprint(&record)? != seen {
                let decision = self.decide(&record);
                let reason = "an interrupted rotation was finished, so its new secret is current";
                return Ok(types::outcome(
                    &record,
                    &decision,
                    RotationAction::RotatedElsewhere,
                    0,
                    reason,
                ));
            }
        }
        let decision = self.decide(&record);
        if options.dry_run {
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::DryRun,
                0,
                &decision.reason,
            ));
        }
        if !options.force && !decision.due {
            self.emit(EventKind::NotDue, &record, None, &decision.reason);
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::NotDue,
                0,
                &decision.reason,
            ));
        }

        // Step 1: lease.
        let (guard, waited) = self.acquire_lease().await?;
        let result = self
            .rotate_under_lease(&guard, options, &seen, waited)
            .await;
        if let Err(error) = &result {
            self.record_failure(guard.info.fence, error).await;
        }
        self.release(guard).await;

        match result {
            Ok(outcome) => Ok(outcome),
            Err(error) => {
                let record = self
                    .store
                    .get(self.entity_id())
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(record);
                self.emit(EventKind::RotationFailed, &record, None, &error.to_string());
                Err(error)
            }
        }
    }

    async fn rotate_under_lease(
        &self,
        guard: &LeaseGuard,
        options: RotateOptions,
        seen: &Fingerprint,
        waited: bool,
    ) -> Result<RotationOutcome> {
        // Step 2: re-check. Another instance may have rotated while this one
        // waited for the lease; its secret is as good as a new one.
        let mut record = self.load_record().await?;
        let fence = guard.info.fence.max(record.fence + 1);
        let previous = current_fingerprint(&record)?;
        let decision = self.decide(&record);
        if previous != *seen || record.pending.is_some() || (waited && !decision.due) {
            let reason = "another instance rotated the secret while this one waited for the lease";
            tracing::info!(fingerprint = %previous, "{reason}");
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::RotatedElsewhere,
                0,
                reason,
            ));
        }
        if !options.force && !decision.due {
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::NotDue,
                0,
                &decision.reason,
            ));
        }

        // Step 3: intent.
        let started_at = self.now();
        record.journal = Journal::Resetting {
            fence,
            started_at,
            previous: Some(previous.clone()),
        };
        self.save(&mut record, fence)
            .await
            .map_err(|e| Error::rotation(self.entity_id(), "intent", e))?;
        self.failpoint.hit("intent").await;

        // Step 4: reset.
        let (info, resets) = self
            .reset(&mut record, fence, &previous)
            .await
            .map_err(|e| Error::rotation(self.entity_id(), "reset", e))?;
        self.failpoint.hit("reset").await;

        // Step 5: persist, before anything uses the new secret.
        let service_message = info.message.as_ref().map(|m| m.text.clone());
        record.pending = Some(self.stored(info));
        record.journal = Journal::Verifying { fence, started_at };
        self.save(&mut record, fence)
            .await
            .map_err(|e| Error::rotation(self.entity_id(), "persist", e))?;
        self.failpoint.hit("persist").await;

        // Step 6: verify.
        self.verify(&mut record, fence)
            .await
            .map_err(|e| Error::rotation(self.entity_id(), "verify", e))?;
        self.failpoint.hit("verify").await;

        // Step 7: promote.
        self.promote(&mut record, fence, RotationResult::Rotated, "rotation")
            .await
            .map_err(|e| Error::rotation(self.entity_id(), "promote", e))?;
        self.failpoint.hit("promote").await;

        let decision = self.decide(&record);
        let mut reason = format!("rotated; {}", decision.reason);
        if let Some(message) = &service_message {
            reason.push_str(&format!(" (service: {message})"));
        }
        self.emit(EventKind::Rotated, &record, Some(previous), &reason);
        Ok(types::outcome(
            &record,
            &decision,
            RotationAction::Rotated,
            resets,
            &reason,
        ))
    }

    /// Step 4. Sends Reset and returns the new secret and the number of Resets
    /// sent. When the reply is lost or the service fails, Read decides: a
    /// secret different from `previous` means the Reset happened. A lost reply
    /// whose Reset did not happen is retried once; a failure whose outcome
    /// stays unknown leaves the journal at `resetting` for [`Engine::recover`].
    async fn reset(
        &self,
        record: &mut SecretRecord,
        fence: u64,
        previous: &Fingerprint,
    ) -> Result<(SecretInfo, u32)> {
        let days = self.config.policy.secret_expiry_days;
        let mut resets = 0;
        loop {
            resets += 1;
            let error = match self
                .with_user_token(|token| self.reset_once(token, days))
                .await
            {
                Ok(info) => return Ok((info, resets)),
                Err(error) => error,
            };
            if !reset_may_have_applied(&error) {
                // The service rejected the request (4xx) or it was never sent:
                // nothing changed.
                self.clear_journal(record, fence).await?;
                return Err(error);
            }
            tracing::warn!(error = %error, "Reset failed or its reply was lost or unusable; reading the secret to learn whether it changed");
            let read = match self.read_current().await {
                Ok(read) => read,
                Err(read_error) => {
                    tracing::error!(error = %read_error, "Read after a failed Reset also failed; the outcome stays unknown until `recover`");
                    return Err(error);
                }
            };
            if read.secret.fingerprint() != *previous {
                tracing::info!(fingerprint = %read.secret.fingerprint(), "the Reset took effect; using the secret returned by Read");
                return Ok((read, resets));
            }
            if error.is_outcome_unknown() && resets < 2 {
                tracing::info!("the Reset did not take effect; sending it once more");
                continue;
            }
            self.clear_journal(record, fence).await?;
            return Err(error);
        }
    }

    async fn reset_once(&self, token: BearerToken, days: Option<u32>) -> Result<SecretInfo> {
        self.client
            .reset_secret(&token, self.entity_id(), days)
            .await
    }

    /// Step 6. Requests an entity token with the pending secret. A rejection
    /// means someone else may have reset after this process: Read, store what
    /// it returns, and try again.
    async fn verify(&self, record: &mut SecretRecord, fence: u64) -> Result<EntityToken> {
        let mut last_error = None;
        for attempt in 0..3_u32 {
            let pending = record
                .pending
                .clone()
                .ok_or_else(|| Error::Store("no pending secret to verify".into()))?;
            match self
                .client
                .generate_entity_token(self.entity_id(), &pending.value)
                .await
            {
                Ok(token) => return Ok(token),
                Err(error)
                    if error.kind() == ErrorKind::InvalidEntitySecret
                        && self.config.credentials.is_some() =>
                {
                    let read = self.read_current().await?;
                    if read.secret.fingerprint() != pending.fingerprint {
                        tracing::warn!(fingerprint = %read.secret.fingerprint(), "the new secret was replaced by another Reset; storing the service's current secret");
                        record.pending = Some(self.stored(read));
                        self.save(record, fence).await?;
                    } else {
                        // Read returns this very secret, yet it was rejected: give
                        // the service a moment to propagate it.
                        tokio::time::sleep(Duration::from_millis(300 * u64::from(attempt + 1)))
                            .await;
                    }
                    last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Store("verification did not run".into())))
    }

    /// Step 7. Makes `pending` current and clears the journal.
    async fn promote(
        &self,
        record: &mut SecretRecord,
        fence: u64,
        result: RotationResult,
        source: &str,
    ) -> Result<()> {
        let Some(new) = record.pending.take() else {
            return Err(Error::Store("no pending secret to promote".into()));
        };
        let now = self.now();
        record.push_history(&new, now, source);
        record.last_rotation = Some(LastRotation {
            at: now,
            result,
            error: None,
            fingerprint: Some(new.fingerprint.clone()),
        });
        record.current = Some(new);
        record.journal = Journal::Idle;
        self.save(record, fence).await
    }

    async fn clear_journal(&self, record: &mut SecretRecord, fence: u64) -> Result<()> {
        record.journal = Journal::Idle;
        self.save(record, fence).await
    }

    /// Stores the failure of a rotation in `last_rotation`, best effort.
    async fn record_failure(&self, fence: u64, error: &Error) {
        let outcome = async {
            let mut record = self
                .store
                .get(self.entity_id())
                .await?
                .ok_or_else(|| Error::Store("the record vanished from the store".into()))?;
            // A deleted lease file restarts its numbers; the store's own number
            // is the floor, as in the protocol steps.
            let fence = fence.max(record.fence);
            record.last_rotation = Some(LastRotation {
                at: self.now(),
                result: RotationResult::Failed,
                error: Some(error.to_string()),
                fingerprint: record.effective().map(|s| s.fingerprint.clone()),
            });
            self.save(&mut record, fence).await
        };
        if let Err(e) = outcome.await {
            tracing::warn!(error = %e, "could not record the failed rotation in the store");
        }
    }

    /// Checks, without changing anything, that the stored secret gets an
    /// entity token and, with a designated user, that the user may read the
    /// entity's secret and that the service's current secret is the stored
    /// one. Monitoring (`aa-rotation check`) calls this.
    pub async fn probe(&self) -> Result<ProbeReport> {
        let secret = self.effective_secret().await?;
        let token = self
            .client
            .generate_entity_token(self.entity_id(), &secret.value)
            .await?;
        let matches_service = match self.config.credentials {
            Some(_) => Some(self.read_current().await?.secret.fingerprint() == secret.fingerprint),
            None => None,
        };
        Ok(ProbeReport {
            entity_id: self.entity_id().to_owned(),
            fingerprint: secret.fingerprint,
            matches_service,
            warning: token.warning.map(|w| w.text),
        })
    }

    /// Checks the policy, recovers an interrupted rotation, and rotates when
    /// the secret is due and the window and jitter allow, or at once in an
    /// emergency. This is what a schedule calls.
    pub async fn ensure_fresh(&self) -> Result<RotationOutcome> {
        let mut record = self.load_record().await?;
        if record.journal != Journal::Idle || record.pending.is_some() {
            self.recover().await?;
            record = self.load_record().await?;
        }
        let decision = self.decide(&record);
        if decision.state == SecretState::GracePeriod {
            self.emit(
                EventKind::GracePeriodWarning,
                &record,
                None,
                &decision.reason,
            );
        }
        if !decision.due {
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::NotDue,
                0,
                &decision.reason,
            ));
        }
        if !decision.emergency && self.rotated_recently(&record) {
            // The validity the service granted is below the rotation threshold
            // (it caps `secretExpiryDays`, at the user token's expiry among
            // others): rotating again would repeat on every check.
            let reason = format!(
                "{}; but the secret was rotated less than a day ago and is due again at once, so the Token Service \
                 granted less validity than the rotation threshold: lower AA_ROTATION_ROTATE_BEFORE_DAYS",
                decision.reason
            );
            tracing::warn!(entity_id = %self.entity_id(), "{reason}");
            self.emit(EventKind::ExpiryWarning, &record, None, &reason);
            return Ok(types::outcome(
                &record,
                &decision,
                RotationAction::Deferred,
                0,
                &reason,
            ));
        }
        if !decision.emergency {
            let now = self.now();
            let in_window = self
                .config
                .policy
                .window
                .as_ref()
                .is_none_or(|w| w.contains(now));
            let jitter_passed = decision.due_at.is_none_or(|due_at| {
                let jitter = jiff::SignedDuration::try_from(self.jitter_offset).unwrap_or_default();
                due_at.checked_add(jitter).is_ok_and(|at| now >= at)
            });
            if !in_window || !jitter_passed {
                let reason = format!(
                    "{}; rotation deferred until {}",
                    decision.reason,
                    if in_window {
                        "this instance's jitter delay passes"
                    } else {
                        "the rotation window opens"
                    }
                );
                self.emit(EventKind::ExpiryWarning, &record, None, &reason);
                return Ok(types::outcome(
                    &record,
                    &decision,
                    RotationAction::Deferred,
                    0,
                    &reason,
                ));
            }
        }
        self.rotate(RotateOptions::default()).await
    }

    fn rotated_recently(&self, record: &SecretRecord) -> bool {
        let Some(last) = &record.last_rotation else {
            return false;
        };
        last.result == RotationResult::Rotated
            && self.now().duration_since(last.at) < jiff::SignedDuration::from_hours(24)
    }

    /// Returns the secret the service accepts now, from the store
    /// (bootstrapping an empty one).
    pub async fn effective_secret(&self) -> Result<StoredSecret> {
        let record = self.load_record().await?;
        record
            .effective()
            .cloned()
            .ok_or_else(|| Error::NotBootstrapped {
                entity_id: self.entity_id().to_owned(),
            })
    }

    /// Called after the service rejected the secret with fingerprint
    /// `rejected`. Returns a different secret when the store has one (another
    /// process rotated) or when Read returns one (drift healed).
    pub async fn secret_after_rejection(&self, rejected: &Fingerprint) -> Result<StoredSecret> {
        let stored = self.effective_secret().await?;
        if stored.fingerprint != *rejected {
            return Ok(stored);
        }
        if self.config.credentials.is_none() {
            return Err(Error::InvalidEntitySecret {
                entity_id: self.entity_id().to_owned(),
                detail: crate::error::ServiceDetail {
                    status: 401,
                    ..Default::default()
                },
            });
        }
        let _local = self.local.lock().await;
        // A rotation in this process may have finished while this call waited
        // for the lock: its new secret is the answer.
        let stored = self.effective_secret().await?;
        if stored.fingerprint != *rejected {
            return Ok(stored);
        }
        self.heal_drift(rejected).await?;
        self.effective_secret().await
    }

    /// Loads the record, bootstrapping an empty store.
    async fn load_record(&self) -> Result<SecretRecord> {
        match self.store.get(self.entity_id()).await? {
            Some(record) if record.effective().is_some() => Ok(record),
            existing => self.bootstrap(existing).await,
        }
    }

    /// Fills an empty store: from Read when the designated user is configured
    /// (the service returns the expiry), else from the configured secret, with an
    /// unknown expiry.
    async fn bootstrap(&self, existing: Option<SecretRecord>) -> Result<SecretRecord> {
        let mut record = existing.unwrap_or_else(|| SecretRecord::new(self.entity_id()));
        let secret = if self.config.credentials.is_some() {
            let info = self.read_current().await?;
            self.stored(info)
        } else if let Some(secret) = &self.config.bootstrap_secret {
            StoredSecret::new(secret.clone(), None, ExpirySource::Configured, self.now())
        } else {
            return Err(Error::NotBootstrapped {
                entity_id: self.entity_id().to_owned(),
            });
        };
        tracing::info!(fingerprint = %secret.fingerprint, store = %self.store.describe(), "bootstrapping the store");
        record.push_history(&secret, self.now(), "bootstrap");
        record.current = Some(secret);
        match store::save(self.store.as_ref(), &mut record, None).await {
            Ok(()) => Ok(record),
            // Another process bootstrapped first: use its record.
            Err(conflict @ Error::StoreConflict { .. }) => {
                match self
                    .store
                    .get(self.entity_id())
                    .await?
                    .filter(|r| r.effective().is_some())
                {
                    Some(record) => Ok(record),
                    // Nothing was written by anyone else: the store declined
                    // the write itself (its put returned false).
                    None => Err(Error::Store(format!(
                        "the store declined to save the first record of entity {} (put returned false) although it \
                         holds none; a store's put must return true when it saves a record whose expected version is \
                         none ({conflict})",
                        self.entity_id()
                    ))),
                }
            }
            Err(other) => Err(other),
        }
    }

    /// Reads the expiry of a secret that came from configuration. A different
    /// secret from Read means the configured one is stale: drift.
    async fn refresh_configured_expiry(&self, mut record: SecretRecord) -> Result<SecretRecord> {
        let info = self.read_current().await?;
        let fingerprint = info.secret.fingerprint();
        let Some(current) = record.current.as_mut() else {
            return Ok(record);
        };
        if current.fingerprint == fingerprint {
            current.expires_at = info.expiry.at;
            current.expiry_source = info.expiry.source;
        } else {
            tracing::warn!(configured = %current.fingerprint, service = %fingerprint, "the configured secret is not the service's current one; storing the service's");
            let old = current.fingerprint.clone();
            let secret = self.stored(info);
            record.push_history(&secret, self.now(), "drift");
            record.current = Some(secret);
            self.emit(
                EventKind::DriftHealed,
                &record,
                Some(old),
                "the configured secret was replaced by the service's current one",
            );
        }
        store::save(self.store.as_ref(), &mut record, None).await?;
        Ok(record)
    }

    /// Reads the current secret with the designated user's token.
    async fn read_current(&self) -> Result<SecretInfo> {
        self.with_user_token(|token| async move {
            self.client.read_secret(&token, self.entity_id()).await
        })
        .await
    }

    /// Runs `call` with a cached user token, renewing it once if the service
    /// rejects it (a rejected token means nothing was applied).
    async fn with_user_token<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(BearerToken) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let token = self.user_token(false).await?;
        match call(token).await {
            Err(error) if error.kind() == ErrorKind::UserTokenRejected => {
                tracing::info!("the user token was rejected; requesting a new one");
                let token = self.user_token(true).await?;
                call(token).await
            }
            other => other,
        }
    }

    async fn user_token(&self, renew: bool) -> Result<BearerToken> {
        let credentials = self.config.credentials.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "reading or resetting the secret of entity {} needs the designated user's username and password; \
                 set AA_ROTATION_USERNAME and AA_ROTATION_PASSWORD",
                self.entity_id()
            ))
        })?;
        let mut cached = self.user_token.lock().await;
        if !renew
            && let Some(token) = cached.as_ref()
            && token
                .expires_at
                .checked_sub(USER_TOKEN_MARGIN)
                .is_ok_and(|at| self.now() < at)
        {
            return Ok(token.token.clone());
        }
        let token = self
            .client
            .generate_user_token(&credentials.username, &credentials.password)
            .await?;
        let value = token.token.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// Takes the lease, waiting up to `lease_wait` for another holder. Returns
    /// whether it had to wait.
    async fn acquire_lease(&self) -> Result<(LeaseGuard, bool)> {
        let started = Instant::now();
        let mut waited = false;
        loop {
            if let Some(guard) = self
                .lease
                .try_acquire(self.entity_id(), self.config.lease_ttl)
                .await?
            {
                tracing::debug!(fence = guard.info.fence, "lease acquired");
                return Ok((guard, waited));
            }
            if !waited {
                let holder = self.lease.holder(self.entity_id()).await.ok().flatten();
                tracing::info!(
                    holder = holder.as_ref().map(|h| h.holder.as_str()),
                    "another instance is rotating; waiting for its result"
                );
                waited = true;
            }
            if started.elapsed() >= self.config.lease_wait {
                let holder = self.lease.holder(self.entity_id()).await.ok().flatten();
                return Err(Error::LeaseHeld {
                    entity_id: self.entity_id().to_owned(),
                    holder: holder
                        .map(|h| h.to_string())
                        .unwrap_or_else(|| "holder unknown".into()),
                });
            }
            tokio::time::sleep(LEASE_POLL).await;
        }
    }

    async fn release(&self, guard: LeaseGuard) {
        if let Err(e) = self.lease.release(guard).await {
            tracing::warn!(error = %e, "could not release the lease; it expires by itself");
        }
    }

    async fn save(&self, record: &mut SecretRecord, fence: u64) -> Result<()> {
        store::save(self.store.as_ref(), record, Some(fence)).await
    }

    fn stored(&self, info: SecretInfo) -> StoredSecret {
        StoredSecret::new(info.secret, info.expiry.at, info.expiry.source, self.now())
    }

    fn decide(&self, record: &SecretRecord) -> Decision {
        let secret = record.effective();
        self.config.policy.decide(
            secret.and_then(|s| s.expires_at),
            secret.map(|s| s.obtained_at),
            self.now(),
        )
    }

    fn now(&self) -> jiff::Timestamp {
        self.client.clock().now()
    }

    fn emit(
        &self,
        kind: EventKind,
        record: &SecretRecord,
        old: Option<Fingerprint>,
        message: &str,
    ) {
        let current = record.current.as_ref();
        self.events.emit(Event {
            kind,
            entity_id: self.entity_id().to_owned(),
            at: self.now(),
            old_fingerprint: old,
            new_fingerprint: current.map(|c| c.fingerprint.clone()),
            expires_at: current.and_then(|c| c.expires_at),
            message: message.to_owned(),
        });
    }
}

/// False only when the Reset certainly changed nothing: the service rejected
/// it with a 4xx status, or the request was never sent. A 5xx, a gateway page,
/// a timeout, a lost connection, a redirect from a proxy, or a 2xx whose body
/// could not be used may all follow a Reset that took effect.
fn reset_may_have_applied(error: &Error) -> bool {
    !matches!(
        error.root().kind(),
        ErrorKind::InvalidUserCredentials
            | ErrorKind::UserTokenRejected
            | ErrorKind::EntityNotPermitted
            | ErrorKind::BadRequest
            | ErrorKind::RateLimited
            | ErrorKind::Config
    )
}

/// The fingerprint of the `current` secret (the one before any rotation in
/// flight), or of the pending one when no current secret exists yet.
fn current_fingerprint(record: &SecretRecord) -> Result<Fingerprint> {
    record
        .current
        .as_ref()
        .or(record.pending.as_ref())
        .map(|s| s.fingerprint.clone())
        .ok_or_else(|| Error::NotBootstrapped {
            entity_id: record.entity_id.clone(),
        })
}

fn effective_fingerprint(record: &SecretRecord) -> Result<Fingerprint> {
    record
        .effective()
        .map(|s| s.fingerprint.clone())
        .ok_or_else(|| Error::NotBootstrapped {
            entity_id: record.entity_id.clone(),
        })
}
