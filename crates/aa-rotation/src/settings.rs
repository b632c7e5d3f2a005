//! Configuration from a TOML file and `AA_ROTATION_*` environment variables,
//! shared by the command line and every binding's `from_env()`.
//!
//! Variables override the file. Credentials come from variables, from files
//! named by `*_FILE` variables (or `*_file` keys), or from a prompt in the
//! command line; never from the TOML file itself, which is often checked in,
//! and never from command-line arguments, which other users can see in `ps`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::client::{ClientConfig, Environment};
use crate::engine::{EngineConfig, UserCredentials};
use crate::error::{Error, Result};
use crate::policy::{RotationPolicy, RotationWindow, days};
use crate::rotation_client::{RotationConfig, StoreChoice};
use crate::secret::{ClientSecret, Password};

/// The default store file, in the working folder.
pub const DEFAULT_STORE: &str = "./aa-rotation-secret.json";

/// Every setting; all optional until [`Settings::into_config`] checks them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `sandbox`, `uat` or `production`.
    pub environment: Option<String>,
    /// IAM base URL ending in `/iam`; overrides `environment`.
    pub base_url: Option<String>,
    pub entity_id: Option<String>,
    pub username: Option<String>,
    pub username_file: Option<PathBuf>,
    pub password_file: Option<PathBuf>,
    pub secret_file: Option<PathBuf>,
    /// `file:///path`, a path, or `memory:`.
    pub store: Option<String>,
    /// JSON-lines audit log; default: the store file's path plus `.audit.jsonl`.
    pub audit_log: Option<PathBuf>,
    pub rotate_before_days: Option<f64>,
    pub max_age_days: Option<f64>,
    pub secret_expiry_days: Option<u32>,
    /// For example `Mon-Fri 10:00-16:00 Asia/Kolkata`.
    pub window: Option<String>,
    pub jitter_minutes: Option<f64>,
    pub grace_period_days: Option<f64>,
    pub connect_timeout_seconds: Option<f64>,
    pub request_timeout_seconds: Option<f64>,
    pub max_response_bytes: Option<usize>,
    /// An extra CA certificate (PEM file) to trust.
    pub ca_file: Option<PathBuf>,
    /// The deprecated OpenID Connect token endpoint, for participants still on it.
    pub oidc_token_url: Option<String>,
    /// How often the background schedule checks the secret.
    pub check_interval_minutes: Option<f64>,
    pub lease_wait_seconds: Option<f64>,

    #[serde(skip)]
    password: Option<Password>,
    #[serde(skip)]
    secret: Option<ClientSecret>,
}

const PREFIX: &str = "AA_ROTATION_";

