//! [`RotationClient`]: the engine, the token cache and a background schedule
//! behind one object. The command line and the Python, Node and JVM bindings
//! all use this type, so that they behave the same.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::client::{ClientConfig, EntityToken, TokenServiceClient};
use crate::clock::Clock;
use crate::engine::{
    Engine, EngineConfig, RecoveryOutcome, RotateOptions, RotationOutcome, SecretStatus,
};
use crate::error::{Error, Result};
use crate::events::{Event, EventBus};
use crate::lease::{FileLease, LeaseManager, MemoryLease};
use crate::store::{CheckedStore, FileStore, MemoryStore, SecretStore};

/// How long one call of a host-language store may take. Thirty seconds is
/// far above a vault's usual latency, and short enough that a hung backend
/// shows up as an error rather than as a rotation that never ends.
const HOST_STORE_TIMEOUT: Duration = Duration::from_secs(30);
use crate::token_cache::{CachedToken, TokenCache};

/// The secret store backend of a [`RotationClient`].
#[derive(Clone)]
pub enum StoreChoice {
    /// A JSON file (the embedded default), with file-lock leases beside it.
    File(PathBuf),
    /// Process memory, with in-process leases. The secret is lost when the
    /// process exits, so the command line rejects this store; it suits tests
    /// and processes that bootstrap from `bootstrap_secret` each time.
    Memory,
    /// A store of the host application (a vault, say). Without a lease
    /// manager, leases are in-process only.
    Custom {
        store: Arc<dyn SecretStore>,
        lease: Option<Arc<dyn LeaseManager>>,
    },
}

impl std::fmt::Debug for StoreChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreChoice::File(path) => write!(f, "File({})", path.display()),
            StoreChoice::Memory => f.write_str("Memory"),
            StoreChoice::Custom { store, .. } => write!(f, "Custom({})", store.describe()),
        }
    }
}

impl StoreChoice {
    /// Parses `file:///path`, a plain path, or `memory:`.
    pub fn parse(url: &str) -> Result<Self> {
        let url = url.trim();
        if url == "memory:" {
            return Ok(StoreChoice::Memory);
        }
        if let Some(rest) = url.strip_prefix("file://") {
            // file:///var/lib/x.json or file://localhost/var/lib/x.json; a
            // store on another host is not something a file URL can reach.
            let path = rest.strip_prefix("localhost").unwrap_or(rest);
            if !path.starts_with('/') {
                return Err(Error::Config(format!(
                    "the store URL {url:?} names a host or a relative path; use file:///absolute/path/secret.json \
                     or a plain path"
                )));
            }
            return Ok(StoreChoice::File(PathBuf::from(path)));
        }
        if url.starts_with("file:") {
            return Err(Error::Config(format!(
                "the store URL {url:?} is not a valid file URL; use file:///absolute/path/secret.json or a plain path"
            )));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(Error::Config(format!(
                "store scheme {scheme:?} is not supported by this version; use file:///path/to/secret.json, or \
                 implement a store in the host application"
            )));
        }
        if url.is_empty() {
            return Err(Error::Config(
                "the store is empty; set AA_ROTATION_STORE".into(),
            ));
        }
        Ok(StoreChoice::File(PathBuf::from(url)))
    }
}

/// Settings of a [`RotationClient`].
#[derive(Clone, Debug)]
pub struct RotationConfig {
    pub engine: EngineConfig,
    pub client: ClientConfig,
    pub store: StoreChoice,
    /// JSON-lines audit log of every event.
    pub audit_log: Option<PathBuf>,
    /// How often the background schedule checks the secret. Hourly is far
    /// more often than a 30-day threshold needs, and cheap: one store read.
    pub check_interval: Duration,
    /// Fraction of an entity token's life after which it is refreshed.
    pub token_refresh_fraction: f64,
    pub clock: Clock,
}

impl RotationConfig {
    /// Settings with defaults for the rest.
    pub fn new(engine: EngineConfig, client: ClientConfig, store: StoreChoice) -> Self {
        Self {
            engine,
            client,
            store,
            audit_log: None,
            check_interval: Duration::from_secs(3600),
            // 80% of a 24-hour token: a refresh about 5 hours before expiry
            // leaves time to retry through an outage of the Token Service.
            token_refresh_fraction: 0.8,
            clock: Clock::system(),
        }
    }
}

