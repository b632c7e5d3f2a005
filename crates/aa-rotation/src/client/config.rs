//! The Token Service's address and the HTTP client's settings.

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

/// The Token Service environments that Sahamati runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Sandbox,
    Uat,
    Production,
}

impl Environment {
    /// Returns the IAM base URL of this environment.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://api.sandbox.sahamati.org.in/iam",
            Environment::Uat => "https://api.uat.sahamati.org.in/iam",
            Environment::Production => "https://api.sahamati.org.in/iam",
        }
    }

    /// Parses `sandbox`, `uat` or `production` (also `prod`), ignoring case.
    pub fn parse(name: &str) -> Result<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Environment::Sandbox),
            "uat" => Ok(Environment::Uat),
            "production" | "prod" => Ok(Environment::Production),
            other => Err(Error::Config(format!(
                "unknown environment {other:?}; use sandbox, uat or production, or set a base URL"
            ))),
        }
    }
}

/// Retry settings for the calls that may be repeated safely: user token, secret
/// read and entity token. Reset is never retried by the client.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, including the first.
    pub max_attempts: u32,
    /// Delay before the second attempt; doubles for each further attempt.
    pub base_delay: Duration,
    /// Upper bound of one delay.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the call fails with
    /// the rate-limit error instead, so that a caller is never stuck for minutes.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            // Four attempts over about 3 s ride out a gateway restart without
            // keeping a caller waiting long.
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Settings of a [`super::TokenServiceClient`].
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// IAM base URL, ending in `/iam`.
    pub base_url: Url,
    /// Time to establish a TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Time for a whole request, response body included.
    pub request_timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// An extra CA certificate (PEM) to trust, for a TLS-inspecting proxy.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Retries of the idempotent calls.
    pub retry: RetryPolicy,
    /// The deprecated OpenID Connect token endpoint. When set, entity tokens are
    /// requested there with HTTP Basic and `grant_type=client_credentials`
    /// instead of `POST {base}/v1/entity/token/generate`.
    pub legacy_oidc_token_url: Option<Url>,
}

impl ClientConfig {
    /// Settings for one of Sahamati's environments.
    #[allow(
        clippy::expect_used,
        reason = "the presets are constant, valid URLs, covered by a test"
    )]
    pub fn for_environment(environment: Environment) -> Self {
        Self::with_base(Url::parse(environment.base_url()).expect("preset base URL parses"))
    }

    /// Settings for a custom base URL such as a simulator's. Checked by
    /// [`ClientConfig::validate`].
    pub fn for_base_url(base_url: &str) -> Result<Self> {
        let url = Url::parse(base_url.trim()).map_err(|e| {
            Error::Config(format!(
                "invalid base URL {base_url:?}: {e}; expected https://host/iam"
            ))
        })?;
        let config = Self::with_base(url);
        config.validate()?;
        Ok(config)
    }

    fn with_base(base_url: Url) -> Self {
        Self {
            base_url,
            connect_timeout: Duration::from_secs(5),
            // Each call is one small JSON exchange; 15 s covers a slow gateway.
            request_timeout: Duration::from_secs(15),
            max_response_bytes: 1024 * 1024,
            extra_ca_pem: None,
            retry: RetryPolicy::default(),
            legacy_oidc_token_url: None,
        }
    }

    /// Checks the URLs: `https`, or plain `http` only to a loopback address.
    pub fn validate(&self) -> Result<()> {
        check_url("base URL", &self.base_url)?;
        if !self.base_url.path().trim_end_matches('/').ends_with("/iam") {
            return Err(Error::Config(format!(
                "the base URL {} does not end in /iam; give the IAM base URL, such as https://api.sahamati.org.in/iam",
                self.base_url.as_str()
            )));
        }
        if let Some(url) = &self.legacy_oidc_token_url {
            check_url("OpenID Connect token URL", url)?;
        }
        if self.max_response_bytes == 0 {
            return Err(Error::Config(
                "max_response_bytes must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// True when the base URL points at a loopback address (a local simulator).
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url)
    }

    /// Returns the URL of a path under the IAM base, such as `v1/entity/secret/read`.
    pub(crate) fn endpoint_url(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        let joined = format!("{}/{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }
}

fn check_url(what: &str, url: &Url) -> Result<()> {
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "the {what} {} must not have a query or fragment",
            url.as_str()
        )));
    }
    if url.username() != "" || url.password().is_some() {
        return Err(Error::Config(format!(
            "the {what} must not contain a username or password"
        )));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_url(url) => Ok(()),
        "http" => Err(Error::Config(format!(
            "the {what} {} uses plain http:// to a non-loopback host; use https://, because \
             credentials would cross the network unencrypted",
            url.as_str()
        ))),
        other => Err(Error::Config(format!(
            "the {what} has unsupported scheme {other:?}; use https://"
        ))),
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub(crate) fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_to_remote_host_is_rejected() {
        let error = ClientConfig::for_base_url("http://10.1.2.3/iam").unwrap_err();
        assert!(error.to_string().contains("plain http://"), "{error}");
        let error = ClientConfig::for_base_url("http://api.example.com/iam").unwrap_err();
        assert!(error.to_string().contains("non-loopback"), "{error}");
    }

    #[test]
    fn plain_http_to_loopback_is_allowed() {
        for url in [
            "http://127.0.0.1:8080/iam",
            "http://localhost/iam",
            "http://[::1]:9/iam",
            "http://127.9.9.9/iam",
        ] {
            assert!(ClientConfig::for_base_url(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn base_url_must_end_in_iam() {
        let error = ClientConfig::for_base_url("http://127.0.0.1:8080")
            .unwrap_err()
            .to_string();
        assert!(error.contains("does not end in /iam"), "{error}");
        let error = ClientConfig::for_base_url("http://127.0.0.1:8080/iam?x=1")
            .unwrap_err()
            .to_string();
        assert!(error.contains("query"), "{error}");
        assert!(ClientConfig::for_base_url("https://gateway.example/aa/iam/").is_ok());
    }

    #[test]
    fn credentials_in_url_are_rejected() {
        let error = ClientConfig::for_base_url("https://user:pw@host.example/iam").unwrap_err();
        assert!(!error.to_string().contains("pw@"));
    }

    #[test]
    fn endpoint_url_joins_path() {
        let config = ClientConfig::for_base_url("http://127.0.0.1:1/iam/").unwrap();
        assert_eq!(
            config.endpoint_url("v1/entity/secret/read").as_str(),
            "http://127.0.0.1:1/iam/v1/entity/secret/read"
        );
        let config = ClientConfig::for_environment(Environment::Uat);
        assert_eq!(
            config.endpoint_url("v1/user/token/generate").as_str(),
            "https://api.uat.sahamati.org.in/iam/v1/user/token/generate"
        );
    }

    #[test]
    fn environment_names_parse() {
        assert_eq!(Environment::parse("UAT").unwrap(), Environment::Uat);
        assert_eq!(Environment::parse("prod").unwrap(), Environment::Production);
        assert!(
            Environment::parse("staging")
                .unwrap_err()
                .to_string()
                .contains("sandbox, uat or production")
        );
    }
}
