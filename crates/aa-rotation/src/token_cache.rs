//! Cached entity tokens.
//!
//! A cached call costs one uncontended read lock and one clock read. A refresh
//! starts at 80% of the token's life, so callers never see an expired token;
//! however many callers wait, one request goes upstream (single flight, with a
//! second check of the cache after taking the refresh lock). Every refresh
//! reads the store first, so a secret rotated by another process is picked up
//! at the next refresh. After the service rejects the secret, the cache asks
//! the engine for a different one (the store's, or the service's through
//! Read) and tries once more before it returns the error.

use std::sync::{Arc, RwLock};

use jiff::{SignedDuration, Timestamp};

use crate::client::{EntityToken, MessageKind};
use crate::engine::Engine;
use crate::error::{ErrorKind, Result};
use crate::events::{Event, EventKind};

/// A token and when to refresh it.
#[derive(Clone, Debug)]
pub struct CachedToken {
    pub token: Arc<EntityToken>,
    pub refresh_at: Timestamp,
}

type Listener = Arc<dyn Fn(Option<&CachedToken>) + Send + Sync>;

/// The entity-token cache of one entity.
pub struct TokenCache {
    engine: Arc<Engine>,
    slot: RwLock<Option<CachedToken>>,
    refresh: tokio::sync::Mutex<()>,
    /// Held while the slot changes and its listeners run, so that listeners
    /// see changes in the order they happened.
    publish: std::sync::Mutex<()>,
    refresh_fraction: f64,
    listeners: RwLock<Vec<Listener>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("entity_id", &self.engine.entity_id())
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// Creates a cache that refreshes after `refresh_fraction` (0.1 to 0.95) of a
    /// token's life.
    pub fn new(engine: Arc<Engine>, refresh_fraction: f64) -> Self {
        Self {
            engine,
            slot: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            publish: std::sync::Mutex::new(()),
            refresh_fraction: refresh_fraction.clamp(0.1, 0.95),
            listeners: RwLock::new(Vec::new()),
        }
    }

    /// Returns a valid entity token, from the cache when it is fresh.
    pub async fn access_token(&self) -> Result<Arc<EntityToken>> {
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        self.refresh().await
    }

    /// Returns the cached token if it is not yet due for refresh. It takes no
    /// async lock and makes no request.
    #[inline]
    pub fn cached(&self) -> Option<Arc<EntityToken>> {
        let slot = self.slot.read().ok()?;
        let cached = slot.as_ref()?;
        if self.engine.client().clock().now() < cached.refresh_at {
            Some(cached.token.clone())
        } else {
            None
        }
    }

    /// Returns the cached token and its refresh deadline, fresh or not.
    pub fn snapshot(&self) -> Option<CachedToken> {
        self.slot.read().ok()?.clone()
    }

    /// Drops the cached token if its value is `token` (after a peer rejected
    /// it), or whatever is cached when `token` is `None`. A token refreshed in
    /// the meantime is kept.
    pub fn invalidate(&self, token: Option<&str>) {
        let _publish = self.publish.lock();
        let removed = match self.slot.write() {
            Ok(mut slot) => {
                let matches = match (slot.as_ref(), token) {
                    (Some(cached), Some(value)) => cached.token.token.expose_secret() == value,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if matches {
                    *slot = None;
                }
                matches
            }
            Err(_) => false,
        };
        if removed {
            tracing::debug!(entity_id = %self.engine.entity_id(), "entity token invalidated");
            self.notify(None);
        }
    }

    /// Calls `listener` with every new token (and `None` on invalidation), in
    /// the order the changes happen. The Node binding uses it to keep a copy
    /// on the JavaScript side. A listener must not call back into this cache's
    /// `invalidate`, which would wait for the listener to return.
    pub fn on_change(&self, listener: impl Fn(Option<&CachedToken>) + Send + Sync + 'static) {
        if let Ok(mut listeners) = self.listeners.write() {
            listeners.push(Arc::new(listener));
        }
    }

    async fn refresh(&self) -> Result<Arc<EntityToken>> {
        let _single_flight = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        let entity_id = self.engine.entity_id();
        let secret = self.engine.effective_secret().await?;
        let token = match self
            .engine
            .client()
            .generate_entity_token(entity_id, &secret.value)
            .await
        {
            Ok(token) => token,
            Err(error) if error.kind() == ErrorKind::InvalidEntitySecret => {
                tracing::warn!(fingerprint = %secret.fingerprint, "the stored secret was rejected; looking for a newer one");
                let other = self
                    .engine
                    .secret_after_rejection(&secret.fingerprint)
                    .await?;
                self.engine
                    .client()
                    .generate_entity_token(entity_id, &other.value)
                    .await?
            }
            Err(error) => return Err(error),
        };
        if let Some(warning) = token
            .warning
            .as_ref()
            .filter(|w| w.kind == MessageKind::GracePeriod)
        {
            self.engine.events().emit(Event {
                kind: EventKind::GracePeriodWarning,
                entity_id: entity_id.to_owned(),
                at: token.issued_at,
                old_fingerprint: None,
                new_fingerprint: Some(token.secret_fingerprint.clone()),
                expires_at: None,
                message: warning.text.clone(),
            });
        }

        let life = token.expires_at.duration_since(token.issued_at);
        let refresh_after =
            SignedDuration::try_from_secs_f64(life.as_secs_f64() * self.refresh_fraction)
                .unwrap_or(life);
        let refresh_at = token
            .issued_at
            .checked_add(refresh_after)
            .unwrap_or(token.expires_at);
        let token = Arc::new(token);
        let cached = CachedToken {
            token: token.clone(),
            refresh_at,
        };
        let _publish = self.publish.lock();
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some(cached.clone());
        }
        tracing::debug!(entity_id, refresh_at = %refresh_at, fingerprint = %token.secret_fingerprint, "entity token refreshed");
        self.notify(Some(&cached));
        Ok(token)
    }

    fn notify(&self, cached: Option<&CachedToken>) {
        let listeners: Vec<Listener> = match self.listeners.read() {
            Ok(list) => list.clone(),
            Err(_) => return,
        };
        for listener in listeners {
            listener(cached);
        }
    }
}
