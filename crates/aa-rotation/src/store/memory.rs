//! A store in process memory: for tests, and for hosts that keep the secret
//! only as long as the process runs.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{SecretRecord, SecretStore};
use crate::error::{Error, Result};

/// An in-memory [`SecretStore`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<HashMap<String, SecretRecord>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl SecretStore for MemoryStore {
    async fn get(&self, entity_id: &str) -> Result<Option<SecretRecord>> {
        let records = self
            .records
            .lock()
            .map_err(|_| Error::Store("memory store lock poisoned".into()))?;
        Ok(records.get(entity_id).cloned())
    }

    async fn put(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool> {
        let mut records = self
            .records
            .lock()
            .map_err(|_| Error::Store("memory store lock poisoned".into()))?;
        let stored = records.get(&record.entity_id).map(|r| r.version);
        if stored != expected_version {
            return Ok(false);
        }
        records.insert(record.entity_id.clone(), record.clone());
        Ok(true)
    }

    fn describe(&self) -> String {
        "memory:".into()
    }
}
