//! A secret store written in JavaScript.
//!
//! The JavaScript layer (`node/lib/store.js`) adapts the user's store object (async `get(entityId)`
//! and `put(record, expectedVersion)`) into two functions that always resolve,
//! to a [`HostReply`], and never throw: a failure comes back as its message.
//! Records cross as the JSON text of [`SecretRecord::to_json`], which contains
//! secret values. A failure of the JavaScript store becomes
//! [`Error::Host`] with its message, from which every secret value this store
//! has carried is removed.

use std::sync::Mutex;

use aa_rotation::Error;
use aa_rotation::store::{SecretRecord, SecretStore};
use async_trait::async_trait;
use napi::Status;
use napi::bindgen_prelude::{FnArgs, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use zeroize::Zeroizing;

/// The value a store function resolves to.
#[napi(object)]
pub struct HostReply {
    /// The failure's message when the store threw or rejected.
    pub error: Option<String>,
    /// `get`: the record's JSON text, or absent when there is none.
    pub text: Option<String>,
    /// `put`: whether the record was stored (false on a version mismatch).
    pub stored: Option<bool>,
}

/// `get(entityId)`. Weak: it does not keep the event loop alive, because a
/// call only happens while a native call that the loop waits for is running.
pub(crate) type GetFunction =
    ThreadsafeFunction<String, Promise<HostReply>, String, Status, false, true>;

/// `put(recordJson, expectedVersion, entityId, version)`.
pub(crate) type PutFunction = ThreadsafeFunction<
    FnArgs<(String, Option<f64>, String, f64)>,
    Promise<HostReply>,
    FnArgs<(String, Option<f64>, String, f64)>,
    Status,
    false,
    true,
>;

/// Maximum length of a store error message, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// A [`SecretStore`] backed by JavaScript functions.
pub(crate) struct JsStore {
    get: GetFunction,
    put: PutFunction,
    description: String,
    /// Secret values this store has carried, to scrub from error messages.
    carried: Mutex<ScrubList>,
}

impl JsStore {
    pub(crate) fn new(get: GetFunction, put: PutFunction, description: Option<String>) -> Self {
        JsStore {
            get,
            put,
            description: description.unwrap_or_else(|| "javascript:".to_owned()),
            carried: Mutex::new(ScrubList::default()),
        }
    }

    fn remember(&self, record: &SecretRecord) {
        if let Ok(mut carried) = self.carried.lock() {
            for secret in [record.current.as_ref(), record.pending.as_ref()]
                .into_iter()
                .flatten()
            {
                carried.add(secret.value.expose_secret());
            }
        }
    }

    /// Builds an [`Error::Host`] for a failed `operation`, without secret values.
    fn host_error(&self, operation: &str, message: &str) -> Error {
        let scrubbed = match self.carried.lock() {
            Ok(carried) => carried.scrub(message),
            Err(_) => "[message withheld]".to_owned(),
        };
        let short: String = scrubbed.chars().take(MAX_MESSAGE_CHARS).collect();
        Error::Host(format!(
            "the JavaScript store's {operation}() failed: {short}"
        ))
    }

    /// Builds the error for a failure of the call itself, not of the store,
    /// such as a JavaScript environment that is shutting down.
    fn call_error(&self, operation: &str, error: &napi::Error) -> Error {
        self.host_error(operation, &format!("{} ({})", error.reason, error.status))
    }
}

#[async_trait]
impl SecretStore for JsStore {
    async fn get(&self, entity_id: &str) -> aa_rotation::Result<Option<SecretRecord>> {
        let promise = self
            .get
            .call_async_catch(entity_id.to_owned())
            .await
            .map_err(|e| self.call_error("get", &e))?;
        let reply = promise.await.map_err(|e| self.call_error("get", &e))?;
        if let Some(message) = reply.error {
            return Err(self.host_error("get", &message));
        }
        let Some(text) = reply.text else {
            return Ok(None);
        };
        let record = SecretRecord::from_json(&text)?;
        self.remember(&record);
        if record.entity_id != entity_id {
            return Err(Error::Store(format!(
                "the JavaScript store's get({entity_id:?}) returned the record of entity {:?}",
                record.entity_id
            )));
        }
        Ok(Some(record))
    }

    async fn put(
        &self,
        record: &SecretRecord,
        expected_version: Option<u64>,
    ) -> aa_rotation::Result<bool> {
        self.remember(record);
        let text = record.to_json()?;
        let arguments = (
            text,
            expected_version.map(|v| v as f64),
            record.entity_id.clone(),
            record.version as f64,
        );
        let promise = self
            .put
            .call_async_catch(arguments.into())
            .await
            .map_err(|e| self.call_error("put", &e))?;
        let reply = promise.await.map_err(|e| self.call_error("put", &e))?;
        if let Some(message) = reply.error {
            return Err(self.host_error("put", &message));
        }
        reply.stored.ok_or_else(|| {
            Error::Store("the JavaScript store's put() did not return true or false; return whether it stored the record".into())
        })
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// Secret values to remove from error text, most recent first. The copies
/// are wiped when dropped.
#[derive(Default)]
struct ScrubList {
    values: Vec<Zeroizing<String>>,
}

impl ScrubList {
    /// How many values are kept: the current and pending secrets of the last
    /// few records, enough to cover one rotation and its recovery.
    const CAPACITY: usize = 8;

    fn add(&mut self, value: &str) {
        if value.is_empty() || self.values.iter().any(|known| known.as_str() == value) {
            return;
        }
        self.values.insert(0, Zeroizing::new(value.to_owned()));
        self.values.truncate(Self::CAPACITY);
    }

    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for value in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), "[redacted]");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_list_removes_carried_values() {
        let mut list = ScrubList::default();
        list.add("old-secret");
        list.add("new-secret");
        list.add("");
        assert_eq!(
            list.scrub("disk full: old-secret, new-secret"),
            "disk full: [redacted], [redacted]"
        );
    }

    #[test]
    fn scrub_list_keeps_recent_values() {
        let mut list = ScrubList::default();
        for n in 0..20 {
            list.add(&format!("secret-{n:02}"));
        }
        assert_eq!(list.values.len(), ScrubList::CAPACITY);
        assert_eq!(list.scrub("secret-19"), "[redacted]");
    }
}
