//! UniFFI bindings of aa-rotation for the JVM.
//!
//! One native library serves two artifacts: Kotlin bindings over JNA (Java
//! 17+) and Java bindings over the Foreign Function & Memory API (Java 22+).
//! Each artifact adds a hand-written facade with the same Java API on top.
//!
//! The crate only converts types and errors and bridges async: every
//! decision about rotation is the core's. Async methods run on one tokio
//! runtime for the whole library (UniFFI's `tokio` support), which also
//! drives the background schedule and the in-process simulator.

#![allow(
    clippy::result_large_err,
    reason = "UniFFI passes errors by value, and a RotationError is built at most once per failed call into the \
              library, where its size costs nothing measurable"
)]

mod client;
mod error;
mod host;
mod logging;
mod sim;
mod types;
mod vectors;

pub use client::{RotationClient, TokenServiceClient};
pub use error::{ErrorDetail, RotationError};
pub use host::{EventListener, SecretStoreCallback, TokenListener};
pub use logging::{LogSink, clear_log_sink, set_log_sink};
pub use sim::{Simulator, SimulatorCounters, start_simulator};
pub use types::{
    EntityToken, LastRotation, LeaseHolder, RecoveryOutcome, RotationEvent, RotationOutcome,
    SecretInfo, SecretMetadata, SecretStatus, TokenInfo, UserToken,
};
pub use vectors::{ParsedExpiry, PolicyDecision, decide_rotation, parse_secret_body};

/// Returns the version of the native library.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Does nothing: the benchmark's baseline for one UniFFI call.
#[uniffi::export]
pub fn noop() {}

uniffi::setup_scaffolding!();
