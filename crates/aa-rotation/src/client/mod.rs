//! The Token Service client: the four calls of the Central Registry's IAM API,
//! plus the deprecated OpenID Connect entity-token endpoint.
//!
//! One `reqwest::Client` serves every call: rustls, connect and request
//! timeouts, no redirects (a redirect would carry credentials to another URL),
//! response bodies capped at [`ClientConfig::max_response_bytes`], plain
//! `http://` only to loopback. User token, read and entity token are retried on
//! transient failures with jittered exponential backoff. Reset is never retried
//! here: its outcome after a lost reply is unknown, and only the rotation engine
//! can decide, after a Read, whether a second Reset is safe.

mod config;
mod http;
mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use tracing::{Instrument, field};
use uuid::Uuid;

pub use config::{ClientConfig, Environment, RetryPolicy};
pub use wire::{
    Expiry, ExpirySource, MessageKind, ServiceMessage, parse_expiry, parse_secret_body,
};

use crate::clock::Clock;
use crate::error::{Endpoint, Error, Result};
use crate::secret::{BearerToken, ClientSecret, Fingerprint, Password};
use http::{CallContext, exchange};
use wire::{SecretBody, SecretRequest, TokenBody, parse_expires_in};

/// The `ver` sent in request bodies.
const API_VERSION: &str = "1.0.0";

/// A user token of the designated user.
#[derive(Clone, Debug)]
pub struct UserToken {
    /// The bearer token.
    pub token: BearerToken,
    /// When the token was received, on the client's clock.
    pub issued_at: Timestamp,
    /// When it expires: `issued_at` plus the response's `expiresIn`.
    pub expires_at: Timestamp,
}

/// An entity token: the bearer token used for every call to other members.
#[derive(Clone, Debug)]
pub struct EntityToken {
    /// The bearer token.
    pub token: BearerToken,
    /// When the token was received, on the client's clock.
    pub issued_at: Timestamp,
    /// When it expires: `issued_at` plus the response's `expiresIn`.
    pub expires_at: Timestamp,
    /// The service's warning, such as the grace-period notice.
    pub warning: Option<ServiceMessage>,
    /// Fingerprint of the secret the token was issued for.
    pub secret_fingerprint: Fingerprint,
}

/// The result of a secret read or reset.
#[derive(Clone, Debug)]
pub struct SecretInfo {
    /// The entity id the service returned (or the requested one if absent).
    pub entity_id: String,
    /// The current secret.
    pub secret: ClientSecret,
    /// Its expiry.
    pub expiry: Expiry,
    /// The service's `message`, if any.
    pub message: Option<ServiceMessage>,
    /// The `txnId` of the response.
    pub txn_id: Option<String>,
}

/// A client of the Token Service. Cheap to clone; clones share one connection
/// pool.
#[derive(Clone)]
pub struct TokenServiceClient {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
    clock: Clock,
}

impl std::fmt::Debug for TokenServiceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenServiceClient")
            .field("base_url", &self.config.base_url.as_str())
            .finish()
    }
}