impl Settings {
    /// Reads the TOML file at `path` (if given), then applies the process's
    /// `AA_ROTATION_*` variables.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        Self::load_with(path, |name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`], reading variables through `var`.
    pub fn load_with(path: Option<&Path>, var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut settings = match path {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        settings.apply_env(&var)?;
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Config(format!(
                "could not read the configuration file {}: {e}",
                path.display()
            ))
        })?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            Error::Config(format!(
                "{} is not valid TOML: {}",
                path.display(),
                toml_error(&text, &e)
            ))
        })?;
        for forbidden in ["password", "secret"] {
            if table.contains_key(forbidden) {
                return Err(Error::Config(format!(
                    "{} contains `{forbidden}`; credentials do not belong in the configuration file: use \
                     `{forbidden}_file` or AA_ROTATION_{}",
                    path.display(),
                    forbidden.to_ascii_uppercase()
                )));
            }
        }
        // Deserializing the text, not the table, keeps positions for errors.
        let mut settings: Settings = toml::from_str(&text).map_err(|e: toml::de::Error| {
            Error::Config(format!("{}: {}", path.display(), toml_error(&text, &e)))
        })?;
        // Relative paths in the file are relative to the file's folder, so that
        // a service manager's working folder does not change their meaning.
        let folder = path.parent().unwrap_or(Path::new("."));
        for file in [
            &mut settings.username_file,
            &mut settings.password_file,
            &mut settings.secret_file,
            &mut settings.audit_log,
            &mut settings.ca_file,
        ]
        .into_iter()
        .flatten()
        {
            if file.is_relative() {
                *file = folder.join(&*file);
            }
        }
        if let Some(store) = &mut settings.store
            && !store.contains(':')
            && Path::new(store.as_str()).is_relative()
        {
            *store = folder.join(store.as_str()).display().to_string();
        }
        Ok(settings)
    }

    fn apply_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        let get = |name: &str| {
            var(&format!("{PREFIX}{name}"))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let number = |name: &str| -> Result<Option<f64>> {
            get(name)
                .map(|v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite() && *n >= 0.0)
                        .ok_or_else(|| {
                            Error::Config(format!(
                                "{PREFIX}{name} is {v:?}, expected a non-negative number"
                            ))
                        })
                })
                .transpose()
        };

        set(&mut self.environment, get("ENV"));
        set(&mut self.base_url, get("BASE_URL"));
        set(&mut self.entity_id, get("ENTITY_ID"));
        set(&mut self.username, get("USERNAME"));
        set(
            &mut self.username_file,
            get("USERNAME_FILE").map(PathBuf::from),
        );
        set(
            &mut self.password_file,
            get("PASSWORD_FILE").map(PathBuf::from),
        );
        set(&mut self.secret_file, get("SECRET_FILE").map(PathBuf::from));
        set(&mut self.store, get("STORE"));
        set(&mut self.audit_log, get("AUDIT_LOG").map(PathBuf::from));
        set(&mut self.rotate_before_days, number("ROTATE_BEFORE_DAYS")?);
        set(&mut self.max_age_days, number("MAX_AGE_DAYS")?);
        if let Some(days) = get("SECRET_EXPIRY_DAYS") {
            self.secret_expiry_days = Some(days.parse().map_err(|_| {
                Error::Config(format!(
                    "{PREFIX}SECRET_EXPIRY_DAYS is {days:?}, expected a whole number of days"
                ))
            })?);
        }
        set(&mut self.window, get("WINDOW"));
        set(&mut self.jitter_minutes, number("JITTER_MINUTES")?);
        set(&mut self.grace_period_days, number("GRACE_PERIOD_DAYS")?);
        set(
            &mut self.connect_timeout_seconds,
            number("CONNECT_TIMEOUT_SECONDS")?,
        );
        set(
            &mut self.request_timeout_seconds,
            number("REQUEST_TIMEOUT_SECONDS")?,
        );
        set(&mut self.ca_file, get("CA_FILE").map(PathBuf::from));
        set(&mut self.oidc_token_url, get("OIDC_TOKEN_URL"));
        set(
            &mut self.check_interval_minutes,
            number("CHECK_INTERVAL_MINUTES")?,
        );
        set(&mut self.lease_wait_seconds, number("LEASE_WAIT_SECONDS")?);

        for name in ["USERNAME", "PASSWORD", "SECRET"] {
            let direct = var(&format!("{PREFIX}{name}")).is_some_and(|v| !v.is_empty());
            let file = var(&format!("{PREFIX}{name}_FILE")).is_some_and(|v| !v.trim().is_empty());
            if direct && file {
                return Err(Error::Config(format!(
                    "both {PREFIX}{name} and {PREFIX}{name}_FILE are set; set only one of them"
                )));
            }
        }

        // Values taken as they are: a password may start or end with spaces.
        if let Some(password) = var(&format!("{PREFIX}PASSWORD")).filter(|v| !v.is_empty()) {
            self.password = Some(Password::new(password));
        }
        if let Some(secret) = var(&format!("{PREFIX}SECRET")).filter(|v| !v.is_empty()) {
            self.secret = Some(ClientSecret::new(secret));
        }
        Ok(())
    }

    /// Sets the designated user's password (from a prompt, say).
    pub fn set_password(&mut self, password: Password) {
        self.password = Some(password);
    }

    /// Sets the secret that bootstraps an empty store.
    pub fn set_secret(&mut self, secret: ClientSecret) {
        self.secret = Some(secret);
    }

    /// True when a password is configured, directly or through a file.
    pub fn has_password(&self) -> bool {
        self.password.is_some() || self.password_file.is_some()
    }

    /// Returns the username, from the setting or its file.
    pub fn resolved_username(&self) -> Result<Option<String>> {
        if let Some(name) = &self.username {
            return Ok(Some(name.clone()));
        }
        self.username_file
            .as_deref()
            .map(|p| read_credential_file(p, "username"))
            .transpose()
    }

    /// Checks everything and builds the client configuration.
    pub fn into_config(self) -> Result<RotationConfig> {
        let entity_id = self.entity_id.clone().ok_or_else(|| {
            Error::Config("the entity id is not set; set AA_ROTATION_ENTITY_ID or entity_id".into())
        })?;

        let mut client = match (&self.base_url, &self.environment) {
            (Some(url), _) => ClientConfig::for_base_url(url)?,
            (None, Some(name)) => ClientConfig::for_environment(Environment::parse(name)?),
            (None, None) => {
                return Err(Error::Config(
                    "no Token Service is configured; set AA_ROTATION_ENV (sandbox, uat or production) or \
                     AA_ROTATION_BASE_URL"
                        .into(),
                ));
            }
        };
        if let Some(seconds) = self.connect_timeout_seconds {
            client.connect_timeout = positive_seconds_setting("connect_timeout_seconds", seconds)?;
        }
        if let Some(seconds) = self.request_timeout_seconds {
            client.request_timeout = positive_seconds_setting("request_timeout_seconds", seconds)?;
        }
        if let Some(bytes) = self.max_response_bytes {
            // The largest legitimate response is a few kilobytes.
            if bytes < 16 * 1024 {
                return Err(Error::Config(format!(
                    "max_response_bytes is {bytes}, below the 16384 bytes a Token Service response may need"
                )));
            }
            client.max_response_bytes = bytes;
        }
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                Error::Config(format!(
                    "could not read the CA certificate file {}: {e}",
                    path.display()
                ))
            })?;
            if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                return Err(Error::Config(format!(
                    "the CA certificate file {} ({}) contains no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    path.display(),
                    setting_name("ca_file")
                )));
            }
            client.extra_ca_pem = Some(pem);
        }
        if let Some(url) = &self.oidc_token_url {
            client.legacy_oidc_token_url = Some(Url::parse(url).map_err(|e| {
                Error::Config(format!("invalid OpenID Connect token URL {url:?}: {e}"))
            })?);
        }
        client.validate()?;

        let username = self.resolved_username()?;
        let password = match (&self.password, &self.password_file) {
            (Some(password), _) => Some(password.clone()),
            (None, Some(path)) => Some(Password::new(read_credential_file(path, "password")?)),
            (None, None) => None,
        };
        if password.as_ref().is_some_and(Password::is_empty) {
            return Err(Error::Config(
                "the designated user's password is empty; give the password (AA_ROTATION_PASSWORD or password)"
                    .into(),
            ));
        }
        if username
            .as_deref()
            .is_some_and(|name| name.trim().is_empty())
        {
            return Err(Error::Config(
                "the designated user's username is empty; give the username (AA_ROTATION_USERNAME or username)"
                    .into(),
            ));
        }
        let credentials = match (username, password) {
            (Some(username), Some(password)) => Some(UserCredentials { username, password }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(Error::Config(
                    "the designated user's username is set but the password is not; set AA_ROTATION_PASSWORD or \
                     AA_ROTATION_PASSWORD_FILE"
                        .into(),
                ));
            }
            (None, Some(_)) => {
                return Err(Error::Config(
                    "the designated user's password is set but the username is not; set AA_ROTATION_USERNAME".into(),
                ));
            }
        };
        let bootstrap_secret = match (&self.secret, &self.secret_file) {
            (Some(secret), _) => Some(secret.clone()),
            (None, Some(path)) => Some(ClientSecret::new(read_credential_file(path, "secret")?)),
            (None, None) => None,
        };

        let mut policy = RotationPolicy::default();
        if let Some(d) = self.rotate_before_days {
            policy.rotate_before = day_setting("rotate_before_days", d)?;
        }
        if let Some(d) = self.max_age_days {
            policy.max_age = Some(day_setting("max_age_days", d)?);
        }
        if let Some(d) = self.secret_expiry_days {
            if d == 0 {
                return Err(Error::Config(format!(
                    "{} is 0, expected at least 1",
                    setting_name("secret_expiry_days")
                )));
            }
            policy.secret_expiry_days = Some(d);
        }
        if let Some(window) = &self.window {
            policy.window = Some(RotationWindow::parse(window)?);
        }
        if let Some(minutes) = self.jitter_minutes {
            policy.jitter = seconds_setting("jitter_minutes", minutes * 60.0)?;
        }
        if let Some(d) = self.grace_period_days {
            policy.grace_period = day_setting("grace_period_days", d)?;
        }

        let store_url = self
            .store
            .clone()
            .unwrap_or_else(|| DEFAULT_STORE.to_owned());
        let store = StoreChoice::parse(&store_url)?;
        let audit_log = self.audit_log.clone().or_else(|| match &store {
            StoreChoice::File(path) => Some(crate::store::file::sibling(path, ".audit.jsonl")),
            _ => None,
        });

        let mut engine = EngineConfig::new(entity_id);
        engine.credentials = credentials;
        engine.bootstrap_secret = bootstrap_secret;
        engine.policy = policy;
        if let Some(seconds) = self.lease_wait_seconds {
            engine.lease_wait = seconds_setting("lease_wait_seconds", seconds)?;
        }
        let mut config = RotationConfig::new(engine, client, store);
        config.audit_log = audit_log;
        if let Some(minutes) = self.check_interval_minutes {
            config.check_interval =
                positive_seconds_setting("check_interval_minutes", minutes * 60.0)?
                    .max(Duration::from_secs(1));
        }
        Ok(config)
    }
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

