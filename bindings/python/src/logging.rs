//! Forwards the library's `tracing` events to Python's `logging`.
//!
//! Targets `aa_rotation::*` go to the logger `aa_rotation.*`, and the
//! simulator's `aa_rotation_sim::*` to `aa_rotation.sim.*`. Events of other
//! crates (the HTTP stack) are dropped, because they could print request details. Each
//! record's message is the event's message followed by its fields and those of
//! the spans it happened in (entity id, endpoint, txnId), and the same fields
//! are on the record as the dict `record.fields`.
//!
//! Checking a Python logger's level needs the GIL, which a tokio worker should
//! not wait for on every event. So the layer keeps the lowest effective level
//! of the `aa_rotation` loggers in an atomic, and an event below it is dropped
//! without touching Python. The threshold is read again from Python on every
//! call into the library from Python, and at most once a second from an event
//! that the threshold dropped, so a level lowered while only the background
//! schedule runs takes effect within about a second. An event that passes
//! the threshold is checked exactly with `Logger.isEnabledFor`.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Python's level number for `tracing`'s TRACE, below `logging.DEBUG`.
const TRACE_LEVEL: u8 = 5;

/// How often an event dropped by the cached threshold may read it again.
const REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// The lowest enabled Python level among the `aa_rotation` loggers. Starts
/// at WARNING, Python's default, until the first refresh.
static THRESHOLD: AtomicU8 = AtomicU8::new(30);

/// Milliseconds since [`START`] at the last refresh.
static LAST_REFRESH_MS: AtomicU64 = AtomicU64::new(0);

static START: OnceLock<Instant> = OnceLock::new();

static LOGGING_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Installs the forwarding layer as the process's `tracing` subscriber.
/// Does nothing if one is installed already.
pub fn install(py: Python<'_>) {
    START.get_or_init(Instant::now);
    refresh_threshold(py);
    let subscriber = tracing_subscriber::registry().with(PythonLogLayer);
    // An error means a subscriber exists already (installed by the embedding
    // program): leave it in place.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Reads the lowest effective level of the `aa_rotation` loggers again.
pub fn refresh_threshold(py: Python<'_>) {
    let level = python_logging(py)
        .and_then(|module| module.getattr("threshold")?.call0()?.extract::<u8>())
        // On failure, forward everything and let isEnabledFor decide.
        .unwrap_or(TRACE_LEVEL);
    THRESHOLD.store(level, Ordering::Relaxed);
    LAST_REFRESH_MS.store(elapsed_ms(), Ordering::Relaxed);
}

fn python_logging(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    LOGGING_MODULE
        .get_or_try_init(py, || {
            PyModule::import(py, "aa_rotation._logging").map(Bound::unbind)
        })
        .map(|m| m.bind(py))
}

fn elapsed_ms() -> u64 {
    START.get().map_or(0, |start| {
        u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
    })
}

fn python_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => TRACE_LEVEL,
    }
}

/// Returns the Python logger name for a `tracing` target, or `None` for
/// targets outside this library.
fn logger_name(target: &str) -> Option<String> {
    let (prefix, rest) = if let Some(rest) = target.strip_prefix("aa_rotation_sim") {
        ("aa_rotation.sim", rest)
    } else if let Some(rest) = target.strip_prefix("aa_rotation_python") {
        ("aa_rotation.python", rest)
    } else if let Some(rest) = target.strip_prefix("aa_rotation") {
        ("aa_rotation", rest)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with("::")) {
        return None;
    }
    Some(format!("{prefix}{}", rest.replace("::", ".")))
}

/// True when an event at `level` may be enabled in Python.
fn level_enabled(level: &Level) -> bool {
    let level = python_level(level);
    if level >= THRESHOLD.load(Ordering::Relaxed) {
        return true;
    }
    let now = elapsed_ms();
    let last = LAST_REFRESH_MS.load(Ordering::Relaxed);
    if now.saturating_sub(last) < REFRESH_INTERVAL.as_millis() as u64 {
        return false;
    }
    // One thread refreshes, and the others keep the cached threshold.
    if LAST_REFRESH_MS
        .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
        .is_err()
    {
        return false;
    }
    Python::try_attach(refresh_threshold);
    level >= THRESHOLD.load(Ordering::Relaxed)
}

/// Fields of a span, kept in the span's extensions.
#[derive(Default)]
struct SpanFields(Vec<(&'static str, String)>);

/// Collects an event's or a span's fields as text.
#[derive(Default)]
struct FieldText {
    message: Option<String>,
    fields: Vec<(&'static str, String)>,
}

impl FieldText {
    fn put(&mut self, field: &Field, value: String) {
        if field.name() == "message" {
            // An event may carry a `message` field besides its format
            // message: keep both, in the order they were recorded.
            self.message = Some(match self.message.take() {
                Some(first) => format!("{first}: {value}"),
                None => value,
            });
        } else if let Some(slot) = self
            .fields
            .iter_mut()
            .find(|(name, _)| *name == field.name())
        {
            slot.1 = value;
        } else {
            self.fields.push((field.name(), value));
        }
    }
}

impl Visit for FieldText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.to_string());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.to_string());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.to_string());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.to_string());
    }
}

/// The `tracing` layer that hands events to Python's `logging`.
struct PythonLogLayer;

impl<S> Layer<S> for PythonLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        // "sometimes": the level can change at any time, so `enabled` decides
        // per call instead of tracing caching its result forever.
        if logger_name(metadata.target()).is_some() {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        // Spans carry the context (entity id, txnId) of events inside them.
        metadata.is_span() || level_enabled(metadata.level())
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut text = FieldText::default();
        attrs.record(&mut text);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(text.fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<SpanFields>() {
            let mut text = FieldText {
                message: None,
                fields: std::mem::take(&mut fields.0),
            };
            values.record(&mut text);
            fields.0 = text.fields;
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let Some(name) = logger_name(metadata.target()) else {
            return;
        };
        let mut text = FieldText::default();
        event.record(&mut text);
        if let Some(scope) = ctx.event_scope(event) {
            // Innermost span first, so that an inner value wins over an outer one.
            for span in scope {
                if let Some(fields) = span.extensions().get::<SpanFields>() {
                    for (key, value) in &fields.0 {
                        if !value.is_empty() && !text.fields.iter().any(|(k, _)| k == key) {
                            text.fields.push((key, value.clone()));
                        }
                    }
                }
            }
        }
        let level = python_level(metadata.level());
        Python::try_attach(|py| {
            if let Err(error) = emit(py, &name, level, metadata, text) {
                // A failure to log is printed and does not fail the operation.
                error.print(py);
            }
        });
    }
}

fn emit(
    py: Python<'_>,
    name: &str,
    level: u8,
    metadata: &Metadata<'_>,
    text: FieldText,
) -> PyResult<()> {
    let mut message = text.message.unwrap_or_default();
    let fields = PyDict::new(py);
    for (key, value) in &text.fields {
        let separator = if message.is_empty() { "" } else { " " };
        if value.contains(char::is_whitespace) {
            let _ = write!(message, "{separator}{key}={value:?}");
        } else {
            let _ = write!(message, "{separator}{key}={value}");
        }
        fields.set_item(*key, value)?;
    }
    python_logging(py)?.getattr("emit")?.call1((
        name,
        level,
        message,
        metadata.file().unwrap_or("<rust>"),
        metadata.line().unwrap_or(0),
        metadata.module_path().unwrap_or(""),
        fields,
    ))?;
    Ok(())
}
