//! The stand-alone entry point shared by the `aa-rotation-sim` binary and the
//! core CLI's `aa-rotation sim`: start, print the base URL, wait for a stop signal.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use crate::{SeedDocument, SimConfig, SimError, Simulator};

/// Options of [`run`].
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Listen address, which must be a loopback address. Port 0 picks a free port.
    pub addr: SocketAddr,
    /// JSON seed document to load at start.
    pub seed: Option<PathBuf>,
    /// JSON [`SimConfig`] to use instead of the defaults.
    pub config: Option<PathBuf>,
    /// Also stop when standard input reaches end-of-file, so that a parent
    /// process that dies (closing the pipe) takes the simulator with it.
    pub exit_on_stdin_eof: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            seed: None,
            config: None,
            exit_on_stdin_eof: false,
        }
    }
}

/// Runs a simulator until SIGINT, SIGTERM or, when `exit_on_stdin_eof` is
/// set, end-of-file on stdin, then shuts it down.
///
/// The first line on standard output is the IAM base URL
/// (`http://127.0.0.1:PORT/iam`), flushed at once so that a parent process can
/// read it. Logging goes through `tracing`, so the caller installs the subscriber.
///
/// # Errors
/// Any [`SimError`] from reading the files, starting the simulator or writing
/// to standard output.
pub async fn run(options: RunOptions) -> Result<(), SimError> {
    let config = match &options.config {
        Some(path) => read_json::<SimConfig>(path)?,
        None => SimConfig::default(),
    };
    let seed = match &options.seed {
        Some(path) => Some(read_json::<SeedDocument>(path)?),
        None => None,
    };

    // Handlers first: a caller may send SIGTERM as soon as it reads the URL,
    // and without a handler that signal would kill the process outright.
    let signals = StopSignals::install()?;
    let simulator = Simulator::start_on(options.addr, config).await?;
    if let Some(seed) = seed {
        simulator.seed_document(seed)?;
    }

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", simulator.base_url())
        .and_then(|()| stdout.flush())
        .map_err(|source| SimError::Io {
            context: "failed to write the base URL to standard output",
            source,
        })?;
    drop(stdout);

    let stdin_closed = options.exit_on_stdin_eof.then(watch_stdin);
    wait_for_stop(signals, stdin_closed).await?;

    tracing::info!("stopping the simulator");
    simulator.shutdown().await;
    Ok(())
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, SimError> {
    let text = std::fs::read_to_string(path).map_err(|source| SimError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| SimError::ParseFile {
        path: path.to_owned(),
        source,
    })
}

/// Reads stdin to end-of-file on a plain thread and then signals.
///
/// Tokio's stdin would read on the runtime's blocking pool, where a pending
/// read cannot be cancelled and would delay the runtime's shutdown. A detached
/// thread does not keep the process alive.
fn watch_stdin() -> oneshot::Receiver<()> {
    let (closed, receiver) = oneshot::channel();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buffer = [0_u8; 1024];
        while matches!(stdin.read(&mut buffer), Ok(length) if length > 0) {}
        let _ = closed.send(());
    });
    receiver
}

async fn wait_for_stop(
    mut signals: StopSignals,
    stdin_closed: Option<oneshot::Receiver<()>>,
) -> Result<(), SimError> {
    let stdin_closed = async {
        match stdin_closed {
            // A dropped sender also means the reader thread is gone.
            Some(receiver) => {
                let _ = receiver.await;
            }
            None => std::future::pending().await,
        }
    };

    tokio::select! {
        () = signals.interrupt.recv_any() => tracing::info!("SIGINT received"),
        () = signals.terminate.recv_any() => tracing::info!("SIGTERM received"),
        () = stdin_closed => tracing::info!("standard input closed"),
    }
    Ok(())
}

/// SIGINT and SIGTERM handlers, installed when created.
struct StopSignals {
    interrupt: StopSignal,
    terminate: StopSignal,
}

impl StopSignals {
    #[cfg(unix)]
    fn install() -> Result<Self, SimError> {
        use tokio::signal::unix::{SignalKind, signal};

        let listen = |kind: SignalKind, context: &'static str| {
            signal(kind)
                .map(StopSignal)
                .map_err(|source| SimError::Io { context, source })
        };
        Ok(StopSignals {
            interrupt: listen(SignalKind::interrupt(), "failed to listen for SIGINT")?,
            terminate: listen(SignalKind::terminate(), "failed to listen for SIGTERM")?,
        })
    }

    /// Ctrl-C only, where Unix signals do not exist.
    #[cfg(not(unix))]
    fn install() -> Result<Self, SimError> {
        Ok(StopSignals {
            interrupt: StopSignal(true),
            terminate: StopSignal(false),
        })
    }
}

#[cfg(unix)]
struct StopSignal(tokio::signal::unix::Signal);

#[cfg(unix)]
impl StopSignal {
    async fn recv_any(&mut self) {
        self.0.recv().await;
    }
}

/// `true` for the Ctrl-C handler; `false` never fires.
#[cfg(not(unix))]
struct StopSignal(bool);

#[cfg(not(unix))]
impl StopSignal {
    async fn recv_any(&mut self) {
        if self.0 {
            let _ = tokio::signal::ctrl_c().await;
        } else {
            std::future::pending::<()>().await;
        }
    }
}
