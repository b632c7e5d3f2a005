//! `TokenServiceClient`: the Token Service's four calls, one request each
//! (with the core's retries of idempotent calls), for tools and diagnostics.

use std::time::Duration;

use aa_rotation::{
    BearerToken, ClientConfig, ClientSecret, Environment, Password, TokenServiceClient,
};
use napi_derive::napi;

use crate::errors::{invalid_argument, to_napi};
use crate::views::{EntityTokenData, SecretInfoData, UserTokenData};

/// The Token Service's address and the HTTP client's settings.
#[napi(object)]
pub struct TokenServiceOptions {
    /// IAM base URL ending in `/iam`; `https://`, or `http://` to loopback only.
    pub base_url: Option<String>,
    /// `sandbox`, `uat` or `production`, when no base URL is given.
    pub environment: Option<String>,
    pub connect_timeout_seconds: Option<f64>,
    pub request_timeout_seconds: Option<f64>,
    /// Attempts per idempotent call, the first included. Default 4.
    pub max_attempts: Option<u32>,
}

fn seconds(name: &str, value: f64) -> napi::Result<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        invalid_argument(format!(
            "{name} is {value}, expected a non-negative number of seconds"
        ))
    })
}

impl TokenServiceOptions {
    fn into_config(self) -> napi::Result<ClientConfig> {
        let mut config = match (self.base_url.as_deref(), self.environment.as_deref()) {
            (Some(url), _) => ClientConfig::for_base_url(url).map_err(to_napi)?,
            (None, Some(name)) => {
                ClientConfig::for_environment(Environment::parse(name).map_err(to_napi)?)
            }
            (None, None) => {
                return Err(invalid_argument(
                    "set baseUrl or environment (sandbox, uat or production)",
                ));
            }
        };
        if let Some(value) = self.connect_timeout_seconds {
            config.connect_timeout = seconds("connectTimeoutSeconds", value)?;
        }
        if let Some(value) = self.request_timeout_seconds {
            config.request_timeout = seconds("requestTimeoutSeconds", value)?;
        }
        if let Some(attempts) = self.max_attempts {
            if attempts == 0 {
                return Err(invalid_argument("maxAttempts must be at least 1"));
            }
            config.retry.max_attempts = attempts;
        }
        Ok(config)
    }
}

/// The native half of `TokenServiceClient`; the JavaScript layer wraps it and
/// turns the values in its results into `Secret` objects.
#[napi]
pub struct NativeTokenServiceClient {
    inner: TokenServiceClient,
}

#[napi]
impl NativeTokenServiceClient {
    /// Builds a client. Makes no network call.
    #[napi(constructor)]
    pub fn new(options: TokenServiceOptions) -> napi::Result<Self> {
        let inner = TokenServiceClient::new(options.into_config()?).map_err(to_napi)?;
        Ok(Self { inner })
    }

    /// The IAM base URL.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.to_string()
    }

    /// `POST /v1/user/token/generate`: a user token for the designated user.
    #[napi]
    pub async fn generate_user_token(
        &self,
        username: String,
        password: String,
    ) -> napi::Result<UserTokenData> {
        let password = Password::new(password);
        let token = self
            .inner
            .generate_user_token(&username, &password)
            .await
            .map_err(to_napi)?;
        Ok(token.into())
    }

    /// `POST /v1/entity/secret/read`: the entity's current secret.
    #[napi]
    pub async fn read_secret(
        &self,
        user_token: String,
        entity_id: String,
    ) -> napi::Result<SecretInfoData> {
        let user_token = BearerToken::new(user_token);
        let info = self
            .inner
            .read_secret(&user_token, &entity_id)
            .await
            .map_err(to_napi)?;
        Ok(info.into())
    }

    /// `POST /v1/entity/secret/reset`: a new secret. The old one stops
    /// working at once. Never retried.
    #[napi]
    pub async fn reset_secret(
        &self,
        user_token: String,
        entity_id: String,
        secret_expiry_days: Option<u32>,
    ) -> napi::Result<SecretInfoData> {
        let user_token = BearerToken::new(user_token);
        let info = self
            .inner
            .reset_secret(&user_token, &entity_id, secret_expiry_days)
            .await
            .map_err(to_napi)?;
        Ok(info.into())
    }

    /// `POST /v1/entity/token/generate`: an entity token from the entity id
    /// and secret.
    #[napi]
    pub async fn generate_entity_token(
        &self,
        entity_id: String,
        secret: String,
    ) -> napi::Result<EntityTokenData> {
        let secret = ClientSecret::new(secret);
        let token = self
            .inner
            .generate_entity_token(&entity_id, &secret)
            .await
            .map_err(to_napi)?;
        Ok(EntityTokenData::new(&token, None))
    }
}