/// `rotate_before_days (AA_ROTATION_ROTATE_BEFORE_DAYS)`: both names a
/// setting goes by, since the user may have used either.
fn setting_name(key: &str) -> String {
    format!("{key} ({PREFIX}{})", key.to_ascii_uppercase())
}

fn seconds_setting(name: &str, seconds: f64) -> Result<Duration> {
    if seconds.is_nan() || seconds < 0.0 {
        return Err(Error::Config(format!(
            "{} is {seconds}, expected a non-negative number",
            setting_name(name)
        )));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        Error::Config(format!(
            "{} is too large ({seconds} seconds)",
            setting_name(name)
        ))
    })
}

/// Like [`seconds_setting`], for timeouts and intervals that must be above zero.
fn positive_seconds_setting(name: &str, seconds: f64) -> Result<Duration> {
    let duration = seconds_setting(name, seconds)?;
    if duration.is_zero() {
        return Err(Error::Config(format!(
            "{} is 0, expected a number above zero",
            setting_name(name)
        )));
    }
    Ok(duration)
}

/// Describes a TOML error by line and key, in plain words, without quoting
/// the rest of the file.
fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error
        .message()
        .replace("expected f64", "expected a number")
        .replace("expected u32", "expected a whole number")
        .replace("expected usize", "expected a whole number")
        .replace("expected u64", "expected a whole number");
    let Some(span) = error.span() else {
        return message;
    };
    let line_number = text[..span.start.min(text.len())].matches('\n').count() + 1;
    let line = text.lines().nth(line_number - 1).unwrap_or_default();
    match line.split_once('=') {
        Some((key, _)) => format!("line {line_number}, key `{}`: {message}", key.trim()),
        None => format!("line {line_number}: {message}"),
    }
}

