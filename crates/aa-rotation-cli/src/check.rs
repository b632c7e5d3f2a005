//! `check`: one line for monitoring, such as `OK: entity FIU-1: 100.0 days
//! left; ...`, and the Nagios exit code.

use std::path::Path;
use std::time::Duration;

use aa_rotation::SecretStatus;
use aa_rotation::engine::ProbeReport;

use crate::commands::{Runtime, block_on};
use crate::failure::{self, CRITICAL, DUE, Failure, OK, UNKNOWN};
use crate::{config, output};

/// Runs the check within `timeout_seconds`, prints its line and returns the
/// exit code.
pub fn run(config_path: Option<&Path>, timeout_seconds: f64) -> u8 {
    let (code, message) = block_on(Runtime::Light, check_line(config_path, timeout_seconds))
        .unwrap_or_else(|failure| (failure.exit_code(), failure.to_string()));
    print_line(code, &message)
}

/// Prints a failure found before the check could start, such as `--config`
/// given twice, and returns its exit code.
pub fn print_failure(failure: &Failure) -> u8 {
    print_line(failure.exit_code(), &failure.to_string())
}

fn print_line(code: u8, message: &str) -> u8 {
    let label = match code {
        OK => "OK",
        DUE => "WARNING",
        CRITICAL => "CRITICAL",
        _ => "UNKNOWN",
    };
    // A failed write leaves the exit code, which is what monitoring reads.
    let _ = output::print(&format!("{label}: {}\n", failure::one_line(message)));
    code
}

async fn check_line(
    config_path: Option<&Path>,
    timeout_seconds: f64,
) -> Result<(u8, String), Failure> {
    // The deadline starts after the configuration is loaded, so that a
    // password typed at a prompt does not count against it.
    let config = config::load(config_path)?;
    let entity_id = config.engine.entity_id.clone();
    let client = config::client(config)?;

    let deadline = Duration::from_secs_f64(timeout_seconds);
    match tokio::time::timeout(deadline, examine(&client, &entity_id)).await {
        Ok(line) => Ok(line),
        Err(_) => Ok((
            CRITICAL,
            format!(
                "entity {entity_id}: the check did not finish within {timeout_seconds} s; the Token Service \
                 may be slow or unreachable (set a longer deadline with --timeout SECONDS if it is only slow)"
            ),
        )),
    }
}

/// Reads the status, then proves what the stored record alone cannot show.
/// The Token Service is reachable and the stored secret still gets an entity
/// token. With a designated user, the user may still manage the entity, and
/// the Token Service's current secret is the stored one. Changes nothing.
async fn examine(client: &aa_rotation::RotationClient, entity_id: &str) -> (u8, String) {
    let status = match client.status().await {
        Ok(status) => status,
        Err(error) => {
            return (
                failure::severity(&error),
                format!("entity {entity_id}: {error}"),
            );
        }
    };
    let summary = state_summary(&status);
    let state = state_code(&status);
    match client.probe().await {
        Ok(report) => probe_line(entity_id, state, &summary, &report),
        Err(error) => (
            failure::worst(state, failure::severity(&error)),
            format!("entity {entity_id}: {error}; stored secret: {summary}"),
        ),
    }
}

/// Combines the state of the stored secret with what the probe found.
fn probe_line(entity_id: &str, state: u8, summary: &str, report: &ProbeReport) -> (u8, String) {
    if report.matches_service == Some(false) {
        return (
            CRITICAL,
            format!(
                "entity {entity_id}: the stored secret is not the Token Service's current one: run `aa-rotation \
                 recover`; stored secret {}: {summary}",
                report.fingerprint
            ),
        );
    }
    match &report.warning {
        // A warning on the entity token (the grace-period notice, say) needs
        // a person's attention even when the stored expiry looks fine.
        Some(warning) => (
            failure::worst(state, DUE),
            format!("entity {entity_id}: {summary}; the Token Service warned: {warning}"),
        ),
        None => (state, format!("entity {entity_id}: {summary}")),
    }
}

fn state_summary(status: &SecretStatus) -> String {
    match status.expires_at {
        Some(expires) => format!("{}; expires {}", status.reason, output::utc(expires)),
        None => format!(
            "{}; {}",
            status.reason,
            output::unknown_expiry(status.expiry_source)
        ),
    }
}

/// Returns the `check` code of the secret's state.
fn state_code(status: &SecretStatus) -> u8 {
    u8::try_from(status.state.check_code()).unwrap_or(UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aa_rotation::Fingerprint;

    fn report(matches_service: Option<bool>, warning: Option<&str>) -> ProbeReport {
        ProbeReport {
            entity_id: "FIU-1".into(),
            fingerprint: Fingerprint::of("not-a-real-secret"),
            matches_service,
            warning: warning.map(str::to_owned),
        }
    }

    #[test]
    fn drift_is_critical() {
        let (code, line) = probe_line("FIU-1", OK, "fine", &report(Some(false), None));
        assert_eq!(code, CRITICAL);
        assert!(line.contains("run `aa-rotation recover`"), "{line}");
    }

    #[test]
    fn unknown_match_keeps_state() {
        assert_eq!(probe_line("FIU-1", OK, "fine", &report(None, None)).0, OK);
        assert_eq!(
            probe_line("FIU-1", DUE, "due", &report(Some(true), None)).0,
            DUE
        );
    }

    #[test]
    fn service_warning_is_at_least_warning() {
        let (code, line) = probe_line("FIU-1", OK, "fine", &report(Some(true), Some("grace")));
        assert_eq!(code, DUE);
        assert!(line.contains("warned: grace"), "{line}");
        let critical = probe_line("FIU-1", CRITICAL, "x", &report(Some(true), Some("grace")));
        assert_eq!(critical.0, CRITICAL);
    }
}
