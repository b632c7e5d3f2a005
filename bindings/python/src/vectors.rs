//! Two thin functions over core rules, for the shared test vectors in
//! `tests/vectors/` and for callers who need the same results.

use aa_rotation::client::{MessageKind, parse_secret_body as core_parse_secret_body};
use aa_rotation::policy::RotationPolicy;
use jiff::Timestamp;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Parses the expiry and message of a secret Read or Reset response body,
/// as the client does. Returns a dict with `expires_at` (datetime or None),
/// `epoch_seconds`, `source` and `message_kind`; raises ValueError for a body
/// the client rejects.
#[pyfunction]
pub fn parse_secret_body<'py>(py: Python<'py>, body: &str) -> PyResult<Bound<'py, PyDict>> {
    let (expiry, message) = core_parse_secret_body(body).map_err(PyValueError::new_err)?;
    let result = PyDict::new(py);
    result.set_item(
        "expires_at",
        expiry.at.map(|at| at.into_pyobject(py)).transpose()?,
    )?;
    result.set_item("epoch_seconds", expiry.at.map(|at| at.as_second()))?;
    let source = match serde_json::to_value(expiry.source) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "unknown".to_owned(),
    };
    result.set_item("source", source)?;
    let kind = message.map(|m| match m.kind {
        MessageKind::GracePeriod => "grace_period",
        MessageKind::ExpiryDefaulted => "expiry_defaulted",
        MessageKind::Other => "other",
    });
    result.set_item("message_kind", kind)?;
    Ok(result)
}

/// Decides, as the rotation policy does, what state a secret expiring at
/// `expires_at` is in at `now`. Returns a dict with `state`, `due`,
/// `emergency`, `days_left`, `seconds_left`, `check_exit_code` and `reason`.
#[pyfunction]
#[pyo3(signature = (expires_at, now, *, rotate_before_days = 30, grace_period_days = 5))]
pub fn policy_decision<'py>(
    py: Python<'py>,
    expires_at: Option<Timestamp>,
    now: Timestamp,
    rotate_before_days: u64,
    grace_period_days: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let policy = RotationPolicy {
        rotate_before: aa_rotation::policy::days(rotate_before_days),
        grace_period: aa_rotation::policy::days(grace_period_days),
        ..RotationPolicy::default()
    };
    let decision = policy.decide(expires_at, None, now);
    let result = PyDict::new(py);
    result.set_item("state", decision.state.as_str())?;
    result.set_item("due", decision.due)?;
    result.set_item("emergency", decision.emergency)?;
    result.set_item("days_left", decision.days_left())?;
    result.set_item("seconds_left", decision.seconds_left)?;
    result.set_item("check_exit_code", decision.state.check_code())?;
    result.set_item("reason", &decision.reason)?;
    Ok(result)
}
