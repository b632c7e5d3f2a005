//! `RotationClient`: the core's `RotationClient` for Python.
//!
//! Every I/O method exists twice: `rotate()` blocks with the GIL released,
//! `rotate_async()` returns an awaitable. The Python subclass in
//! `aa_rotation/_client.py` adds `access_token_async()`, which returns a cached
//! token without a Rust future.
//!
//! A cached entity token is served from a mirror of the core's token cache:
//! the core announces every new token (with its refresh deadline) and every
//! invalidation through `on_token_change`, and the mirror keeps the token's
//! Python object beside it. A cached call then costs one lock-free load, one
//! clock read and a reference count, instead of the core cache's lock, an
//! `Arc` clone and a lookup of the Python object.
//!
//! The core client is rebuilt in a child process after `fork()`: its HTTP
//! connection pool belongs to the parent's runtime. The rebuilt client keeps
//! the same store (an in-memory store keeps its inherited content) and the
//! same event callbacks; the background schedule is not restarted.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aa_rotation::client::EntityToken;
use aa_rotation::{Event, RotateOptions, StoreChoice};
use arc_swap::{ArcSwap, ArcSwapOption};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use pyo3::{PyTraverseError, PyVisit};

use crate::config::{RotationConfig, describe_store};
use crate::errors::to_py;
use crate::logging::refresh_threshold;
use crate::runtime::{awaitable, block_on, handle};
use crate::secret::{AccessToken, credential};
use crate::token_service::TokenServiceClient;
use crate::types::{Outcome, OutcomeOut, RecoveryOut, StatusOut};

/// The core client of one process.
struct Core {
    pid: u32,
    client: Arc<aa_rotation::RotationClient>,
}

/// Python callbacks registered with `on_event`, shared by every core client
/// built for this object.
#[derive(Default)]
struct Listeners {
    next_id: AtomicU64,
    count: AtomicUsize,
    callbacks: Mutex<Vec<(u64, Py<PyAny>)>>,
}

impl Listeners {
    /// Delivers `event` to every callback, on the thread that emitted it.
    fn dispatch(&self, event: &Event) {
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        Python::try_attach(|py| {
            let callbacks: Vec<Py<PyAny>> = match self.callbacks.lock() {
                Ok(list) => list
                    .iter()
                    .map(|(_, callback)| callback.clone_ref(py))
                    .collect(),
                Err(_) => return,
            };
            let event = match crate::types::event(py, event) {
                Ok(event) => event,
                Err(error) => {
                    error.print(py);
                    return;
                }
            };
            for callback in callbacks {
                if let Err(error) = callback.call1(py, (&event,)) {
                    report_callback_error(py, &callback, error);
                }
            }
        });
    }
}

/// Logs an exception raised by an event callback on the `aa_rotation` logger;
/// the other callbacks still run.
fn report_callback_error(py: Python<'_>, callback: &Py<PyAny>, error: PyErr) {
    let reported = py.import("aa_rotation._logging").and_then(|module| {
        module
            .getattr("callback_failed")?
            .call1((callback, error.value(py)))
            .map(|_| ())
    });
    if let Err(failure) = reported {
        failure.print(py);
    }
}

/// The core cache's current entity token, as `on_token_change` announced it,
/// with its Python object made on first use.
struct MirroredToken {
    token: Arc<EntityToken>,
    refresh_at: jiff::Timestamp,
    object: PyOnceLock<Py<AccessToken>>,
}

impl MirroredToken {
    fn object(&self, py: Python<'_>) -> PyResult<Py<AccessToken>> {
        self.object
            .get_or_try_init(py, || AccessToken::create(py, &self.token))
            .map(|o| o.clone_ref(py))
    }
}

/// Rotation, status and entity tokens for one entity.
///
/// Build it from keyword arguments (those of `RotationConfig`), from a
/// `RotationConfig`, or with `RotationClient.from_env()`. Construction makes
/// no network call and touches no file.
#[pyclass(
    module = "aa_rotation._native",
    name = "RotationClient",
    frozen,
    subclass
)]
pub struct RotationClient {
    config: aa_rotation::RotationConfig,
    store_adapter: Option<Py<PyAny>>,
    core: ArcSwap<Core>,
    rebuild: Mutex<()>,
    listeners: Arc<Listeners>,
    mirror: Arc<ArcSwapOption<MirroredToken>>,
}

