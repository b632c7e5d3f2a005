//! Core results as the frozen dataclasses of `aa_rotation/_types.py`.
//!
//! Each field is converted from its Rust type: timestamps become
//! timezone-aware `datetime`s, fingerprints `str`, and the stable state and
//! action names the `str` enums of the Python package.

use aa_rotation::client::SecretInfo as CoreSecretInfo;
use aa_rotation::lease::LeaseInfo;
use aa_rotation::store::LastRotation;
use aa_rotation::{Event, Fingerprint, RecoveryOutcome, RotationOutcome, SecretStatus};
use jiff::Timestamp;
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

use crate::secret::Secret;

/// The result of a core call, converted once the GIL is held: a value, or
/// the exception of its error. Async methods return this from their future so
/// that errors are converted where the result is, without taking the GIL on a
/// runtime worker.
pub struct Outcome<T>(pub Result<T, aa_rotation::Error>);

impl<'py, T> IntoPyObject<'py> for Outcome<T>
where
    T: IntoPyObject<'py>,
{
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        match self.0 {
            Ok(value) => value.into_bound_py_any(py),
            Err(error) => Err(crate::errors::to_py(py, &error)),
        }
    }
}

static TYPES_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Calls the class `name` of `aa_rotation._types` with keyword arguments.
fn construct<'py>(
    py: Python<'py>,
    name: &str,
    fields: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let module = TYPES_MODULE
        .get_or_try_init(py, || {
            PyModule::import(py, "aa_rotation._types").map(Bound::unbind)
        })?
        .bind(py);
    module.getattr(name)?.call((), Some(fields))
}

/// Returns the member of the `str` enum `name` whose value is `value`.
fn member<'py>(py: Python<'py>, name: &str, value: &str) -> PyResult<Bound<'py, PyAny>> {
    let module = TYPES_MODULE
        .get_or_try_init(py, || {
            PyModule::import(py, "aa_rotation._types").map(Bound::unbind)
        })?
        .bind(py);
    module.getattr(name)?.call1((value,))
}

fn fingerprint(value: Option<&Fingerprint>) -> Option<&str> {
    value.map(Fingerprint::as_str)
}

/// Returns the stable snake_case name that serde gives a unit enum variant.
fn serde_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::from("unknown"),
    }
}

fn datetime<'py>(py: Python<'py>, at: Option<Timestamp>) -> PyResult<Option<Bound<'py, PyAny>>> {
    at.map(|at| at.into_pyobject(py).map(Bound::into_any))
        .transpose()
}

/// `SecretStatus` for Python.
pub struct StatusOut(pub SecretStatus);

impl<'py> IntoPyObject<'py> for StatusOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let status = self.0;
        let fields = PyDict::new(py);
        fields.set_item("entity_id", &status.entity_id)?;
        fields.set_item("store", &status.store)?;
        fields.set_item("fingerprint", fingerprint(status.fingerprint.as_ref()))?;
        fields.set_item("obtained_at", datetime(py, status.obtained_at)?)?;
        fields.set_item("expires_at", datetime(py, status.expires_at)?)?;

        let source = status
            .expiry_source
            .map(|s| member(py, "ExpirySource", &serde_name(&s)))
            .transpose()?;
        fields.set_item("expiry_source", source)?;
        fields.set_item("seconds_left", status.seconds_left)?;
        fields.set_item("days_left", status.days_left)?;
        fields.set_item("state", member(py, "SecretState", status.state.as_str())?)?;
        fields.set_item("due", status.due)?;
        fields.set_item("emergency", status.emergency)?;

        fields.set_item("due_at", datetime(py, status.due_at)?)?;
        fields.set_item("in_window", status.in_window)?;
        fields.set_item("reason", &status.reason)?;
        fields.set_item("journal", &status.journal)?;
        fields.set_item("pending", status.pending)?;

        fields.set_item(
            "last_rotation",
            status
                .last_rotation
                .as_ref()
                .map(|l| last_rotation(py, l))
                .transpose()?,
        )?;
        fields.set_item(
            "lease_holder",
            status
                .lease_holder
                .as_ref()
                .map(|l| lease_info(py, l))
                .transpose()?,
        )?;
        construct(py, "SecretStatus", &fields)
    }
}

