//! Interfaces that JVM code implements: a secret store and an event listener.

use std::sync::Arc;
use std::time::SystemTime;

use aa_rotation::store::{SecretRecord, SecretStore};
use aa_rotation::{Error, Result};
use async_trait::async_trait;

use crate::error::RotationError;
use crate::types::{EntityToken, RotationEvent};

/// A secret store written in Java or Kotlin, such as a bridge to a vault.
///
/// Records cross as JSON text that contains secret values: store it as
/// securely as the secret itself and return exactly the text that `put`
/// received. Methods run on a blocking thread of the library's runtime and
/// may block.
#[uniffi::export(callback_interface)]
pub trait SecretStoreCallback: Send + Sync {
    /// Returns the record JSON stored for `entity_id`, or null when there is none.
    fn get(&self, entity_id: String) -> std::result::Result<Option<String>, RotationError>;

    /// Stores `record_json` (whose version is `version`) only if the stored
    /// record's version equals `expected_version`, or, when that is null,
    /// only if no record is stored. Returns whether it stored the record.
    fn put(
        &self,
        entity_id: String,
        version: i64,
        record_json: String,
        expected_version: Option<i64>,
    ) -> std::result::Result<bool, RotationError>;

    /// Returns a description for status output, such as `vault://kv/aa`.
    /// Must not contain a password.
    fn describe(&self) -> String;
}

/// Receives rotation events. Called on the thread that emitted the event;
/// return quickly.
#[uniffi::export(callback_interface)]
pub trait EventListener: Send + Sync {
    fn on_event(&self, event: RotationEvent) -> std::result::Result<(), RotationError>;
}

/// Receives the cached entity token each time it changes, so that JVM code
/// can keep a copy. Called on the thread that changed the cache, one call at
/// a time; return quickly and call nothing else of the library.
#[uniffi::export(callback_interface)]
pub trait TokenListener: Send + Sync {
    /// `token` is the token now cached, and `refresh_at` the instant after
    /// which a copy of it must not be served. Both are null when the cache is
    /// empty.
    fn on_token_change(&self, token: Option<Arc<EntityToken>>, refresh_at: Option<SystemTime>);
}

/// Adapts a [`SecretStoreCallback`] to the core's [`SecretStore`].
pub(crate) struct HostStore {
    callback: Arc<dyn SecretStoreCallback>,
    /// Read once: `describe` is synchronous in the core, and a call into the
    /// JVM for every status line is not worth it.
    description: String,
}

impl HostStore {
    pub(crate) fn new(callback: Box<dyn SecretStoreCallback>) -> Self {
        let callback: Arc<dyn SecretStoreCallback> = Arc::from(callback);
        let description = callback.describe();
        Self {
            callback,
            description,
        }
    }
}

/// Runs `call` on a blocking thread when a tokio runtime is current, so that
/// a slow host store does not stall the runtime's workers.
async fn blocking<T: Send + 'static>(call: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle
            .spawn_blocking(call)
            .await
            .map_err(|e| Error::Host(format!("the host secret store call did not complete: {e}"))),
        Err(_) => Ok(call()),
    }
}

/// Removes the secret values of `record` from a message that host code
/// produced, in case an exception message echoed the record.
fn scrub(message: String, record: &SecretRecord) -> String {
    let mut message = message;
    for secret in [record.current.as_ref(), record.pending.as_ref()]
        .into_iter()
        .flatten()
    {
        let value = secret.value.expose_secret();
        if !value.is_empty() && message.contains(value) {
            message = message.replace(value, "[redacted]");
        }
    }
    message
}

#[async_trait]
impl SecretStore for HostStore {
    async fn get(&self, entity_id: &str) -> Result<Option<SecretRecord>> {
        let callback = self.callback.clone();
        let id = entity_id.to_owned();
        let text = blocking(move || callback.get(id))
            .await?
            .map_err(Error::from)?;
        text.map(|json| SecretRecord::from_json(&json)).transpose()
    }

    async fn put(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool> {
        let json = record.to_json()?;
        let version = i64::try_from(record.version).map_err(|_| {
            Error::Store(format!(
                "record version {} does not fit a Java long",
                record.version
            ))
        })?;
        let expected = expected_version
            .map(i64::try_from)
            .transpose()
            .map_err(|_| {
                Error::Store("the expected record version does not fit a Java long".into())
            })?;
        let callback = self.callback.clone();
        let id = record.entity_id.clone();
        let stored = blocking(move || callback.put(id, version, json, expected)).await?;
        stored.map_err(|e| Error::Host(scrub(e.detail().message.clone(), record)))
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
