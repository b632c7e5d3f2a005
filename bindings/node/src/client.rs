//! `RotationClient`: the core's [`RotationClient`] behind a napi class.
//!
//! Besides forwarding calls, the class pushes two things to JavaScript through
//! weak thread-safe functions, which never keep the event loop alive. It
//! pushes every change of the core's entity-token cache, so that the
//! JavaScript layer can return a cached `accessToken()` without calling in
//! here, and every event of the engine.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use aa_rotation::engine::RotateOptions;
use aa_rotation::events::Event;
use aa_rotation::settings::Settings;
use aa_rotation::token_cache::CachedToken;
use aa_rotation::{RotationClient, RotationConfig, StoreChoice};
use napi::Status;
use napi::threadsafe_function::{
    ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue,
};
use napi_derive::napi;
use tracing::Instrument;
use zeroize::Zeroizing;

use crate::errors::{invalid_argument, to_napi};
use crate::js_store::{GetFunction, JsStore, PutFunction};
use crate::logging::{self, LogFunction};
use crate::views::{
    EntityTokenData, RecoveryOutcome, RotationEvent, RotationOutcome, SecretStatus,
};

/// Receives each new entity token, and `null` when the cached one is dropped.
type TokenFunction = ThreadsafeFunction<
    Option<EntityTokenData>,
    UnknownReturnValue,
    Option<EntityTokenData>,
    Status,
    false,
    true,
>;

/// Receives each event of the engine.
type EventFunction =
    ThreadsafeFunction<RotationEvent, UnknownReturnValue, RotationEvent, Status, false, true>;

/// Numbers clients for log routing; unique per process, across worker threads.
static NEXT_CLIENT_ID: AtomicU64 = AtomicU64::new(1);

/// Settings of a `RotationClient`. Every field but the entity id is optional;
/// days, minutes and seconds may have fractions.
#[napi(object)]
pub struct ClientOptions {
    /// The entity (AA, FIU or FIP) whose secret is managed.
    pub entity_id: Option<String>,
    /// IAM base URL ending in `/iam`; `https://`, or `http://` to loopback only.
    pub base_url: Option<String>,
    /// `sandbox`, `uat` or `production`, when no base URL is given.
    pub environment: Option<String>,
    /// The designated user's username.
    pub username: Option<String>,
    /// The designated user's password.
    pub password: Option<String>,
    /// The current secret, stored with an unknown expiry when the store is
    /// empty and no designated user is configured.
    pub secret: Option<String>,
    /// `file:///path`, a plain path, or `memory:`. Default
    /// `./aa-rotation-secret.json`.
    pub store: Option<String>,
    /// Rotate when less than this many days remain. Default 30.
    pub rotate_before_days: Option<f64>,
    /// Rotate when the secret is older than this many days.
    pub max_age_days: Option<f64>,
    /// Validity requested on Reset; the service caps it.
    pub secret_expiry_days: Option<u32>,
    /// When scheduled rotations may run, such as `Mon-Fri 10:00-16:00 Asia/Kolkata`.
    pub window: Option<String>,
    /// Upper bound of a random delay added to a scheduled rotation.
    pub jitter_minutes: Option<f64>,
    /// Days after expiry during which the service still issues entity tokens.
    pub grace_period_days: Option<f64>,
    /// JSON-lines audit log of every event.
    pub audit_log: Option<String>,
    /// How often the background schedule checks the secret. Default 60.
    pub check_interval_minutes: Option<f64>,
    pub connect_timeout_seconds: Option<f64>,
    pub request_timeout_seconds: Option<f64>,
    /// How long a rotation waits for another instance's lease.
    pub lease_wait_seconds: Option<f64>,
    /// Attempts per idempotent Token Service call, the first included. Default 4.
    pub max_attempts: Option<u32>,
}

