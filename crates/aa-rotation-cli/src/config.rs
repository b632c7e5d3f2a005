//! Configuration: settings from the file and the environment, the password
//! prompt, and the client with its test failpoint.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use aa_rotation::engine::FailAction;
use aa_rotation::{Password, RotationClient, RotationConfig, Settings, StoreChoice};

use crate::failure::Failure;

/// The variable that names the configuration file when `--config` is absent.
pub const CONFIG_VARIABLE: &str = "AA_ROTATION_CONFIG";

/// The variable that arms a failpoint of the rotation protocol, for crash tests.
pub const FAILPOINT_VARIABLE: &str = "AA_ROTATION_TEST_FAILPOINT";

/// The protocol steps after which a failpoint can stop the process.
const FAILPOINT_STEPS: [&str; 5] = ["intent", "reset", "persist", "verify", "promote"];

/// Chooses the configuration file: `--config` before or after the command,
/// else `AA_ROTATION_CONFIG`. The same file given in both places is accepted;
/// two different files are rejected rather than one silently ignored.
pub fn path(before: Option<PathBuf>, after: Option<PathBuf>) -> Result<Option<PathBuf>, Failure> {
    match (before, after) {
        (Some(before), Some(after)) if before != after => Err(Failure::Config(format!(
            "--config is given twice, as {} and {}; give it once",
            before.display(),
            after.display()
        ))),
        (Some(path), _) | (None, Some(path)) => Ok(Some(path)),
        (None, None) => Ok(std::env::var_os(CONFIG_VARIABLE)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)),
    }
}

/// Loads the settings, prompts for a missing password on a terminal, and
/// checks everything.
pub fn load(path: Option<&Path>) -> Result<RotationConfig, Failure> {
    let mut settings = Settings::load(path)?;
    require_basics(&settings)?;
    prompt_for_password(&mut settings)?;
    let config = settings.into_config()?;
    reject_memory_store(&config)?;
    Ok(config)
}

/// Rejects `memory:`, which the core accepts for tests and embedding. A
/// rotation run from the command line would reset the secret at the Token
/// Service and keep the new one only until the process exits.
fn reject_memory_store(config: &RotationConfig) -> Result<(), Failure> {
    if matches!(config.store, StoreChoice::Memory) {
        return Err(Failure::Config(
            "the store is `memory:` (AA_ROTATION_STORE or `store` in the configuration file), which the command \
             line does not accept: a memory store forgets the secret when the process exits, so a rotation would \
             replace the secret at the Token Service and leave every real store with a dead secret; set \
             AA_ROTATION_STORE to file:///path/to/secret.json or a plain path"
                .into(),
        ));
    }
    Ok(())
}

/// Builds the client and arms the failpoint named by `AA_ROTATION_TEST_FAILPOINT`.
pub fn client(config: RotationConfig) -> Result<RotationClient, Failure> {
    let failpoint = failpoint_from_env()?;
    let client = RotationClient::new(config)?;
    if let Some((step, action)) = failpoint {
        tracing::warn!(step, "a test failpoint is armed by {FAILPOINT_VARIABLE}");
        client.engine().set_failpoint(step, action);
    }
    Ok(client)
}

/// Rejects settings without an entity id or a Token Service, with a message
/// that explains to a first-time user what these are and where to set them.
/// The core checks the same later, in fewer words.
fn require_basics(settings: &Settings) -> Result<(), Failure> {
    if settings.entity_id.is_none() {
        return Err(Failure::Config(
            "no entity id is set; set AA_ROTATION_ENTITY_ID to the id that the Central Registry gave your AA, FIU \
             or FIP (its client id), or put entity_id = \"...\" in the file given with --config; \
             `aa-rotation demo` shows the tool at work without any setup"
                .into(),
        ));
    }
    if settings.base_url.is_none() && settings.environment.is_none() {
        return Err(Failure::Config(
            "no Token Service is chosen; set AA_ROTATION_ENV to sandbox, uat or production, or set \
             AA_ROTATION_BASE_URL to an IAM base URL ending in /iam (such as the one `aa-rotation sim` prints)"
                .into(),
        ));
    }
    Ok(())
}

/// Asks for the designated user's password when a username is set, no
/// password is configured, and standard input is a terminal. Elsewhere (cron,
/// systemd, CI) there is no prompt, and the core reports the missing password.
fn prompt_for_password(settings: &mut Settings) -> Result<(), Failure> {
    if settings.has_password() || !std::io::stdin().is_terminal() {
        return Ok(());
    }
    let Some(username) = settings.resolved_username()? else {
        return Ok(());
    };
    let password = rpassword::prompt_password(format!("Password of designated user {username}: "))
        .map_err(|error| {
            Failure::Other(format!(
                "could not read the password from the terminal: {error}"
            ))
        })?;
    let password = Password::new(password);
    if password.is_empty() {
        return Err(Failure::Config(
            "no password was entered; type the designated user's password, or set AA_ROTATION_PASSWORD_FILE".into(),
        ));
    }
    settings.set_password(password);
    Ok(())
}

/// Parses `AA_ROTATION_TEST_FAILPOINT=step:action`, such as `persist:pause`.
fn failpoint_from_env() -> Result<Option<(&'static str, FailAction)>, Failure> {
    match std::env::var(FAILPOINT_VARIABLE) {
        Ok(text) if !text.trim().is_empty() => parse_failpoint(text.trim()).map(Some),
        _ => Ok(None),
    }
}

fn parse_failpoint(text: &str) -> Result<(&'static str, FailAction), Failure> {
    let invalid = || {
        Failure::Config(format!(
            "{FAILPOINT_VARIABLE} is {text:?}; expected step:action with step one of {} and action one of \
             panic, abort, pause",
            FAILPOINT_STEPS.join(", ")
        ))
    };
    let (step, action) = text.split_once(':').ok_or_else(invalid)?;
    let step = FAILPOINT_STEPS
        .iter()
        .copied()
        .find(|known| *known == step)
        .ok_or_else(invalid)?;
    let action = FailAction::parse(action).ok_or_else(invalid)?;
    Ok((step, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failpoint_parses_step_and_action() {
        let parsed = parse_failpoint("persist:pause").ok();
        assert_eq!(parsed, Some(("persist", FailAction::Pause)));
    }

    #[test]
    fn failpoint_rejects_unknown_step() {
        let error = parse_failpoint("launch:abort")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("intent, reset, persist, verify, promote"),
            "{error}"
        );
    }

    #[test]
    fn failpoint_rejects_missing_action() {
        assert!(parse_failpoint("reset").is_err());
        assert!(parse_failpoint("reset:explode").is_err());
    }
}
