//! Text and JSON output of the commands. Nothing here ever receives a secret
//! value: only fingerprints, times and the core's messages.

use std::fmt::Write as _;
use std::io::Write as _;

use aa_rotation::client::ExpirySource;
use aa_rotation::engine::{RecoveryAction, RotationAction};
use aa_rotation::{RecoveryOutcome, RotationOutcome, SecretStatus};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::failure::Failure;

/// India Standard Time is UTC+05:30 all year, so a fixed offset is exact.
const IST_OFFSET: SignedDuration = SignedDuration::from_secs(5 * 3600 + 30 * 60);

/// Width of the label column of the text tables.
const LABEL_WIDTH: usize = 15;

/// Writes `text` to standard output. A closed pipe (`aa-rotation status |
/// head -1`) is not an error worth reporting.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Other(
            format!("could not write to standard output: {error}"),
        )),
        _ => Ok(()),
    }
}

/// Encodes `value` as pretty JSON with a final newline.
pub fn json(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|text| text + "\n")
        .map_err(|error| Failure::Other(format!("could not encode the output as JSON: {error}")))
}

/// Formats `at` as `2026-12-14 10:00:00 UTC`.
pub fn utc(at: Timestamp) -> String {
    civil(at, "UTC")
}

/// Formats `at` as `2026-12-14 10:00:00 UTC (15:30:00 IST)`, with the IST
/// date when it differs from the UTC date.
pub fn utc_and_ist(at: Timestamp) -> String {
    let ist_at = at.checked_add(IST_OFFSET).unwrap_or(at);
    let utc_text = civil(at, "UTC");
    let ist_text = civil(ist_at, "IST");
    match (utc_text.split_once(' '), ist_text.split_once(' ')) {
        (Some((utc_date, _)), Some((ist_date, ist_time))) if utc_date == ist_date => {
            format!("{utc_text} ({ist_time})")
        }
        _ => format!("{utc_text} ({ist_text})"),
    }
}

fn civil(at: Timestamp, zone: &str) -> String {
    let time = at.to_zoned(TimeZone::UTC).datetime();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} {zone}",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// Formats days with one decimal, such as `10.0`.
pub fn days(value: f64) -> String {
    format!("{value:.1}")
}

/// Explains a missing expiry in words a first-time user understands.
pub fn unknown_expiry(source: Option<ExpirySource>) -> &'static str {
    match source {
        Some(ExpirySource::Configured) => {
            "expiry unknown: the secret came from AA_ROTATION_SECRET and was never read from the Token Service \
             (configure the designated user so that it can be read)"
        }
        Some(ExpirySource::Unknown) => {
            "expiry unknown: the Token Service reports no expiry (a secret from before the 180-day policy, which \
             does not expire until it is first rotated)"
        }
        _ => "expiry unknown: no secret is stored",
    }
}

/// A table of label and value lines.
#[derive(Default)]
pub struct Table {
    text: String,
    indent: usize,
}

impl Table {
    /// Creates a table whose lines start with `indent` spaces.
    pub fn indented(indent: usize) -> Self {
        Self {
            text: String::new(),
            indent,
        }
    }

    /// Adds one line.
    pub fn row(&mut self, label: &str, value: impl AsRef<str>) -> &mut Self {
        let _ = writeln!(
            self.text,
            "{:indent$}{label:<LABEL_WIDTH$}{}",
            "",
            value.as_ref(),
            indent = self.indent
        );
        self
    }

    /// The lines.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.text)
    }
}

/// Formats the `status` table.
pub fn status_text(status: &SecretStatus) -> String {
    let mut table = Table::default();
    table
        .row("entity", &status.entity_id)
        .row("store", &status.store);
    secret_rows(&mut table, status);
    decision_rows(&mut table, status);
    history_rows(&mut table, status);
    table.finish()
}

/// Adds the secret's fingerprint, expiry and days left.
fn secret_rows(table: &mut Table, status: &SecretStatus) {
    match (&status.fingerprint, status.obtained_at) {
        (Some(fingerprint), Some(obtained)) => table.row(
            "secret",
            format!("{fingerprint}, obtained {}", utc(obtained)),
        ),
        (Some(fingerprint), None) => table.row("secret", fingerprint.as_str()),
        _ => table.row("secret", "none stored"),
    };

    match (status.expires_at, status.days_left) {
        (Some(expires), Some(days_left)) => {
            table
                .row("expires", utc_and_ist(expires))
                .row("days left", days(days_left));
        }
        _ => {
            table
                .row("expires", unknown_expiry(status.expiry_source))
                .row("days left", "unknown");
        }
    }
}