impl TokenServiceClient {
    /// Builds a client. Fails on an invalid configuration, such as plain
    /// `http://` to a non-loopback host or an unreadable CA certificate.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Self::with_clock(config, Clock::system())
    }

    /// Builds a client that reads time from `clock` (tests move it).
    pub fn with_clock(config: ClientConfig, clock: Clock) -> Result<Self> {
        config.validate()?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_rustls()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("aa-rotation/", env!("CARGO_PKG_VERSION")));
        if config.is_loopback() {
            // A local simulator must never be reached through a proxy.
            builder = builder.no_proxy();
        }
        if let Some(pem) = &config.extra_ca_pem {
            let certificate = reqwest::Certificate::from_pem(pem).map_err(|e| {
                Error::Config(format!("the extra CA certificate is not valid PEM: {e}"))
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            config: Arc::new(config),
            clock,
        })
    }

    /// Returns the settings this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Returns the clock this client reads.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Generates a user token for the designated user.
    pub async fn generate_user_token(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<UserToken> {
        if username.trim().is_empty() {
            return Err(Error::Config(
                "the designated user's username is empty; set AA_ROTATION_USERNAME".into(),
            ));
        }
        if password.is_empty() {
            return Err(Error::Config(
                "the designated user's password is empty; set AA_ROTATION_PASSWORD".into(),
            ));
        }
        let url = self.config.endpoint_url("v1/user/token/generate");
        self.with_retry(Endpoint::UserToken, None, |txn_id| {
            let request = self.http.post(url.clone()).form(&[
                ("username", username),
                ("password", password.expose_secret()),
            ]);
            async move {
                let ctx = CallContext {
                    endpoint: Endpoint::UserToken,
                    entity_id: None,
                    txn_id: &txn_id,
                    sensitive: &[password.expose_secret()],
                };
                let reply = exchange(request, self.config.max_response_bytes, &ctx).await?;
                let body = parse_token_body(Endpoint::UserToken, &reply.body)?;
                let issued_at = self.clock.now();
                Ok(UserToken {
                    expires_at: add_seconds(issued_at, body.1),
                    token: body.0,
                    issued_at,
                })
            }
        })
        .await
    }

    /// Reads the entity's current secret.
    pub async fn read_secret(
        &self,
        user_token: &BearerToken,
        entity_id: &str,
    ) -> Result<SecretInfo> {
        check_entity_id(entity_id)?;
        self.with_retry(Endpoint::SecretRead, Some(entity_id), |txn_id| {
            self.secret_call(Endpoint::SecretRead, user_token, entity_id, None, txn_id)
        })
        .await
    }

    /// Resets the entity's secret and returns the new one. The old secret stops
    /// working at once. Never retried: on a timeout or a lost connection the
    /// outcome is unknown, and the caller must Read before deciding anything.
    pub async fn reset_secret(
        &self,
        user_token: &BearerToken,
        entity_id: &str,
        secret_expiry_days: Option<u32>,
    ) -> Result<SecretInfo> {
        check_entity_id(entity_id)?;
        if secret_expiry_days == Some(0) {
            return Err(Error::Config("secretExpiryDays must be at least 1".into()));
        }
        let txn_id = Uuid::new_v4().to_string();
        let span = call_span(Endpoint::SecretReset, Some(entity_id), &txn_id, 1);
        let started = Instant::now();
        let result = self
            .secret_call(
                Endpoint::SecretReset,
                user_token,
                entity_id,
                secret_expiry_days,
                txn_id,
            )
            .instrument(span.clone())
            .await;
        finish_span(&span, started, &result);
        result
    }

    async fn secret_call(
        &self,
        endpoint: Endpoint,
        user_token: &BearerToken,
        entity_id: &str,
        secret_expiry_days: Option<u32>,
        txn_id: String,
    ) -> Result<SecretInfo> {
        let path = match endpoint {
            Endpoint::SecretReset => "v1/entity/secret/reset",
            _ => "v1/entity/secret/read",
        };
        let body = SecretRequest {
            ver: API_VERSION,
            timestamp: request_timestamp(&self.clock),
            txn_id: &txn_id,
            entity_id,
            secret_expiry_days,
        };
        let request = self
            .http
            .post(self.config.endpoint_url(path))
            .bearer_auth(user_token.expose_secret())
            .json(&body);
        let ctx = CallContext {
            endpoint,
            entity_id: Some(entity_id),
            txn_id: &txn_id,
            sensitive: &[user_token.expose_secret()],
        };
        let reply = exchange(request, self.config.max_response_bytes, &ctx).await?;

        let malformed = |detail: String| Error::MalformedResponse { endpoint, detail };
        let parsed: SecretBody = serde_json::from_slice(&reply.body)
            .map_err(|e| malformed(format!("not the expected JSON: {}", e.classify_text())))?;
        let secret = parsed
            .secret
            .filter(|s| !s.is_empty())
            .ok_or_else(|| malformed("the secret field is missing".into()))?;
        let expiry = wire::parse_expiry(
            parsed.expires_on.as_ref(),
            parsed.expiration_date.as_deref(),
        )
        .map_err(malformed)?;
        let returned_entity = parsed.entity_id.unwrap_or_else(|| entity_id.to_owned());
        if returned_entity != entity_id {
            return Err(malformed(format!(
                "it is for entity {returned_entity:?}, not the requested {entity_id:?}"
            )));
        }
        let message = parsed.message.as_deref().map(ServiceMessage::classify);
        tracing::debug!(fingerprint = %secret.fingerprint(), expires_at = ?expiry.at, "secret received");
        Ok(SecretInfo {
            entity_id: returned_entity,
            secret,
            expiry,
            message,
            txn_id: parsed.txn_id,
        })
    }

    /// Generates an entity token from the entity id and secret, at the
    /// deprecated OpenID Connect endpoint when one is configured.
    pub async fn generate_entity_token(
        &self,
        entity_id: &str,
        secret: &ClientSecret,
    ) -> Result<EntityToken> {
        check_entity_id(entity_id)?;
        let endpoint = if self.config.legacy_oidc_token_url.is_some() {
            Endpoint::OidcToken
        } else {
            Endpoint::EntityToken
        };
        self.with_retry(endpoint, Some(entity_id), |txn_id| async move {
            let request = match &self.config.legacy_oidc_token_url {
                Some(url) => self
                    .http
                    .post(url.clone())
                    .basic_auth(entity_id, Some(secret.expose_secret()))
                    .form(&[("grant_type", "client_credentials")]),
                None => self
                    .http
                    .post(self.config.endpoint_url("v1/entity/token/generate"))
                    .form(&[("id", entity_id), ("secret", secret.expose_secret())]),
            };
            let ctx = CallContext { endpoint, entity_id: Some(entity_id), txn_id: &txn_id, sensitive: &[secret.expose_secret()] };
            let reply = exchange(request, self.config.max_response_bytes, &ctx).await?;
            let (token, expires_in, message) = parse_token_body_with_message(endpoint, &reply.body)?;
            let issued_at = self.clock.now();
            let warning = message.as_deref().map(ServiceMessage::classify);
            if let Some(warning) = &warning {
                tracing::warn!(entity_id, message = %warning.text, "the Token Service added a warning to the entity token");
            }
            Ok(EntityToken {
                token,
                issued_at,
                expires_at: add_seconds(issued_at, expires_in),
                warning,
                secret_fingerprint: secret.fingerprint(),
            })
        })
        .await
    }

    /// Runs `call` up to `max_attempts` times while it fails transiently. Each
    /// attempt gets a fresh `txnId` and its own span.
    async fn with_retry<T, F, Fut>(
        &self,
        endpoint: Endpoint,
        entity_id: Option<&str>,
        mut call: F,
    ) -> Result<T>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let policy = &self.config.retry;
        let mut attempt = 1;
        loop {
            let txn_id = Uuid::new_v4().to_string();
            let span = call_span(endpoint, entity_id, &txn_id, attempt);
            let started = Instant::now();
            let result = call(txn_id).instrument(span.clone()).await;
            finish_span(&span, started, &result);

            let error = match result {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !error.is_transient() || attempt >= policy.max_attempts {
                return Err(error);
            }
            let mut delay = backoff_delay(policy, attempt);
            if let Some(retry_after) = error.retry_after() {
                if retry_after > policy.max_retry_after {
                    return Err(error);
                }
                delay = delay.max(retry_after);
            }
            tracing::warn!(
                endpoint = endpoint.as_str(),
                entity_id,
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "Token Service call failed; retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

fn call_span(
    endpoint: Endpoint,
    entity_id: Option<&str>,
    txn_id: &str,
    attempt: u32,
) -> tracing::Span {
    tracing::info_span!(
        "token_service",
        endpoint = endpoint.as_str(),
        entity_id = entity_id.unwrap_or(""),
        txn_id,
        attempt,
        status = field::Empty,
        duration_ms = field::Empty,
    )
}

fn finish_span<T>(span: &tracing::Span, started: Instant, result: &Result<T>) {
    let duration_ms = started.elapsed().as_millis() as u64;
    span.record("duration_ms", duration_ms);
    let _entered = span.enter();
    match result {
        Ok(_) => tracing::debug!(duration_ms, "Token Service call succeeded"),
        Err(error) => tracing::debug!(
            duration_ms,
            kind = error.kind().code(),
            "Token Service call failed"
        ),
    }
}

/// Full jitter: a random delay between half and all of `base * 2^(attempt-1)`,
/// capped, so that many clients retrying together spread out.
fn backoff_delay(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponential = policy
        .base_delay
        .saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let ceiling = exponential.min(policy.max_delay);
    let millis = ceiling.as_millis() as u64;
    if millis == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
}

fn parse_token_body(endpoint: Endpoint, body: &[u8]) -> Result<(BearerToken, u64)> {
    parse_token_body_with_message(endpoint, body).map(|(token, expires_in, _)| (token, expires_in))
}

fn parse_token_body_with_message(
    endpoint: Endpoint,
    body: &[u8],
) -> Result<(BearerToken, u64, Option<String>)> {
    let malformed = |detail: String| Error::MalformedResponse { endpoint, detail };
    let parsed: TokenBody = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("not the expected JSON: {}", e.classify_text())))?;
    let token = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("accessToken is missing".into()))?;
    if let Some(kind) = parsed.token_type.as_deref()
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(malformed(format!("tokenType is {kind:?}, expected Bearer")));
    }
    let expires_in = parse_expires_in(parsed.expires_in.as_ref()).map_err(malformed)?;
    Ok((token, expires_in, parsed.message))
}

