//! [`RotationClient`] and [`TokenServiceClient`] for the JVM.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::SystemTime;

use aa_rotation::engine::RotateOptions;
use aa_rotation::{
    CachedToken, ClientConfig, ClientSecret, Environment, Password, Settings, StoreChoice,
};

use crate::error::RotationError;
use crate::host::{EventListener, HostStore, SecretStoreCallback, TokenListener};
use crate::types::{
    EntityToken, RecoveryOutcome, RotationEvent, RotationOutcome, SecretInfo, SecretStatus,
    UserToken, instant,
};

type Result<T, E = RotationError> = std::result::Result<T, E>;

/// Rotation, status and entity tokens for one entity.
#[derive(uniffi::Object)]
pub struct RotationClient {
    inner: aa_rotation::RotationClient,
    watch: Arc<TokenWatch>,
}

impl RotationClient {
    fn build(settings: Settings, store: Option<Box<dyn SecretStoreCallback>>) -> Result<Arc<Self>> {
        let mut config = settings.into_config()?;
        if let Some(callback) = store {
            config.store = StoreChoice::Custom {
                store: Arc::new(HostStore::new(callback)),
                lease: None,
            };
        }
        let inner = aa_rotation::RotationClient::new(config)?;
        Ok(Arc::new_cyclic(|client: &Weak<Self>| {
            let watch = Arc::new(TokenWatch::default());
            let notifier = watch.clone();
            let client = client.clone();
            inner.on_token_change(move |changed| notifier.deliver(&client, changed));
            Self { inner, watch }
        }))
    }
}

/// Tells a [`TokenListener`] which entity token is cached, so that the JVM
/// side can keep a copy and serve a cached `accessToken()` without a native
/// call, which costs microseconds through JNA.
///
/// The core calls its token-change listeners after the cache changed, but two
/// changes on two threads may report in either order. So every report re-reads
/// the cache under one lock and reports what is cached at that moment: the
/// last report then always matches the cache. A report whose token is no
/// longer the cached one reports an empty cache instead, which only makes the
/// JVM side ask the core again.
#[derive(Default)]
struct TokenWatch {
    listener: RwLock<Option<Arc<dyn TokenListener>>>,
    serial: Mutex<()>,
}