/// Rotation, status and entity tokens for one entity.
pub struct RotationClient {
    engine: Arc<Engine>,
    tokens: Arc<TokenCache>,
    check_interval: Duration,
    schedule: Mutex<Option<tokio::task::JoinHandle<()>>>,
    last_check: Arc<Mutex<Option<CheckResult>>>,
}

/// The result of one check of the background schedule.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CheckResult {
    pub at: jiff::Timestamp,
    /// The outcome of `ensure_fresh`, when the check succeeded.
    pub outcome: Option<RotationOutcome>,
    /// The error's message, when the check failed.
    pub error: Option<String>,
    /// The stable code of the error's root cause, such as `INVALID_USER_CREDENTIALS`.
    pub error_code: Option<&'static str>,
}

/// Checks at start-up that the audit log can be written: its folder exists
/// (created with mode 0700 if missing) and the path is not a folder. An
/// organisation's audit trail must not fail silently at the first rotation.
fn check_audit_path(path: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if path.is_dir() {
        return Err(Error::Config(format!(
            "the audit log path {} is a folder; give a file path such as {}/aa-rotation-audit.jsonl",
            path.display(),
            path.display()
        )));
    }
    if let Some(folder) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
            .map_err(|e| {
                Error::Config(format!(
                    "could not create the audit log folder {}: {e}",
                    folder.display()
                ))
            })?;
    }
    Ok(())
}

/// Runs one check of the background schedule: recover (which verifies the stored
/// secret and heals drift), rotate if due, and drop cached tokens of a secret
/// that another process replaced.
async fn scheduled_check(engine: &Engine, tokens: &TokenCache) -> Result<RotationOutcome> {
    engine.recover().await?;
    let outcome = engine.ensure_fresh().await?;
    if outcome.action == crate::engine::RotationAction::Rotated {
        tokens.invalidate(None);
    }
    if let (Ok(secret), Some(cached)) = (engine.effective_secret().await, tokens.snapshot())
        && cached.token.secret_fingerprint != secret.fingerprint
    {
        tokens.invalidate(None);
    }
    Ok(outcome)
}

impl std::fmt::Debug for RotationClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotationClient")
            .field("entity_id", &self.engine.entity_id())
            .field("store", &self.engine.store().describe())
            .finish_non_exhaustive()
    }
}

impl RotationClient {
    /// Builds the client. Makes no network call and touches no file.
    pub fn new(config: RotationConfig) -> Result<Self> {
        if !(0.1..=0.95).contains(&config.token_refresh_fraction) {
            return Err(Error::Config(format!(
                "token_refresh_fraction is {}, expected a fraction of a token's life from 0.1 to 0.95 (0.8 by default)",
                config.token_refresh_fraction
            )));
        }
        let client = TokenServiceClient::with_clock(config.client, config.clock.clone())?;
        let (store, lease): (Arc<dyn SecretStore>, Arc<dyn LeaseManager>) = match config.store {
            StoreChoice::File(path) => {
                let store = FileStore::new(&path)?;
                let lease = FileLease::new(store.path(), config.clock.clone());
                (Arc::new(store), Arc::new(lease))
            }
            StoreChoice::Memory => (
                Arc::new(MemoryStore::new()),
                Arc::new(MemoryLease::new(config.clock.clone())),
            ),
            StoreChoice::Custom { store, lease } => {
                let lease =
                    lease.unwrap_or_else(|| Arc::new(MemoryLease::new(config.clock.clone())));
                let store: Arc<dyn SecretStore> =
                    Arc::new(CheckedStore::new(store, HOST_STORE_TIMEOUT));
                (store, lease)
            }
        };
        let events = match config.audit_log {
            Some(path) => {
                check_audit_path(&path)?;
                EventBus::with_audit_log(path)
            }
            None => EventBus::new(),
        };
        let engine = Arc::new(Engine::new(config.engine, client, store, lease, events)?);
        let tokens = Arc::new(TokenCache::new(
            engine.clone(),
            config.token_refresh_fraction,
        ));
        Ok(Self {
            engine,
            tokens,
            check_interval: config.check_interval,
            schedule: Mutex::new(None),
            last_check: Arc::new(Mutex::new(None)),
        })
    }

    /// Returns a valid entity token, cached while fresh.
    pub async fn access_token(&self) -> Result<Arc<EntityToken>> {
        self.tokens.access_token().await
    }

    /// Returns the cached entity token if it is fresh, without waiting.
    pub fn cached_access_token(&self) -> Option<Arc<EntityToken>> {
        self.tokens.cached()
    }

