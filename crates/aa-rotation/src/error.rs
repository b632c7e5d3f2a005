//! The error type of the whole library.
//!
//! Every kind carries what a caller or an operator needs to act (HTTP status,
//! the service's `errorCode`, `errorMsg` and `txnId`, a `Retry-After` delay) and
//! never a secret, password or token: text that came from the service is scrubbed
//! of the credentials sent in the request and cut to a short length before it is
//! stored here. The bindings map [`ErrorKind`] one to one onto their own
//! exception classes and error codes.

use std::fmt;
use std::time::Duration;

/// The Token Service call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `POST /v1/user/token/generate`
    UserToken,
    /// `POST /v1/entity/secret/read`
    SecretRead,
    /// `POST /v1/entity/secret/reset`
    SecretReset,
    /// `POST /v1/entity/token/generate`
    EntityToken,
    /// The deprecated OpenID Connect `client_credentials` token endpoint.
    OidcToken,
}

impl Endpoint {
    /// Returns a stable, short name, used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::UserToken => "user_token",
            Endpoint::SecretRead => "secret_read",
            Endpoint::SecretReset => "secret_reset",
            Endpoint::EntityToken => "entity_token",
            Endpoint::OidcToken => "oidc_token",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields of the Token Service's JSON error envelope, already scrubbed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceDetail {
    /// HTTP status code.
    pub status: u16,
    /// The envelope's `errorCode`, if the body had one.
    pub error_code: Option<String>,
    /// The envelope's `errorMsg`, scrubbed and cut to 200 characters.
    pub error_msg: Option<String>,
    /// The envelope's `txnId`, or the request's when the body had none.
    pub txn_id: Option<String>,
}

impl fmt::Display for ServiceDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, ", errorCode {code:?}")?;
        }
        if let Some(msg) = &self.error_msg {
            write!(f, ", errorMsg {msg:?}")?;
        }
        if let Some(txn) = &self.txn_id {
            write!(f, ", txnId {txn}")?;
        }
        Ok(())
    }
}

/// The error kinds, with a stable code each. The Python, Node and JVM bindings
/// use the same names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidUserCredentials,
    UserTokenRejected,
    EntityNotPermitted,
    InvalidEntitySecret,
    BadRequest,
    RateLimited,
    ServerError,
    GatewayError,
    Redirected,
    Timeout,
    Connection,
    MalformedResponse,
    Config,
    Store,
    StoreConflict,
    LeaseHeld,
    LeaseLost,
    NotBootstrapped,
    RotationFailed,
    Host,
}

impl ErrorKind {
    /// Returns the stable code, for example `INVALID_USER_CREDENTIALS`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidUserCredentials => "INVALID_USER_CREDENTIALS",
            ErrorKind::UserTokenRejected => "USER_TOKEN_REJECTED",
            ErrorKind::EntityNotPermitted => "ENTITY_NOT_PERMITTED",
            ErrorKind::InvalidEntitySecret => "INVALID_ENTITY_SECRET",
            ErrorKind::BadRequest => "BAD_REQUEST",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::ServerError => "SERVER_ERROR",
            ErrorKind::GatewayError => "GATEWAY_ERROR",
            ErrorKind::Redirected => "REDIRECTED",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Connection => "CONNECTION",
            ErrorKind::MalformedResponse => "MALFORMED_RESPONSE",
            ErrorKind::Config => "CONFIG",
            ErrorKind::Store => "STORE",
            ErrorKind::StoreConflict => "STORE_CONFLICT",
            ErrorKind::LeaseHeld => "LEASE_HELD",
            ErrorKind::LeaseLost => "LEASE_LOST",
            ErrorKind::NotBootstrapped => "NOT_BOOTSTRAPPED",
            ErrorKind::RotationFailed => "ROTATION_FAILED",
            ErrorKind::Host => "HOST",
        }
    }

    /// Every kind, for bindings that build one class per kind.
    pub const ALL: [ErrorKind; 20] = [
        ErrorKind::InvalidUserCredentials,
        ErrorKind::UserTokenRejected,
        ErrorKind::EntityNotPermitted,
        ErrorKind::InvalidEntitySecret,
        ErrorKind::BadRequest,
        ErrorKind::RateLimited,
        ErrorKind::ServerError,
        ErrorKind::GatewayError,
        ErrorKind::Redirected,
        ErrorKind::Timeout,
        ErrorKind::Connection,
        ErrorKind::MalformedResponse,
        ErrorKind::Config,
        ErrorKind::Store,
        ErrorKind::StoreConflict,
        ErrorKind::LeaseHeld,
        ErrorKind::LeaseLost,
        ErrorKind::NotBootstrapped,
        ErrorKind::RotationFailed,
        ErrorKind::Host,
    ];
}

