//! `tracing` events of the core, forwarded to JavaScript loggers.
//!
//! Nothing is logged until a client is created with a logger: that installs a
//! process-wide `tracing` subscriber whose only layer, [`Forwarder`], hands
//! each event of the `aa_rotation` crates to the loggers that registered with
//! [`register`]. Every native call of a client runs inside a span that names
//! the client, and an event goes to the logger of that client. An event
//! outside such a span (one of the background schedule) goes to the loggers
//! of clients with the event's entity id, and one with neither to every
//! logger.
//!
//! Field values are formatted with their `Debug` or `Display` output, so the
//! core's credential types print as `[redacted]` here too.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{OnceLock, RwLock};

use napi::Status;
use napi::bindgen_prelude::FnArgs;
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// `(level, message, fieldsJson)`, called on the JavaScript thread. A weak
/// function: it does not keep the event loop alive.
pub(crate) type LogFunction = ThreadsafeFunction<
    FnArgs<(String, String, String)>,
    UnknownReturnValue,
    FnArgs<(String, String, String)>,
    Status,
    false,
    true,
>;

/// The span field that names the client a native call belongs to.
const CLIENT_FIELD: &str = "aa_rotation_client";

/// One registered logger.
struct Sink {
    client_id: u64,
    entity_id: String,
    /// The maximum [`rank`] delivered: 1 for errors only, up to 5 for trace.
    max_rank: u8,
    log: LogFunction,
}

static SINKS: RwLock<Vec<Sink>> = RwLock::new(Vec::new());

/// The maximum rank over all sinks; 0 while there is none.
static MAX_RANK: AtomicU8 = AtomicU8::new(0);

/// Whether the subscriber was installed: set on the first registration.
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// 1 for ERROR up to 5 for TRACE.
fn rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

/// Parses a logger level name: `error`, `warn`, `info`, `debug` or `trace`.
pub(crate) fn parse_level(name: &str) -> Option<u8> {
    match name.trim().to_ascii_lowercase().as_str() {
        "error" => Some(1),
        "warn" | "warning" => Some(2),
        "info" => Some(3),
        "debug" => Some(4),
        "trace" => Some(5),
        _ => None,
    }
}

/// The logger method that receives events of `level`. Loggers such as
/// `console` and pino have no `trace` that prints by default, so TRACE goes to
/// `debug`.
fn method(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG | Level::TRACE => "debug",
    }
}

/// Registers the logger of client `client_id`. Returns false when another
/// `tracing` subscriber was installed in this process first, in which case
/// nothing reaches the logger.
pub(crate) fn register(client_id: u64, entity_id: &str, max_rank: u8, log: LogFunction) -> bool {
    let installed = *INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(Forwarder);
        tracing::subscriber::set_global_default(subscriber).is_ok()
    });
    if !installed {
        return false;
    }
    if let Ok(mut sinks) = SINKS.write() {
        sinks.push(Sink {
            client_id,
            entity_id: entity_id.to_owned(),
            max_rank,
            log,
        });
        update_max_rank(&sinks);
    }
    true
}

/// Removes the logger of client `client_id`, if any.
pub(crate) fn unregister(client_id: u64) {
    if let Ok(mut sinks) = SINKS.write() {
        sinks.retain(|sink| sink.client_id != client_id);
        update_max_rank(&sinks);
    }
}

fn update_max_rank(sinks: &[Sink]) {
    let max = sinks.iter().map(|sink| sink.max_rank).max().unwrap_or(0);
    MAX_RANK.store(max, Ordering::Relaxed);
}

/// Creates the span that every native call of client `client_id` runs in, so
/// that its events reach that client's logger.
pub(crate) fn client_span(client_id: u64) -> tracing::Span {
    tracing::info_span!("aa_rotation_node", aa_rotation_client = client_id)
}

/// True for targets of this project's library crates. Events of other crates
/// (hyper, reqwest) are never forwarded, and neither are the simulator's.
fn is_forwarded(target: &str) -> bool {
    let crate_name = target.split("::").next().unwrap_or(target);
    crate_name == "aa_rotation" || crate_name == "aa_rotation_node"
}

/// Fields recorded on a span, kept in the span's extensions.
#[derive(Default)]
struct SpanFields {
    client_id: Option<u64>,
    entity_id: Option<String>,
    fields: Map<String, Value>,
}

/// Collects field values into JSON values.
struct FieldVisitor<'a> {
    message: Option<String>,
    client_id: Option<u64>,
    fields: &'a mut Map<String, Value>,
}

