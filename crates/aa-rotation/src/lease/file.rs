//! Leases for one host: an advisory lock (`flock`) on a file per entity beside
//! the store file.
//!
//! The kernel releases the lock when the holding process exits or is killed, so
//! a crash never leaves a stale lease behind. The time-to-live is recorded for
//! status output only: a live process keeps its lock until it releases it.
//! The fencing number is kept in the file and grows with each acquisition.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{LeaseGuard, LeaseInfo, LeaseManager, expiry, holder_name};
use crate::clock::Clock;
use crate::error::{Error, Result};

#[derive(Serialize, Deserialize, Default)]
struct LeaseFile {
    fence: u64,
    holder: Option<LeaseInfo>,
}

/// A file-lock [`LeaseManager`].
#[derive(Clone, Debug)]
pub struct FileLease {
    base: PathBuf,
    holder: String,
    clock: Clock,
}

impl FileLease {
    /// Leases in files named `<base>.<entity id>.lease`.
    pub fn new(base: impl AsRef<Path>, clock: Clock) -> Self {
        Self {
            base: base.as_ref().to_path_buf(),
            holder: holder_name(),
            clock,
        }
    }

    fn path(&self, entity_id: &str) -> PathBuf {
        let safe: String = entity_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        crate::store::file::sibling(&self.base, &format!(".{safe}.lease"))
    }

    fn open(&self, entity_id: &str) -> Result<(File, PathBuf)> {
        let path = self.path(entity_id);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| {
                Error::Store(format!(
                    "could not open the lease file {}: {e}",
                    path.display()
                ))
            })?;
        Ok((file, path))
    }

    fn try_acquire_blocking(&self, entity_id: &str, ttl: Duration) -> Result<Option<LeaseGuard>> {
        let (mut file, path) = self.open(entity_id)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => {
                return Err(Error::Store(format!(
                    "could not lock the lease file {}: {e}",
                    path.display()
                )));
            }
        }
        let mut state = read_state(&mut file);
        let now = self.clock.now();
        state.fence += 1;
        let info = LeaseInfo {
            holder: self.holder.clone(),
            fence: state.fence,
            acquired_at: now,
            expires_at: expiry(now, ttl),
        };
        state.holder = Some(info.clone());
        write_state(&mut file, &state, &path)?;
        Ok(Some(LeaseGuard {
            entity_id: entity_id.to_owned(),
            info,
            hold: Some(Box::new(file)),
        }))
    }

    fn release_blocking(&self, mut guard: LeaseGuard) -> Result<()> {
        let path = self.path(&guard.entity_id);
        if let Some(hold) = guard.hold.take()
            && let Ok(mut file) = hold.downcast::<File>()
        {
            let mut state = read_state(&mut file);
            state.holder = None;
            write_state(&mut file, &state, &path)?;
            // Closing the file releases the lock.
        }
        Ok(())
    }

    fn holder_blocking(&self, entity_id: &str) -> Result<Option<LeaseInfo>> {
        let (mut file, _) = self.open(entity_id)?;
        match file.try_lock_shared() {
            // No process holds the lock, so the holder in the file is left over from a crash.
            Ok(()) => Ok(None),
            Err(TryLockError::WouldBlock) => Ok(read_state(&mut file).holder),
            Err(TryLockError::Error(e)) => Err(Error::Store(format!(
                "could not inspect the lease file: {e}"
            ))),
        }
    }
}

fn read_state(file: &mut File) -> LeaseFile {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    if file.read_to_string(&mut text).is_err() {
        return LeaseFile::default();
    }
    // A damaged lease file only loses its fencing number; the engine never
    // writes with a number at or below the store's own.
    serde_json::from_str(&text).unwrap_or_default()
}

fn write_state(file: &mut File, state: &LeaseFile, path: &Path) -> Result<()> {
    let text = serde_json::to_vec(state)
        .map_err(|e| Error::Store(format!("could not encode the lease: {e}")))?;
    let io = |e: std::io::Error| {
        Error::Store(format!(
            "could not write the lease file {}: {e}",
            path.display()
        ))
    };
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(&text).map_err(io)?;
    file.sync_data().map_err(io)
}

#[async_trait]
impl LeaseManager for FileLease {
    async fn try_acquire(&self, entity_id: &str, ttl: Duration) -> Result<Option<LeaseGuard>> {
        let lease = self.clone();
        let entity_id = entity_id.to_owned();
        spawn(move || lease.try_acquire_blocking(&entity_id, ttl)).await
    }

    async fn release(&self, guard: LeaseGuard) -> Result<()> {
        let lease = self.clone();
        spawn(move || lease.release_blocking(guard)).await
    }

    async fn holder(&self, entity_id: &str) -> Result<Option<LeaseInfo>> {
        let lease = self.clone();
        let entity_id = entity_id.to_owned();
        spawn(move || lease.holder_blocking(&entity_id)).await
    }
}

async fn spawn<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Store(format!("lease task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lock_excludes_second_manager() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("secret.json");
        let one = FileLease::new(&base, Clock::system());
        let two = FileLease::new(&base, Clock::system());
        let guard = one
            .try_acquire("FIU/1", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(guard.info.fence, 1);
        assert!(
            two.try_acquire("FIU/1", Duration::from_secs(60))
                .await
                .unwrap()
                .is_none()
        );
        let seen = two.holder("FIU/1").await.unwrap().unwrap();
        assert_eq!(seen.holder, guard.info.holder);
        one.release(guard).await.unwrap();
        assert!(two.holder("FIU/1").await.unwrap().is_none());
        let next = two
            .try_acquire("FIU/1", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(next.info.fence, 2);
        assert!(dir.path().join("secret.json.FIU_1.lease").exists());
    }

    #[tokio::test]
    async fn dropped_guard_releases_lock() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("secret.json");
        let lease = FileLease::new(&base, Clock::system());
        let guard = lease
            .try_acquire("FIU-1", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        drop(guard);
        assert!(lease.holder("FIU-1").await.unwrap().is_none());
        assert!(
            lease
                .try_acquire("FIU-1", Duration::from_secs(60))
                .await
                .unwrap()
                .is_some()
        );
    }
}
