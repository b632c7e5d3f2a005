//! Integration tests of the `aa-rotation` binary against the real simulator
//! over loopback. Each test starts its own simulator and store folder, and
//! runs the binary with an empty environment plus the variables it sets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod check;
mod crash;
mod daemon;
mod demo;
mod errors;
mod prompt;
mod rotate;
mod sim;
mod status;
mod support;
mod token;
