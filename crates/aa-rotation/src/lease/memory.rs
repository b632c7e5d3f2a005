//! Leases in process memory: one rotation at a time within one process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_trait::async_trait;

use super::{LeaseGuard, LeaseInfo, LeaseManager, expiry, holder_name};
use crate::clock::Clock;
use crate::error::{Error, Result};

/// An in-memory [`LeaseManager`] honouring the time-to-live.
#[derive(Debug)]
pub struct MemoryLease {
    holder: String,
    clock: Clock,
    state: Arc<Table>,
}

/// Per entity: the last fencing number and the current holder.
type Table = Mutex<HashMap<String, (u64, Option<LeaseInfo>)>>;

/// Kept in the guard: dropping it releases the lease, so that a rotation
/// that is cancelled (its future dropped) or panics frees the entity at once
/// instead of after the time-to-live.
struct ReleaseOnDrop {
    table: Weak<Table>,
    entity_id: String,
    fence: u64,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        let Some(table) = self.table.upgrade() else {
            return;
        };
        let Ok(mut state) = table.lock() else { return };
        if let Some((_, held)) = state.get_mut(&self.entity_id)
            && held.as_ref().is_some_and(|info| info.fence == self.fence)
        {
            *held = None;
        }
    }
}

impl MemoryLease {
    /// Creates a lease manager that reads time from `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            holder: holder_name(),
            clock,
            state: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

fn poisoned() -> Error {
    Error::Store("lease table lock poisoned".into())
}

#[async_trait]
impl LeaseManager for MemoryLease {
    async fn try_acquire(&self, entity_id: &str, ttl: Duration) -> Result<Option<LeaseGuard>> {
        let now = self.clock.now();
        let mut state = self.state.lock().map_err(|_| poisoned())?;
        let (fence, held) = state.entry(entity_id.to_owned()).or_insert((0, None));
        if held.as_ref().is_some_and(|info| info.expires_at > now) {
            return Ok(None);
        }
        *fence += 1;
        let info = LeaseInfo {
            holder: self.holder.clone(),
            fence: *fence,
            acquired_at: now,
            expires_at: expiry(now, ttl),
        };
        *held = Some(info.clone());
        let hold = ReleaseOnDrop {
            table: Arc::downgrade(&self.state),
            entity_id: entity_id.to_owned(),
            fence: *fence,
        };
        Ok(Some(LeaseGuard {
            entity_id: entity_id.to_owned(),
            info,
            hold: Some(Box::new(hold)),
        }))
    }

    async fn release(&self, guard: LeaseGuard) -> Result<()> {
        // Dropping the guard's `ReleaseOnDrop` frees the lease if it is still
        // this guard's (an expired lease taken over by another holder is kept).
        drop(guard);
        Ok(())
    }

    async fn holder(&self, entity_id: &str) -> Result<Option<LeaseInfo>> {
        let now = self.clock.now();
        let state = self.state.lock().map_err(|_| poisoned())?;
        Ok(state
            .get(entity_id)
            .and_then(|(_, held)| held.clone())
            .filter(|info| info.expires_at > now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn second_acquire_waits_for_release() {
        let lease = MemoryLease::new(Clock::system());
        let first = lease
            .try_acquire("FIU-1", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert!(
            lease
                .try_acquire("FIU-1", Duration::from_secs(60))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            lease
                .try_acquire("FIU-2", Duration::from_secs(60))
                .await
                .unwrap()
                .is_some()
        );
        lease.release(first).await.unwrap();
        let second = lease
            .try_acquire("FIU-1", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.info.fence, 2);
    }

    #[tokio::test]
    async fn dropped_guard_releases_lease() {
        let lease = MemoryLease::new(Clock::system());
        let guard = lease
            .try_acquire("FIU-1", Duration::from_secs(600))
            .await
            .unwrap()
            .unwrap();
        drop(guard);
        assert!(lease.holder("FIU-1").await.unwrap().is_none());
        assert!(
            lease
                .try_acquire("FIU-1", Duration::from_secs(600))
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn expired_lease_is_taken_over_with_higher_fence() {
        let clock = Clock::system();
        let lease = MemoryLease::new(clock.clone());
        let first = lease
            .try_acquire("FIU-1", Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        clock.advance(Duration::from_secs(31));
        let second = lease
            .try_acquire("FIU-1", Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        assert!(second.info.fence > first.info.fence);
        // The old holder's release does not free the new holder's lease.
        lease.release(first).await.unwrap();
        assert!(lease.holder("FIU-1").await.unwrap().is_some());
    }
}