fn build_core(
    config: &aa_rotation::RotationConfig,
    listeners: &Arc<Listeners>,
    mirror: &Arc<ArcSwapOption<MirroredToken>>,
) -> aa_rotation::Result<Core> {
    let client = aa_rotation::RotationClient::new(config.clone())?;
    let listeners = listeners.clone();
    client.subscribe(move |event| listeners.dispatch(event));
    let mirror = mirror.clone();
    client.on_token_change(move |cached| {
        let mirrored = cached.map(|cached| MirroredToken {
            token: cached.token.clone(),
            refresh_at: cached.refresh_at,
            object: PyOnceLock::new(),
        });
        mirror.store(mirrored.map(Arc::new));
    });
    Ok(Core {
        pid: std::process::id(),
        client: Arc::new(client),
    })
}

impl RotationClient {
    /// Returns the core client of this process, rebuilding it after a `fork()`.
    fn core(&self, py: Python<'_>) -> PyResult<Arc<aa_rotation::RotationClient>> {
        let pid = std::process::id();
        let current = self.core.load();
        if current.pid == pid {
            return Ok(current.client.clone());
        }

        let _rebuilding = self
            .rebuild
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let current = self.core.load_full();
        if current.pid == pid {
            return Ok(current.client.clone());
        }

        let mut config = self.config.clone();
        if matches!(config.store, StoreChoice::Memory) {
            // Keep the records inherited from the parent.
            config.store = StoreChoice::Custom {
                store: current.client.engine().store().clone(),
                lease: None,
            };
        }
        let fresh =
            build_core(&config, &self.listeners, &self.mirror).map_err(|e| to_py(py, &e))?;
        // The mirror follows the new core's cache, which starts empty; a later
        // invalidation there would not reach a token inherited from the parent.
        self.mirror.store(None);
        let client = fresh.client.clone();
        let inherited = self.core.swap(Arc::new(fresh));
        // Dropping the parent's client would touch tasks of a runtime whose
        // threads do not exist in this process.
        std::mem::forget(inherited);
        Ok(client)
    }

