//! One rotation per entity at a time: leases with a time-to-live and a
//! fencing number.
//!
//! The fencing number grows with every acquisition. Every store write made under
//! a lease carries it, and the store rejects a write whose number is lower than
//! one it has seen, so a holder whose lease expired (a paused process, say)
//! cannot overwrite the work of the holder that replaced it.

mod file;
mod memory;

use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use file::FileLease;
pub use memory::MemoryLease;

use crate::error::Result;

/// The holder of a lease, and its expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseInfo {
    /// `host:pid:random`, unique per lease manager.
    pub holder: String,
    pub fence: u64,
    pub acquired_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Display for LeaseInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "held by {} since {}, fencing number {}",
            self.holder, self.acquired_at, self.fence
        )
    }
}

/// A held lease. Dropping it releases the lease for backends whose lock
/// lives in a resource (the file lock); call [`LeaseManager::release`] to
/// release it explicitly.
pub struct LeaseGuard {
    pub entity_id: String,
    pub info: LeaseInfo,
    pub(crate) hold: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl std::fmt::Debug for LeaseGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseGuard")
            .field("entity_id", &self.entity_id)
            .field("info", &self.info)
            .finish()
    }
}

/// A lease backend.
#[async_trait]
pub trait LeaseManager: Send + Sync {
    /// Takes the lease of `entity_id` for `ttl`, or returns `None` when someone
    /// else holds it.
    async fn try_acquire(&self, entity_id: &str, ttl: Duration) -> Result<Option<LeaseGuard>>;

    /// Releases a lease taken by this manager.
    async fn release(&self, guard: LeaseGuard) -> Result<()>;

    /// Returns the current holder, if the lease is held.
    async fn holder(&self, entity_id: &str) -> Result<Option<LeaseInfo>>;
}

/// Returns a holder name for this process: host name, process id and a random suffix,
/// so that two managers in one process differ too.
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

pub(crate) fn expiry(now: Timestamp, ttl: Duration) -> Timestamp {
    let ttl = jiff::SignedDuration::try_from(ttl).unwrap_or(jiff::SignedDuration::MAX);
    now.checked_add(ttl).unwrap_or(Timestamp::MAX)
}