impl FieldVisitor<'_> {
    fn insert(&mut self, field: &Field, value: Value) {
        // An event may carry a `message` field besides its format string, as
        // the core's event log does. The first becomes the message, and a
        // second stays among the fields.
        if field.name() == "message" && self.message.is_none() {
            self.message = Some(match value {
                Value::String(text) => text,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.insert(field, Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::String(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == CLIENT_FIELD {
            self.client_id = Some(value);
        } else {
            self.insert(field, Value::from(value));
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Value::Bool(value));
    }
}

fn entity_id_of(fields: &Map<String, Value>) -> Option<String> {
    fields
        .get("entity_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The layer that forwards events to the registered sinks.
struct Forwarder;

impl<S> Layer<S> for Forwarder
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, _metadata: &'static Metadata<'static>) -> Interest {
        // Sinks come and go at run time, so every call site is asked each time.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        if !is_forwarded(metadata.target()) {
            return false;
        }
        let max_rank = MAX_RANK.load(Ordering::Relaxed);
        // Spans carry the client id and entity id that route events, so they
        // are recorded whatever level the sinks want.
        max_rank > 0 && (metadata.is_span() || rank(metadata.level()) <= max_rank)
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut data = SpanFields::default();
        let mut visitor = FieldVisitor {
            message: None,
            client_id: None,
            fields: &mut data.fields,
        };
        attrs.record(&mut visitor);
        data.client_id = visitor.client_id;
        data.entity_id = entity_id_of(&data.fields);
        span.extensions_mut().insert(data);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        let Some(data) = extensions.get_mut::<SpanFields>() else {
            return;
        };
        let mut visitor = FieldVisitor {
            message: None,
            client_id: None,
            fields: &mut data.fields,
        };
        values.record(&mut visitor);
        if visitor.client_id.is_some() {
            data.client_id = visitor.client_id;
        }
        data.entity_id = entity_id_of(&data.fields);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        let mut client_id = None;
        let mut entity_id = None;
        // Outer spans first, so that an inner span's field of the same name wins.
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(data) = span.extensions().get::<SpanFields>() {
                    client_id = data.client_id.or(client_id);
                    entity_id = data.entity_id.clone().or(entity_id);
                    fields.extend(data.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut visitor = FieldVisitor {
            message: None,
            client_id: None,
            fields: &mut fields,
        };
        event.record(&mut visitor);
        let message = visitor.message.take().unwrap_or_default();
        entity_id = entity_id_of(&fields).or(entity_id);
        fields.insert(
            "target".to_owned(),
            Value::String(event.metadata().target().to_owned()),
        );

        deliver(
            event.metadata().level(),
            message,
            &Value::Object(fields),
            client_id,
            entity_id.as_deref(),
        );
    }
}

/// Sends one event to the sinks it belongs to.
fn deliver(
    level: &Level,
    message: String,
    fields: &Value,
    client_id: Option<u64>,
    entity_id: Option<&str>,
) {
    let Ok(sinks) = SINKS.read() else { return };
    let event_rank = rank(level);
    let belongs = |sink: &Sink| match (client_id, entity_id) {
        (Some(id), _) => sink.client_id == id,
        (None, Some(entity)) => sink.entity_id == entity,
        (None, None) => true,
    };
    let fields_json = fields.to_string();
    for sink in sinks
        .iter()
        .filter(|sink| belongs(sink) && event_rank <= sink.max_rank)
    {
        let arguments = (
            method(level).to_owned(),
            message.clone(),
            fields_json.clone(),
        );
        // Non-blocking, because a logger must never hold up a rotation. The
        // queue is unbounded, so a call fails only once the sink's JavaScript
        // environment is shutting down, and the event is then dropped.
        let _ = sink
            .log
            .call(arguments.into(), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_rank_by_verbosity() {
        assert!(rank(&Level::ERROR) < rank(&Level::WARN));
        assert!(rank(&Level::DEBUG) < rank(&Level::TRACE));
        assert_eq!(parse_level("INFO"), Some(rank(&Level::INFO)));
        assert_eq!(parse_level("verbose"), None);
    }

    #[test]
    fn only_library_targets_are_forwarded() {
        assert!(is_forwarded("aa_rotation::engine"));
        assert!(is_forwarded("aa_rotation_node::client"));
        assert!(!is_forwarded("aa_rotation_sim::server"));
        assert!(!is_forwarded("hyper::proto"));
    }
}
