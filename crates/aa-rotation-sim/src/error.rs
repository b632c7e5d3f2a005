//! Errors returned by the simulator's Rust API and by [`crate::run`].

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Failure to start, configure, seed or drive the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address is not a loopback address.
    #[error(
        "listen address {addr} is not a loopback address: the simulator listens on loopback only, \
         so use 127.0.0.1:PORT or [::1]:PORT"
    )]
    NonLoopbackAddress {
        /// The rejected address.
        addr: SocketAddr,
    },

    /// Binding the listen socket failed.
    #[error("failed to listen on {addr}: {source}")]
    Bind {
        /// The address that could not be bound.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },

    /// A [`crate::SimConfig`] value is out of range.
    #[error("invalid simulator configuration: {0}")]
    InvalidConfig(String),

    /// A [`crate::Fault`] or its count cannot be injected as given.
    #[error("invalid fault: {0}")]
    InvalidFault(String),

    /// A seed document entry is invalid.
    #[error("invalid seed document: {0}")]
    InvalidSeed(String),

    /// Reading a seed or configuration file failed.
    #[error("failed to read {}: {source}", path.display())]
    ReadFile {
        /// The file that could not be read.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },

    /// A seed or configuration file is not JSON of the expected shape.
    #[error("failed to parse {} as JSON: {source}", path.display())]
    ParseFile {
        /// The file that could not be parsed.
        path: PathBuf,
        /// The parser's error, with line and column.
        source: serde_json::Error,
    },

    /// Writing to standard output or installing a signal handler failed.
    #[error("{context}: {source}")]
    Io {
        /// Operation that failed, such as writing the base URL.
        context: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
}
