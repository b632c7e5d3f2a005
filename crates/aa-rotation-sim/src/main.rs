//! `aa-rotation-sim`: runs the Token Service simulator until SIGINT or SIGTERM.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Token Service simulator for tests and CI. Prints the IAM base URL as the
/// first line of standard output and logs to standard error (filter with RUST_LOG).
#[derive(Debug, Parser)]
#[command(name = "aa-rotation-sim", version)]
struct Args {
    /// Listen address, which must be a loopback address. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,

    /// JSON seed document with users and entities to load at start.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,

    /// JSON simulator configuration (camelCase fields, all optional).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Also exit when standard input reaches end-of-file, so that the
    /// simulator stops when the parent process that started it dies.
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let options = aa_rotation_sim::RunOptions {
        addr: args.addr,
        seed: args.seed,
        config: args.config,
        exit_on_stdin_eof: args.exit_on_stdin_eof,
    };
    match aa_rotation_sim::run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("aa-rotation-sim: {error}");
            ExitCode::FAILURE
        }
    }
}