/// An error of this library. `Display` is one sentence saying what failed and
/// what to do next, and never contains a secret, password or token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Token Service rejected the designated user's username or password.
    #[error(
        "the Token Service rejected the designated user's username or password ({detail}); \
         check the configured username and password, and if the password has expired, \
         reset it through Sahamati because no software can renew it"
    )]
    InvalidUserCredentials { detail: ServiceDetail },

    /// The Token Service rejected the user token on a secret read or reset.
    #[error(
        "the Token Service rejected the user token on {endpoint} ({detail}); \
         a new user token is requested automatically, so this repeats only if the \
         designated user lost access"
    )]
    UserTokenRejected {
        endpoint: Endpoint,
        detail: ServiceDetail,
    },

    /// The designated user has no rights over the entity.
    #[error(
        "the designated user is not permitted to manage entity {entity_id} ({detail}); \
         check the entity id, or ask Sahamati to map this entity to the designated user"
    )]
    EntityNotPermitted {
        entity_id: String,
        detail: ServiceDetail,
    },

    /// The Token Service rejected the entity id and secret.
    #[error(
        "the Token Service rejected the secret of entity {entity_id} ({detail}); \
         the secret is wrong or was reset elsewhere (run `aa-rotation recover`, or `recover()` in the libraries), \
         or it has expired (run `aa-rotation rotate --force`, or `rotate` with force)"
    )]
    InvalidEntitySecret {
        entity_id: String,
        detail: ServiceDetail,
    },

    /// The Token Service rejected the request as malformed (HTTP 400).
    #[error("the Token Service rejected the {endpoint} request as invalid ({detail})")]
    BadRequest {
        endpoint: Endpoint,
        detail: ServiceDetail,
    },

    /// HTTP 429.
    #[error(
        "the Token Service rate-limited the {endpoint} request{}; try again later",
        retry_after.map(|d| format!(" (Retry-After {} s)", d.as_secs())).unwrap_or_default()
    )]
    RateLimited {
        endpoint: Endpoint,
        retry_after: Option<Duration>,
        detail: ServiceDetail,
    },

    /// An HTTP error status with the service's JSON error envelope.
    #[error("the Token Service failed the {endpoint} request ({detail}); try again later")]
    ServerError {
        endpoint: Endpoint,
        detail: ServiceDetail,
    },

    /// An HTTP error status whose body is not the service's JSON envelope, as
    /// gateways and load balancers produce.
    #[error(
        "a gateway in front of the Token Service answered the {endpoint} request with HTTP {status} \
         and a non-JSON body ({excerpt:?}); try again later"
    )]
    GatewayError {
        endpoint: Endpoint,
        status: u16,
        excerpt: String,
    },

    /// A redirect, which is never followed because the request carries credentials.
    #[error(
        "the Token Service answered the {endpoint} request with redirect HTTP {status}, which is not \
         followed because the request carries credentials; check the base URL"
    )]
    Redirected { endpoint: Endpoint, status: u16 },

    /// No complete response within the timeout.
    #[error(
        "the {endpoint} request to the Token Service timed out; check connectivity and try again"
    )]
    Timeout { endpoint: Endpoint },

    /// The connection failed or closed before a complete response arrived.
    #[error(
        "the {endpoint} request to the Token Service failed: {detail}; check connectivity and try again"
    )]
    Connection { endpoint: Endpoint, detail: String },

    /// A response that could not be understood.
    #[error("the Token Service's response to {endpoint} is invalid: {detail}")]
    MalformedResponse { endpoint: Endpoint, detail: String },

    /// Invalid configuration or input.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The secret store failed.
    #[error("secret store error: {0}")]
    Store(String),

    /// A compare-and-set write lost against another writer.
    #[error(
        "the secret store record of entity {entity_id} changed while this process was writing it \
         (expected version {expected}); another instance wrote first, so this write was discarded"
    )]
    StoreConflict { entity_id: String, expected: u64 },

    /// Another instance holds the rotation lease.
    #[error("another instance is rotating entity {entity_id} ({holder}); wait for it to finish")]
    LeaseHeld { entity_id: String, holder: String },

    /// The lease expired or was taken over while this process held it.
    #[error(
        "the rotation lease of entity {entity_id} was lost (fencing number {fence} is stale); \
         another instance took over, so this process stopped writing"
    )]
    LeaseLost { entity_id: String, fence: u64 },

    /// The store contains no secret and there is no way to obtain one.
    #[error(
        "no secret is stored for entity {entity_id}; configure the designated user's username and \
         password (the current secret is then read from the Token Service) or set AA_ROTATION_SECRET"
    )]
    NotBootstrapped { entity_id: String },

    /// A rotation step failed; the cause is attached.
    #[error(
        "rotation of entity {entity_id} failed at step {step}: {source}{}",
        recover_hint(step, source)
    )]
    RotationFailed {
        entity_id: String,
        step: &'static str,
        #[source]
        source: Box<Error>,
    },

    /// An error raised by code of the host language (a store or callback
    /// written in Python, JavaScript or Java).
    #[error("host callback failed: {0}")]
    Host(String),
}

