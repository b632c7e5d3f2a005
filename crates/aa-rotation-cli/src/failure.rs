//! Exit codes and the command line's error type.
//!
//! Every command shares the exit codes of `check`, which follow the
//! Nagios plugin convention that most monitoring systems read: 0 fine,
//! 1 rotation due, 2 critical, 3 unknown.

use std::fmt;

use aa_rotation::{Error, ErrorKind};

/// The command did what was asked, or `check` found nothing wrong.
pub const OK: u8 = 0;
/// `check` only: a rotation is due.
pub const DUE: u8 = 1;
/// The credentials were rejected, the Token Service failed or was
/// unreachable, or (for `check`) the secret is expired or in its grace period.
pub const CRITICAL: u8 = 2;
/// Bad configuration or usage, a store error, or any other failure.
pub const UNKNOWN: u8 = 3;

/// The reason a command failed.
#[derive(Debug)]
pub enum Failure {
    /// An error of the core library.
    Core(Error),
    /// Invalid configuration found by the command line itself.
    Config(String),
    /// Anything else, such as a simulator that could not start.
    Other(String),
}

impl Failure {
    /// Returns the exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Core(error) => severity(error),
            Failure::Config(_) | Failure::Other(_) => UNKNOWN,
        }
    }

    /// Returns the stable code of this failure for `--json` output: the
    /// core's code of the root cause (such as `INVALID_USER_CREDENTIALS`),
    /// `CONFIG` for configuration that the command line rejected, or `OTHER`.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Core(error) => error.root().kind().code(),
            Failure::Config(_) => ErrorKind::Config.code(),
            Failure::Other(_) => "OTHER",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Errors print on one line, so that a log or monitoring system shows
        // them whole even if a service message contained a line break.
        let text = match self {
            Failure::Core(error) => error.to_string(),
            Failure::Config(message) => format!("invalid configuration: {message}"),
            Failure::Other(message) => message.clone(),
        };
        f.write_str(&one_line(&text))
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Core(error)
    }
}

/// Returns the exit code of a core error: [`CRITICAL`] when the credentials were
/// rejected or the Token Service failed, [`UNKNOWN`] for configuration,
/// store and lease errors.
pub fn severity(error: &Error) -> u8 {
    match error.root().kind() {
        ErrorKind::InvalidUserCredentials
        | ErrorKind::UserTokenRejected
        | ErrorKind::EntityNotPermitted
        | ErrorKind::InvalidEntitySecret
        | ErrorKind::Timeout
        | ErrorKind::Connection
        | ErrorKind::GatewayError
        | ErrorKind::ServerError
        | ErrorKind::RateLimited
        | ErrorKind::BadRequest
        | ErrorKind::Redirected
        | ErrorKind::MalformedResponse => CRITICAL,
        _ => UNKNOWN,
    }
}

/// Combines two `check` codes: critical wins over unknown, which wins over
/// due and fine.
pub fn worst(a: u8, b: u8) -> u8 {
    if a == CRITICAL || b == CRITICAL {
        CRITICAL
    } else {
        a.max(b)
    }
}

/// Replaces line breaks with spaces.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aa_rotation::{Endpoint, ServiceDetail};

    #[test]
    fn credential_and_service_errors_are_critical() {
        let rejected = Error::InvalidUserCredentials {
            detail: ServiceDetail::default(),
        };
        let timeout = Error::Timeout {
            endpoint: Endpoint::SecretRead,
        };
        assert_eq!(severity(&rejected), CRITICAL);
        assert_eq!(severity(&timeout), CRITICAL);
    }

    #[test]
    fn config_and_store_errors_are_unknown() {
        assert_eq!(severity(&Error::Config("x".into())), UNKNOWN);
        assert_eq!(severity(&Error::Store("x".into())), UNKNOWN);
    }

    #[test]
    fn worst_prefers_critical_over_unknown() {
        assert_eq!(worst(UNKNOWN, CRITICAL), CRITICAL);
        assert_eq!(worst(DUE, UNKNOWN), UNKNOWN);
        assert_eq!(worst(OK, DUE), DUE);
    }

    #[test]
    fn code_is_root_cause_code() {
        let rotation = Error::RotationFailed {
            entity_id: "FIU-1".into(),
            step: "reset",
            source: Box::new(Error::InvalidUserCredentials {
                detail: ServiceDetail::default(),
            }),
        };
        assert_eq!(Failure::Core(rotation).code(), "INVALID_USER_CREDENTIALS");
        assert_eq!(Failure::Config("x".into()).code(), "CONFIG");
        assert_eq!(Failure::Other("x".into()).code(), "OTHER");
    }

    #[test]
    fn display_is_one_line() {
        let failure = Failure::Other("first\nsecond\r\nthird".into());
        assert_eq!(failure.to_string(), "first second third");
    }
}