/// Adds the policy's decision: state, whether due and why, the window, and
/// any interrupted rotation.
fn decision_rows(table: &mut Table, status: &SecretStatus) {
    table.row("state", status.state.as_str());
    let reason = policy_reason(status);
    let due = if status.due {
        format!("yes: {reason}")
    } else {
        format!("no: {reason}")
    };
    table.row("rotation due", due);
    if let Some(due_at) = status.due_at.filter(|_| !status.due) {
        table.row("due from", utc_and_ist(due_at));
    }

    if let Some(in_window) = status.in_window {
        let window = if in_window {
            "now inside the rotation window"
        } else {
            "now outside the rotation window"
        };
        table.row("window", window);
    }

    if interrupted(status) {
        // A visible holder is a live process (the kernel frees the file lock
        // of a dead one), so its rotation is still running, not interrupted.
        let (label, advice) = if status.lease_holder.is_some() {
            (
                "in progress",
                "the lease holder is rotating: wait for the holder to finish, then run `aa-rotation status` again",
            )
        } else {
            (
                "interrupted",
                "no process holds the lease: run `aa-rotation recover` to finish the rotation",
            )
        };
        table.row(label, format!("journal {}; {advice}", status.journal));
    }
}

fn interrupted(status: &SecretStatus) -> bool {
    status.journal != "idle" || status.pending
}

/// Returns the core's reason without the note that it puts first for an
/// interrupted rotation, because the `interrupted` row gives advice that fits
/// the lease holder instead.
// NOTE: this matches the end of the core's note ("... still rotating. ").
// If that wording changes, the whole reason is shown, which repeats the
// advice but stays correct.
fn policy_reason(status: &SecretStatus) -> &str {
    const INTERRUPTED_NOTE_END: &str = "still rotating. ";
    if interrupted(status)
        && let Some((_, reason)) = status.reason.split_once(INTERRUPTED_NOTE_END)
    {
        return reason;
    }
    &status.reason
}

/// Adds the last rotation and the lease holder.
fn history_rows(table: &mut Table, status: &SecretStatus) {
    let last = match &status.last_rotation {
        Some(last) => {
            let mut text = format!("{}, {}", utc(last.at), serde_name(&last.result));
            if let Some(fingerprint) = &last.fingerprint {
                let _ = write!(text, ", secret {fingerprint}");
            }
            if let Some(error) = &last.error {
                let _ = write!(text, ": {error}");
            }
            text
        }
        None => "never (by this store)".to_owned(),
    };
    table.row("last rotation", last);

    let lease = match &status.lease_holder {
        Some(holder) => holder.to_string(),
        None => "free (no rotation running)".to_owned(),
    };
    table.row("lease", lease);
}

/// The options of a `rotate` run that change the wording of its heading.
#[derive(Clone, Copy, Debug, Default)]
pub struct RotateRequest {
    /// `--force` was given.
    pub force: bool,
    /// A dry run found an interrupted rotation, which a real `rotate` would
    /// finish before deciding anything else.
    pub interrupted: bool,
}

/// Formats what `rotate` did, as a heading and a table.
pub fn rotation_text(outcome: &RotationOutcome, request: RotateRequest) -> String {
    let heading = rotation_heading(outcome, request);
    let mut table = Table::indented(2);
    if outcome.action == RotationAction::Rotated {
        table.row(
            "old secret",
            fingerprint_text(outcome.old_fingerprint.as_ref()),
        );
        table.row("new secret", fingerprint_text(outcome.fingerprint.as_ref()));
    } else {
        table.row("secret", fingerprint_text(outcome.fingerprint.as_ref()));
    }
    match outcome.expires_at {
        Some(expires) => table.row("expires", utc_and_ist(expires)),
        None => table.row("expires", "unknown"),
    };
    table.row(
        "days left",
        outcome
            .days_left
            .map(days)
            .unwrap_or_else(|| "unknown".into()),
    );
    table.row("resets sent", outcome.resets.to_string());
    table.row("reason", &outcome.reason);
    format!("{heading}\n{}", table.finish())
}

