//! `Simulator`: the in-process Token Service simulator, for tests.
//!
//! It listens on 127.0.0.1 with a port the operating system picks, runs on the
//! library's runtime, and owns a `Clock` that `advance_clock` moves together
//! with its own, so that secrets and tokens expire at the same moment for the
//! simulator and for a client built with `clock=simulator.clock`.

use std::sync::Mutex;
use std::time::Duration;

use aa_rotation_sim::{
    Endpoint, EntitySeedDocument, Fault, SeedDocument, SimConfig, SimError, UserSeed,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::config::Clock;
use crate::logging::refresh_threshold;
use crate::runtime::{IntoPyException, block_on};
use crate::secret::{Secret, credential};

impl IntoPyException for SimError {
    fn into_exception(self, _py: Python<'_>) -> PyErr {
        PyRuntimeError::new_err(format!("simulator: {self}"))
    }
}

/// A Token Service simulator on 127.0.0.1, for tests.
///
/// Use it as a context manager, or call `stop()`. Keyword arguments set the
/// simulator's behaviour (see `SimConfig` in the simulator's documentation):
/// token validity in seconds, default and maximum secret validity and grace
/// period in days, and the unit of `expiresOn` (`"ms"` or `"s"`).
#[pyclass(module = "aa_rotation", name = "Simulator", frozen)]
pub struct Simulator {
    inner: Mutex<Option<aa_rotation_sim::Simulator>>,
    base_url: String,
    root_url: String,
    clock: Py<Clock>,
}

impl Simulator {
    fn with<T>(&self, f: impl FnOnce(&aa_rotation_sim::Simulator) -> PyResult<T>) -> PyResult<T> {
        let guard = self
            .inner
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the simulator is unusable"))?;
        match guard.as_ref() {
            Some(simulator) => f(simulator),
            None => Err(PyRuntimeError::new_err("the simulator is stopped")),
        }
    }
}

fn invalid(error: SimError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

#[pymethods]
impl Simulator {
    #[new]
    #[pyo3(signature = (
        *,
        user_token_validity_seconds = None,
        entity_token_validity_seconds = None,
        default_secret_expiry_days = None,
        max_secret_expiry_days = None,
        grace_period_days = None,
        expires_on_unit = None,
    ))]
    fn py_new(
        py: Python<'_>,
        user_token_validity_seconds: Option<u64>,
        entity_token_validity_seconds: Option<u64>,
        default_secret_expiry_days: Option<u32>,
        max_secret_expiry_days: Option<u32>,
        grace_period_days: Option<u32>,
        expires_on_unit: Option<&str>,
    ) -> PyResult<Self> {
        let mut config = SimConfig::default();
        if let Some(value) = user_token_validity_seconds {
            config.user_token_validity_seconds = value;
        }
        if let Some(value) = entity_token_validity_seconds {
            config.entity_token_validity_seconds = value;
        }
        if let Some(value) = default_secret_expiry_days {
            config.default_secret_expiry_days = value;
        }
        if let Some(value) = max_secret_expiry_days {
            config.max_secret_expiry_days = value;
        }
        if let Some(value) = grace_period_days {
            config.grace_period_days = value;
        }
        if let Some(unit) = expires_on_unit {
            config.expires_on_unit = serde_json::from_value(serde_json::Value::String(
                unit.to_owned(),
            ))
            .map_err(|_| {
                PyValueError::new_err(format!(
                    "expires_on_unit is {unit:?}, expected \"ms\" or \"s\""
                ))
            })?;
        }
        refresh_threshold(py);
        let simulator = block_on(py, aa_rotation_sim::Simulator::start(config))?;
        let clock = Py::new(
            py,
            Clock {
                inner: aa_rotation::Clock::system(),
            },
        )?;
        Ok(Self {
            base_url: simulator.base_url(),
            root_url: simulator.root_url(),
            inner: Mutex::new(Some(simulator)),
            clock,
        })
    }

    /// The IAM base URL, `http://127.0.0.1:PORT/iam`: the `base_url` for clients.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://127.0.0.1:PORT`, under which the control endpoints `/_sim/` live.
    #[getter]
    fn root_url(&self) -> &str {
        &self.root_url
    }

    /// The clock that `advance_clock` moves: pass it as `clock=` to clients.
    #[getter]
    fn clock(&self, py: Python<'_>) -> Py<Clock> {
        self.clock.clone_ref(py)
    }

    /// Adds a designated user who manages `entities`, replacing one with the
    /// same username. `password_expires_at` is epoch seconds.
    #[pyo3(signature = (username, password, entities = Vec::new(), *, password_expires_at = None))]
    fn add_user(
        &self,
        username: String,
        password: &Bound<'_, PyAny>,
        entities: Vec<String>,
        password_expires_at: Option<i64>,
    ) -> PyResult<()> {
        let password = credential(password, "password")?;
        let user = UserSeed {
            username,
            password: password.as_str().to_owned(),
            entities,
            password_expires_at,
        };
        self.with(|simulator| {
            simulator.add_user(user);
            Ok(())
        })
    }

    /// Adds an entity, replacing one with the same id. Without `secret`, a
    /// random one is generated (read it with `current_secret`). The expiry is
    /// `expires_in_days` from the simulator's now, or `expires_at` in epoch
    /// seconds; with neither, the secret never expires.
    #[pyo3(signature = (entity_id, secret = None, *, expires_in_days = None, expires_at = None))]
    fn add_entity(
        &self,
        entity_id: String,
        secret: Option<&Bound<'_, PyAny>>,
        expires_in_days: Option<f64>,
        expires_at: Option<i64>,
    ) -> PyResult<()> {
        let secret = secret.map(|s| credential(s, "secret")).transpose()?;
        let entity = EntitySeedDocument {
            entity_id,
            secret: secret.map(|s| s.as_str().to_owned()),
            expires_at,
            expires_in_days,
        };
        let document = SeedDocument {
            users: Vec::new(),
            entities: vec![entity],
        };
        self.with(|simulator| simulator.seed_document(document).map_err(invalid))
    }

    /// Moves the simulator's clock, and `clock`, forward.
    #[pyo3(signature = (*, days = 0.0, seconds = 0.0))]
    fn advance_clock(&self, days: f64, seconds: f64) -> PyResult<()> {
        let total = days * 86_400.0 + seconds;
        let by = Duration::try_from_secs_f64(total).map_err(|_| {
            PyValueError::new_err(format!("cannot advance the clock by {total} seconds"))
        })?;
        self.with(|simulator| {
            simulator.advance_clock(by);
            Ok(())
        })?;
        self.clock.get().inner.advance(by);
        Ok(())
    }

    /// Returns the simulator clock's current time (timezone-aware, UTC).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let now = self.with(|simulator| Ok(simulator.now()))?;
        Ok(now.into_pyobject(py)?.into_any())
    }

    /// Makes the next `count` requests to `endpoint` (every request, without
    /// `count`) misbehave. `endpoint` is `user_token`, `secret_read`,
    /// `secret_reset`, `entity_token` or `oidc_token`. `kind` is a fault kind
    /// such as `error`, `html`, `rate_limit`, `drop_after_apply` or
    /// `malformed_json`. Its parameters are keyword arguments: `status=502`,
    /// `retry_after=120`, `ms=500`, `error_code=...`.
    #[pyo3(signature = (endpoint, kind, *, count = None, **parameters))]
    fn inject_fault(
        &self,
        endpoint: &str,
        kind: &str,
        count: Option<u32>,
        parameters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let endpoint: Endpoint = serde_json::from_value(serde_json::Value::String(endpoint.to_owned())).map_err(|_| {
            PyValueError::new_err(format!(
                "unknown endpoint {endpoint:?}; use user_token, secret_read, secret_reset, entity_token or oidc_token"
            ))
        })?;
        let mut fault = serde_json::Map::new();
        fault.insert("kind".into(), serde_json::Value::String(kind.to_owned()));
        if let Some(parameters) = parameters {
            for (key, value) in parameters.iter() {
                let key: String = key.extract()?;
                fault.insert(camel_case(&key), json_value(&value)?);
            }
        }
        let fault: Fault = serde_json::from_value(serde_json::Value::Object(fault))
            .map_err(|e| PyValueError::new_err(format!("invalid fault {kind:?}: {e}")))?;
        self.with(|simulator| {
            simulator
                .inject_fault(endpoint, fault, count)
                .map_err(invalid)
        })
    }

    /// Removes every injected fault.
    fn clear_faults(&self) -> PyResult<()> {
        self.with(|simulator| {
            simulator.clear_faults();
            Ok(())
        })
    }

    /// Returns the call, reset and secret counters as a dict:
    /// `calls[endpoint]`, `resets[entity_id]`, and `entities[entity_id]` with
    /// `fingerprint`, `expires_at` and `created_at` (epoch seconds).
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counters = self.with(|simulator| Ok(simulator.counters()))?;
        let calls = PyDict::new(py);
        for endpoint in Endpoint::ALL {
            calls.set_item(endpoint.as_str(), counters.calls.get(endpoint))?;
        }
        let entities = PyDict::new(py);
        for (entity_id, entity) in &counters.entities {
            let fields = PyDict::new(py);
            fields.set_item("fingerprint", &entity.fingerprint)?;
            fields.set_item("expires_at", entity.expires_at)?;
            fields.set_item("created_at", entity.created_at)?;
            entities.set_item(entity_id, fields)?;
        }
        let result = PyDict::new(py);
        result.set_item("calls", calls)?;
        result.set_item("resets", counters.resets.into_pyobject(py)?)?;
        result.set_item("entities", entities)?;
        Ok(result)
    }

    /// Returns the number of requests `endpoint` has received.
    fn calls(&self, endpoint: &str) -> PyResult<u64> {
        let endpoint: Endpoint =
            serde_json::from_value(serde_json::Value::String(endpoint.to_owned()))
                .map_err(|_| PyValueError::new_err(format!("unknown endpoint {endpoint:?}")))?;
        self.with(|simulator| Ok(simulator.counters().calls.get(endpoint)))
    }

    /// Returns how many Resets of `entity_id` succeeded.
    fn resets(&self, entity_id: &str) -> PyResult<u64> {
        self.with(|simulator| Ok(simulator.counters().resets_of(entity_id)))
    }

    /// Returns the entity's current secret as the simulator stores it, or None
    /// for an unknown entity.
    fn current_secret(&self, entity_id: &str) -> PyResult<Option<Secret>> {
        self.with(|simulator| {
            Ok(simulator
                .current_secret(entity_id)
                .map(|value| Secret::from_value(&value)))
        })
    }

    /// Stops the simulator and closes its connections. Safe to call twice.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let simulator = self
            .inner
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the simulator is unusable"))?
            .take();
        if let Some(simulator) = simulator {
            block_on(py, async move {
                simulator.shutdown().await;
                Ok::<(), PyErr>(())
            })?;
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("Simulator(base_url={:?})", self.base_url)
    }
}

/// `retry_after` to `retryAfter`: fault parameters are camelCase in JSON.
fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn json_value(value: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    if value.is_none() {
        return Ok(serde_json::Value::Null);
    }
    if let Ok(flag) = value.cast::<pyo3::types::PyBool>() {
        return Ok(serde_json::Value::Bool(flag.is_true()));
    }
    if let Ok(number) = value.extract::<i64>() {
        return Ok(serde_json::Value::from(number));
    }
    if let Ok(text) = value.extract::<String>() {
        return Ok(serde_json::Value::String(text));
    }
    Err(PyValueError::new_err(
        "fault parameters must be None, bool, int or str",
    ))
}