impl Error {
    /// Returns the kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidUserCredentials { .. } => ErrorKind::InvalidUserCredentials,
            Error::UserTokenRejected { .. } => ErrorKind::UserTokenRejected,
            Error::EntityNotPermitted { .. } => ErrorKind::EntityNotPermitted,
            Error::InvalidEntitySecret { .. } => ErrorKind::InvalidEntitySecret,
            Error::BadRequest { .. } => ErrorKind::BadRequest,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::ServerError { .. } => ErrorKind::ServerError,
            Error::GatewayError { .. } => ErrorKind::GatewayError,
            Error::Redirected { .. } => ErrorKind::Redirected,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Connection { .. } => ErrorKind::Connection,
            Error::MalformedResponse { .. } => ErrorKind::MalformedResponse,
            Error::Config(_) => ErrorKind::Config,
            Error::Store(_) => ErrorKind::Store,
            Error::StoreConflict { .. } => ErrorKind::StoreConflict,
            Error::LeaseHeld { .. } => ErrorKind::LeaseHeld,
            Error::LeaseLost { .. } => ErrorKind::LeaseLost,
            Error::NotBootstrapped { .. } => ErrorKind::NotBootstrapped,
            Error::RotationFailed { .. } => ErrorKind::RotationFailed,
            Error::Host(_) => ErrorKind::Host,
        }
    }

    /// Returns the innermost error: the cause of a [`Error::RotationFailed`], else itself.
    pub fn root(&self) -> &Error {
        match self {
            Error::RotationFailed { source, .. } => source.root(),
            other => other,
        }
    }

    /// Returns the service's error envelope, for the kinds that carry one.
    pub fn detail(&self) -> Option<&ServiceDetail> {
        match self.root() {
            Error::InvalidUserCredentials { detail }
            | Error::UserTokenRejected { detail, .. }
            | Error::EntityNotPermitted { detail, .. }
            | Error::InvalidEntitySecret { detail, .. }
            | Error::BadRequest { detail, .. }
            | Error::RateLimited { detail, .. }
            | Error::ServerError { detail, .. } => Some(detail),
            _ => None,
        }
    }

    /// Returns the HTTP status, when the error came from an HTTP response.
    pub fn status(&self) -> Option<u16> {
        match self.root() {
            Error::GatewayError { status, .. } | Error::Redirected { status, .. } => Some(*status),
            other => other.detail().map(|d| d.status),
        }
    }

    /// Returns the `Retry-After` delay of a rate-limited request.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.root() {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// True for failures that a later attempt may not repeat: rate limiting,
    /// 5xx, gateway pages, timeouts and connection failures.
    pub fn is_transient(&self) -> bool {
        match self.root() {
            Error::RateLimited { .. }
            | Error::GatewayError { .. }
            | Error::Timeout { .. }
            | Error::Connection { .. } => true,
            Error::ServerError { detail, .. } => detail.status >= 500,
            _ => false,
        }
    }

    /// True when the request may have reached the service and its outcome is
    /// unknown: a timeout or a connection lost after the request was sent. For
    /// a Reset, this means the secret may have changed.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(
            self.root(),
            Error::Timeout { .. } | Error::Connection { .. }
        )
    }

    pub(crate) fn rotation(entity_id: &str, step: &'static str, source: Error) -> Error {
        match source {
            // Keep one level: a nested step error already names its step.
            already @ Error::RotationFailed { .. } => already,
            other => Error::RotationFailed {
                entity_id: entity_id.to_owned(),
                step,
                source: Box::new(other),
            },
        }
    }
}

/// Returns the advice added to a failed rotation whose new secret may exist only at
/// the Token Service: after the Reset step, or at it when the outcome is
/// unknown.
fn recover_hint(step: &str, source: &Error) -> &'static str {
    let reset_outcome_unknown = step == "reset"
        && !matches!(
            source.kind(),
            ErrorKind::InvalidUserCredentials
                | ErrorKind::UserTokenRejected
                | ErrorKind::EntityNotPermitted
                | ErrorKind::BadRequest
                | ErrorKind::RateLimited
                | ErrorKind::Config
        );
    if reset_outcome_unknown || matches!(step, "persist" | "verify" | "promote") {
        " (the Token Service may already hold a new secret: run `aa-rotation recover`, or `recover()` in the \
         libraries, once the cause is fixed)"
    } else {
        ""
    }
}

/// The result type of this library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut codes: Vec<_> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn rotation_failed_exposes_root_fields() {
        let cause = Error::RateLimited {
            endpoint: Endpoint::SecretReset,
            retry_after: Some(Duration::from_secs(7)),
            detail: ServiceDetail {
                status: 429,
                ..Default::default()
            },
        };
        let error = Error::rotation("FIU-1", "reset", cause);
        assert_eq!(error.kind(), ErrorKind::RotationFailed);
        assert_eq!(error.root().kind(), ErrorKind::RateLimited);
        assert_eq!(error.status(), Some(429));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
        assert!(error.to_string().contains("step reset"));
    }

    #[test]
    fn password_message_names_the_fix() {
        let error = Error::InvalidUserCredentials {
            detail: ServiceDetail {
                status: 401,
                ..Default::default()
            },
        };
        let text = error.to_string();
        assert!(text.contains("password has expired"));
        assert!(text.contains("Sahamati"));
    }
}