fn rotation_heading(outcome: &RotationOutcome, request: RotateRequest) -> String {
    let entity = &outcome.entity_id;
    match outcome.action {
        RotationAction::Rotated => format!("Rotated the secret of entity {entity}."),
        RotationAction::NotDue => format!(
            "Not rotated: the secret of entity {entity} is not due (`aa-rotation rotate --force` rotates it anyway)."
        ),
        RotationAction::Deferred => {
            format!("Deferred: the secret of entity {entity} is due, but not rotated yet.")
        }
        // The reason names which happened: another instance rotated while
        // this one waited, or this call finished an interrupted rotation.
        RotationAction::RotatedElsewhere => format!(
            "Not rotated again: {}; the secret of entity {entity} is already new, so no Reset was sent.",
            outcome.reason
        ),
        RotationAction::DryRun if request.interrupted => format!(
            "Dry run: a rotation of entity {entity} is interrupted; `aa-rotation rotate` would first finish it \
             (as `aa-rotation recover` does) and then decide again."
        ),
        RotationAction::DryRun if request.force => {
            let due = if outcome.due {
                "it is due"
            } else {
                "although it is not due"
            };
            format!(
                "Dry run: `aa-rotation rotate --force` would rotate the secret of entity {entity} now ({due})."
            )
        }
        RotationAction::DryRun if outcome.due => format!(
            "Dry run: the secret of entity {entity} is due, so `aa-rotation rotate` would rotate it now."
        ),
        RotationAction::DryRun => format!(
            "Dry run: the secret of entity {entity} is not due, so `aa-rotation rotate` would keep it; \
             `aa-rotation rotate --force` would rotate it now anyway."
        ),
    }
}

/// Formats what `recover` did after it filled an empty store (bootstrap).
pub fn bootstrap_text(outcome: &RecoveryOutcome, has_designated_user: bool) -> String {
    let entity = &outcome.entity_id;
    let source = if has_designated_user {
        "from the Token Service (bootstrap: a Read as the designated user)"
    } else {
        "from AA_ROTATION_SECRET (bootstrap), with an unknown expiry until a designated user is configured"
    };
    let mut table = Table::indented(2);
    table.row("secret", fingerprint_text(outcome.fingerprint.as_ref()));
    table.row("message", &outcome.message);
    format!(
        "The store of entity {entity} was empty, so it was filled {source}; no rotation was interrupted.\n{}",
        table.finish()
    )
}

/// Formats what `recover` did.
pub fn recovery_text(outcome: &RecoveryOutcome) -> String {
    let entity = &outcome.entity_id;
    let heading = match outcome.action {
        RecoveryAction::Nothing => {
            format!("Nothing to recover for entity {entity}: the stored secret authenticates.")
        }
        RecoveryAction::Completed => {
            format!("Finished the interrupted rotation of entity {entity}.")
        }
        RecoveryAction::RolledBack => {
            format!(
                "Rolled back the interrupted rotation of entity {entity}: the secret was never reset."
            )
        }
        RecoveryAction::DriftHealed => format!(
            "The stored secret of entity {entity} had been rotated elsewhere; stored the Token Service's current secret."
        ),
    };
    let mut table = Table::indented(2);
    table.row("secret", fingerprint_text(outcome.fingerprint.as_ref()));
    table.row("message", &outcome.message);
    format!("{heading}\n{}", table.finish())
}

fn fingerprint_text(fingerprint: Option<&aa_rotation::Fingerprint>) -> String {
    fingerprint
        .map(|f| f.to_string())
        .unwrap_or_else(|| "none".into())
}

/// Returns the serde name of a unit enum value, such as `drift_healed`.
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn utc_and_ist_on_same_day() {
        assert_eq!(
            utc_and_ist(at("2026-12-14T10:00:00Z")),
            "2026-12-14 10:00:00 UTC (15:30:00 IST)"
        );
    }

    #[test]
    fn utc_and_ist_across_midnight() {
        assert_eq!(
            utc_and_ist(at("2026-12-14T20:00:00Z")),
            "2026-12-14 20:00:00 UTC (2026-12-15 01:30:00 IST)"
        );
    }

    #[test]
    fn days_have_one_decimal() {
        assert_eq!(days(9.96), "10.0");
        assert_eq!(days(-0.26), "-0.3");
    }

    #[test]
    fn configured_secret_names_the_variable() {
        assert!(unknown_expiry(Some(ExpirySource::Configured)).contains("AA_ROTATION_SECRET"));
        assert!(unknown_expiry(Some(ExpirySource::Unknown)).contains("reports no expiry"));
    }
}
