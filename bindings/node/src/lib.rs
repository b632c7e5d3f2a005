//! Node.js bindings of aa-rotation, built with napi-rs.
//!
//! This crate is the native half of the npm package in `node/`. It converts
//! types, errors and async calls, and nothing more: every decision about
//! rotation, caching and storage belongs to the `aa-rotation` crate. The
//! JavaScript layer in `node/lib/` wraps these classes into the public API
//! (`RotationClient`, `TokenServiceClient`, `AaRotationError`, `Secret`).
//! It also keeps a copy of the current entity token, which
//! [`client::NativeRotationClient`] pushes to it whenever the core's cache
//! changes, so that a cached `accessToken()` never crosses into Rust.
//!
//! - [`client`]: `RotationClient` and its options.
//! - [`token_service`]: the Token Service's four raw calls.
//! - [`js_store`]: a secret store written in JavaScript.
//! - [`logging`]: `tracing` events forwarded to a JavaScript logger.
//! - [`simulator`]: the Token Service simulator, for tests.
//! - [`vectors`]: the shared test vectors' entry points.
//! - [`errors`] and [`views`]: conversions of errors and results.

// napi-derive expands `#[napi]` into registration code with `unsafe` blocks
// (raw Node-API calls); this crate itself writes no unsafe code.
#![allow(unsafe_code)]
// The unit tests link no Node.js, and napi-derive leaves out the registration
// of exported items there, so those items look unused to the test build.
#![cfg_attr(test, allow(dead_code))]

mod client;
mod errors;
mod js_store;
mod logging;
mod simulator;
mod token_service;
mod vectors;
mod views;

use napi_derive::napi;

/// Does nothing and returns nothing. The benchmark uses it to measure the
/// cost of one synchronous call into the addon.
#[napi]
pub fn noop() {}

/// Returns every error code that `AaRotationError.code` can take, such as
/// `INVALID_USER_CREDENTIALS`.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    aa_rotation::ErrorKind::ALL
        .iter()
        .map(|kind| kind.code())
        .collect()
}
