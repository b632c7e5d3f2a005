//! The one-shot commands (`status`, `check`, `rotate`, `recover`, `token`,
//! `sim`) and the dispatch of every command onto a tokio runtime.

use std::future::Future;
use std::path::Path;

use aa_rotation::client::MessageKind;
use aa_rotation::engine::UserCredentials;
use aa_rotation::{Error, RotateOptions, RotationClient, SecretStatus};
use serde_json::json;

use crate::cli::{Cli, Command, JsonArgs, RotateArgs, SimArgs};
use crate::failure::{self, CRITICAL, DUE, Failure, OK, UNKNOWN};
use crate::{config, daemon, demo, output};

/// Runs the parsed command and returns the process's exit code. Errors are
/// printed as one line on standard error, except for `check`, which reports
/// everything in its one line on standard output.
pub fn dispatch(cli: Cli) -> u8 {
    let config = cli.config.as_deref();
    let result = match cli.command {
        Command::Check => return check(config),
        Command::Status(args) => block_on(Runtime::Light, status(config, args)),
        Command::Rotate(args) => block_on(Runtime::Light, rotate(config, args)),
        Command::Recover(args) => block_on(Runtime::Light, recover(config, args)),
        Command::Token(args) => block_on(Runtime::Light, token(config, args)),
        Command::Run(args) => block_on(Runtime::Service, daemon::run(config, args)),
        Command::Sim(args) => block_on(Runtime::Service, sim(args)),
        Command::Demo(args) => block_on(Runtime::Service, demo::run(args)),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.exit_code()
        }
    }
}

/// The kind of tokio runtime a command runs on.
enum Runtime {
    /// One thread: a one-shot command makes a few sequential requests, and
    /// starts faster without worker threads.
    Light,
    /// Two worker threads, for the servers of `run`, `sim` and `demo`.
    Service,
}

fn block_on<T>(
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
    let options = RotateOptions {
        force: args.force,
        dry_run: args.dry_run,
    };
    let outcome = client.rotate(options).await?;
    let text = if args.json {
        output::json(&outcome)?
    } else {
        output::rotation_text(&outcome)
    };
    output::print(&text)?;
    Ok(OK)
}

async fn recover(config_path: Option<&Path>, args: JsonArgs) -> Result<u8, Failure> {
    let client = client_from(config_path)?;
    let outcome = client.recover().await?;
    let text = if args.json {
        output::json(&outcome)?
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

/// `check`: prints one line such as `OK: entity FIU-1: 100.0 days left; ...`
/// and returns the monitoring exit code.
fn check(config_path: Option<&Path>) -> u8 {
    let (code, message) = block_on(Runtime::Light, check_line(config_path))
        .unwrap_or_else(|failure| (failure.exit_code(), failure.to_string()));
    let label = match code {
        OK => "OK",
        DUE => "WARNING",
        CRITICAL => "CRITICAL",
        _ => "UNKNOWN",
    };
    // A failed write leaves the exit code, which is what monitoring reads.
    let _ = output::print(&format!("{label}: {}\n", failure::one_line(&message)));
    code
}

async fn check_line(config_path: Option<&Path>) -> Result<(u8, String), Failure> {
    let config = config::load(config_path)?;
    let entity_id = config.engine.entity_id.clone();
    let credentials = config.engine.credentials.clone();
    let client = config::client(config)?;

    let status = match client.status().await {
        Ok(status) => status,
        Err(error) => {
            return Ok((
                failure::severity(&error),
                format!("entity {entity_id}: {error}"),
            ));
        }
    };
    let summary = state_summary(&status);
    match probe(&client, credentials).await {
        Ok(()) => Ok((
            state_code(&status),
            format!("entity {entity_id}: {summary}"),
        )),
        Err(error) => {
            let code = failure::worst(state_code(&status), failure::severity(&error));
            Ok((
                code,
                format!("entity {entity_id}: {error}; stored secret: {summary}"),
            ))
        }
    }
}

/// Proves that the Token Service is reachable, that the stored secret still
/// issues an entity token, and that the designated user can still sign in:
/// a stored record alone shows none of these.
async fn probe(client: &RotationClient, credentials: Option<UserCredentials>) -> Result<(), Error> {
    client.access_token().await?;
    if let Some(credentials) = credentials {
        client
            .token_service()
            .generate_user_token(&credentials.username, &credentials.password)
            .await?;
    }
    Ok(())
}

fn state_summary(status: &SecretStatus) -> String {
    match status.expires_at {
        Some(expires) => format!("{}; expires {}", status.reason, output::utc(expires)),
        None => format!(
            "{}; {}",
            status.reason,
            output::unknown_expiry(status.expiry_source)
        ),
    }
}

/// Returns the `check` code of the secret's state.
fn state_code(status: &SecretStatus) -> u8 {
    u8::try_from(status.state.check_code()).unwrap_or(UNKNOWN)
}
