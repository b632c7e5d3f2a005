//! `TokenServiceClient`: the Token Service's four raw calls, without the
//! engine's store, policy or recovery.

use std::sync::{Arc, Mutex};

use aa_rotation::{
    BearerToken, ClientConfig, ClientSecret, Clock as CoreClock, Environment, Password,
};
use arc_swap::ArcSwap;
use pyo3::prelude::*;

use crate::config::Clock;
use crate::errors::to_py;
use crate::logging::refresh_threshold;
use crate::runtime::{awaitable, block_on};
use crate::secret::{AccessToken, UserToken, credential};
use crate::types::{Outcome, SecretInfoOut};

/// The core client of one process; rebuilt after `fork()` because its HTTP
/// connection pool belongs to the parent's runtime.
struct Core {
    pid: u32,
    client: aa_rotation::TokenServiceClient,
}

/// A client of the Token Service: user token, secret Read, secret Reset and
/// entity token. Each call has a blocking form and an `*_async` form.
///
/// `reset_secret` changes the entity's secret at once and is never retried:
/// prefer `RotationClient.rotate()`, which journals and verifies the change.
#[pyclass(module = "aa_rotation", name = "TokenServiceClient", frozen)]
pub struct TokenServiceClient {
    config: ClientConfig,
    clock: CoreClock,
    core: ArcSwap<Core>,
    rebuild: Mutex<()>,
}

impl TokenServiceClient {
    /// Builds a client for `config` that reads time from `clock`.
    pub fn from_config(py: Python<'_>, config: ClientConfig, clock: CoreClock) -> PyResult<Self> {
        let client = aa_rotation::TokenServiceClient::with_clock(config.clone(), clock.clone())
            .map_err(|e| to_py(py, &e))?;
        Ok(Self {
            config,
            clock,
            core: ArcSwap::from_pointee(Core {
                pid: std::process::id(),
                client,
            }),
            rebuild: Mutex::new(()),
        })
    }

    fn client(&self, py: Python<'_>) -> PyResult<aa_rotation::TokenServiceClient> {
        refresh_threshold(py);
        let pid = std::process::id();
        let current = self.core.load();
        if current.pid == pid {
            return Ok(current.client.clone());
        }
        let _rebuilding = self
            .rebuild
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.core.load().pid == pid {
            return Ok(self.core.load().client.clone());
        }
        let client =
            aa_rotation::TokenServiceClient::with_clock(self.config.clone(), self.clock.clone())
                .map_err(|e| to_py(py, &e))?;
        let inherited = self.core.swap(Arc::new(Core {
            pid,
            client: client.clone(),
        }));
        // See `RotationClient::core`: the parent's pool must not be dropped here.
        std::mem::forget(inherited);
        Ok(client)
    }
}

#[pymethods]
impl TokenServiceClient {
    /// Builds a client for `base_url` (an IAM base URL ending in `/iam`) or
    /// for `environment` (`sandbox`, `uat` or `production`).
    #[new]
    #[pyo3(signature = (*, base_url = None, environment = None, connect_timeout_seconds = None, request_timeout_seconds = None, clock = None))]
    fn py_new(
        py: Python<'_>,
        base_url: Option<&str>,
        environment: Option<&str>,
        connect_timeout_seconds: Option<f64>,
        request_timeout_seconds: Option<f64>,
        clock: Option<PyRef<'_, Clock>>,
    ) -> PyResult<Self> {
        let config = client_config(
            base_url,
            environment,
            connect_timeout_seconds,
            request_timeout_seconds,
        )
        .map_err(|e| to_py(py, &e))?;
        let clock = clock.map(|c| c.inner.clone()).unwrap_or_default();
        Self::from_config(py, config, clock)
    }

    /// The IAM base URL.
    #[getter]
    fn base_url(&self) -> &str {
        self.config.base_url.as_str()
    }

    /// Returns a user token for the designated user.
    fn generate_user_token(
        &self,
        py: Python<'_>,
        username: String,
        password: &Bound<'_, PyAny>,
    ) -> PyResult<Py<UserToken>> {
        let password = Password::new(credential(password, "password")?.as_str());
        let client = self.client(py)?;
        let token = block_on(py, async move {
            client.generate_user_token(&username, &password).await
        })?;
        UserToken::create(py, &token)
    }

