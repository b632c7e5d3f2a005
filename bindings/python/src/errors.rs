//! Core errors as Python exceptions.
//!
//! The classes live in `aa_rotation/_errors.py`, one per core error kind; this
//! module picks the class by the kind's stable code and fills in the fields.
//! The message is the core's `Display`, which never contains a secret.

use std::time::Duration;

use aa_rotation::{Endpoint, Error, ErrorKind, ServiceDetail};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE
        .get_or_try_init(py, || {
            PyModule::import(py, "aa_rotation._errors").map(Bound::unbind)
        })
        .map(|m| m.bind(py))
}

/// Converts a core error into the matching Python exception. A failure of
/// `RotationFailed` gets the exception of its root cause as `__cause__`.
pub fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    match build(py, error) {
        Ok(exception) => exception,
        // The exception classes could not be loaded: still raise, with the message.
        Err(import_failure) => import_failure,
    }
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let root = error.root();
    let root_code = (error.kind() == ErrorKind::RotationFailed).then(|| root.kind().code());
    let class = errors_module(py)?
        .getattr("_exception_class")?
        .call1((error.kind().code(), root_code))?;

    let fields = PyDict::new(py);
    fields.set_item("status", error.status())?;
    if let Some(ServiceDetail {
        error_code,
        error_msg,
        txn_id,
        ..
    }) = error.detail()
    {
        fields.set_item("error_code", error_code)?;
        fields.set_item("error_msg", error_msg)?;
        fields.set_item("txn_id", txn_id)?;
    }
    fields.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    fields.set_item("endpoint", endpoint(root).map(Endpoint::as_str))?;
    fields.set_item("entity_id", entity_id(error))?;
    fields.set_item("transient", error.is_transient())?;
    if let Error::RotationFailed { step, .. } = error {
        fields.set_item("step", *step)?;
        fields.set_item("root_code", root.kind().code())?;
    }

    let exception = PyErr::from_value(class.call((error.to_string(),), Some(&fields))?);
    if root_code.is_some() {
        exception.set_cause(py, Some(build(py, root)?));
    }
    Ok(exception)
}

fn endpoint(error: &Error) -> Option<Endpoint> {
    match error {
        Error::InvalidUserCredentials { .. } => Some(Endpoint::UserToken),
        Error::UserTokenRejected { endpoint, .. }
        | Error::BadRequest { endpoint, .. }
        | Error::RateLimited { endpoint, .. }
        | Error::ServerError { endpoint, .. }
        | Error::GatewayError { endpoint, .. }
        | Error::Redirected { endpoint, .. }
        | Error::Timeout { endpoint }
        | Error::Connection { endpoint, .. }
        | Error::MalformedResponse { endpoint, .. } => Some(*endpoint),
        _ => None,
    }
}

fn entity_id(error: &Error) -> Option<&str> {
    match error {
        Error::EntityNotPermitted { entity_id, .. }
        | Error::InvalidEntitySecret { entity_id, .. }
        | Error::StoreConflict { entity_id, .. }
        | Error::LeaseHeld { entity_id, .. }
        | Error::LeaseLost { entity_id, .. }
        | Error::NotBootstrapped { entity_id }
        | Error::RotationFailed { entity_id, .. } => Some(entity_id),
        _ => None,
    }
}

/// Returns the stable codes of every core error kind, in the core's order.
pub fn codes() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|kind| kind.code()).collect()
}

/// Returns the exception that a core error of kind `code` becomes, built from
/// a representative error, so that tests can check every class and field.
#[pyfunction]
#[pyo3(name = "_sample_error")]
pub fn sample_error(py: Python<'_>, code: &str) -> PyResult<Py<PyAny>> {
    let kind = ErrorKind::ALL
        .into_iter()
        .find(|kind| kind.code() == code)
        .ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!("unknown error code {code:?}"))
        })?;
    Ok(to_py(py, &sample(kind)).into_value(py).into_any())
}

fn sample(kind: ErrorKind) -> Error {
    let detail = |status: u16| ServiceDetail {
        status,
        error_code: Some("SampleCode".into()),
        error_msg: Some("sample message".into()),
        txn_id: Some("00000000-0000-4000-8000-000000000000".into()),
    };
    let entity_id = || "SAMPLE-ENTITY".to_owned();
    match kind {
        ErrorKind::InvalidUserCredentials => Error::InvalidUserCredentials {
            detail: detail(401),
        },
        ErrorKind::UserTokenRejected => Error::UserTokenRejected {
            endpoint: Endpoint::SecretRead,
            detail: detail(401),
        },
        ErrorKind::EntityNotPermitted => Error::EntityNotPermitted {
            entity_id: entity_id(),
            detail: detail(403),
        },
        ErrorKind::InvalidEntitySecret => Error::InvalidEntitySecret {
            entity_id: entity_id(),
            detail: detail(401),
        },
        ErrorKind::BadRequest => Error::BadRequest {
            endpoint: Endpoint::SecretReset,
            detail: detail(400),
        },
        ErrorKind::RateLimited => Error::RateLimited {
            endpoint: Endpoint::EntityToken,
            retry_after: Some(Duration::from_secs(7)),
            detail: detail(429),
        },
        ErrorKind::ServerError => Error::ServerError {
            endpoint: Endpoint::SecretRead,
            detail: detail(500),
        },
        ErrorKind::GatewayError => Error::GatewayError {
            endpoint: Endpoint::EntityToken,
            status: 502,
            excerpt: "Bad Gateway".into(),
        },
        ErrorKind::Redirected => Error::Redirected {
            endpoint: Endpoint::UserToken,
            status: 307,
        },
        ErrorKind::Timeout => Error::Timeout {
            endpoint: Endpoint::SecretReset,
        },
        ErrorKind::Connection => Error::Connection {
            endpoint: Endpoint::SecretRead,
            detail: "could not connect".into(),
        },
        ErrorKind::MalformedResponse => Error::MalformedResponse {
            endpoint: Endpoint::SecretRead,
            detail: "the secret field is missing".into(),
        },
        ErrorKind::Config => Error::Config("sample configuration error".into()),
        ErrorKind::Store => Error::Store("sample store error".into()),
        ErrorKind::StoreConflict => Error::StoreConflict {
            entity_id: entity_id(),
            expected: 3,
        },
        ErrorKind::LeaseHeld => Error::LeaseHeld {
            entity_id: entity_id(),
            holder: "host:1:00000000".into(),
        },
        ErrorKind::LeaseLost => Error::LeaseLost {
            entity_id: entity_id(),
            fence: 4,
        },
        ErrorKind::NotBootstrapped => Error::NotBootstrapped {
            entity_id: entity_id(),
        },
        ErrorKind::RotationFailed => Error::RotationFailed {
            entity_id: entity_id(),
            step: "reset",
            source: Box::new(sample(ErrorKind::RateLimited)),
        },
        ErrorKind::Host => Error::Host("sample host error".into()),
    }
}
