//! `RotationConfig`: the settings of a `RotationClient`, from keyword
//! arguments or from `AA_ROTATION_*` variables.
//!
//! Both paths fill the core's `Settings` and call `into_config()`, so names,
//! defaults, ranges and error messages are the command line's.

use std::path::PathBuf;
use std::sync::Arc;

use aa_rotation::{
    ClientSecret, Clock as CoreClock, Password, RotationConfig as CoreConfig, Settings, StoreChoice,
};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::to_py;
use crate::secret::credential;
use crate::store::PythonStore;

/// A clock that tests move forward, shared by a `Simulator` and the clients
/// built with `clock=simulator.clock`, so that secrets and entity tokens
/// expire without waiting.
#[pyclass(module = "aa_rotation", name = "Clock", frozen)]
pub struct Clock {
    pub(crate) inner: CoreClock,
}

#[pymethods]
impl Clock {
    /// Creates a clock that reads the system time until it is advanced.
    #[new]
    fn py_new() -> Self {
        Self {
            inner: CoreClock::system(),
        }
    }

    /// Moves this clock forward by `seconds`.
    fn advance(&self, seconds: f64) -> PyResult<()> {
        let by = std::time::Duration::try_from_secs_f64(seconds).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "cannot advance a clock by {seconds} seconds"
            ))
        })?;
        self.inner.advance(by);
        Ok(())
    }

    /// Returns the clock's current time (timezone-aware, UTC).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.inner.now().into_pyobject(py)?.into_any())
    }
}

/// Settings of a `RotationClient`.
///
/// Keyword arguments have the names and units of the command line's
/// configuration file. `password` and `secret` take a `str` or a `Secret`.
/// `store` takes a store URL (`file:///path`, a path, or `memory:`) or any
/// object with `get` and `put` methods. Unset values take the core's
/// defaults: rotation 30 days before expiry, the store file
/// `./aa-rotation-secret.json`.
#[pyclass(module = "aa_rotation", name = "RotationConfig", frozen)]
pub struct RotationConfig {
    pub(crate) config: CoreConfig,
    pub(crate) python_store: Option<Arc<PythonStore>>,
}

/// The two forms of the `store=` argument.
enum StoreArgument {
    Url(String),
    Object(Arc<PythonStore>),
}

fn store_argument(store: &Bound<'_, PyAny>) -> PyResult<StoreArgument> {
    if let Ok(text) = store.cast::<PyString>() {
        return Ok(StoreArgument::Url(text.to_cow()?.into_owned()));
    }
    let py = store.py();
    if store.is_instance(&py.import("os")?.getattr("PathLike")?)? {
        return Ok(StoreArgument::Url(
            store.extract::<PathBuf>()?.to_string_lossy().into_owned(),
        ));
    }
    Ok(StoreArgument::Object(Arc::new(PythonStore::new(store)?)))
}

impl RotationConfig {
    fn finish(mut config: CoreConfig, store: Option<StoreArgument>) -> Self {
        let python_store = match store {
            Some(StoreArgument::Object(store)) => Some(store),
            _ => None,
        };
        if let Some(store) = &python_store {
            // In-process leases: a Python store brings no lease manager.
            config.store = StoreChoice::Custom {
                store: store.clone(),
                lease: None,
            };
        }
        Self {
            config,
            python_store,
        }
    }
}

