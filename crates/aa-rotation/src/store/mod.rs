//! The secret store: one versioned record per entity.
//!
//! A backend implements two operations, [`SecretStore::get`] and
//! [`SecretStore::put`], where `put` is a compare-and-set on the record's
//! version. Everything else (the fencing check against a stale lease holder,
//! the history cap, the journal) is done here, once, for every backend,
//! including stores written in Python, JavaScript or Java.

pub(crate) mod file;
mod memory;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use file::FileStore;
pub use memory::MemoryStore;

use crate::client::ExpirySource;
use crate::error::{Error, Result};
use crate::secret::{ClientSecret, Fingerprint, expose_for_serde};

/// How many past fingerprints a record keeps.
pub const HISTORY_LIMIT: usize = 20;

/// A secret value with what is known about it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredSecret {
    /// The secret itself.
    #[serde(with = "expose_for_serde")]
    pub value: ClientSecret,
    /// Its fingerprint, stored so that readers of the file need not hash.
    pub fingerprint: Fingerprint,
    /// When it expires, if known.
    pub expires_at: Option<Timestamp>,
    /// The response field the expiry came from.
    pub expiry_source: ExpirySource,
    /// When this process obtained it.
    pub obtained_at: Timestamp,
}

impl StoredSecret {
    /// Wraps a secret obtained now.
    pub fn new(
        value: ClientSecret,
        expires_at: Option<Timestamp>,
        expiry_source: ExpirySource,
        obtained_at: Timestamp,
    ) -> Self {
        Self {
            fingerprint: value.fingerprint(),
            value,
            expires_at,
            expiry_source,
            obtained_at,
        }
    }
}

/// The step an interrupted rotation stopped at. Written before each protocol
/// step, so that [`crate::engine::Engine::recover`] can tell what to finish.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Journal {
    /// No rotation in progress.
    #[default]
    Idle,
    /// A Reset is about to be sent, or was sent and its reply not yet stored:
    /// the service may hold a secret that only a Read can reveal.
    Resetting {
        fence: u64,
        started_at: Timestamp,
        previous: Option<Fingerprint>,
    },
    /// The new secret is stored as `pending` and is being verified.
    Verifying { fence: u64, started_at: Timestamp },
}

impl Journal {
    /// Stable text for status output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Journal::Idle => "idle",
            Journal::Resetting { .. } => "resetting",
            Journal::Verifying { .. } => "verifying",
        }
    }
}

/// The outcome of the last rotation attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RotationResult {
    Rotated,
    Recovered,
    DriftHealed,
    Failed,
}

/// The last rotation attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRotation {
    pub at: Timestamp,
    pub result: RotationResult,
    /// The error message of a failed attempt; never contains a secret.
    pub error: Option<String>,
    /// The secret in use afterwards.
    pub fingerprint: Option<Fingerprint>,
}

/// One secret that was current at some time; values are never kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub fingerprint: Fingerprint,
    pub activated_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// `bootstrap`, `rotation`, `recovery` or `drift`.
    pub source: String,
}

/// Everything stored for one entity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretRecord {
    pub entity_id: String,
    /// Incremented by every write; `put` compares it.
    pub version: u64,
    /// The highest lease fencing number that wrote this record.
    #[serde(default)]
    pub fence: u64,
    /// The secret applications use.
    pub current: Option<StoredSecret>,
    /// A new secret obtained by Reset and not yet promoted. When present it is
    /// the secret the service accepts.
    pub pending: Option<StoredSecret>,
    #[serde(default)]
    pub journal: Journal,
    pub last_rotation: Option<LastRotation>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl SecretRecord {
    /// Creates an empty record, not yet stored.
    pub fn new(entity_id: &str) -> Self {
        Self {
            entity_id: entity_id.to_owned(),
            version: 0,
            fence: 0,
            current: None,
            pending: None,
            journal: Journal::Idle,
            last_rotation: None,
            history: Vec::new(),
        }
    }

    /// Returns the secret the service accepts: the pending one if a Reset went through
    /// and was not promoted yet, else the current one.
    pub fn effective(&self) -> Option<&StoredSecret> {
        self.pending.as_ref().or(self.current.as_ref())
    }

    /// Encodes the record as JSON, secret values included, for a store
    /// written in a host language. Handle the result like the secret itself.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::Store(format!("could not encode the record: {e}")))
    }

    /// Decodes a record written by [`SecretRecord::to_json`].
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| {
            Error::Store(format!(
                "a record returned by the store is not valid ({:?} at line {} column {}); return exactly the text \
                 that put() received",
                e.classify(),
                e.line(),
                e.column()
            ))
        })
    }

    /// Adds a history entry, dropping the oldest beyond [`HISTORY_LIMIT`].
    pub fn push_history(&mut self, secret: &StoredSecret, activated_at: Timestamp, source: &str) {
        self.history.push(HistoryEntry {
            fingerprint: secret.fingerprint.clone(),
            activated_at,
            expires_at: secret.expires_at,
            source: source.to_owned(),
        });
        if self.history.len() > HISTORY_LIMIT {
            let excess = self.history.len() - HISTORY_LIMIT;
            self.history.drain(..excess);
        }
    }
}

