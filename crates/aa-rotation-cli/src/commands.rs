//! The one-shot commands (`status`, `rotate`, `recover`, `token`, `sim`)
//! and the dispatch of every command onto a tokio runtime.

use std::future::Future;
use std::path::{Path, PathBuf};

use aa_rotation::client::MessageKind;
use aa_rotation::{RotateOptions, RotationClient};
use serde_json::json;

use crate::cli::{Cli, Command, JsonArgs, RotateArgs, SimArgs};
use crate::failure::{self, Failure, OK};
use crate::output::RotateRequest;
use crate::{check, config, daemon, demo, output};

/// Runs the parsed command and returns the process's exit code. Errors are
/// printed as one line on standard error, and with `--json` also as a JSON
/// object on standard output. `check` reports everything in its one line on
/// standard output instead.
pub fn dispatch(cli: Cli) -> u8 {
    let before = cli.config;
    let (json, result) = match cli.command {
        Command::Check(args) => {
            return match config::path(before, args.config.config) {
                Ok(path) => check::run(path.as_deref(), args.timeout),
                Err(failure) => check::print_failure(&failure),
            };
        }
        Command::Status(args) => (
            args.json,
            with_config(before, args.config.config.clone(), |path| {
                block_on(Runtime::Light, status(path, args))
            }),
        ),
        Command::Rotate(args) => (
            args.json,
            with_config(before, args.config.config.clone(), |path| {
                block_on(Runtime::Light, rotate(path, args))
            }),
        ),
        Command::Recover(args) => (
            args.json,
            with_config(before, args.config.config.clone(), |path| {
                block_on(Runtime::Light, recover(path, args))
            }),
        ),
        Command::Token(args) => (
            args.json,
            with_config(before, args.config.config.clone(), |path| {
                block_on(Runtime::Light, token(path, args))
            }),
        ),
        Command::Run(args) => (
            false,
            with_config(before, args.config.config.clone(), |path| {
                block_on(Runtime::Service, daemon::run(path, args))
            }),
        ),
        Command::Sim(args) => (
            false,
            reject_config(before, "sim", "use --seed and --sim-config")
                .and_then(|()| block_on(Runtime::Service, sim(args))),
        ),
        Command::Demo(args) => (
            false,
            reject_config(before, "demo", "it configures itself")
                .and_then(|()| block_on(Runtime::Service, demo::run(args))),
        ),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            if json {
                print_json_failure(&failure);
            }
            failure.exit_code()
        }
    }
}

/// Resolves the configuration file from `--config` before and after the
/// command (or `AA_ROTATION_CONFIG`) and runs `command` with it.
fn with_config(
    before: Option<PathBuf>,
    after: Option<PathBuf>,
    command: impl FnOnce(Option<&Path>) -> Result<u8, Failure>,
) -> Result<u8, Failure> {
    let path = config::path(before, after)?;
    command(path.as_deref())
}

