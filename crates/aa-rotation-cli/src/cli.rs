//! The command-line grammar: global options and one struct per command.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

/// Keeps an Account Aggregator participant's Central Registry client secret
/// alive: rotates it before it expires, stores it, verifies it and hands out
/// entity tokens.
///
/// Configuration comes from the TOML file given with --config and from
/// AA_ROTATION_* variables, which override the file. Credentials come from
/// variables, from *_FILE variables, or from a password prompt on a terminal;
/// never from the command line. `aa-rotation demo` shows a whole rotation
/// against a local simulator, with no setup.
#[derive(Debug, Parser)]
#[command(name = "aa-rotation", version)]
pub struct Cli {
    /// TOML configuration file; AA_ROTATION_* variables override its values.
    #[arg(long, global = true, value_name = "FILE", env = "AA_ROTATION_CONFIG")]
    pub config: Option<PathBuf>,

    /// Log more on standard error: -v info, -vv debug, -vvv trace.
    /// AA_ROTATION_LOG (a tracing filter such as `aa_rotation=debug`) overrides it.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the stored secret: expiry, days left, whether a rotation is due,
    /// the last rotation and the lease holder.
    Status(JsonArgs),

    /// Print one line for monitoring and exit 0 (fine), 1 (rotation due),
    /// 2 (critical: expired, grace period, credentials rejected, Token Service
    /// unreachable) or 3 (unknown: bad configuration, store error).
    Check,

    /// Rotate the secret now if it is due (or at once with --force).
    Rotate(RotateArgs),

    /// Finish an interrupted rotation, or store the Token Service's current
    /// secret when the stored one was rotated elsewhere.
    Recover(JsonArgs),

    /// Print a fresh entity token on standard output, for scripts.
    Token(JsonArgs),

    /// Run as a daemon: rotate on schedule and serve /metrics and /healthz.
    Run(RunArgs),

    /// Start the Token Service simulator and print its IAM base URL.
    Sim(SimArgs),

    /// Rotate a secret end to end against an in-process simulator, with no setup.
    Demo(DemoArgs),
}

/// Options of the commands that can print JSON.
#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Rotate even when the secret is not due.
    #[arg(long)]
    pub force: bool,

    /// Decide and report what would happen, without any Reset.
    #[arg(long)]
    pub dry_run: bool,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Address of the HTTP listener for /metrics and /healthz. Port 0 picks a
    /// free port; the address in use is printed on standard output.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: SocketAddr,

    /// Allow a --listen address other than loopback. The endpoints carry no
    /// secret, but they tell anyone who can reach them when the secret expires.
    #[arg(long)]
    pub allow_remote_metrics: bool,
}

/// Options of `sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Listen address; must be a loopback address. Port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,

    /// JSON seed document with the users and entities to load at start.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,

    /// JSON simulator configuration (token lifetimes, secret validity, grace
    /// period, `expiresOn` unit).
    #[arg(long, value_name = "FILE")]
    pub sim_config: Option<PathBuf>,

    /// Also stop when standard input reaches end-of-file, so that the
    /// simulator stops with the process that started it.
    #[arg(long)]
    pub exit_on_stdin_eof: bool,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the temporary folder with the store file and the audit log.
    #[arg(long)]
    pub keep: bool,
}