fn add_seconds(at: Timestamp, seconds: u64) -> Timestamp {
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    at.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(Timestamp::MAX)
}

/// RFC 3339 in UTC with milliseconds, as the service's examples show.
fn request_timestamp(clock: &Clock) -> String {
    format!("{:.3}", clock.now())
}

fn check_entity_id(entity_id: &str) -> Result<()> {
    if entity_id.trim().is_empty() {
        return Err(Error::Config(
            "the entity id is empty; set AA_ROTATION_ENTITY_ID".into(),
        ));
    }
    if entity_id.len() > 256 || entity_id.chars().any(char::is_control) {
        return Err(Error::Config(format!(
            "the entity id {:?} is invalid: it must be at most 256 characters with no control characters",
            entity_id.chars().take(40).collect::<String>()
        )));
    }
    Ok(())
}

/// A serde error's category and position, without the input text it may
/// quote (which could be a secret).
trait ClassifyText {
    fn classify_text(&self) -> String;
}

impl ClassifyText for serde_json::Error {
    fn classify_text(&self) -> String {
        let category = match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected field type",
            serde_json::error::Category::Eof => "unexpected end of input",
        };
        format!(
            "{category} at line {} column {}",
            self.line(),
            self.column()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        for _ in 0..50 {
            let first = backoff_delay(&policy, 1);
            assert!(
                first >= Duration::from_millis(100) && first <= Duration::from_millis(200),
                "{first:?}"
            );
            let tenth = backoff_delay(&policy, 10);
            assert!(
                tenth <= policy.max_delay && tenth >= policy.max_delay / 2,
                "{tenth:?}"
            );
        }
    }

    #[test]
    fn request_timestamp_is_rfc3339_utc() {
        let text = request_timestamp(&Clock::system());
        assert!(text.ends_with('Z'), "{text}");
        assert!(text.parse::<Timestamp>().is_ok(), "{text}");
        assert_eq!(text.len(), "2024-07-16T11:33:34.509Z".len(), "{text}");
    }

    #[test]
    fn serde_error_text_omits_input() {
        let error = serde_json::from_str::<TokenBody>(r#"{"accessToken": 12345678}"#)
            .err()
            .unwrap();
        let text = error.classify_text();
        assert!(!text.contains("12345678"), "{text}");
    }

    #[test]
    fn entity_id_checks() {
        assert!(check_entity_id("").is_err());
        assert!(check_entity_id("FIU\n1").is_err());
        assert!(check_entity_id("SANDBOX_AA_1").is_ok());
    }
}