    /// Awaitable `generate_user_token()`.
    fn generate_user_token_async<'py>(
        &self,
        py: Python<'py>,
        username: String,
        password: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let password = Password::new(credential(password, "password")?.as_str());
        let client = self.client(py)?;
        awaitable(py, async move {
            Ok(Outcome(
                client
                    .generate_user_token(&username, &password)
                    .await
                    .map(UserTokenOut),
            ))
        })
    }

    /// Reads the entity's current secret with a user token.
    fn read_secret(
        &self,
        py: Python<'_>,
        user_token: &Bound<'_, PyAny>,
        entity_id: String,
    ) -> PyResult<Py<PyAny>> {
        let token = BearerToken::new(credential(user_token, "user_token")?.as_str());
        let client = self.client(py)?;
        let info = block_on(
            py,
            async move { client.read_secret(&token, &entity_id).await },
        )?;
        Ok(SecretInfoOut(info).into_pyobject(py)?.unbind())
    }

    /// Awaitable `read_secret()`.
    fn read_secret_async<'py>(
        &self,
        py: Python<'py>,
        user_token: &Bound<'py, PyAny>,
        entity_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = BearerToken::new(credential(user_token, "user_token")?.as_str());
        let client = self.client(py)?;
        awaitable(py, async move {
            Ok(Outcome(
                client
                    .read_secret(&token, &entity_id)
                    .await
                    .map(SecretInfoOut),
            ))
        })
    }

    /// Resets the entity's secret and returns the new one; the old secret
    /// stops working at once. Never retried.
    #[pyo3(signature = (user_token, entity_id, *, secret_expiry_days = None))]
    fn reset_secret(
        &self,
        py: Python<'_>,
        user_token: &Bound<'_, PyAny>,
        entity_id: String,
        secret_expiry_days: Option<u32>,
    ) -> PyResult<Py<PyAny>> {
        let token = BearerToken::new(credential(user_token, "user_token")?.as_str());
        let client = self.client(py)?;
        let info = block_on(py, async move {
            client
                .reset_secret(&token, &entity_id, secret_expiry_days)
                .await
        })?;
        Ok(SecretInfoOut(info).into_pyobject(py)?.unbind())
    }

    /// Awaitable `reset_secret()`.
    #[pyo3(signature = (user_token, entity_id, *, secret_expiry_days = None))]
    fn reset_secret_async<'py>(
        &self,
        py: Python<'py>,
        user_token: &Bound<'py, PyAny>,
        entity_id: String,
        secret_expiry_days: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let token = BearerToken::new(credential(user_token, "user_token")?.as_str());
        let client = self.client(py)?;
        awaitable(py, async move {
            Ok(Outcome(
                client
                    .reset_secret(&token, &entity_id, secret_expiry_days)
                    .await
                    .map(SecretInfoOut),
            ))
        })
    }

    /// Returns an entity token for the entity id and client secret.
    fn generate_entity_token(
        &self,
        py: Python<'_>,
        entity_id: String,
        secret: &Bound<'_, PyAny>,
    ) -> PyResult<Py<AccessToken>> {
        let secret = ClientSecret::new(credential(secret, "secret")?.as_str());
        let client = self.client(py)?;
        let token = block_on(py, async move {
            client.generate_entity_token(&entity_id, &secret).await
        })?;
        AccessToken::create(py, &token)
    }

    /// Awaitable `generate_entity_token()`.
    fn generate_entity_token_async<'py>(
        &self,
        py: Python<'py>,
        entity_id: String,
        secret: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let secret = ClientSecret::new(credential(secret, "secret")?.as_str());
        let client = self.client(py)?;
        awaitable(py, async move {
            Ok(Outcome(
                client
                    .generate_entity_token(&entity_id, &secret)
                    .await
                    .map(AccessTokenOut),
            ))
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenServiceClient(base_url={:?})",
            self.config.base_url.as_str()
        )
    }
}

fn client_config(
    base_url: Option<&str>,
    environment: Option<&str>,
    connect_timeout_seconds: Option<f64>,
    request_timeout_seconds: Option<f64>,
) -> aa_rotation::Result<ClientConfig> {
    let mut config = match (base_url, environment) {
        (Some(url), _) => ClientConfig::for_base_url(url)?,
        (None, Some(name)) => ClientConfig::for_environment(Environment::parse(name)?),
        (None, None) => {
            return Err(aa_rotation::Error::Config(
                "no Token Service is configured; pass base_url= or environment= (sandbox, uat or production)".into(),
            ));
        }
    };
    let seconds = |name: &str, value: f64| {
        std::time::Duration::try_from_secs_f64(value).map_err(|_| {
            aa_rotation::Error::Config(format!("{name} is {value}, expected a non-negative number"))
        })
    };
    if let Some(value) = connect_timeout_seconds {
        config.connect_timeout = seconds("connect_timeout_seconds", value)?;
    }
    if let Some(value) = request_timeout_seconds {
        config.request_timeout = seconds("request_timeout_seconds", value)?;
    }
    config.validate()?;
    Ok(config)
}

/// A user token on its way to Python.
struct UserTokenOut(aa_rotation::UserToken);

impl<'py> IntoPyObject<'py> for UserTokenOut {
    type Target = UserToken;
    type Output = Bound<'py, UserToken>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Ok(UserToken::create(py, &self.0)?.into_bound(py))
    }
}

/// An entity token on its way to Python.
struct AccessTokenOut(aa_rotation::EntityToken);

impl<'py> IntoPyObject<'py> for AccessTokenOut {
    type Target = AccessToken;
    type Output = Bound<'py, AccessToken>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Ok(AccessToken::create(py, &self.0)?.into_bound(py))
    }
}
