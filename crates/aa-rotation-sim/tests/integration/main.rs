//! Integration tests: real HTTP over loopback against an in-process simulator,
//! and the `aa-rotation-sim` binary as a child process.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod clock;
mod conformance;
mod control;
mod entity_token;
mod faults;
mod logging;
mod oidc;
mod secret_read;
mod secret_reset;
mod support;
mod user_token;
