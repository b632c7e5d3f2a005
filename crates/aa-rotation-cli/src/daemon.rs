//! `run`: the core's background schedule plus a small HTTP listener for
//! `/healthz` and `/metrics`, until SIGINT or SIGTERM.
//!
//! The schedule (`RotationClient::start`) runs a check every interval:
//! `recover` (which verifies the stored secret with an entity token and heals
//! drift) and then `ensure_fresh`. Its latest result, `last_check()`, decides
//! whether `/healthz` is healthy. Beside it, a monitor reads the secret's
//! status for the expiry gauges, and an event subscriber counts rotations.
//! Every rotation decision stays in the core.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use aa_rotation::{CheckResult, EventKind, RotationClient, SecretStatus};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use jiff::Timestamp;
use serde_json::json;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;

use crate::cli::RunArgs;
use crate::failure::{CRITICAL, Failure, OK};
use crate::{config, output};

/// The data that the monitor and the event subscriber collect for the endpoints.
struct Health {
    entity_id: String,
    /// The last status read successfully, for the expiry gauges and the state.
    status: Option<SecretStatus>,
    /// Whether the last status read failed, so that only changes are logged.
    status_failing: bool,
    /// Rotation results of this process, by `result` label.
    rotations: BTreeMap<&'static str, u64>,
}

impl Health {
    /// Creates the state before the first status read, with every rotation
    /// counter at 0 so that each `result` series exists from the start.
    fn new(entity_id: &str) -> Self {
        Self {
            entity_id: entity_id.to_owned(),
            status: None,
            status_failing: false,
            rotations: ["rotated", "failed", "recovered", "drift_healed"]
                .into_iter()
                .map(|result| (result, 0))
                .collect(),
        }
    }

    fn critical(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|status| status.state.check_code() == i32::from(CRITICAL))
    }
}

type Shared = Arc<Mutex<Health>>;

/// The state of the HTTP handlers.
#[derive(Clone)]
struct Endpoints {
    client: Arc<RotationClient>,
    health: Shared,
}

fn lock(health: &Shared) -> MutexGuard<'_, Health> {
    // A panic while holding the lock leaves plain counters behind, still usable.
    health
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// True when the schedule's latest check finished without an error.
fn check_succeeded(check: Option<&CheckResult>) -> bool {
    check.is_some_and(|check| check.error.is_none())
}

/// Runs the daemon until SIGINT or SIGTERM.
pub async fn run(config_path: Option<&Path>, args: RunArgs) -> Result<u8, Failure> {
    if !args.listen.ip().is_loopback() && !args.allow_remote_metrics {
        return Err(Failure::Config(format!(
            "--listen {} is not a loopback address; the endpoints tell anyone who can reach them when the secret \
             expires, so add --allow-remote-metrics to serve them beyond this host",
            args.listen
        )));
    }
    let config = config::load(config_path)?;
    let interval = config.check_interval;
    let entity_id = config.engine.entity_id.clone();
    let client = Arc::new(config::client(config)?);

    let health: Shared = Arc::new(Mutex::new(Health::new(&entity_id)));
    let recheck = Arc::new(Notify::new());
    subscribe(&client, health.clone(), recheck.clone());

    // Signal handlers first, so that a stop request during start-up is not lost.
    let mut terminate = signal(SignalKind::terminate())
        .map_err(|e| Failure::Other(format!("could not handle SIGTERM: {e}")))?;
    let mut interrupt = signal(SignalKind::interrupt())
        .map_err(|e| Failure::Other(format!("could not handle SIGINT: {e}")))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| Failure::Other(format!("could not listen on {}: {error}", args.listen)))?;
    let address = listener
        .local_addr()
        .map_err(|error| Failure::Other(format!("could not read the listen address: {error}")))?;

    client.start()?;
    let monitor = tokio::spawn(monitor(client.clone(), health.clone(), interval, recheck));
    tracing::info!(entity_id = %entity_id, %address, interval_seconds = interval.as_secs_f64(), "daemon started");
    output::print(&format!(
        "aa-rotation run: entity {entity_id}; serving http://{address}/metrics and http://{address}/healthz\n"
    ))?;
    // Standard error too, whatever the log level: a service manager's journal
    // shows when the daemon started and what it watches.
    eprintln!(
        "aa-rotation run: serving /healthz and /metrics on {address}; checking entity {entity_id} every {} minutes",
        minutes(interval)
    );

    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(Endpoints {
            client: client.clone(),
            health,
        });
    let stopped_by = Arc::new(OnceLock::new());
    let stop = {
        let stopped_by = stopped_by.clone();
        async move {
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
            tracing::info!("{name} received; stopping");
            let _ = stopped_by.set(name);
        }
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await;

    monitor.abort();
    client.stop();
    let cause = stopped_by.get().map_or_else(
        || "the HTTP listener failed".to_owned(),
        |name| format!("{name} received"),
    );
    eprintln!("aa-rotation run: stopped ({cause}); entity {entity_id}");
    served.map_err(|error| {
        Failure::Other(format!("the HTTP listener on {address} failed: {error}"))
    })?;
    tracing::info!(entity_id = %entity_id, "daemon stopped");
    Ok(OK)
}

