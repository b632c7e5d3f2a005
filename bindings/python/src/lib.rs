//! The extension module `aa_rotation._native`: the aa-rotation core for
//! Python, through PyO3.
//!
//! This crate converts types and errors and bridges async; every decision
//! about rotation is the core's. The Python package in `python/aa_rotation`
//! re-exports these classes under their public names and adds what is easier
//! to write in Python: the exception classes, the result dataclasses, the
//! store adapter and the pytest fixtures.

mod client;
mod config;
mod errors;
mod logging;
mod runtime;
mod secret;
mod simulator;
mod store;
mod token_service;
mod types;
mod vectors;

use pyo3::prelude::*;

/// A function that does nothing, as the baseline of the benchmark of
/// `access_token()`.
#[pyfunction]
#[pyo3(name = "_noop")]
fn noop() {}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<client::RotationClient>()?;
    m.add_class::<config::RotationConfig>()?;
    m.add_class::<config::Clock>()?;
    m.add_class::<secret::Secret>()?;
    m.add_class::<secret::AccessToken>()?;
    m.add_class::<secret::UserToken>()?;
    m.add_class::<store::StoreRecord>()?;
    m.add_class::<token_service::TokenServiceClient>()?;
    m.add_class::<simulator::Simulator>()?;
    m.add_function(wrap_pyfunction!(vectors::parse_secret_body, m)?)?;
    m.add_function(wrap_pyfunction!(vectors::policy_decision, m)?)?;
    m.add_function(wrap_pyfunction!(errors::sample_error, m)?)?;
    m.add_function(wrap_pyfunction!(noop, m)?)?;
    m.add("ERROR_CODES", errors::codes())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    logging::install(py);
    Ok(())
}