    /// Returns the cached token's Python object while the token is fresh,
    /// with the core cache's test (`now < refresh_at`) on the same clock.
    fn cached(&self, py: Python<'_>) -> PyResult<Option<Py<AccessToken>>> {
        let mirror = self.mirror.load();
        match mirror.as_ref() {
            Some(cached) if self.config.clock.now() < cached.refresh_at => {
                cached.object(py).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// Returns the Python object for `token`: the mirror's when it is the
    /// same token, so that one token is one Python object.
    fn python_token(&self, py: Python<'_>, token: Arc<EntityToken>) -> PyResult<Py<AccessToken>> {
        let mirror = self.mirror.load();
        match mirror.as_ref() {
            Some(cached) if Arc::ptr_eq(&cached.token, &token) => cached.object(py),
            _ => AccessToken::create(py, &token),
        }
    }

    /// Prepares a call that waits on the runtime: refreshes the logging
    /// threshold, and refuses to block the event loop that an async store
    /// needs.
    fn before_call(
        &self,
        py: Python<'_>,
        blocking: bool,
    ) -> PyResult<Arc<aa_rotation::RotationClient>> {
        refresh_threshold(py);
        if let Some(adapter) = self.store_adapter.as_ref().filter(|_| blocking) {
            adapter.call_method0(py, "check_blocking_call")?;
        }
        self.core(py)
    }
}

#[pymethods]
impl RotationClient {
    #[new]
    #[pyo3(signature = (config = None, **options))]
    fn py_new(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let config: Bound<'_, RotationConfig> = match (config, options) {
            (Some(_), Some(options)) if !options.is_empty() => {
                return Err(PyTypeError::new_err(
                    "pass either a RotationConfig or keyword arguments to RotationClient, not both",
                ));
            }
            (Some(config), _) => config.cast::<RotationConfig>().map_err(|_| {
                PyTypeError::new_err("RotationClient takes a RotationConfig or keyword arguments such as entity_id=")
            })?.clone(),
            (None, options) => py.get_type::<RotationConfig>().call((), options)?.cast_into::<RotationConfig>()?,
        };
        let config = config.get();
        let listeners = Arc::new(Listeners::default());
        let mirror = Arc::new(ArcSwapOption::empty());
        let core = build_core(&config.config, &listeners, &mirror).map_err(|e| to_py(py, &e))?;
        let store_adapter = config
            .python_store
            .as_ref()
            .map(|store| store.adapter().clone_ref(py));
        Ok(Self {
            config: config.config.clone(),
            store_adapter,
            core: ArcSwap::from_pointee(core),
            rebuild: Mutex::new(()),
            listeners,
            mirror,
        })
    }

    /// Builds a client from `AA_ROTATION_*` variables and, when given, the
    /// TOML file `config_file`, as the command line does. `store` replaces
    /// the configured store.
    #[classmethod]
    #[pyo3(signature = (config_file = None, *, store = None))]
    fn from_env<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        config_file: Option<&Bound<'py, PyAny>>,
        store: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let kwargs = PyDict::new(py);
        kwargs.set_item("store", store)?;
        let config = py
            .get_type::<RotationConfig>()
            .getattr("from_env")?
            .call((config_file,), Some(&kwargs))?;
        cls.call1((config,))
    }

    /// The entity whose secret this client manages.
    #[getter]
    fn entity_id(&self) -> &str {
        &self.config.engine.entity_id
    }

    /// Where the secret is stored, as text safe to log.
    #[getter]
    fn store(&self) -> String {
        describe_store(&self.config.store)
    }

    /// A Token Service client with this client's settings, for the four raw calls.
    #[getter]
    fn token_service(&self, py: Python<'_>) -> PyResult<TokenServiceClient> {
        TokenServiceClient::from_config(py, self.config.client.clone(), self.config.clock.clone())
    }

    /// Returns the cached entity token if it is fresh, else None. Never
    /// waits and makes no request.
    fn cached_access_token(&self, py: Python<'_>) -> PyResult<Option<Py<AccessToken>>> {
        // No fork check: a token cached by the parent is still valid here.
        self.cached(py)
    }

    /// Returns a valid entity token: the cached one while it is fresh, else a
    /// new one (one request however many callers wait).
    fn access_token(&self, py: Python<'_>) -> PyResult<Py<AccessToken>> {
        if let Some(token) = self.cached(py)? {
            return Ok(token);
        }
        let core = self.before_call(py, true)?;
        let token = block_on(py, async move { core.access_token().await })?;
        self.python_token(py, token)
    }

    /// Starts an entity-token request and returns its awaitable, for
    /// `access_token_async()` when no fresh token is cached.
    fn _fetch_access_token<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let core = slf.get().before_call(py, false)?;
        let owner = slf.clone().unbind();
        awaitable(py, async move {
            let token = core.access_token().await;
            Ok(Outcome(token.map(|token| TokenOut { owner, token })))
        })
    }

    /// Drops the cached entity token: only if its value is `token` (after a
    /// peer rejected it), or whatever is cached when `token` is None.
    #[pyo3(signature = (token = None))]
    fn invalidate(&self, py: Python<'_>, token: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let value = token.map(|t| credential(t, "token")).transpose()?;
        self.core(py)?
            .invalidate(value.as_ref().map(|v| v.as_str()));
        Ok(())
    }

    /// Returns the stored secret's status, bootstrapping an empty store.
    fn status(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let core = self.before_call(py, true)?;
        let status = block_on(py, async move { core.status().await })?;
        Ok(StatusOut(status).into_pyobject(py)?.unbind())
    }