#[pymethods]
impl RotationConfig {
    #[new]
    #[pyo3(signature = (
        *,
        entity_id,
        base_url = None,
        environment = None,
        username = None,
        password = None,
        secret = None,
        store = None,
        audit_log = None,
        rotate_before_days = None,
        max_age_days = None,
        secret_expiry_days = None,
        window = None,
        jitter_minutes = None,
        grace_period_days = None,
        connect_timeout_seconds = None,
        request_timeout_seconds = None,
        ca_file = None,
        check_interval_minutes = None,
        lease_wait_seconds = None,
        token_refresh_fraction = None,
        clock = None,
    ))]
    #[allow(
        clippy::too_many_arguments,
        reason = "one keyword argument per setting, as Python callers expect"
    )]
    fn py_new(
        py: Python<'_>,
        entity_id: String,
        base_url: Option<String>,
        environment: Option<String>,
        username: Option<String>,
        password: Option<&Bound<'_, PyAny>>,
        secret: Option<&Bound<'_, PyAny>>,
        store: Option<&Bound<'_, PyAny>>,
        audit_log: Option<PathBuf>,
        rotate_before_days: Option<f64>,
        max_age_days: Option<f64>,
        secret_expiry_days: Option<u32>,
        window: Option<String>,
        jitter_minutes: Option<f64>,
        grace_period_days: Option<f64>,
        connect_timeout_seconds: Option<f64>,
        request_timeout_seconds: Option<f64>,
        ca_file: Option<PathBuf>,
        check_interval_minutes: Option<f64>,
        lease_wait_seconds: Option<f64>,
        token_refresh_fraction: Option<f64>,
        clock: Option<PyRef<'_, Clock>>,
    ) -> PyResult<Self> {
        let store = store.map(store_argument).transpose()?;
        // Field by field: `Settings` keeps the credentials in private fields.
        let mut settings = Settings::default();
        settings.environment = environment;
        settings.base_url = base_url;
        settings.entity_id = Some(entity_id);
        settings.username = username;
        settings.audit_log = audit_log;
        settings.rotate_before_days = rotate_before_days;
        settings.max_age_days = max_age_days;
        settings.secret_expiry_days = secret_expiry_days;
        settings.window = window;
        settings.jitter_minutes = jitter_minutes;
        settings.grace_period_days = grace_period_days;
        settings.connect_timeout_seconds = connect_timeout_seconds;
        settings.request_timeout_seconds = request_timeout_seconds;
        settings.ca_file = ca_file;
        settings.check_interval_minutes = check_interval_minutes;
        settings.lease_wait_seconds = lease_wait_seconds;
        settings.store = match &store {
            Some(StoreArgument::Url(url)) => Some(url.clone()),
            // Replaced by the Python store below; parsed only to pass the checks.
            Some(StoreArgument::Object(_)) => Some("memory:".into()),
            None => None,
        };
        if let Some(password) = password {
            settings.set_password(Password::new(credential(password, "password")?.as_str()));
        }
        let mut config = settings.into_config().map_err(|e| to_py(py, &e))?;
        if let Some(secret) = secret {
            config.engine.bootstrap_secret =
                Some(ClientSecret::new(credential(secret, "secret")?.as_str()));
        }
        if let Some(fraction) = token_refresh_fraction {
            // The core clamps it to 0.1 to 0.95 of an entity token's life.
            config.token_refresh_fraction = fraction;
        }
        if let Some(clock) = clock {
            config.clock = clock.inner.clone();
        }
        Ok(Self::finish(config, store))
    }

    /// Reads the settings from `AA_ROTATION_*` variables, and first from the
    /// TOML file `config_file` when given, exactly as the command line does.
    /// `store`, when given, replaces the configured store (a Python store
    /// object, say).
    #[staticmethod]
    #[pyo3(signature = (config_file = None, *, store = None))]
    fn from_env(
        py: Python<'_>,
        config_file: Option<PathBuf>,
        store: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let store = store.map(store_argument).transpose()?;
        let mut settings = Settings::load(config_file.as_deref()).map_err(|e| to_py(py, &e))?;
        let audit_log_set = settings.audit_log.is_some();
        match &store {
            Some(StoreArgument::Url(url)) => settings.store = Some(url.clone()),
            Some(StoreArgument::Object(_)) => settings.store = Some("memory:".into()),
            None => {}
        }
        let mut config = settings.into_config().map_err(|e| to_py(py, &e))?;
        if matches!(store, Some(StoreArgument::Object(_))) && !audit_log_set {
            config.audit_log = None;
        }
        Ok(Self::finish(config, store))
    }

    /// The entity whose secret is managed.
    #[getter]
    fn entity_id(&self) -> &str {
        &self.config.engine.entity_id
    }

    /// The Token Service's IAM base URL.
    #[getter]
    fn base_url(&self) -> &str {
        self.config.client.base_url.as_str()
    }

    /// Where the secret is stored, as text safe to log.
    #[getter]
    fn store(&self) -> String {
        describe_store(&self.config.store)
    }

    /// The designated user's username, if configured.
    #[getter]
    fn username(&self) -> Option<&str> {
        self.config
            .engine
            .credentials
            .as_ref()
            .map(|c| c.username.as_str())
    }

    /// The JSON-lines audit log, if any.
    #[getter]
    fn audit_log(&self) -> Option<PathBuf> {
        self.config.audit_log.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "RotationConfig(entity_id={:?}, base_url={:?}, store={:?}, username={:?}, password={}, secret={})",
            self.config.engine.entity_id,
            self.config.client.base_url.as_str(),
            describe_store(&self.config.store),
            self.username().unwrap_or(""),
            if self.config.engine.credentials.is_some() {
                "'[redacted]'"
            } else {
                "None"
            },
            if self.config.engine.bootstrap_secret.is_some() {
                "'[redacted]'"
            } else {
                "None"
            },
        )
    }
}

/// A store choice as text safe to log.
pub fn describe_store(store: &StoreChoice) -> String {
    match store {
        StoreChoice::File(path) => format!("file://{}", path.display()),
        StoreChoice::Memory => "memory:".into(),
        StoreChoice::Custom { store, .. } => store.describe(),
    }
}