/// Formats an interval in minutes with at most two decimals: `60`, `0.02`.
fn minutes(interval: Duration) -> String {
    let text = format!("{:.2}", interval.as_secs_f64() / 60.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Counts the rotation events of this process, and wakes the monitor so
/// that the endpoints show a new secret at once.
fn subscribe(client: &RotationClient, health: Shared, recheck: Arc<Notify>) {
    client.subscribe(move |event| {
        let result = match event.kind {
            EventKind::Rotated => "rotated",
            EventKind::RotationFailed => "failed",
            EventKind::Recovered => "recovered",
            EventKind::DriftHealed => "drift_healed",
            _ => return,
        };
        *lock(&health).rotations.entry(result).or_default() += 1;
        recheck.notify_one();
    });
}

/// Reads the status every `interval`, and after every rotation event.
async fn monitor(
    client: Arc<RotationClient>,
    health: Shared,
    interval: Duration,
    recheck: Arc<Notify>,
) {
    loop {
        let result = client.status().await;
        record_status(&health, result);
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = recheck.notified() => {}
        }
    }
}

/// Stores one status read. A failed read keeps the last good status; the
/// schedule's check, which reads the same store, reports the failure on
/// `/healthz`. Logs when reads start failing and when they recover, not
/// every repeat.
fn record_status(health: &Shared, result: aa_rotation::Result<SecretStatus>) {
    let mut health = lock(health);
    match result {
        Ok(status) => {
            if health.status_failing {
                tracing::info!(entity_id = %health.entity_id, "status read succeeds again");
            }
            health.status = Some(status);
            health.status_failing = false;
        }
        Err(error) => {
            if health.status_failing {
                tracing::debug!(entity_id = %health.entity_id, error = %error, "status read still fails");
            } else {
                tracing::error!(entity_id = %health.entity_id, error = %error, "status read failed");
            }
            health.status_failing = true;
        }
    }
}

/// 200 when the schedule's latest check succeeded and the secret is neither
/// expired nor in its grace period, else 503 (also before the first check).
async fn healthz(State(endpoints): State<Endpoints>) -> impl IntoResponse {
    let check = endpoints.client.last_check();
    let health = lock(&endpoints.health);
    let check_success = check_succeeded(check.as_ref());
    let healthy = check_success && !health.critical();
    let status = health.status.as_ref();
    let outcome = check.as_ref().and_then(|check| check.outcome.as_ref());
    let (error, error_code) = match &check {
        Some(check) => (check.error.clone(), check.error_code),
        None => (
            Some("the first check has not finished yet".to_owned()),
            None,
        ),
    };
    let body = json!({
        "healthy": healthy,
        "entity_id": health.entity_id,
        "state": status.map(|s| s.state.as_str()),
        "days_left": status.and_then(|s| s.expires_at).map(days_left),
        "expires_at": status.and_then(|s| s.expires_at),
        "last_check_at": check.as_ref().map(|check| check.at),
        "last_check_success": check_success,
        "last_check_action": outcome.map(|outcome| outcome.action.as_str()),
        "last_check_reason": outcome.map(|outcome| outcome.reason.as_str()),
        "error": error,
        "error_code": error_code,
    });
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body))
}

