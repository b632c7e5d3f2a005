//! One tokio runtime per process, and the two ways Python waits on it.
//!
//! The runtime is built on first use and tagged with the process id. A child
//! made by `fork()` inherits the parent's runtime object but none of its worker
//! threads, so a task spawned there would never run. The first call in a new
//! process therefore builds a fresh runtime and leaks the inherited one, because
//! dropping it would wait for threads that do not exist in the child.
//!
//! - [`block_on`] serves the synchronous methods: it releases the GIL while it
//!   waits and checks for `KeyboardInterrupt` ten times a second.
//! - [`AsyncRuntime`] lets `pyo3-async-runtimes` turn a Rust future into an
//!   asyncio awaitable on the same runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};

/// How often a synchronous call wakes up to let Python handle signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

struct ProcessRuntime {
    pid: u32,
    runtime: tokio::runtime::Runtime,
}

static CURRENT: ArcSwapOption<ProcessRuntime> = ArcSwapOption::const_empty();

/// Serializes building; the common path reads [`CURRENT`] without a lock.
static BUILDING: Mutex<()> = Mutex::new(());

/// Returns a handle to this process's runtime, building it on first use and
/// again after a `fork()`.
pub fn handle() -> PyResult<tokio::runtime::Handle> {
    let pid = std::process::id();
    if let Some(current) = CURRENT.load().as_ref().filter(|c| c.pid == pid) {
        return Ok(current.runtime.handle().clone());
    }
    let _building = BUILDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Another thread may have built it while this one waited for the lock.
    if let Some(current) = CURRENT.load().as_ref().filter(|c| c.pid == pid) {
        return Ok(current.runtime.handle().clone());
    }
    let fresh = Arc::new(ProcessRuntime {
        pid,
        runtime: build()?,
    });
    let handle = fresh.runtime.handle().clone();
    if let Some(inherited) = CURRENT.swap(Some(fresh)) {
        // The parent's runtime: its threads are gone, so dropping it could hang.
        std::mem::forget(inherited);
    }
    Ok(handle)
}

fn build() -> PyResult<tokio::runtime::Runtime> {
    // The runtime mostly waits on a few HTTP calls; more than four workers
    // would only cost memory.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("aa-rotation")
        .enable_all()
        .build()
        .map_err(|e| {
            PyRuntimeError::new_err(format!(
                "could not start the aa_rotation tokio runtime: {e}"
            ))
        })
}

/// An error that a synchronous call turns into a Python exception once it
/// holds the GIL again.
pub trait IntoPyException: Send + 'static {
    /// Builds the exception.
    fn into_exception(self, py: Python<'_>) -> PyErr;
}

impl IntoPyException for PyErr {
    fn into_exception(self, _py: Python<'_>) -> PyErr {
        self
    }
}

impl IntoPyException for aa_rotation::Error {
    fn into_exception(self, py: Python<'_>) -> PyErr {
        crate::errors::to_py(py, &self)
    }
}

/// Runs `future` on the runtime and waits for it with the GIL released.
///
/// A signal handler that raises (Ctrl-C) cancels the future and the call
/// raises that exception. Cancelling a rotation midway is safe: the engine
/// journals every step, and the next call recovers.
pub fn block_on<F, T, E>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: IntoPyException,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(PyRuntimeError::new_err(
            "a blocking aa_rotation method was called on one of the library's own threads (from an \
             event callback or a store, say); use the method's *_async variant or hand the work to another thread",
        ));
    }
    let runtime = handle()?;
    let (sender, receiver) = sync_channel(1);
    let task = runtime.spawn(async move {
        // The receiver is gone only when the caller stopped waiting.
        let _ = sender.send(future.await);
    });
    let mut receiver = receiver;
    loop {
        // The receiver moves into the closure and back: it is Send, not Sync.
        let (returned, received) = py.detach(move || {
            let received = receiver.recv_timeout(SIGNAL_POLL);
            (receiver, received)
        });
        receiver = returned;
        match received {
            Ok(result) => return result.map_err(|error| error.into_exception(py)),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    task.abort();
                    return Err(interrupt);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "an aa_rotation task ended without a result (it panicked)",
                ));
            }
        }
    }
}

/// Runs `f` on the runtime's blocking thread pool and waits for it. Host
/// callbacks (a secret store written in Python) run here, with the GIL.
pub async fn run_blocking<F, T>(f: F) -> Result<T, aa_rotation::Error>
where
    F: FnOnce() -> Result<T, aa_rotation::Error> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(error) => Err(aa_rotation::Error::Host(format!(
            "a host callback did not finish: {error}"
        ))),
    }
}

tokio::task_local! {
    static TASK_LOCALS: TaskLocals;
}

/// The bridge between asyncio and this module's runtime, for
/// `pyo3_async_runtimes::generic::future_into_py`.
pub struct AsyncRuntime;

/// A task that failed: it panicked, was cancelled, or never started because
/// no runtime could be built.
pub struct TaskFailure(Option<tokio::task::JoinError>);

impl JoinError for TaskFailure {
    fn is_panic(&self) -> bool {
        self.0.as_ref().is_some_and(|e| e.is_panic())
    }

    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        match self.0 {
            Some(error) if error.is_panic() => error.into_panic(),
            _ => Box::new("the task did not panic"),
        }
    }
}

type TaskHandle = Pin<Box<dyn Future<Output = Result<(), TaskFailure>> + Send>>;

impl Runtime for AsyncRuntime {
    type JoinError = TaskFailure;
    type JoinHandle = TaskHandle;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match handle() {
            Ok(runtime) => {
                let task = runtime.spawn(fut);
                Box::pin(async move { task.await.map_err(|e| TaskFailure(Some(e))) })
            }
            Err(_) => Box::pin(async { Err(TaskFailure(None)) }),
        }
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        match handle() {
            Ok(runtime) => {
                let task = runtime.spawn_blocking(f);
                Box::pin(async move { task.await.map_err(|e| TaskFailure(Some(e))) })
            }
            Err(_) => Box::pin(async { Err(TaskFailure(None)) }),
        }
    }
}

impl ContextExt for AsyncRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(TASK_LOCALS.scope(locals, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|locals| locals.clone()).ok()
    }
}

/// Turns `future` into an asyncio awaitable bound to the running event loop.
pub fn awaitable<'py, F, T>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    // Fail here, with a clear error, rather than inside the spawned task.
    handle()?;
    pyo3_async_runtimes::generic::future_into_py::<AsyncRuntime, _, T>(py, future)
}