/// JavaScript functions that the client calls. The JavaScript layer builds
/// this object, and it catches every exception inside these functions.
#[napi(object, object_to_js = false)]
pub struct ClientHooks {
    #[napi(ts_type = "(token: EntityTokenData | null) => void")]
    pub on_token: TokenFunction,
    #[napi(ts_type = "(event: RotationEvent) => void")]
    pub on_event: EventFunction,
    #[napi(ts_type = "(method: string, message: string, fieldsJson: string) => void")]
    pub log: Option<LogFunction>,
    /// `error`, `warn`, `info` (the default), `debug` or `trace`.
    pub log_level: Option<String>,
    #[napi(ts_type = "(entityId: string) => Promise<HostReply>")]
    pub store_get: Option<GetFunction>,
    #[napi(
        ts_type = "(recordJson: string, expectedVersion: number | null, entityId: string, version: number) => Promise<HostReply>"
    )]
    pub store_put: Option<PutFunction>,
    /// The JavaScript store's name in status output.
    pub store_description: Option<String>,
}

/// Options of one `rotate()` call.
#[napi(object)]
pub struct RotateCallOptions {
    /// Rotate even if the secret is not due.
    pub force: Option<bool>,
    /// Decide and report, without any Reset.
    pub dry_run: Option<bool>,
}

impl ClientOptions {
    /// Builds the core's configuration through [`Settings`], so that every
    /// option is checked exactly as the command line checks it.
    fn into_settings(self) -> aa_rotation::Result<(Settings, Option<u32>)> {
        // Wiped when dropped; Settings wraps the copies it takes the same way.
        let password = self.password.map(Zeroizing::new);
        let secret = self.secret.map(Zeroizing::new);
        // Settings keeps the password and secret private; its variable reader
        // is the way in.
        let mut settings = Settings::load_with(None, |name| match name {
            "AA_ROTATION_PASSWORD" => password.as_deref().cloned(),
            "AA_ROTATION_SECRET" => secret.as_deref().cloned(),
            _ => None,
        })?;
        settings.entity_id = self.entity_id;
        settings.base_url = self.base_url;
        settings.environment = self.environment;
        settings.username = self.username;
        settings.store = self.store;
        settings.rotate_before_days = self.rotate_before_days;
        settings.max_age_days = self.max_age_days;
        settings.secret_expiry_days = self.secret_expiry_days;
        settings.window = self.window;
        settings.jitter_minutes = self.jitter_minutes;
        settings.grace_period_days = self.grace_period_days;
        settings.audit_log = self.audit_log.map(Into::into);
        settings.check_interval_minutes = self.check_interval_minutes;
        settings.connect_timeout_seconds = self.connect_timeout_seconds;
        settings.request_timeout_seconds = self.request_timeout_seconds;
        settings.lease_wait_seconds = self.lease_wait_seconds;
        Ok((settings, self.max_attempts))
    }
}

/// Builds the configuration, with the JavaScript store when the hooks have one.
fn build_config(
    mut settings: Settings,
    max_attempts: Option<u32>,
    hooks: &mut ClientHooks,
) -> napi::Result<RotationConfig> {
    let js_store = match (hooks.store_get.take(), hooks.store_put.take()) {
        (Some(get), Some(put)) => Some(JsStore::new(get, put, hooks.store_description.take())),
        (None, None) => None,
        _ => {
            return Err(invalid_argument(
                "a JavaScript store needs both get() and put()",
            ));
        }
    };
    if js_store.is_some() {
        // Only to pass the store check; replaced below.
        settings.store = Some("memory:".to_owned());
    }
    let mut config = settings.into_config().map_err(to_napi)?;
    if let Some(store) = js_store {
        config.store = StoreChoice::Custom {
            store: Arc::new(store),
            lease: None,
        };
    }
    if let Some(attempts) = max_attempts {
        if attempts == 0 {
            return Err(invalid_argument("maxAttempts must be at least 1"));
        }
        config.client.retry.max_attempts = attempts;
    }
    Ok(config)
}