    /// Returns the cached entity token and its refresh deadline, fresh or not.
    pub fn cached_token(&self) -> Option<CachedToken> {
        self.tokens.snapshot()
    }

    /// Drops the cached entity token if its value is `token` (after a peer
    /// returned 401), or any cached token when `token` is `None`.
    pub fn invalidate(&self, token: Option<&str>) {
        self.tokens.invalidate(token);
    }

    /// Returns the stored secret's status.
    pub async fn status(&self) -> Result<SecretStatus> {
        self.engine.status().await
    }

    /// Rotates now if the secret is due, or in any case with `force`.
    pub async fn rotate(&self, options: RotateOptions) -> Result<RotationOutcome> {
        let outcome = self.engine.rotate(options).await?;
        if outcome.action == crate::engine::RotationAction::Rotated {
            // Entity tokens of the old secret stay valid, but new callers
            // should get one from the new secret.
            self.tokens.invalidate(None);
        }
        Ok(outcome)
    }

    /// Recovers an interrupted rotation, then rotates if the policy, window and
    /// jitter allow it.
    pub async fn ensure_fresh(&self) -> Result<RotationOutcome> {
        let outcome = self.engine.ensure_fresh().await?;
        if outcome.action == crate::engine::RotationAction::Rotated {
            self.tokens.invalidate(None);
        }
        Ok(outcome)
    }

    /// Checks the stored secret and the designated user's access without
    /// changing anything; see [`Engine::probe`].
    pub async fn probe(&self) -> Result<crate::engine::ProbeReport> {
        self.engine.probe().await
    }

    /// Finishes an interrupted rotation or heals drift.
    pub async fn recover(&self) -> Result<RecoveryOutcome> {
        self.engine.recover().await
    }

    /// Calls `callback` for every event.
    pub fn subscribe(&self, callback: impl Fn(&Event) + Send + Sync + 'static) -> u64 {
        self.engine.events().subscribe(callback)
    }

    /// Stops delivering events to subscriber `id`.
    pub fn unsubscribe(&self, id: u64) {
        self.engine.events().unsubscribe(id);
    }

    /// Calls `listener` with each new entity token and on invalidation.
    pub fn on_token_change(&self, listener: impl Fn(Option<&CachedToken>) + Send + Sync + 'static) {
        self.tokens.on_change(listener);
    }

    /// Returns the engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Returns the Token Service client.
    pub fn token_service(&self) -> &TokenServiceClient {
        self.engine.client()
    }

    /// Starts the background schedule on the current tokio runtime. Every
    /// check interval it runs `recover` (which finishes an interrupted
    /// rotation, verifies the stored secret with an entity token and heals
    /// drift) and then `ensure_fresh`. Errors are logged and kept for
    /// [`RotationClient::last_check`]; the schedule keeps running. Calling
    /// `start` twice keeps the first schedule.
    pub fn start(&self) -> Result<()> {
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Config("start() needs a running tokio runtime".into()))?;
        let mut schedule = self
            .schedule
            .lock()
            .map_err(|_| Error::Config("schedule lock poisoned".into()))?;
        if schedule.as_ref().is_some_and(|task| !task.is_finished()) {
            return Ok(());
        }
        let engine = self.engine.clone();
        let tokens = self.tokens.clone();
        let last_check = self.last_check.clone();
        let interval = self.check_interval;
        *schedule = Some(handle.spawn(async move {
            loop {
                let result = scheduled_check(&engine, &tokens).await;
                let entry = CheckResult {
                    at: engine.client().clock().now(),
                    error_code: result.as_ref().err().map(|e| e.root().kind().code()),
                    error: result.as_ref().err().map(|e| e.to_string()),
                    outcome: result.ok(),
                };
                if let Some(error) = &entry.error {
                    tracing::error!(entity_id = %engine.entity_id(), error = %error, "scheduled check failed");
                }
                if let Ok(mut slot) = last_check.lock() {
                    *slot = Some(entry);
                }
                tokio::time::sleep(interval).await;
            }
        }));
        Ok(())
    }

    /// Returns the result of the background schedule's latest check, once
    /// it has run.
    pub fn last_check(&self) -> Option<CheckResult> {
        self.last_check.lock().ok()?.clone()
    }

    /// Stops the background schedule.
    pub fn stop(&self) {
        if let Ok(mut schedule) = self.schedule.lock()
            && let Some(task) = schedule.take()
        {
            task.abort();
        }
    }
}

impl Drop for RotationClient {
    fn drop(&mut self) {
        self.stop();
    }
}