    /// Awaitable `status()`.
    fn status_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.before_call(py, false)?;
        awaitable(py, async move {
            Ok(Outcome(core.status().await.map(StatusOut)))
        })
    }

    /// Rotates the secret if it is due, or in any case with `force`. With
    /// `dry_run`, decides and reports without any Reset.
    #[pyo3(signature = (*, force = false, dry_run = false))]
    fn rotate(&self, py: Python<'_>, force: bool, dry_run: bool) -> PyResult<Py<PyAny>> {
        let core = self.before_call(py, true)?;
        let outcome = block_on(py, async move {
            core.rotate(RotateOptions { force, dry_run }).await
        })?;
        Ok(OutcomeOut(outcome).into_pyobject(py)?.unbind())
    }

    /// Awaitable `rotate()`.
    #[pyo3(signature = (*, force = false, dry_run = false))]
    fn rotate_async<'py>(
        &self,
        py: Python<'py>,
        force: bool,
        dry_run: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.before_call(py, false)?;
        awaitable(py, async move {
            Ok(Outcome(
                core.rotate(RotateOptions { force, dry_run })
                    .await
                    .map(OutcomeOut),
            ))
        })
    }

    /// Rotates if the policy, the rotation window and the jitter allow it,
    /// after recovering an interrupted rotation. The background schedule runs
    /// this.
    fn ensure_fresh(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let core = self.before_call(py, true)?;
        let outcome = block_on(py, async move { core.ensure_fresh().await })?;
        Ok(OutcomeOut(outcome).into_pyobject(py)?.unbind())
    }

    /// Awaitable `ensure_fresh()`.
    fn ensure_fresh_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.before_call(py, false)?;
        awaitable(py, async move {
            Ok(Outcome(core.ensure_fresh().await.map(OutcomeOut)))
        })
    }

    /// Finishes an interrupted rotation, or heals drift when the stored
    /// secret is rejected.
    fn recover(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let core = self.before_call(py, true)?;
        let outcome = block_on(py, async move { core.recover().await })?;
        Ok(RecoveryOut(outcome).into_pyobject(py)?.unbind())
    }

    /// Awaitable `recover()`.
    fn recover_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.before_call(py, false)?;
        awaitable(py, async move {
            Ok(Outcome(core.recover().await.map(RecoveryOut)))
        })
    }

    /// Starts the background schedule on the library's runtime: recover once,
    /// then `ensure_fresh()` every check interval. Failures are logged and
    /// published as events. A second call keeps the running schedule.
    fn start(&self, py: Python<'_>) -> PyResult<()> {
        let core = self.before_call(py, false)?;
        let runtime = handle()?;
        let _entered = runtime.enter();
        core.start().map_err(|e| to_py(py, &e))
    }

    /// Stops the background schedule.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        self.core(py)?.stop();
        Ok(())
    }

    /// Calls `callback(event)` for every later `Event`, on a library thread.
    /// Returns an id for `off_event`. An exception in a callback is logged on
    /// the `aa_rotation` logger and does not reach the other callbacks.
    fn on_event(&self, callback: Bound<'_, PyAny>) -> PyResult<u64> {
        if !callback.is_callable() {
            return Err(PyTypeError::new_err("on_event() takes a callable"));
        }
        let id = self.listeners.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut callbacks = self.listeners.callbacks.lock().map_err(|_| {
            pyo3::exceptions::PyRuntimeError::new_err("the event callback list is unusable")
        })?;
        callbacks.push((id, callback.unbind()));
        self.listeners
            .count
            .store(callbacks.len(), Ordering::Relaxed);
        Ok(id)
    }

    /// Stops calling the callback registered as `subscription_id`. Returns
    /// True if it was registered.
    fn off_event(&self, subscription_id: u64) -> bool {
        let Ok(mut callbacks) = self.listeners.callbacks.lock() else {
            return false;
        };
        let Some(index) = callbacks.iter().position(|(id, _)| *id == subscription_id) else {
            return false;
        };
        let removed = callbacks.remove(index);
        self.listeners
            .count
            .store(callbacks.len(), Ordering::Relaxed);
        drop(callbacks);
        // Released after the lock: releasing may run Python code.
        drop(removed);
        true
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // Callbacks often refer back to the client (a bound method of an
        // object with a reference to it), so reporting them lets the collector
        // free such cycles. A list locked elsewhere is skipped, not waited for.
        if let Ok(callbacks) = self.listeners.callbacks.try_lock() {
            for (_, callback) in callbacks.iter() {
                visit.call(callback)?;
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        let removed = match self.listeners.callbacks.lock() {
            Ok(mut callbacks) => std::mem::take(&mut *callbacks),
            Err(_) => Vec::new(),
        };
        self.listeners.count.store(0, Ordering::Relaxed);
        drop(removed);
    }

    fn __repr__(&self) -> String {
        format!(
            "RotationClient(entity_id={:?}, store={:?})",
            self.config.engine.entity_id,
            describe_store(&self.config.store)
        )
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
}

/// An entity token on its way to Python, converted with the owning client's
/// object cache.
struct TokenOut {
    owner: Py<RotationClient>,
    token: Arc<EntityToken>,
}

impl<'py> IntoPyObject<'py> for TokenOut {
    type Target = AccessToken;
    type Output = Bound<'py, AccessToken>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Ok(self
            .owner
            .get()
            .python_token(py, self.token)?
            .into_bound(py))
    }
}
