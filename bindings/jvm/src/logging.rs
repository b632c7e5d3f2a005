//! Forwards the library's `tracing` events to a sink that the JVM side sets.
//!
//! Nothing is installed until [`set_log_sink`] is called, so a process that
//! never sets a sink pays nothing and receives no lines. The facades set one
//! that logs through SLF4J when SLF4J is on the class path. Log lines come
//! from the core and the simulator, which log fingerprints and never a
//! secret, password or token; a JVM test checks that at `TRACE`.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use tracing::Level;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// Receives one formatted log line per event.
#[uniffi::export(callback_interface)]
pub trait LogSink: Send + Sync {
    /// `level` is `ERROR`, `WARN`, `INFO`, `DEBUG` or `TRACE`, and `target`
    /// the Rust module path, such as `aa_rotation::engine`. `message`
    /// includes the event's fields and those of its spans (entity id, txnId).
    fn log(&self, level: String, target: String, message: String);
}

type SharedSink = Arc<dyn LogSink>;

static SINK: RwLock<Option<SharedSink>> = RwLock::new(None);
/// The maximum verbosity forwarded: 0 none, 1 error … 5 trace.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
static INSTALLED: OnceLock<bool> = OnceLock::new();

fn rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn parse_level(name: &str) -> u8 {
    match name.trim().to_ascii_uppercase().as_str() {
        "ERROR" => 1,
        "WARN" => 2,
        "INFO" => 3,
        "DEBUG" => 4,
        "TRACE" => 5,
        _ => 0,
    }
}

/// Sends `sink` every event at `max_level` (`ERROR` … `TRACE`, or `OFF`) and
/// above. Replaces an earlier sink. Returns false when another `tracing`
/// subscriber was already installed in this process, in which case events
/// go to that subscriber instead.
#[uniffi::export]
pub fn set_log_sink(sink: Box<dyn LogSink>, max_level: String) -> bool {
    if let Ok(mut slot) = SINK.write() {
        *slot = Some(Arc::from(sink));
    }
    MAX_LEVEL.store(parse_level(&max_level), Ordering::Relaxed);
    *INSTALLED.get_or_init(install)
}

/// Stops forwarding events.
#[uniffi::export]
pub fn clear_log_sink() {
    MAX_LEVEL.store(0, Ordering::Relaxed);
    if let Ok(mut slot) = SINK.write() {
        *slot = None;
    }
}

fn install() -> bool {
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(SinkWriter)
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false)
        .compact()
        .with_filter(filter_fn(|metadata| {
            rank(metadata.level()) <= MAX_LEVEL.load(Ordering::Relaxed)
        }));
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .is_ok()
}

/// Hands out one [`LineWriter`] per event, knowing its level and target.
struct SinkWriter;

impl<'a> MakeWriter<'a> for SinkWriter {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            level: Level::INFO,
            target: String::new(),
            buffer: Vec::new(),
        }
    }

    fn make_writer_for(&'a self, metadata: &tracing::Metadata<'_>) -> Self::Writer {
        LineWriter {
            level: *metadata.level(),
            target: metadata.target().to_owned(),
            buffer: Vec::new(),
        }
    }
}

/// Collects one formatted event and sends it to the sink when dropped.
struct LineWriter {
    level: Level,
    target: String,
    buffer: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let sink = match SINK.read() {
            Ok(slot) => slot.clone(),
            Err(_) => None,
        };
        if let Some(sink) = sink {
            let message = String::from_utf8_lossy(&self.buffer).trim_end().to_owned();
            sink.log(
                self.level.as_str().to_owned(),
                std::mem::take(&mut self.target),
                message,
            );
        }
    }
}
