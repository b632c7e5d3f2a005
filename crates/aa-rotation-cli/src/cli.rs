//! The command-line grammar: global options and one struct per command.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

/// Keeps an Account Aggregator participant's Central Registry client secret
/// alive: rotates it before it expires, stores it, verifies it and hands out
/// entity tokens.
///
/// Configuration comes from the TOML file given with --config (or
/// AA_ROTATION_CONFIG) and from AA_ROTATION_* variables, which override the
/// file. Credentials come from variables, from *_FILE variables, or from a
/// password prompt on a terminal; never from the command line.
/// `aa-rotation demo` shows a whole rotation against a local simulator, with
/// no setup.
#[derive(Debug, Parser)]
#[command(name = "aa-rotation", version)]
pub struct Cli {
    /// TOML configuration file of status, check, rotate, recover, token and
    /// run (also accepted after the command; default: AA_ROTATION_CONFIG).
    /// sim and demo read no configuration file.
    // Not `global`: a global option would be listed in the help of sim and
    // demo, which ignore it.
    #[arg(long, value_name = "FILE")]
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
    /// 2 (critical: expired, grace period, credentials rejected, stored secret
    /// not the Token Service's current one, Token Service unreachable or too
    /// slow) or 3 (unknown: bad configuration, store error).
    Check(CheckArgs),

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

/// The `--config` option of the commands that read the configuration.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML configuration file (default: AA_ROTATION_CONFIG); AA_ROTATION_*
    /// variables override its values.
    // The variable is read in `commands`, not through clap's `env`, so that
    // `aa-rotation --config FILE status` wins over the variable.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Options of `status`, `recover` and `token`.
#[derive(Debug, Args)]
pub struct JsonArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Print JSON instead of text; on failure, print {"error": {...}} on
    /// standard output as well as the error line on standard error.
    #[arg(long)]
    pub json: bool,
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Deadline of the whole check, in seconds. When it passes, `check`
    /// prints CRITICAL and exits 2.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = positive_seconds)]
    pub timeout: f64,
}

/// Options of `rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Rotate even when the secret is not due.
    #[arg(long)]
    pub force: bool,

    /// Decide and report what would happen, without any Reset.
    #[arg(long)]
    pub dry_run: bool,

    /// Print JSON instead of text; on failure, print {"error": {...}} on
    /// standard output as well as the error line on standard error.
    #[arg(long)]
    pub json: bool,
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Address (IP:PORT) of the HTTP listener for /metrics and /healthz. Port
    /// 0 picks a free port; the address in use is printed on standard output.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464", value_parser = socket_address)]
    pub listen: SocketAddr,

    /// Allow a --listen address other than loopback. The endpoints carry no
    /// secret, but they tell anyone who can reach them when the secret expires.
    #[arg(long)]
    pub allow_remote_metrics: bool,
}

/// Options of `sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Listen address (IP:PORT); must be a loopback address. Port 0 picks a
    /// free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0", value_parser = socket_address)]
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

/// Parses an IP address and port. Host names such as `localhost` are not
/// resolved, because a name can resolve to a non-loopback address.
fn socket_address(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| {
        format!(
            "{text:?} is not an IP address and port; host names are not resolved, so use an address such as \
             127.0.0.1:PORT (or [::1]:PORT)"
        )
    })
}

/// Parses a positive, finite number of seconds.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(seconds),
        _ => Err(format!(
            "{text:?} is not a positive number of seconds, such as 30 or 2.5"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_address_hints_at_ip() {
        let error = socket_address("localhost:9999").err().unwrap_or_default();
        assert!(error.contains("127.0.0.1:PORT"), "{error}");
        assert_eq!(
            socket_address("127.0.0.1:9999").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 9999)))
        );
    }

    #[test]
    fn positive_seconds_rejects_zero_and_text() {
        assert_eq!(positive_seconds("2.5").ok(), Some(2.5));
        assert!(positive_seconds("0").is_err());
        assert!(positive_seconds("-1").is_err());
        assert!(positive_seconds("soon").is_err());
        assert!(positive_seconds("inf").is_err());
    }
}
