//! The Token Service simulator, started in-process on 127.0.0.1 for tests.
//!
//! JSON arguments use the simulator's own formats, the ones its `/_sim/`
//! control endpoints accept, so that one document works in both places.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aa_rotation_sim::{Endpoint, EntitySeed, Fault, SeedDocument, SimConfig, UserSeed};

use crate::error::RotationError;

type Result<T, E = RotationError> = std::result::Result<T, E>;

fn invalid(what: &str, error: impl std::fmt::Display) -> RotationError {
    RotationError::config(format!("invalid simulator {what}: {error}"))
}

/// Calls per Token Service endpoint and the entities' current secrets.
#[derive(Clone, Debug, uniffi::Record)]
pub struct SimulatorCounters {
    pub user_token: i64,
    pub secret_read: i64,
    pub secret_reset: i64,
    pub entity_token: i64,
    pub oidc_token: i64,
    /// Successful Resets per entity id.
    pub resets: HashMap<String, i64>,
    /// Fingerprint of each entity's current secret.
    pub fingerprints: HashMap<String, String>,
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A running simulator. Stops when `stop()` is called or the object is freed.
#[derive(uniffi::Object)]
pub struct Simulator {
    inner: Mutex<Option<aa_rotation_sim::Simulator>>,
    base_url: String,
    root_url: String,
}

/// Starts a simulator on 127.0.0.1 with a free port. `config_json` is the
/// simulator's configuration document (camelCase fields, all optional),
/// such as `{"entityTokenValiditySeconds": 3600}`; null takes the defaults.
#[uniffi::export(async_runtime = "tokio")]
pub async fn start_simulator(config_json: Option<String>) -> Result<Arc<Simulator>> {
    let config = match config_json {
        Some(text) => {
            serde_json::from_str::<SimConfig>(&text).map_err(|e| invalid("configuration", e))?
        }
        None => SimConfig::default(),
    };
    let simulator = aa_rotation_sim::Simulator::start(config)
        .await
        .map_err(|e| invalid("start", e))?;
    Ok(Arc::new(Simulator {
        base_url: simulator.base_url(),
        root_url: simulator.root_url(),
        inner: Mutex::new(Some(simulator)),
    }))
}

impl Simulator {
    fn with<T>(&self, action: impl FnOnce(&aa_rotation_sim::Simulator) -> Result<T>) -> Result<T> {
        let guard = self
            .inner
            .lock()
            .map_err(|_| RotationError::config("the simulator lock is poisoned"))?;
        match guard.as_ref() {
            Some(simulator) => action(simulator),
            None => Err(RotationError::config("the simulator is stopped")),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Simulator {
    /// Returns the IAM base URL, `http://127.0.0.1:PORT/iam`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Returns the root URL, under which the `/_sim/` control endpoints live.
    pub fn root_url(&self) -> String {
        self.root_url.clone()
    }

    /// Adds the users and entities of a seed document, such as
    /// `{"users":[{"username":…,"password":…,"entities":[…]}],
    ///   "entities":[{"entityId":…,"secret":…,"expiresInDays":40}]}`.
    pub fn seed(&self, seed_json: String) -> Result<()> {
        let document: SeedDocument =
            serde_json::from_str(&seed_json).map_err(|e| invalid("seed document", e))?;
        self.with(|sim| {
            sim.seed_document(document)
                .map_err(|e| invalid("seed document", e))
        })
    }

    /// Adds a designated user with rights over `entities`.
    pub fn add_user(
        &self,
        username: String,
        password: String,
        entities: Vec<String>,
    ) -> Result<()> {
        self.with(|sim| {
            sim.add_user(UserSeed {
                username,
                password,
                entities,
                password_expires_at: None,
            });
            Ok(())
        })
    }

    /// Adds an entity with its current secret; a null `expires_at` is a
    /// secret that never expires.
    pub fn add_entity(
        &self,
        entity_id: String,
        secret: String,
        expires_at: Option<SystemTime>,
    ) -> Result<()> {
        let expires_at = expires_at
            .map(|at| jiff::Timestamp::try_from(at).map(|t| t.as_second()))
            .transpose()
            .map_err(|e| invalid("expiry", e))?;
        self.with(|sim| {
            sim.add_entity(EntitySeed {
                entity_id,
                secret,
                expires_at,
            });
            Ok(())
        })
    }

    /// Moves the simulator's clock forward by `seconds`.
    pub fn advance_clock(&self, seconds: f64) -> Result<()> {
        let by = Duration::try_from_secs_f64(seconds).map_err(|e| invalid("clock advance", e))?;
        self.with(|sim| {
            sim.advance_clock(by);
            Ok(())
        })
    }

    /// Injects a fault into the next `count` requests to `endpoint`
    /// (`user_token`, `secret_read`, `secret_reset`, `entity_token` or
    /// `oidc_token`), or into all of them when `count` is null. `fault_json`
    /// is the simulator's fault document, such as `{"kind":"html","status":502}`.
    pub fn inject_fault(
        &self,
        endpoint: String,
        fault_json: String,
        count: Option<u32>,
    ) -> Result<()> {
        let endpoint: Endpoint = serde_json::from_value(serde_json::Value::String(endpoint))
            .map_err(|e| invalid("endpoint", e))?;
        let fault: Fault = serde_json::from_str(&fault_json).map_err(|e| invalid("fault", e))?;
        self.with(|sim| {
            sim.inject_fault(endpoint, fault, count)
                .map_err(|e| invalid("fault", e))
        })
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) -> Result<()> {
        self.with(|sim| {
            sim.clear_faults();
            Ok(())
        })
    }

    /// Returns a snapshot of the call counters.
    pub fn counters(&self) -> Result<SimulatorCounters> {
        self.with(|sim| {
            let counters = sim.counters();
            Ok(SimulatorCounters {
                user_token: count(counters.calls.user_token),
                secret_read: count(counters.calls.secret_read),
                secret_reset: count(counters.calls.secret_reset),
                entity_token: count(counters.calls.entity_token),
                oidc_token: count(counters.calls.oidc_token),
                resets: counters
                    .resets
                    .iter()
                    .map(|(id, n)| (id.clone(), count(*n)))
                    .collect(),
                fingerprints: counters
                    .entities
                    .iter()
                    .map(|(id, e)| (id.clone(), e.fingerprint.clone()))
                    .collect(),
            })
        })
    }

    /// Returns the entity's current secret as the simulator holds it, so that
    /// a test can compare it with what a store received; null for an unknown
    /// entity. For tests only: the value is a secret.
    pub fn current_secret(&self, entity_id: String) -> Result<Option<String>> {
        self.with(|sim| Ok(sim.current_secret(&entity_id)))
    }

    /// Stops the simulator and waits until its connections are closed.
    /// Stopping twice does nothing.
    pub async fn stop(&self) {
        let simulator = match self.inner.lock() {
            Ok(mut guard) => guard.take(),
            Err(_) => None,
        };
        if let Some(simulator) = simulator {
            simulator.shutdown().await;
        }
    }
}
