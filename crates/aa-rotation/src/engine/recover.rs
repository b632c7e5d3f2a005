//! Recovery: finishing or rolling back an interrupted rotation, and healing
//! drift (the stored secret rejected with no rotation journaled, because
//! someone reset it elsewhere, by hand for instance).

use tracing::Instrument;

use crate::secret::Fingerprint;

use super::{Engine, RecoveryAction, RecoveryOutcome, effective_fingerprint};
use crate::error::{Error, ErrorKind, Result};
use crate::events::EventKind;
use crate::lease::LeaseGuard;
use crate::store::{Journal, LastRotation, RotationResult};

impl Engine {
    /// Finishes an interrupted rotation (journal `resetting` or `verifying`,
    /// or a pending secret): Read tells which secret the service holds, which
    /// is then stored, verified and promoted. With nothing journaled, checks
    /// that the stored secret authenticates and heals drift if it does not.
    /// Runs at start-up of the daemon and of each library client.
    pub async fn recover(&self) -> Result<RecoveryOutcome> {
        let span = tracing::info_span!("recover", entity_id = %self.entity_id());
        async {
            let _local = self.local.lock().await;
            self.recover_locked().await
        }
        .instrument(span)
        .await
    }

    pub(super) async fn recover_locked(&self) -> Result<RecoveryOutcome> {
        let record = self.load_record().await?;
        if record.journal == Journal::Idle && record.pending.is_none() {
            return self.check_current().await;
        }
        let (guard, _) = self.acquire_lease().await?;
        let result = self.finish_interrupted(&guard).await;
        self.release(guard).await;
        result
    }

    /// Verifies the stored secret with an entity token request.
    async fn check_current(&self) -> Result<RecoveryOutcome> {
        let secret = self.effective_secret().await?;
        match self
            .client
            .generate_entity_token(self.entity_id(), &secret.value)
            .await
        {
            Ok(_) => Ok(RecoveryOutcome {
                entity_id: self.entity_id().to_owned(),
                action: RecoveryAction::Nothing,
                fingerprint: Some(secret.fingerprint),
                message: "the stored secret authenticates; nothing to recover".into(),
            }),
            Err(error)
                if error.kind() == ErrorKind::InvalidEntitySecret
                    && self.config.credentials.is_some() =>
            {
                tracing::warn!(fingerprint = %secret.fingerprint, "the stored secret was rejected and no rotation is journaled; reading the service's current secret");
                self.heal_drift(&secret.fingerprint).await
            }
            Err(error) => Err(error),
        }
    }

    /// Replaces the rejected stored secret (fingerprint `rejected`) with the
    /// one Read returns.
    pub(super) async fn heal_drift(&self, rejected: &Fingerprint) -> Result<RecoveryOutcome> {
        let (guard, _) = self.acquire_lease().await?;
        let result = self.heal_drift_under_lease(&guard, rejected).await;
        self.release(guard).await;
        result
    }