/// The Prometheus text exposition format, version 0.0.4.
async fn metrics(State(endpoints): State<Endpoints>) -> impl IntoResponse {
    let check = endpoints.client.last_check();
    let health = lock(&endpoints.health);
    let entity = format!("entity_id=\"{}\"", escape_label(&health.entity_id));
    let mut text = String::new();

    let expires_at = health.status.as_ref().and_then(|status| status.expires_at);
    // An unknown expiry has no sample: a made-up value would page someone.
    if let Some(expires_at) = expires_at {
        write_expiry_metrics(&mut text, &entity, expires_at);
    }

    metric_header(
        &mut text,
        "aa_rotation_rotations_total",
        "counter",
        "Rotation results of this process, by result.",
    );
    for (result, count) in &health.rotations {
        let _ = writeln!(
            text,
            "aa_rotation_rotations_total{{{entity},result=\"{result}\"}} {count}"
        );
    }

    write_check_metrics(&mut text, &entity, check.as_ref());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

fn write_expiry_metrics(text: &mut String, entity: &str, expires_at: Timestamp) {
    metric_header(
        text,
        "aa_rotation_secret_expiry_timestamp_seconds",
        "gauge",
        "When the stored secret expires, in Unix seconds.",
    );
    let _ = writeln!(
        text,
        "aa_rotation_secret_expiry_timestamp_seconds{{{entity}}} {}",
        expires_at.as_second()
    );
    metric_header(
        text,
        "aa_rotation_secret_days_left",
        "gauge",
        "Days until the stored secret expires; negative once expired.",
    );
    let _ = writeln!(
        text,
        "aa_rotation_secret_days_left{{{entity}}} {:.4}",
        days_left(expires_at)
    );
}

fn write_check_metrics(text: &mut String, entity: &str, check: Option<&CheckResult>) {
    metric_header(
        text,
        "aa_rotation_last_check_success",
        "gauge",
        "1 when the schedule's latest check (recover, verify, rotate if due) succeeded, else 0.",
    );
    let _ = writeln!(
        text,
        "aa_rotation_last_check_success{{{entity}}} {}",
        u8::from(check_succeeded(check))
    );
    // Absent before the first check. An alert on its age finds a stuck schedule.
    if let Some(check) = check {
        metric_header(
            text,
            "aa_rotation_last_check_timestamp_seconds",
            "gauge",
            "When the schedule's latest check finished, in Unix seconds.",
        );
        let _ = writeln!(
            text,
            "aa_rotation_last_check_timestamp_seconds{{{entity}}} {}",
            check.at.as_second()
        );
    }
}

fn metric_header(text: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(text, "# HELP {name} {help}");
    let _ = writeln!(text, "# TYPE {name} {kind}");
}

/// Days from now until `expires_at`, computed at request time so that the
/// gauge moves between checks.
fn days_left(expires_at: Timestamp) -> f64 {
    expires_at.duration_since(Timestamp::now()).as_secs_f64() / 86_400.0
}

/// Escapes a label value as the exposition format requires.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_have_at_most_two_decimals() {
        assert_eq!(minutes(Duration::from_secs(3600)), "60");
        assert_eq!(minutes(Duration::from_secs_f64(1.2)), "0.02");
        assert_eq!(minutes(Duration::from_secs(90)), "1.5");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
