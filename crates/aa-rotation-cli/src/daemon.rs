//! `run`: the core's background schedule plus a small HTTP listener for
//! `/healthz` and `/metrics`, until SIGINT or SIGTERM.
//!
//! The schedule (`RotationClient::start`) recovers once and then rotates
//! when due. Beside it, a monitor reads the secret's status every check
//! interval, and an event subscriber counts rotations. Both only feed the
//! two endpoints: every rotation decision stays in the core.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use aa_rotation::policy::SecretState;
use aa_rotation::{EventKind, RotationClient, SecretStatus};
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

/// The state behind the endpoints, updated by the monitor and the event subscriber.
struct Health {
    entity_id: String,
    /// The last status read successfully.
    status: Option<SecretStatus>,
    last_check: Option<Check>,
    /// The error of the last rotation attempt, until a later one succeeds or
    /// the secret is healthy again.
    rotation_error: Option<String>,
    /// Rotation results of this process, by `result` label.
    rotations: BTreeMap<&'static str, u64>,
}

/// One status read by the monitor.
struct Check {
    at: Timestamp,
    error: Option<String>,
}

impl Health {
    /// Creates the state before the first check, with every rotation
    /// counter at 0 so that each `result` series exists from the start.
    fn new(entity_id: &str) -> Self {
        Self {
            entity_id: entity_id.to_owned(),
            status: None,
            last_check: None,
            rotation_error: None,
            rotations: ["rotated", "failed", "recovered", "drift_healed"]
                .into_iter()
                .map(|result| (result, 0))
                .collect(),
        }
    }

    fn check_succeeded(&self) -> bool {
        self.last_check
            .as_ref()
            .is_some_and(|check| check.error.is_none())
            && self.rotation_error.is_none()
    }

    fn critical(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|status| status.state.check_code() == i32::from(CRITICAL))
    }
}

type Shared = Arc<Mutex<Health>>;

fn lock(health: &Shared) -> MutexGuard<'_, Health> {
    // A panic while holding the lock leaves plain counters behind, still usable.
    health
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(health);
    let stop = async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM received; stopping"),
            _ = interrupt.recv() => tracing::info!("SIGINT received; stopping"),
        }
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await;

    monitor.abort();
    client.stop();
    served.map_err(|error| {
        Failure::Other(format!("the HTTP listener on {address} failed: {error}"))
    })?;
    tracing::info!(entity_id = %entity_id, "daemon stopped");
    Ok(OK)
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
        let mut health = lock(&health);
        *health.rotations.entry(result).or_default() += 1;
        health.rotation_error =
            (event.kind == EventKind::RotationFailed).then(|| event.message.clone());
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
        record_check(&health, result);
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = recheck.notified() => {}
        }
    }
}

/// Stores the result of one status read. Logs a failure when checks start
/// failing and when they recover, not on every repeat.
fn record_check(health: &Shared, result: aa_rotation::Result<SecretStatus>) {
    let mut health = lock(health);
    let failing_before = health
        .last_check
        .as_ref()
        .is_some_and(|check| check.error.is_some());
    let at = Timestamp::now();
    match result {
        Ok(status) => {
            if failing_before {
                tracing::info!(entity_id = %health.entity_id, "status check succeeds again");
            }
            if status.state == SecretState::Healthy {
                health.rotation_error = None;
            }
            health.status = Some(status);
            health.last_check = Some(Check { at, error: None });
        }
        Err(error) => {
            if failing_before {
                tracing::debug!(entity_id = %health.entity_id, error = %error, "status check still fails");
            } else {
                tracing::error!(entity_id = %health.entity_id, error = %error, "status check failed");
            }
            health.last_check = Some(Check {
                at,
                error: Some(error.to_string()),
            });
        }
    }
}

/// 200 when the last check succeeded and the secret is not critical, else 503.
async fn healthz(State(health): State<Shared>) -> impl IntoResponse {
    let health = lock(&health);
    let healthy = health.check_succeeded() && !health.critical();
    let status = health.status.as_ref();
    let body = json!({
        "healthy": healthy,
        "entity_id": health.entity_id,
        "state": status.map(|s| s.state.as_str()),
        "days_left": status.and_then(|s| s.expires_at).map(days_left),
        "expires_at": status.and_then(|s| s.expires_at),
        "last_check_at": health.last_check.as_ref().map(|check| check.at),
        "last_check_success": health.check_succeeded(),
        "error": health.last_check.as_ref().and_then(|check| check.error.clone()).or_else(|| health.rotation_error.clone()),
    });
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body))
}

/// The Prometheus text exposition format, version 0.0.4.
async fn metrics(State(health): State<Shared>) -> impl IntoResponse {
    let health = lock(&health);
    let entity = format!("entity_id=\"{}\"", escape_label(&health.entity_id));
    let mut text = String::new();
    let expires_at = health.status.as_ref().and_then(|status| status.expires_at);
    // An unknown expiry has no sample: a made-up value would page someone.
    if let Some(expires_at) = expires_at {
        metric_header(
            &mut text,
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
            &mut text,
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
    metric_header(
        &mut text,
        "aa_rotation_last_check_success",
        "gauge",
        "1 when the last status check and rotation attempt succeeded, else 0.",
    );
    let _ = writeln!(
        text,
        "aa_rotation_last_check_success{{{entity}}} {}",
        u8::from(health.check_succeeded())
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
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
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
