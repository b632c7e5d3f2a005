//! The error type that crosses to the JVM: one variant per core
//! [`ErrorKind`], each carrying the same [`ErrorDetail`].
//!
//! The Kotlin bindings turn it into a sealed `RotationException` with one
//! subclass per variant; the hand-written facades of both artifacts map those
//! onto `org.aarotation.*Exception` classes by `ErrorDetail::code`.

use aa_rotation::{Error, ErrorKind};

/// Everything a JVM caller needs to act on an error. Never contains a
/// secret, password or token: the core scrubs service text before it stores
/// it in an error.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ErrorDetail {
    /// The stable code, such as `INVALID_USER_CREDENTIALS`.
    pub code: String,
    /// One sentence saying what failed and what to do next.
    pub message: String,
    /// The HTTP status, when the error came from an HTTP response.
    pub status: Option<i32>,
    /// The service's `errorCode`.
    pub error_code: Option<String>,
    /// The service's `errorMsg`, scrubbed and shortened by the core.
    pub error_msg: Option<String>,
    /// The `txnId` of the failed request.
    pub txn_id: Option<String>,
    /// The `Retry-After` delay of a rate-limited request, in seconds.
    pub retry_after_seconds: Option<i64>,
    /// For `ROTATION_FAILED`: the protocol step that failed.
    pub step: Option<String>,
    /// For `ROTATION_FAILED`: the code of the innermost cause.
    pub cause_code: Option<String>,
    /// For `ROTATION_FAILED`: the message of the innermost cause.
    pub cause_message: Option<String>,
}

macro_rules! rotation_error {
    ($($(#[$doc:meta])* $variant:ident),* $(,)?) => {
        /// An error of the aa-rotation library, one variant per error kind.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum RotationError {
            $(
                $(#[$doc])*
                #[error("{}", detail.message)]
                $variant { detail: ErrorDetail },
            )*
        }

        impl RotationError {
            /// Wraps `detail` in the variant of `kind`.
            fn of_kind(kind: ErrorKind, detail: ErrorDetail) -> Self {
                match kind {
                    $(ErrorKind::$variant => RotationError::$variant { detail },)*
                }
            }

            /// The detail that every variant carries.
            pub fn detail(&self) -> &ErrorDetail {
                match self {
                    $(RotationError::$variant { detail } => detail,)*
                }
            }
        }
    };
}

rotation_error! {
    /// The Token Service rejected the designated user's username or password.
    InvalidUserCredentials,
    /// The Token Service rejected the user token on a secret read or reset.
    UserTokenRejected,
    /// The designated user has no rights over the entity.
    EntityNotPermitted,
    /// The Token Service rejected the entity id and secret.
    InvalidEntitySecret,
    /// The Token Service rejected a request as malformed (HTTP 400).
    BadRequest,
    /// HTTP 429.
    RateLimited,
    /// An HTTP error status with the service's JSON error envelope.
    ServerError,
    /// An HTTP error status with a body that is not the service's envelope,
    /// such as a gateway's HTML page.
    GatewayError,
    /// A redirect, never followed because the request carries credentials.
    Redirected,
    /// No complete response within the timeout.
    Timeout,
    /// The connection failed or closed before a complete response arrived.
    Connection,
    /// A response that could not be understood.
    MalformedResponse,
    /// Invalid configuration or input.
    Config,
    /// The secret store failed.
    Store,
    /// A compare-and-set write lost against another writer.
    StoreConflict,
    /// Another instance holds the rotation lease.
    LeaseHeld,
    /// The lease expired or was taken over while this process held it.
    LeaseLost,
    /// The store holds no secret and there is no way to obtain one.
    NotBootstrapped,
    /// A rotation step failed; `cause_code` and `cause_message` name the cause.
    RotationFailed,
    /// Code of the host application (a store or listener written in Java or
    /// Kotlin) failed.
    Host,
}

impl RotationError {
    /// A `CONFIG` error with `message`.
    pub fn config(message: impl Into<String>) -> Self {
        Self::simple(ErrorKind::Config, message.into())
    }

    /// A `MALFORMED_RESPONSE` error with `message`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::simple(ErrorKind::MalformedResponse, message.into())
    }

    /// A `HOST` error with `message`.
    pub fn host(message: impl Into<String>) -> Self {
        Self::simple(ErrorKind::Host, message.into())
    }

    fn simple(kind: ErrorKind, message: String) -> Self {
        Self::of_kind(
            kind,
            ErrorDetail {
                code: kind.code().to_owned(),
                message,
                status: None,
                error_code: None,
                error_msg: None,
                txn_id: None,
                retry_after_seconds: None,
                step: None,
                cause_code: None,
                cause_message: None,
            },
        )
    }
}

impl From<Error> for RotationError {
    fn from(error: Error) -> Self {
        let detail = error.detail();
        let root = error.root();
        let (step, cause_code, cause_message) = match &error {
            Error::RotationFailed { step, .. } => (
                Some((*step).to_owned()),
                Some(root.kind().code().to_owned()),
                Some(root.to_string()),
            ),
            _ => (None, None, None),
        };
        let detail = ErrorDetail {
            code: error.kind().code().to_owned(),
            message: error.to_string(),
            status: error.status().map(i32::from),
            error_code: detail.and_then(|d| d.error_code.clone()),
            error_msg: detail.and_then(|d| d.error_msg.clone()),
            txn_id: detail.and_then(|d| d.txn_id.clone()),
            retry_after_seconds: error
                .retry_after()
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            step,
            cause_code,
            cause_message,
        };
        Self::of_kind(error.kind(), detail)
    }
}

impl From<RotationError> for Error {
    /// Turns an error raised by a host callback back into a core error. A
    /// callback can only raise `HOST` errors in practice; any other variant
    /// keeps its message under `HOST` too, because the core cannot rebuild
    /// service details that it did not observe.
    fn from(error: RotationError) -> Self {
        Error::Host(error.detail().message.clone())
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for RotationError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        RotationError::host(format!(
            "a host callback raised an undeclared exception: {}",
            error.reason
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aa_rotation::{Endpoint, ServiceDetail};

    #[test]
    fn every_kind_keeps_its_code() {
        for kind in ErrorKind::ALL {
            let error = RotationError::simple(kind, "x".into());
            assert_eq!(error.detail().code, kind.code());
        }
    }

    #[test]
    fn rotation_failure_names_root_cause() {
        let cause = Error::InvalidUserCredentials {
            detail: ServiceDetail {
                status: 401,
                error_code: Some("Unauthorized".into()),
                ..Default::default()
            },
        };
        let error = Error::RotationFailed {
            entity_id: "AA-1".into(),
            step: "reset",
            source: Box::new(cause),
        };
        let converted = RotationError::from(error);
        assert!(matches!(converted, RotationError::RotationFailed { .. }));
        let detail = converted.detail();
        assert_eq!(detail.step.as_deref(), Some("reset"));
        assert_eq!(
            detail.cause_code.as_deref(),
            Some("INVALID_USER_CREDENTIALS")
        );
        assert_eq!(detail.status, Some(401));
        assert_eq!(detail.error_code.as_deref(), Some("Unauthorized"));
    }

    #[test]
    fn retry_after_is_in_seconds() {
        let error = Error::RateLimited {
            endpoint: Endpoint::EntityToken,
            retry_after: Some(std::time::Duration::from_secs(7)),
            detail: ServiceDetail {
                status: 429,
                ..Default::default()
            },
        };
        assert_eq!(
            RotationError::from(error).detail().retry_after_seconds,
            Some(7)
        );
    }
}
