//! Secret stores written in Python.
//!
//! Any object with `get(entity_id)` and `put(record, expected_version)` can be
//! the store. The Python side (`aa_rotation/_store.py`) wraps it in an adapter
//! whose two methods are always synchronous: it runs coroutine methods on an
//! event loop itself. This module calls the adapter on tokio's blocking pool,
//! with the GIL, so that a slow store never stalls the runtime's workers.
//!
//! Records cross as JSON text. `put` receives a [`StoreRecord`], whose
//! `to_json()` is the only way to the text, because the text contains the
//! secret values.

use std::sync::Arc;

use aa_rotation::store::{SecretRecord, SecretStore};
use aa_rotation::{Error, Result};
use async_trait::async_trait;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::runtime::run_blocking;

/// Maximum number of characters of a host exception's message kept in an error.
const MAX_HOST_MESSAGE: usize = 300;

/// One entity's record, as handed to a Python store's `put`.
///
/// `repr()` shows the entity id and version only. `to_json()` returns the
/// whole record, secret values included: store that text as it is and return
/// it from `get`.
#[pyclass(module = "aa_rotation", name = "StoreRecord", frozen)]
pub struct StoreRecord {
    entity_id: String,
    version: u64,
    json: Zeroizing<String>,
}

#[pymethods]
impl StoreRecord {
    /// The entity the record belongs to: the key to store it under.
    #[getter]
    fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The record's version; `put` stores it only if the stored record's
    /// version equals `expected_version`.
    #[getter]
    fn version(&self) -> u64 {
        self.version
    }

    /// Returns the record as JSON text, secret values included.
    fn to_json(&self) -> &str {
        &self.json
    }

    fn __repr__(&self) -> String {
        format!(
            "StoreRecord(entity_id={:?}, version={})",
            self.entity_id, self.version
        )
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "StoreRecord objects cannot be pickled because they contain secrets; store record.to_json()",
        ))
    }
}

/// A store backed by a Python object, through the adapter of `_store.py`.
pub struct PythonStore {
    adapter: Arc<Py<PyAny>>,
    description: String,
}

impl PythonStore {
    /// Wraps `store` in the Python adapter, which checks its methods.
    pub fn new(store: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = store.py();
        let adapter = py
            .import("aa_rotation._store")?
            .getattr("StoreAdapter")?
            .call1((store,))?;
        let description = adapter.call_method0("describe")?.extract::<String>()?;
        Ok(Self {
            adapter: Arc::new(adapter.unbind()),
            description,
        })
    }

    /// Returns the adapter object, for the checks that `RotationClient` makes
    /// before blocking calls.
    pub fn adapter(&self) -> &Py<PyAny> {
        &self.adapter
    }
}

#[async_trait]
impl SecretStore for PythonStore {
    async fn get(&self, entity_id: &str) -> Result<Option<SecretRecord>> {
        let adapter = self.adapter.clone();
        let entity_id = entity_id.to_owned();
        let text = run_blocking(move || {
            Python::attach(|py| {
                let value = adapter
                    .bind(py)
                    .call_method1("get", (entity_id,))
                    .map_err(|e| host_error(py, "get", &e, &[]))?;
                record_text(&value)
            })
        })
        .await?;
        text.map(|text| SecretRecord::from_json(&text)).transpose()
    }

    async fn put(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool> {
        let adapter = self.adapter.clone();
        let json = Zeroizing::new(record.to_json()?);
        let secrets: Vec<Zeroizing<String>> = [record.current.as_ref(), record.pending.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| Zeroizing::new(s.value.expose_secret().to_owned()))
            .collect();
        let entity_id = record.entity_id.clone();
        let version = record.version;
        run_blocking(move || {
            Python::attach(|py| {
                let scrub: Vec<&str> = secrets.iter().map(|s| s.as_str()).collect();
                let record = Py::new(py, StoreRecord { entity_id, version, json })
                    .map_err(|e| host_error(py, "put", &e, &scrub))?;
                let stored = adapter
                    .bind(py)
                    .call_method1("put", (record, expected_version))
                    .map_err(|e| host_error(py, "put", &e, &scrub))?;
                stored.extract::<bool>().map_err(|_| {
                    Error::Host(
                        "the secret store's put() returned something other than True or False; return True when \
                         the record was stored and False when the stored version did not match"
                            .into(),
                    )
                })
            })
        })
        .await
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

/// Reads the JSON text of a record that a store's `get` returned.
fn record_text(value: &Bound<'_, PyAny>) -> Result<Option<Zeroizing<String>>> {
    if value.is_none() {
        return Ok(None);
    }
    if let Ok(record) = value.cast::<StoreRecord>() {
        return Ok(Some(record.get().json.clone()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return text
            .to_cow()
            .map(|t| Some(Zeroizing::new(t.into_owned())))
            .map_err(|_| {
                Error::Host(
                    "the secret store's get() returned a str that is not valid UTF-8".into(),
                )
            });
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return String::from_utf8(bytes.as_bytes().to_vec())
            .map(|t| Some(Zeroizing::new(t)))
            .map_err(|_| {
                Error::Host("the secret store's get() returned bytes that are not UTF-8".into())
            });
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    Err(Error::Host(format!(
        "the secret store's get() returned a {type_name}; return None, or the text of record.to_json() that put() received"
    )))
}

/// Describes an exception raised by the Python store, without secret values:
/// `scrub` contains the values that the failed call handled.
fn host_error(py: Python<'_>, method: &str, error: &PyErr, scrub: &[&str]) -> Error {
    let type_name = error
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    let mut message = error
        .value(py)
        .str()
        .map(|s| s.to_string())
        .unwrap_or_default();
    for value in scrub.iter().filter(|v| !v.is_empty()) {
        message = message.replace(value, "[redacted]");
    }
    let mut message: String = message.chars().take(MAX_HOST_MESSAGE).collect();
    if message.is_empty() {
        message = "no message".into();
    }
    Error::Host(format!(
        "the secret store's {method}() raised {type_name}: {message}"
    ))
}
