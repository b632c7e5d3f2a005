//! `Secret` and the token types: values that print as `[redacted]` and come
//! out only through an explicit `reveal()`.

use std::hash::{DefaultHasher, Hash, Hasher};

use aa_rotation::client::EntityToken;
use aa_rotation::{Fingerprint, UserToken as CoreUserToken};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::PyString;
use zeroize::Zeroizing;

const REDACTED: &str = "[redacted]";

/// A secret value: a client secret, a password or a bearer token.
///
/// `str()`, `repr()`, f-strings and `%` formatting show `[redacted]` or the
/// fingerprint, never the value. `reveal()` returns the value itself. Secrets
/// cannot be pickled, so that one is never written out by accident.
#[pyclass(module = "aa_rotation", name = "Secret", frozen, subclass)]
pub struct Secret {
    value: Zeroizing<String>,
    fingerprint: String,
}

impl Secret {
    /// Wraps `value`, computing its fingerprint once.
    pub fn from_value(value: &str) -> Self {
        Self {
            value: Zeroizing::new(value.to_owned()),
            fingerprint: Fingerprint::of(value).as_str().to_owned(),
        }
    }

    /// Returns the value, for passing on to the core.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

#[pymethods]
impl Secret {
    #[new]
    fn py_new(value: &str) -> PyResult<Self> {
        if value.is_empty() {
            return Err(PyValueError::new_err("a Secret cannot be empty"));
        }
        Ok(Self::from_value(value))
    }

    /// Returns the value itself. Never log or format the result.
    fn reveal(&self) -> &str {
        &self.value
    }

    /// `sha256:` and the first 16 hex digits of the value's SHA-256: safe to
    /// log, and the same string the core, the audit log and the simulator use.
    #[getter]
    fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn __str__(&self) -> &'static str {
        REDACTED
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let name = slf.get_type().name()?;
        Ok(format!("{name}(fingerprint='{}')", slf.get().fingerprint))
    }

    fn __format__<'py>(&self, py: Python<'py>, spec: &str) -> PyResult<Bound<'py, PyAny>> {
        // Width and alignment apply to the placeholder, never to the value.
        PyString::new(py, REDACTED).call_method1("__format__", (spec,))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<Secret>() else {
            return Ok(py.NotImplemented());
        };
        let equal = constant_time_eq(self.value.as_bytes(), other.get().value.as_bytes());
        match op {
            CompareOp::Eq => Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!equal).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.fingerprint.hash(&mut hasher);
        hasher.finish()
    }

    fn __bool__(&self) -> bool {
        !self.value.is_empty()
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "Secret objects cannot be pickled, so that a secret is never written out by accident; pass \
             secret.reveal() explicitly if you must",
        ))
    }

    fn __copy__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __deepcopy__(slf: Py<Self>, _memo: &Bound<'_, PyAny>) -> Py<Self> {
        slf
    }
}

/// Compares two byte strings in time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0_u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// An entity token: the bearer token for calls to other Account Aggregator
/// participants. A `Secret` whose value is the token.
#[pyclass(module = "aa_rotation", name = "AccessToken", frozen, extends = Secret)]
pub struct AccessToken {
    issued_at: Py<PyAny>,
    expires_at: Py<PyAny>,
    warning: Option<String>,
    secret_fingerprint: String,
}

impl AccessToken {
    /// Builds the Python object of a core entity token.
    pub fn create(py: Python<'_>, token: &EntityToken) -> PyResult<Py<AccessToken>> {
        let secret = Secret::from_value(token.token.expose_secret());
        let subclass = AccessToken {
            issued_at: token.issued_at.into_pyobject(py)?.into_any().unbind(),
            expires_at: token.expires_at.into_pyobject(py)?.into_any().unbind(),
            warning: token.warning.as_ref().map(|w| w.text.clone()),
            secret_fingerprint: token.secret_fingerprint.as_str().to_owned(),
        };
        Py::new(py, PyClassInitializer::from(secret).add_subclass(subclass))
    }
}

#[pymethods]
impl AccessToken {
    /// When the token was received (timezone-aware, UTC).
    #[getter]
    fn issued_at(&self, py: Python<'_>) -> Py<PyAny> {
        self.issued_at.clone_ref(py)
    }

    /// When the token expires (timezone-aware, UTC).
    #[getter]
    fn expires_at(&self, py: Python<'_>) -> Py<PyAny> {
        self.expires_at.clone_ref(py)
    }

    /// The Token Service's warning, such as the grace-period notice.
    #[getter]
    fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// Fingerprint of the client secret the token was issued for.
    #[getter]
    fn secret_fingerprint(&self) -> &str {
        &self.secret_fingerprint
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let token = slf.get();
        let expires_at = token.expires_at.bind(slf.py()).str()?;
        let fingerprint = slf.as_super().get().fingerprint.clone();
        Ok(format!(
            "AccessToken(fingerprint='{fingerprint}', expires_at='{expires_at}')"
        ))
    }
}

/// A user token of the designated user, for secret Read and Reset.
#[pyclass(module = "aa_rotation", name = "UserToken", frozen, extends = Secret)]
pub struct UserToken {
    issued_at: Py<PyAny>,
    expires_at: Py<PyAny>,
}

impl UserToken {
    /// Builds the Python object of a core user token.
    pub fn create(py: Python<'_>, token: &CoreUserToken) -> PyResult<Py<UserToken>> {
        let secret = Secret::from_value(token.token.expose_secret());
        let subclass = UserToken {
            issued_at: token.issued_at.into_pyobject(py)?.into_any().unbind(),
            expires_at: token.expires_at.into_pyobject(py)?.into_any().unbind(),
        };
        Py::new(py, PyClassInitializer::from(secret).add_subclass(subclass))
    }
}

#[pymethods]
impl UserToken {
    /// When the token was received (timezone-aware, UTC).
    #[getter]
    fn issued_at(&self, py: Python<'_>) -> Py<PyAny> {
        self.issued_at.clone_ref(py)
    }

    /// When the token expires (timezone-aware, UTC).
    #[getter]
    fn expires_at(&self, py: Python<'_>) -> Py<PyAny> {
        self.expires_at.clone_ref(py)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let expires_at = slf.get().expires_at.bind(slf.py()).str()?;
        let fingerprint = slf.as_super().get().fingerprint.clone();
        Ok(format!(
            "UserToken(fingerprint='{fingerprint}', expires_at='{expires_at}')"
        ))
    }
}

/// Reads a credential given as `str` or `Secret`.
pub fn credential(value: &Bound<'_, PyAny>, argument: &str) -> PyResult<Zeroizing<String>> {
    if let Ok(secret) = value.cast::<Secret>() {
        return Ok(Zeroizing::new(secret.get().value.as_str().to_owned()));
    }
    match value.extract::<String>() {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{argument} must be a str or an aa_rotation.Secret"
        ))),
    }
}
