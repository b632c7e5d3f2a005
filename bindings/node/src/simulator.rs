//! The Token Service simulator, for tests of applications that use this
//! package. It listens on 127.0.0.1 only, on a port the system picks.

use std::sync::Mutex;
use std::time::Duration;

use aa_rotation_sim::{Endpoint, Fault, SeedDocument, SimConfig, SimError, Simulator};
use napi_derive::napi;

use crate::errors::invalid_argument;
use crate::views::iso;

fn sim_error(error: SimError) -> napi::Error {
    invalid_argument(format!("simulator: {error}"))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> napi::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| invalid_argument(format!("invalid simulator {what}: {e}")))
}

/// Starts a simulator. `config_json` is a `SimConfig` document with camelCase
/// fields (`entityTokenValiditySeconds`, `gracePeriodDays`, …).
#[napi]
pub async fn start_simulator(config_json: Option<String>) -> napi::Result<NativeSimulator> {
    let config = match config_json.as_deref() {
        Some(text) => parse_json::<SimConfig>(text, "configuration")?,
        None => SimConfig::default(),
    };
    let simulator = Simulator::start(config).await.map_err(sim_error)?;
    Ok(NativeSimulator {
        base_url: simulator.base_url(),
        root_url: simulator.root_url(),
        inner: Mutex::new(Some(simulator)),
    })
}

/// The native half of `Simulator`; the JavaScript layer wraps it.
#[napi]
pub struct NativeSimulator {
    inner: Mutex<Option<Simulator>>,
    base_url: String,
    root_url: String,
}

#[napi]
impl NativeSimulator {
    fn with<T>(&self, action: impl FnOnce(&Simulator) -> napi::Result<T>) -> napi::Result<T> {
        let guard = self
            .inner
            .lock()
            .map_err(|_| invalid_argument("simulator lock poisoned"))?;
        match guard.as_ref() {
            Some(simulator) => action(simulator),
            None => Err(invalid_argument("the simulator was shut down")),
        }
    }

    /// The IAM base URL, `http://127.0.0.1:PORT/iam`.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The root URL, under which `/_sim/` lives.
    #[napi(getter)]
    pub fn root_url(&self) -> String {
        self.root_url.clone()
    }

    /// Adds the users and entities of a seed document (JSON, camelCase).
    #[napi]
    pub fn seed(&self, document_json: String) -> napi::Result<()> {
        let document: SeedDocument = parse_json(&document_json, "seed document")?;
        self.with(|simulator| simulator.seed_document(document).map_err(sim_error))
    }

    /// Moves the simulator's clock forward by `seconds`.
    #[napi]
    pub fn advance_clock(&self, seconds: f64) -> napi::Result<()> {
        let by = Duration::try_from_secs_f64(seconds).map_err(|_| {
            invalid_argument(format!(
                "seconds is {seconds}; the clock only moves forward"
            ))
        })?;
        self.with(|simulator| {
            simulator.advance_clock(by);
            Ok(())
        })
    }

    /// Returns the simulator clock's time, in the format of `Date.prototype.toISOString`.
    #[napi]
    pub fn now(&self) -> napi::Result<String> {
        self.with(|simulator| Ok(iso(simulator.now())))
    }

    /// Injects a fault (JSON such as `{"kind":"rate_limit","retryAfter":120}`)
    /// into the next `count` requests to `endpoint`, or into all of them.
    #[napi]
    pub fn inject_fault(
        &self,
        endpoint: String,
        fault_json: String,
        count: Option<u32>,
    ) -> napi::Result<()> {
        let endpoint: Endpoint = serde_json::from_value(serde_json::Value::String(endpoint.clone())).map_err(|_| {
            invalid_argument(format!(
                "unknown simulator endpoint {endpoint:?}; use user_token, secret_read, secret_reset, entity_token or oidc_token"
            ))
        })?;
        let fault: Fault = parse_json(&fault_json, "fault")?;
        self.with(|simulator| {
            simulator
                .inject_fault(endpoint, fault, count)
                .map_err(sim_error)
        })
    }

    /// Removes every injected fault.
    #[napi]
    pub fn clear_faults(&self) -> napi::Result<()> {
        self.with(|simulator| {
            simulator.clear_faults();
            Ok(())
        })
    }

    /// Returns the call, reset and secret counters as JSON.
    #[napi]
    pub fn counters(&self) -> napi::Result<String> {
        self.with(|simulator| {
            serde_json::to_string(&simulator.counters())
                .map_err(|e| invalid_argument(format!("simulator counters: {e}")))
        })
    }

    /// Returns the entity's current secret, or `null` for an unknown entity id.
    #[napi]
    pub fn current_secret(&self, entity_id: String) -> napi::Result<Option<String>> {
        self.with(|simulator| Ok(simulator.current_secret(&entity_id)))
    }

    /// Replaces the configuration (JSON, camelCase).
    #[napi]
    pub fn set_config(&self, config_json: String) -> napi::Result<()> {
        let config: SimConfig = parse_json(&config_json, "configuration")?;
        self.with(|simulator| simulator.set_config(config).map_err(sim_error))
    }

    /// Stops the simulator and waits until it no longer listens.
    #[napi]
    pub async fn shutdown(&self) -> napi::Result<()> {
        let simulator = self
            .inner
            .lock()
            .map_err(|_| invalid_argument("simulator lock poisoned"))?
            .take();
        if let Some(simulator) = simulator {
            simulator.shutdown().await;
        }
        Ok(())
    }
}