fn last_rotation<'py>(py: Python<'py>, last: &LastRotation) -> PyResult<Bound<'py, PyAny>> {
    let fields = PyDict::new(py);
    fields.set_item("at", last.at.into_pyobject(py)?)?;
    fields.set_item("result", serde_name(&last.result))?;
    fields.set_item("error", &last.error)?;
    fields.set_item("fingerprint", fingerprint(last.fingerprint.as_ref()))?;
    construct(py, "LastRotation", &fields)
}

fn lease_info<'py>(py: Python<'py>, lease: &LeaseInfo) -> PyResult<Bound<'py, PyAny>> {
    let fields = PyDict::new(py);
    fields.set_item("holder", &lease.holder)?;
    fields.set_item("fence", lease.fence)?;
    fields.set_item("acquired_at", lease.acquired_at.into_pyobject(py)?)?;
    fields.set_item("expires_at", lease.expires_at.into_pyobject(py)?)?;
    construct(py, "LeaseInfo", &fields)
}

/// `RotationOutcome` for Python.
pub struct OutcomeOut(pub RotationOutcome);

impl<'py> IntoPyObject<'py> for OutcomeOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let outcome = self.0;
        let fields = PyDict::new(py);
        fields.set_item("entity_id", &outcome.entity_id)?;
        fields.set_item(
            "action",
            member(py, "RotationAction", outcome.action.as_str())?,
        )?;
        fields.set_item(
            "old_fingerprint",
            fingerprint(outcome.old_fingerprint.as_ref()),
        )?;
        fields.set_item("fingerprint", fingerprint(outcome.fingerprint.as_ref()))?;
        fields.set_item("expires_at", datetime(py, outcome.expires_at)?)?;
        fields.set_item("days_left", outcome.days_left)?;
        fields.set_item("due", outcome.due)?;
        fields.set_item("resets", outcome.resets)?;
        fields.set_item("reason", &outcome.reason)?;
        construct(py, "RotationOutcome", &fields)
    }
}

/// `RecoveryOutcome` for Python.
pub struct RecoveryOut(pub RecoveryOutcome);

impl<'py> IntoPyObject<'py> for RecoveryOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let outcome = self.0;
        let fields = PyDict::new(py);
        fields.set_item("entity_id", &outcome.entity_id)?;
        fields.set_item(
            "action",
            member(py, "RecoveryAction", outcome.action.as_str())?,
        )?;
        fields.set_item("fingerprint", fingerprint(outcome.fingerprint.as_ref()))?;
        fields.set_item("message", &outcome.message)?;
        construct(py, "RecoveryOutcome", &fields)
    }
}

/// Builds the Python `Event` of a core event.
pub fn event<'py>(py: Python<'py>, event: &Event) -> PyResult<Bound<'py, PyAny>> {
    let fields = PyDict::new(py);
    fields.set_item("kind", member(py, "EventKind", event.kind.as_str())?)?;
    fields.set_item("entity_id", &event.entity_id)?;
    fields.set_item("at", event.at.into_pyobject(py)?)?;
    fields.set_item(
        "old_fingerprint",
        fingerprint(event.old_fingerprint.as_ref()),
    )?;
    fields.set_item(
        "new_fingerprint",
        fingerprint(event.new_fingerprint.as_ref()),
    )?;
    fields.set_item("expires_at", datetime(py, event.expires_at)?)?;
    fields.set_item("message", &event.message)?;
    construct(py, "Event", &fields)
}

/// A secret Read or Reset result for Python, with the secret as a `Secret`.
pub struct SecretInfoOut(pub CoreSecretInfo);

impl<'py> IntoPyObject<'py> for SecretInfoOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let info = self.0;
        let fields = PyDict::new(py);
        fields.set_item("entity_id", &info.entity_id)?;
        fields.set_item(
            "secret",
            Py::new(py, Secret::from_value(info.secret.expose_secret()))?,
        )?;
        fields.set_item("expires_at", datetime(py, info.expiry.at)?)?;
        fields.set_item(
            "expiry_source",
            member(py, "ExpirySource", &serde_name(&info.expiry.source))?,
        )?;
        fields.set_item("message", info.message.as_ref().map(|m| m.text.as_str()))?;
        fields.set_item("txn_id", &info.txn_id)?;
        construct(py, "SecretInfo", &fields)
    }
}
