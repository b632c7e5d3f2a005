//! Rotation events for in-process subscribers and the JSON-lines audit
//! log. Events carry fingerprints, never secret values.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use jiff::Timestamp;
use serde::Serialize;

use crate::secret::Fingerprint;

/// The kinds of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A new secret was obtained, verified and stored.
    Rotated,
    /// A rotation was considered and not needed.
    NotDue,
    /// A rotation or recovery failed.
    RotationFailed,
    /// The secret is due and was not rotated (outside the window, say).
    ExpiryWarning,
    /// The secret is expired and in its grace period.
    GracePeriodWarning,
    /// The stored secret was rejected and the service's current secret was
    /// read and stored: someone rotated outside this tool.
    DriftHealed,
    /// An interrupted rotation was finished or rolled back.
    Recovered,
}

impl EventKind {
    /// Stable text, for example `rotated`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Rotated => "rotated",
            EventKind::NotDue => "not_due",
            EventKind::RotationFailed => "rotation_failed",
            EventKind::ExpiryWarning => "expiry_warning",
            EventKind::GracePeriodWarning => "grace_period_warning",
            EventKind::DriftHealed => "drift_healed",
            EventKind::Recovered => "recovered",
        }
    }
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub kind: EventKind,
    pub entity_id: String,
    pub at: Timestamp,
    pub old_fingerprint: Option<Fingerprint>,
    pub new_fingerprint: Option<Fingerprint>,
    pub expires_at: Option<Timestamp>,
    /// A short explanation: the decision's reason or the error's message.
    pub message: String,
}

type Subscriber = Arc<dyn Fn(&Event) + Send + Sync>;

/// Delivers events to subscribers and to the audit log.
#[derive(Clone, Default)]
pub struct EventBus {
    subscribers: Arc<RwLock<Vec<(u64, Subscriber)>>>,
    next_id: Arc<Mutex<u64>>,
    audit: Option<Arc<AuditLog>>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field(
                "audit",
                &self.audit.as_ref().map(|a| a.path.display().to_string()),
            )
            .finish()
    }
}

impl EventBus {
    /// Creates a bus without an audit log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a bus that also appends every event to the JSON-lines file `path`.
    pub fn with_audit_log(path: impl Into<PathBuf>) -> Self {
        Self {
            audit: Some(Arc::new(AuditLog {
                path: path.into(),
                lock: Mutex::new(()),
            })),
            ..Self::default()
        }
    }

    /// Calls `callback` for every later event; returns an id for
    /// [`EventBus::unsubscribe`]. Callbacks run on the emitting thread and
    /// must return quickly.
    pub fn subscribe(&self, callback: impl Fn(&Event) + Send + Sync + 'static) -> u64 {
        let id = match self.next_id.lock() {
            Ok(mut next) => {
                *next += 1;
                *next
            }
            Err(_) => 0,
        };
        if let Ok(mut subscribers) = self.subscribers.write() {
            subscribers.push((id, Arc::new(callback)));
        }
        id
    }

    /// Stops calling the subscriber `id`.
    pub fn unsubscribe(&self, id: u64) {
        if let Ok(mut subscribers) = self.subscribers.write() {
            subscribers.retain(|(existing, _)| *existing != id);
        }
    }

    /// Delivers `event` to the audit log and every subscriber. A failing
    /// subscriber or audit write is logged and does not stop the others.
    pub fn emit(&self, event: Event) {
        tracing::info!(
            event = event.kind.as_str(),
            entity_id = %event.entity_id,
            old_fingerprint = event.old_fingerprint.as_ref().map(|f| f.as_str()),
            new_fingerprint = event.new_fingerprint.as_ref().map(|f| f.as_str()),
            detail = %event.message,
            "rotation event"
        );
        if let Some(audit) = &self.audit
            && let Err(e) = audit.append(&event)
        {
            tracing::error!(path = %audit.path.display(), error = %e, "could not append to the audit log");
        }
        let subscribers: Vec<Subscriber> = match self.subscribers.read() {
            Ok(list) => list.iter().map(|(_, s)| s.clone()).collect(),
            Err(_) => return,
        };
        for subscriber in subscribers {
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| subscriber(&event)));
            if outcome.is_err() {
                tracing::error!(
                    event = event.kind.as_str(),
                    "an event subscriber panicked; it stays subscribed"
                );
            }
        }
    }
}

/// An append-only JSON-lines file, mode 0600.
struct AuditLog {
    path: PathBuf,
    lock: Mutex<()>,
}

impl AuditLog {
    fn append(&self, event: &Event) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(event).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let _guard = self
            .lock
            .lock()
            .map_err(|_| std::io::Error::other("audit log lock poisoned"))?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)?;
        // One write call per line: O_APPEND keeps lines from several processes whole.
        file.write_all(&line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn event(kind: EventKind) -> Event {
        Event {
            kind,
            entity_id: "FIU-1".into(),
            at: Timestamp::now(),
            old_fingerprint: Some(Fingerprint::of("old")),
            new_fingerprint: Some(Fingerprint::of("new")),
            expires_at: None,
            message: "test".into(),
        }
    }

    #[test]
    fn subscribers_receive_until_unsubscribed() {
        let bus = EventBus::new();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        let id = bus.subscribe(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        bus.emit(event(EventKind::Rotated));
        bus.unsubscribe(id);
        bus.emit(event(EventKind::Rotated));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn audit_log_has_one_json_line_per_event() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let bus = EventBus::with_audit_log(&path);
        bus.emit(event(EventKind::Rotated));
        bus.emit(event(EventKind::DriftHealed));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["kind"], "rotated");
        assert_eq!(lines[1]["kind"], "drift_healed");
        assert_eq!(lines[0]["new_fingerprint"], Fingerprint::of("new").as_str());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