impl TokenWatch {
    fn deliver(&self, client: &Weak<RotationClient>, changed: Option<&CachedToken>) {
        let Ok(_serial) = self.serial.lock() else {
            return;
        };
        let listener = match self.listener.read() {
            Ok(slot) => slot.clone(),
            Err(_) => None,
        };
        let (Some(listener), Some(client)) = (listener, client.upgrade()) else {
            return;
        };
        let current = client.inner.cached_access_token();
        let (token, refresh_at): (Option<Arc<EntityToken>>, Option<SystemTime>) =
            match (current, changed) {
                (Some(current), Some(changed)) if Arc::ptr_eq(&current, &changed.token) => (
                    Some(Arc::new(EntityToken { inner: current })),
                    Some(instant(changed.refresh_at)),
                ),
                _ => (None, None),
            };
        listener.on_token_change(token, refresh_at);
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl RotationClient {
    /// Builds a client from settings named like the `AA_ROTATION_*`
    /// environment variables (`AA_ROTATION_ENTITY_ID`, `AA_ROTATION_BASE_URL`,
    /// `AA_ROTATION_PASSWORD`, …), and the process environment is not read.
    /// With `store`, the record is kept in that host store and
    /// `AA_ROTATION_STORE` is ignored. Makes no network call.
    #[uniffi::constructor]
    pub fn new(
        settings: HashMap<String, String>,
        store: Option<Box<dyn SecretStoreCallback>>,
    ) -> Result<Arc<Self>> {
        let settings = Settings::load_with(None, |name| settings.get(name).cloned())?;
        Self::build(settings, store)
    }

    /// Builds a client from the process's `AA_ROTATION_*` environment variables.
    #[uniffi::constructor]
    pub fn from_env(store: Option<Box<dyn SecretStoreCallback>>) -> Result<Arc<Self>> {
        Self::build(Settings::load(None)?, store)
    }

    /// Returns the entity this client manages.
    pub fn entity_id(&self) -> String {
        self.inner.engine().entity_id().to_owned()
    }

    /// Returns a valid entity token, cached while fresh. However many callers
    /// wait on a cold cache, one request goes to the Token Service.
    pub async fn access_token(&self) -> Result<Arc<EntityToken>> {
        let token = self.inner.access_token().await?;
        Ok(Arc::new(EntityToken { inner: token }))
    }

    /// Returns the cached entity token if it is fresh, without waiting and
    /// without any I/O; null otherwise.
    pub fn cached_access_token(&self) -> Option<Arc<EntityToken>> {
        self.inner
            .cached_access_token()
            .map(|inner| Arc::new(EntityToken { inner }))
    }

    /// Reports every change of the cached entity token to `listener`, which
    /// replaces an earlier one. See [`TokenListener`].
    pub fn watch_tokens(&self, listener: Box<dyn TokenListener>) {
        if let Ok(mut slot) = self.watch.listener.write() {
            *slot = Some(Arc::from(listener));
        }
    }

    /// Drops the cached entity token if its value is `token` (after a peer
    /// rejected it with HTTP 401), or any cached token when `token` is null.
    pub fn invalidate(&self, token: Option<String>) {
        self.inner.invalidate(token.as_deref());
    }

    /// Returns the stored secret's status. Reads the current secret from the
    /// Token Service when the store is empty and credentials are configured.
    pub async fn status(&self) -> Result<SecretStatus> {
        Ok(self.inner.status().await?.into())
    }

    /// Rotates now if the policy considers the secret due, or in any case with
    /// `force`. With `dry_run`, decides and reports without any Reset.
    pub async fn rotate(&self, force: bool, dry_run: bool) -> Result<RotationOutcome> {
        Ok(self
            .inner
            .rotate(RotateOptions { force, dry_run })
            .await?
            .into())
    }

    /// Recovers first, then rotates if the policy, window and jitter allow it.
    pub async fn ensure_fresh(&self) -> Result<RotationOutcome> {
        Ok(self.inner.ensure_fresh().await?.into())
    }

    /// Finishes an interrupted rotation or heals drift.
    pub async fn recover(&self) -> Result<RecoveryOutcome> {
        Ok(self.inner.recover().await?.into())
    }

    /// Calls `listener` for every later event; returns an id for `unsubscribe`.
    pub fn subscribe(&self, listener: Box<dyn EventListener>) -> u64 {
        self.inner.subscribe(move |event| {
            if let Err(error) = listener.on_event(RotationEvent::from(event)) {
                tracing::warn!(event = event.kind.as_str(), error = %error, "an event listener failed");
            }
        })
    }

    /// Stops delivering events to listener `id`.
    pub fn unsubscribe(&self, id: u64) {
        self.inner.unsubscribe(id);
    }

    /// Starts the background schedule on the library's runtime: recover once,
    /// then check the secret every check interval and rotate when due.
    /// Calling it again keeps the first schedule.
    pub async fn start(&self) -> Result<()> {
        Ok(self.inner.start()?)
    }

    /// Stops the background schedule.
    pub fn stop(&self) {
        self.inner.stop();
    }

    /// Returns the Token Service client this rotation client uses.
    pub fn token_service(&self) -> Arc<TokenServiceClient> {
        Arc::new(TokenServiceClient {
            inner: self.inner.token_service().clone(),
        })
    }
}

/// The Token Service's four calls, without caching or rotation logic.
#[derive(uniffi::Object)]
pub struct TokenServiceClient {
    inner: aa_rotation::TokenServiceClient,
}

#[uniffi::export(async_runtime = "tokio")]
impl TokenServiceClient {
    /// Builds a client for an IAM base URL ending in `/iam`. Plain `http://` is
    /// accepted for loopback hosts only.
    #[uniffi::constructor]
    pub fn new(base_url: String) -> Result<Arc<Self>> {
        let inner = aa_rotation::TokenServiceClient::new(ClientConfig::for_base_url(&base_url)?)?;
        Ok(Arc::new(Self { inner }))
    }

    /// Builds a client for `sandbox`, `uat` or `production`.
    #[uniffi::constructor]
    pub fn for_environment(environment: String) -> Result<Arc<Self>> {
        let config = ClientConfig::for_environment(Environment::parse(&environment)?);
        let inner = aa_rotation::TokenServiceClient::new(config)?;
        Ok(Arc::new(Self { inner }))
    }

    /// Returns the IAM base URL.
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.to_string()
    }

    /// `POST /v1/user/token/generate`.
    pub async fn generate_user_token(
        &self,
        username: String,
        password: String,
    ) -> Result<Arc<UserToken>> {
        let inner = self
            .inner
            .generate_user_token(&username, &Password::new(password))
            .await?;
        Ok(Arc::new(UserToken { inner }))
    }

    /// `POST /v1/entity/secret/read`: the entity's current secret.
    pub async fn read_secret(
        &self,
        user_token: Arc<UserToken>,
        entity_id: String,
    ) -> Result<Arc<SecretInfo>> {
        let inner = self
            .inner
            .read_secret(&user_token.inner.token, &entity_id)
            .await?;
        Ok(Arc::new(SecretInfo { inner }))
    }

    /// `POST /v1/entity/secret/reset`: a new secret; the old one stops
    /// working at once. Never retried, because after a lost reply only a
    /// Read can tell whether the Reset happened.
    pub async fn reset_secret(
        &self,
        user_token: Arc<UserToken>,
        entity_id: String,
        secret_expiry_days: Option<u32>,
    ) -> Result<Arc<SecretInfo>> {
        let inner = self
            .inner
            .reset_secret(&user_token.inner.token, &entity_id, secret_expiry_days)
            .await?;
        Ok(Arc::new(SecretInfo { inner }))
    }

    /// `POST /v1/entity/token/generate`: an entity token from the entity id
    /// and secret.
    pub async fn generate_entity_token(
        &self,
        entity_id: String,
        secret: String,
    ) -> Result<Arc<EntityToken>> {
        let token = self
            .inner
            .generate_entity_token(&entity_id, &ClientSecret::new(secret))
            .await?;
        Ok(Arc::new(EntityToken {
            inner: Arc::new(token),
        }))
    }
}