    async fn heal_drift_under_lease(
        &self,
        guard: &LeaseGuard,
        rejected: &Fingerprint,
    ) -> Result<RecoveryOutcome> {
        let mut record = self.load_record().await?;
        let fence = guard.info.fence.max(record.fence + 1);
        let stored = effective_fingerprint(&record)?;
        if stored != *rejected {
            // Another rotation or recovery replaced the rejected secret while
            // this call waited for the lease.
            return Ok(RecoveryOutcome {
                entity_id: self.entity_id().to_owned(),
                action: RecoveryAction::Nothing,
                fingerprint: Some(stored),
                message: "another rotation replaced the rejected secret; nothing to heal".into(),
            });
        }
        let info = self.read_current().await?;
        let fingerprint = info.secret.fingerprint();
        if fingerprint == stored {
            // The service's current secret is the stored one and it is still
            // rejected: it expired past the grace period. Only a Reset helps.
            tracing::warn!(fingerprint = %stored, "the Token Service returns the rejected secret as current: it has expired past the grace period and needs a forced rotation");
            return Err(Error::InvalidEntitySecret {
                entity_id: self.entity_id().to_owned(),
                detail: crate::error::ServiceDetail {
                    status: 401,
                    ..Default::default()
                },
            });
        }
        record.pending = Some(self.stored(info));
        record.journal = Journal::Verifying {
            fence,
            started_at: self.now(),
        };
        self.save(&mut record, fence).await?;
        self.verify(&mut record, fence).await?;
        self.promote(&mut record, fence, RotationResult::DriftHealed, "drift")
            .await?;
        let message = format!(
            "the stored secret {stored} was rejected; stored the service's current secret {fingerprint}"
        );
        self.emit(EventKind::DriftHealed, &record, Some(stored), &message);
        Ok(RecoveryOutcome {
            entity_id: self.entity_id().to_owned(),
            action: RecoveryAction::DriftHealed,
            fingerprint: Some(fingerprint),
            message,
        })
    }

    async fn finish_interrupted(&self, guard: &LeaseGuard) -> Result<RecoveryOutcome> {
        let mut record = self.load_record().await?;
        if record.journal == Journal::Idle && record.pending.is_none() {
            return Ok(RecoveryOutcome {
                entity_id: self.entity_id().to_owned(),
                action: RecoveryAction::Nothing,
                fingerprint: record.current.as_ref().map(|c| c.fingerprint.clone()),
                message: "another instance finished the interrupted rotation".into(),
            });
        }
        let fence = guard.info.fence.max(record.fence + 1);
        let previous = record.current.as_ref().map(|c| c.fingerprint.clone());
        tracing::info!(
            journal = record.journal.as_str(),
            pending = record.pending.is_some(),
            "finishing an interrupted rotation"
        );

        if self.config.credentials.is_some() {
            let info = self.read_current().await?;
            let fingerprint = info.secret.fingerprint();
            if Some(&fingerprint) == previous.as_ref() {
                // The Reset never took effect: nothing changed at the service.
                record.pending = None;
                record.journal = Journal::Idle;
                record.last_rotation = Some(LastRotation {
                    at: self.now(),
                    result: RotationResult::Failed,
                    error: Some(
                        "a rotation was interrupted before its Reset took effect; rolled back"
                            .into(),
                    ),
                    fingerprint: Some(fingerprint.clone()),
                });
                self.save(&mut record, fence).await?;
                let message = "the interrupted rotation never reset the secret; the stored secret stays current".to_owned();
                self.emit(EventKind::Recovered, &record, None, &message);
                return Ok(RecoveryOutcome {
                    entity_id: self.entity_id().to_owned(),
                    action: RecoveryAction::RolledBack,
                    fingerprint: Some(fingerprint),
                    message,
                });
            }
            if record.pending.as_ref().map(|p| &p.fingerprint) != Some(&fingerprint) {
                record.pending = Some(self.stored(info));
            }
        } else if record.pending.is_none() {
            return Err(Error::Config(format!(
                "a rotation of entity {} was interrupted after its Reset was sent; finishing it needs the designated \
                 user's username and password to read the new secret",
                self.entity_id()
            )));
        }

        record.journal = Journal::Verifying {
            fence,
            started_at: self.now(),
        };
        self.save(&mut record, fence).await?;
        self.verify(&mut record, fence).await?;
        self.promote(&mut record, fence, RotationResult::Recovered, "recovery")
            .await?;
        let fingerprint = record.current.as_ref().map(|c| c.fingerprint.clone());
        let message = "finished the interrupted rotation; the service's current secret is stored and verified".to_owned();
        self.emit(EventKind::Recovered, &record, previous, &message);
        Ok(RecoveryOutcome {
            entity_id: self.entity_id().to_owned(),
            action: RecoveryAction::Completed,
            fingerprint,
            message,
        })
    }
}