fn day_setting(name: &str, value: f64) -> Result<Duration> {
    if !(0.0..=3650.0).contains(&value) {
        return Err(Error::Config(format!(
            "{} is {value}, expected a number of days from 0 to 3650",
            setting_name(name)
        )));
    }
    Ok(Duration::from_secs_f64(value * days(1).as_secs_f64()))
}

/// Reads a credential from a file, dropping one trailing newline. Rejects a
/// file that others can read, because a credential file needs mode 0600 (or
/// 0400) as much as the store does.
fn read_credential_file(path: &Path, what: &str) -> Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).map_err(|e| {
        Error::Config(format!(
            "could not read the {what} file {}: {e}",
            path.display()
        ))
    })?;
    if !metadata.is_file() {
        return Err(Error::Config(format!(
            "the {what} file {} is not a regular file",
            path.display()
        )));
    }
    let mode = metadata.permissions().mode() & 0o777;
    if what != "username" && mode & 0o007 != 0 {
        return Err(Error::Config(format!(
            "the {what} file {} has mode {mode:03o}, readable by all users; run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Config(format!(
            "could not read the {what} file {}: {e}",
            path.display()
        ))
    })?;
    let value = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text)
        .to_owned();
    if value.is_empty() {
        return Err(Error::Config(format!(
            "the {what} file {} is empty",
            path.display()
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn environment_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aa.toml");
        std::fs::write(
            &path,
            "environment = \"uat\"\nentity_id = \"FROM-FILE\"\nrotate_before_days = 45\n",
        )
        .unwrap();
        let settings =
            Settings::load_with(Some(&path), vars(&[("AA_ROTATION_ENTITY_ID", "FROM-ENV")]))
                .unwrap();
        assert_eq!(settings.entity_id.as_deref(), Some("FROM-ENV"));
        let config = settings.into_config().unwrap();
        assert_eq!(config.engine.policy.rotate_before, days(45));
        assert_eq!(
            config.client.base_url.as_str(),
            "https://api.uat.sahamati.org.in/iam"
        );
    }

    #[test]
    fn password_in_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aa.toml");
        std::fs::write(&path, "password = \"hunter2\"\n").unwrap();
        let error = Settings::load_with(Some(&path), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("password_file"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn unknown_key_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aa.toml");
        std::fs::write(&path, "entityid = \"x\"\n").unwrap();
        let error = Settings::load_with(Some(&path), vars(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("entityid"), "{error}");
    }

    #[test]
    fn missing_service_names_both_variables() {
        let settings = Settings::load_with(None, vars(&[("AA_ROTATION_ENTITY_ID", "E")])).unwrap();
        let error = settings.into_config().unwrap_err().to_string();
        assert!(
            error.contains("AA_ROTATION_ENV") && error.contains("AA_ROTATION_BASE_URL"),
            "{error}"
        );
    }

    #[test]
    fn password_file_is_read_and_checked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret pass\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let file_text = file.to_str().unwrap();
        let env = [
            ("AA_ROTATION_ENTITY_ID", "E"),
            ("AA_ROTATION_BASE_URL", "http://127.0.0.1:9/iam"),
            ("AA_ROTATION_USERNAME", "ops@example.com"),
            ("AA_ROTATION_PASSWORD_FILE", file_text),
        ];
        let config = Settings::load_with(None, vars(&env))
            .unwrap()
            .into_config()
            .unwrap();
        let credentials = config.engine.credentials.unwrap();
        assert_eq!(credentials.password.expose_secret(), "s3cret pass");

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = Settings::load_with(None, vars(&env))
            .unwrap()
            .into_config()
            .unwrap_err()
            .to_string();
        assert!(error.contains("chmod 600"), "{error}");
    }

    #[test]
    fn empty_password_from_a_library_is_rejected() {
        let mut settings = Settings::load_with(
            None,
            vars(&[
                ("AA_ROTATION_ENTITY_ID", "E"),
                ("AA_ROTATION_ENV", "uat"),
                ("AA_ROTATION_USERNAME", "ops@example.com"),
            ]),
        )
        .unwrap();
        settings.set_password(Password::new(""));
        let error = settings.into_config().unwrap_err().to_string();
        assert!(error.contains("password is empty"), "{error}");
    }

    #[test]
    fn bad_numbers_name_the_variable() {
        let error = Settings::load_with(None, vars(&[("AA_ROTATION_ROTATE_BEFORE_DAYS", "soon")]))
            .unwrap_err();
        assert!(
            error.to_string().contains("AA_ROTATION_ROTATE_BEFORE_DAYS"),
            "{error}"
        );
    }

    #[test]
    fn username_without_password_is_rejected() {
        let env = [
            ("AA_ROTATION_ENTITY_ID", "E"),
            ("AA_ROTATION_ENV", "sandbox"),
            ("AA_ROTATION_USERNAME", "ops@example.com"),
        ];
        let error = Settings::load_with(None, vars(&env))
            .unwrap()
            .into_config()
            .unwrap_err()
            .to_string();
        assert!(error.contains("AA_ROTATION_PASSWORD"), "{error}");
    }
}