/// Rejects `--config` before a command that reads no configuration file.
/// `AA_ROTATION_CONFIG` is ignored there, so that a shell that exports it
/// for the other commands can still start `sim` or `demo`.
fn reject_config(before: Option<PathBuf>, command: &str, instead: &str) -> Result<(), Failure> {
    match before {
        Some(path) => Err(Failure::Config(format!(
            "`aa-rotation {command}` reads no configuration file, so --config {} does not apply; {instead}",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// Prints `{"error": {"code", "message", "exitCode"}}` on standard output, so
/// that a script that parses `--json` output finds the failure there too.
/// The message is the same scrubbed, one-line text as on standard error.
fn print_json_failure(failure: &Failure) {
    let body = json!({
        "error": {
            "code": failure.code(),
            "message": failure.to_string(),
            "exitCode": failure.exit_code(),
        }
    });
    // The exit code and standard error already report the failure; a closed
    // standard output has nothing more to lose.
    if let Ok(text) = output::json(&body) {
        let _ = output::print(&text);
    }
}

/// The kind of tokio runtime a command runs on.
pub enum Runtime {
    /// One thread: a one-shot command makes a few sequential requests, and
    /// starts faster without worker threads.
    Light,
    /// Two worker threads, for the servers of `run`, `sim` and `demo`.
    Service,
}

pub fn block_on<T>(
    runtime: Runtime,
    future: impl Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    let mut builder = match runtime {
        Runtime::Light => tokio::runtime::Builder::new_current_thread(),
        Runtime::Service => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(2);
            builder
        }
    };
    let runtime = builder
        .enable_all()
        .build()
        .map_err(|error| Failure::Other(format!("could not start the tokio runtime: {error}")))?;
    runtime.block_on(future)
}

/// Loads the configuration and builds the client.
fn client_from(config_path: Option<&Path>) -> Result<RotationClient, Failure> {
    config::client(config::load(config_path)?)
}

async fn status(config_path: Option<&Path>, args: JsonArgs) -> Result<u8, Failure> {
    let client = client_from(config_path)?;
    let status = client.status().await?;
    let text = if args.json {
        output::json(&status)?
    } else {
        output::status_text(&status)
    };
    output::print(&text)?;
    Ok(OK)
}

async fn rotate(config_path: Option<&Path>, args: RotateArgs) -> Result<u8, Failure> {
    let client = client_from(config_path)?;
    // A dry run reports an interrupted rotation differently: a real `rotate`
    // would finish it first, and decide nothing else.
    let interrupted = if args.dry_run {
        let status = client.status().await?;
        status.journal != "idle" || status.pending
    } else {
        false
    };
    let options = RotateOptions {
        force: args.force,
        dry_run: args.dry_run,
    };
    let outcome = client.rotate(options).await?;
    let text = if args.json {
        output::json(&outcome)?
    } else {
        let request = RotateRequest {
            force: args.force,
            interrupted,
        };
        output::rotation_text(&outcome, request)
    };
    output::print(&text)?;
    Ok(OK)
}

async fn recover(config_path: Option<&Path>, args: JsonArgs) -> Result<u8, Failure> {
    let config = config::load(config_path)?;
    let has_designated_user = config.engine.credentials.is_some();
    let client = config::client(config)?;
    // `recover` fills an empty store first (bootstrap), and the outcome alone
    // would only report that there was nothing to recover.
    let entity_id = client.engine().entity_id().to_owned();
    let bootstrapped = client
        .engine()
        .store()
        .get(&entity_id)
        .await?
        .is_none_or(|record| record.effective().is_none());
    let outcome = client.recover().await?;
    let text = if args.json {
        let mut body = serde_json::to_value(&outcome).map_err(|error| {
            Failure::Other(format!("could not encode the output as JSON: {error}"))
        })?;
        if let Some(fields) = body.as_object_mut() {
            fields.insert("bootstrapped".into(), bootstrapped.into());
        }
        output::json(&body)?
    } else if bootstrapped {
        output::bootstrap_text(&outcome, has_designated_user)
    } else {
        output::recovery_text(&outcome)
    };
    output::print(&text)?;
    Ok(OK)
}

/// Prints the entity token itself: the one output of this tool that carries
/// a credential, because scripts ask for exactly that.
async fn token(config_path: Option<&Path>, args: JsonArgs) -> Result<u8, Failure> {
    let client = client_from(config_path)?;
    let token = client.access_token().await?;
    if let Some(warning) = &token.warning {
        let advice = match warning.kind {
            MessageKind::GracePeriod => "; rotate the secret now with `aa-rotation rotate`",
            _ => "",
        };
        eprintln!(
            "warning: the Token Service issued the entity token with a warning: {}{advice}",
            failure::one_line(&warning.text)
        );
    }
    let text = if args.json {
        output::json(&json!({
            "token": token.token.expose_secret(),
            "expires_at": token.expires_at,
        }))?
    } else {
        format!("{}\n", token.token.expose_secret())
    };
    output::print(&text)?;
    Ok(OK)
}

async fn sim(args: SimArgs) -> Result<u8, Failure> {
    let options = aa_rotation_sim::RunOptions {
        addr: args.addr,
        seed: args.seed,
        config: args.sim_config,
        exit_on_stdin_eof: args.exit_on_stdin_eof,
    };
    aa_rotation_sim::run(options)
        .await
        .map_err(|error| Failure::Other(format!("the simulator failed: {error}")))?;
    Ok(OK)
}