/// A secret store backend.
///
/// `put` must be atomic: store `record` only if the stored record's version
/// equals `expected_version` (`None`: only if there is no record), and report
/// whether it did.
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Loads the record of `entity_id`, if any.
    async fn get(&self, entity_id: &str) -> Result<Option<SecretRecord>>;

    /// Compare-and-set. Returns `Ok(false)` when the version did not match.
    async fn put(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool>;

    /// Describes the store for status output, such as `file:///var/lib/…`.
    /// The text never contains a password.
    fn describe(&self) -> String;
}

/// Writes `record` as the next version of what was loaded, with a lease's
/// fencing number. Fails with [`Error::LeaseLost`] when a newer lease holder
/// has written, and [`Error::StoreConflict`] when any other writer has.
/// On success, `record.version` is the new version.
pub async fn save(
    store: &dyn SecretStore,
    record: &mut SecretRecord,
    fence: Option<u64>,
) -> Result<()> {
    let expected = if record.version == 0 {
        None
    } else {
        Some(record.version)
    };
    if let Some(fence) = fence {
        let stored_fence = store
            .get(&record.entity_id)
            .await?
            .map(|r| r.fence)
            .unwrap_or(0);
        if stored_fence > fence {
            return Err(Error::LeaseLost {
                entity_id: record.entity_id.clone(),
                fence,
            });
        }
        record.fence = fence;
    }
    let mut next = record.clone();
    next.version = record.version + 1;
    if !store.put(&next, expected).await? {
        return Err(Error::StoreConflict {
            entity_id: record.entity_id.clone(),
            expected: record.version,
        });
    }
    record.version = next.version;
    Ok(())
}

/// A store written in a host language, guarded: each call must finish within
/// `timeout` (a callback that never returns would otherwise hang every
/// rotation and token refresh), and a loaded record must belong to the entity
/// requested (a store keyed wrongly must not hand one entity's secret to
/// another).
pub struct CheckedStore {
    inner: std::sync::Arc<dyn SecretStore>,
    timeout: std::time::Duration,
}

impl CheckedStore {
    /// Wraps `inner`; each call fails with [`Error::Store`] after `timeout`.
    pub fn new(inner: std::sync::Arc<dyn SecretStore>, timeout: std::time::Duration) -> Self {
        Self { inner, timeout }
    }

    async fn bounded<T>(
        &self,
        call: &str,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        tokio::time::timeout(self.timeout, work).await.map_err(|_| {
            Error::Store(format!(
                "the store's {call}() did not return within {} s; check the store's backend (a vault or \
                 database) and its network",
                self.timeout.as_secs()
            ))
        })?
    }
}

#[async_trait]
impl SecretStore for CheckedStore {
    async fn get(&self, entity_id: &str) -> Result<Option<SecretRecord>> {
        let record = self.bounded("get", self.inner.get(entity_id)).await?;
        if let Some(found) = &record
            && found.entity_id != entity_id
        {
            return Err(Error::Store(format!(
                "the store returned the record of entity {:?} when asked for entity {entity_id:?}; check how the \
                 store keys its records",
                found.entity_id
            )));
        }
        Ok(record)
    }

    async fn put(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool> {
        self.bounded("put", self.inner.put(record, expected_version))
            .await
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}