/// The functions that receive pushed tokens and events. Emptied by `close()`,
/// which releases the JavaScript functions.
#[derive(Default)]
struct Pushers {
    token: RwLock<Option<TokenFunction>>,
    event: RwLock<Option<EventFunction>>,
}

impl Pushers {
    fn push_token(&self, cached: Option<&CachedToken>) {
        if let Ok(slot) = self.token.read()
            && let Some(function) = slot.as_ref()
        {
            // Fails only while the JavaScript environment shuts down.
            let _ = function.call(
                cached.map(EntityTokenData::from),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
    }

    fn push_event(&self, event: &Event) {
        if let Ok(slot) = self.event.read()
            && let Some(function) = slot.as_ref()
        {
            let _ = function.call(
                RotationEvent::from(event),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
    }

    fn clear(&self) {
        if let Ok(mut slot) = self.token.write() {
            slot.take();
        }
        if let Ok(mut slot) = self.event.write() {
            slot.take();
        }
    }
}

/// The native half of `RotationClient`; the JavaScript layer wraps it.
#[napi]
pub struct NativeRotationClient {
    inner: Arc<RotationClient>,
    id: u64,
    subscription: u64,
    pushers: Arc<Pushers>,
    log_forwarding: bool,
}

#[napi]
impl NativeRotationClient {
    /// Builds a client from options. Makes no network call and touches no file.
    #[napi(constructor)]
    pub fn new(options: ClientOptions, hooks: ClientHooks) -> napi::Result<Self> {
        let mut hooks = hooks;
        let (settings, max_attempts) = options.into_settings().map_err(to_napi)?;
        let config = build_config(settings, max_attempts, &mut hooks)?;
        Self::create(config, hooks)
    }

    /// Builds a client from `AA_ROTATION_*` variables, passed in by the
    /// JavaScript layer from `process.env`.
    #[napi(factory)]
    pub fn from_env(variables: HashMap<String, String>, hooks: ClientHooks) -> napi::Result<Self> {
        let mut hooks = hooks;
        // The variables may hold the password and the secret: wipe them once read.
        let variables: HashMap<String, Zeroizing<String>> = variables
            .into_iter()
            .map(|(name, value)| (name, Zeroizing::new(value)))
            .collect();
        let settings = Settings::load_with(None, |name| {
            variables.get(name).map(|value| value.to_string())
        })
        .map_err(to_napi)?;
        let config = build_config(settings, None, &mut hooks)?;
        Self::create(config, hooks)
    }

    fn create(config: RotationConfig, hooks: ClientHooks) -> napi::Result<Self> {
        let id = NEXT_CLIENT_ID.fetch_add(1, Ordering::Relaxed);
        let entity_id = config.engine.entity_id.clone();
        let log_forwarding = match hooks.log {
            Some(log) => {
                let level = hooks.log_level.as_deref().unwrap_or("info");
                let max_rank = logging::parse_level(level).ok_or_else(|| {
                    invalid_argument(format!(
                        "logLevel {level:?} is not one of error, warn, info, debug or trace"
                    ))
                })?;
                logging::register(id, &entity_id, max_rank, log)
            }
            None => true,
        };

        let client = match RotationClient::new(config) {
            Ok(client) => client,
            Err(error) => {
                logging::unregister(id);
                return Err(to_napi(error));
            }
        };
        let pushers = Arc::new(Pushers {
            token: RwLock::new(Some(hooks.on_token)),
            event: RwLock::new(Some(hooks.on_event)),
        });
        let token_pushers = pushers.clone();
        client.on_token_change(move |cached| token_pushers.push_token(cached));
        let event_pushers = pushers.clone();
        let subscription = client.subscribe(move |event| event_pushers.push_event(event));

        Ok(Self {
            inner: Arc::new(client),
            id,
            subscription,
            pushers,
            log_forwarding,
        })
    }

    /// The entity this client manages.
    #[napi(getter)]
    pub fn entity_id(&self) -> String {
        self.inner.engine().entity_id().to_owned()
    }

    /// The store's description, such as `file:///var/lib/aa/secret.json`.
    #[napi(getter)]
    pub fn store(&self) -> String {
        self.inner.engine().store().describe()
    }

    /// False when the logger could not be attached because another `tracing`
    /// subscriber owns this process.
    #[napi(getter)]
    pub fn log_forwarding(&self) -> bool {
        self.log_forwarding
    }

    fn span(&self) -> tracing::Span {
        logging::client_span(self.id)
    }

    /// Returns a valid entity token from the core's cache, refreshing it when
    /// due. The JavaScript layer calls this only when its own copy is missing
    /// or due.
    #[napi]
    pub async fn access_token(&self) -> napi::Result<EntityTokenData> {
        let client = self.inner.clone();
        let token = async move { client.access_token().await }
            .instrument(self.span())
            .await
            .map_err(to_napi)?;
        Ok(EntityTokenData::new(&token, None))
    }

    /// Drops the cached entity token if its value is `token`, or any cached
    /// token when `token` is absent.
    #[napi]
    pub fn invalidate(&self, token: Option<String>) {
        let _entered = self.span().entered();
        self.inner.invalidate(token.as_deref());
    }

    /// Returns the stored secret's status, filling an empty store first.
    #[napi]
    pub async fn status(&self) -> napi::Result<SecretStatus> {
        let client = self.inner.clone();
        let status = async move { client.status().await }
            .instrument(self.span())
            .await
            .map_err(to_napi)?;
        Ok(status.into())
    }

    /// Rotates now if the secret is due, or in any case with `force`.
    #[napi]
    pub async fn rotate(
        &self,
        options: Option<RotateCallOptions>,
    ) -> napi::Result<RotationOutcome> {
        let options = RotateOptions {
            force: options.as_ref().and_then(|o| o.force).unwrap_or(false),
            dry_run: options.as_ref().and_then(|o| o.dry_run).unwrap_or(false),
        };
        let client = self.inner.clone();
        let outcome = async move { client.rotate(options).await }
            .instrument(self.span())
            .await
            .map_err(to_napi)?;
        Ok(outcome.into())
    }

    /// Recovers an interrupted rotation, then rotates when the policy, window
    /// and jitter allow it.
    #[napi]
    pub async fn ensure_fresh(&self) -> napi::Result<RotationOutcome> {
        let client = self.inner.clone();
        let outcome = async move { client.ensure_fresh().await }
            .instrument(self.span())
            .await
            .map_err(to_napi)?;
        Ok(outcome.into())
    }

    /// Finishes an interrupted rotation or heals drift.
    #[napi]
    pub async fn recover(&self) -> napi::Result<RecoveryOutcome> {
        let client = self.inner.clone();
        let outcome = async move { client.recover().await }
            .instrument(self.span())
            .await
            .map_err(to_napi)?;
        Ok(outcome.into())
    }

    /// Starts the background schedule on the addon's tokio runtime: recover
    /// once, then check the secret every check interval.
    #[napi]
    pub async fn start(&self) -> napi::Result<()> {
        // An async function runs on the runtime, which `start` spawns onto.
        self.inner.start().map_err(to_napi)
    }

    /// Stops the background schedule.
    #[napi]
    pub fn stop(&self) {
        self.inner.stop();
    }

    /// Stops the schedule and releases the JavaScript functions this client
    /// holds (token and event listeners, logger). The client still serves
    /// calls afterwards, without pushing tokens or events.
    #[napi]
    pub fn close(&self) {
        self.inner.stop();
        self.inner.unsubscribe(self.subscription);
        self.pushers.clear();
        logging::unregister(self.id);
    }
}

impl Drop for NativeRotationClient {
    fn drop(&mut self) {
        self.close();
    }
}
