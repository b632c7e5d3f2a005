//! Test helpers: a simulator with one designated user and one entity, and
//! clients configured against it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use aa_rotation::client::RetryPolicy;
use aa_rotation::engine::{EngineConfig, UserCredentials};
use aa_rotation::{
    ClientConfig, Password, RotationClient, RotationConfig, StoreChoice, TokenServiceClient,
};
use aa_rotation_sim::{EntitySeed, SimConfig, Simulator, UserSeed};

pub const ENTITY: &str = "FIU-TEST-1";
pub const USERNAME: &str = "rotation-bot@fiu.example";
pub const PASSWORD: &str = "canary-Password-7d1f";
pub const SECRET: &str = "canary-Initial-Secret-93ab";

pub struct Fixture {
    pub sim: Simulator,
    pub dir: tempfile::TempDir,
}

/// Starts a simulator whose entity's secret expires in `days_left` days.
pub async fn fixture(days_left: f64) -> Fixture {
    fixture_with(days_left, SimConfig::default()).await
}

pub async fn fixture_with(days_left: f64, config: SimConfig) -> Fixture {
    let sim = Simulator::start(config).await.unwrap();
    let expires_at = sim.now().as_second() + (days_left * 86_400.0) as i64;
    sim.add_entity(EntitySeed {
        entity_id: ENTITY.into(),
        secret: SECRET.into(),
        expires_at: Some(expires_at),
    });
    sim.add_user(UserSeed {
        username: USERNAME.into(),
        password: PASSWORD.into(),
        entities: vec![ENTITY.into()],
        password_expires_at: None,
    });
    Fixture {
        sim,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Fixture {
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::for_base_url(&self.sim.base_url()).unwrap();
        // Short delays keep retry tests fast; the policy itself is unchanged.
        config.retry = RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        };
        config.request_timeout = Duration::from_secs(3);
        config
    }

    pub fn token_service(&self) -> TokenServiceClient {
        TokenServiceClient::new(self.client_config()).unwrap()
    }

    pub fn engine_config(&self) -> EngineConfig {
        let mut engine = EngineConfig::new(ENTITY);
        engine.credentials = Some(UserCredentials {
            username: USERNAME.into(),
            password: Password::new(PASSWORD),
        });
        engine.lease_wait = Duration::from_secs(20);
        engine
    }

    pub fn store_path(&self) -> std::path::PathBuf {
        self.dir.path().join("secret.json")
    }

    pub fn rotation_config(&self) -> RotationConfig {
        let mut config = RotationConfig::new(
            self.engine_config(),
            self.client_config(),
            StoreChoice::File(self.store_path()),
        );
        config.audit_log = Some(self.dir.path().join("audit.jsonl"));
        config
    }

    pub fn rotation_client(&self) -> RotationClient {
        RotationClient::new(self.rotation_config()).unwrap()
    }

    pub fn shared_client(&self) -> Arc<RotationClient> {
        Arc::new(self.rotation_client())
    }

    pub fn resets(&self) -> u64 {
        self.sim.counters().resets_of(ENTITY)
    }

    pub fn service_secret(&self) -> String {
        self.sim.current_secret(ENTITY).unwrap()
    }

    /// Checks that `secret` authenticates at the simulator.
    pub async fn authenticates(&self, secret: &str) -> bool {
        self.token_service()
            .generate_entity_token(ENTITY, &aa_rotation::ClientSecret::new(secret))
            .await
            .is_ok()
    }

    /// Runs a rotation (forced or not) in a client whose engine panics right
    /// after `step`, as a process crash would stop it, and checks that it did.
    pub async fn crash_rotation(&self, step: &str, force: bool) {
        let crashing = self.shared_client();
        crashing
            .engine()
            .set_failpoint(step, aa_rotation::engine::FailAction::Panic);
        let options = aa_rotation::RotateOptions {
            force,
            dry_run: false,
        };
        let joined = tokio::spawn(async move { crashing.rotate(options).await }).await;
        assert!(
            joined.unwrap_err().is_panic(),
            "the rotation did not stop at step {step}"
        );
    }

    /// Returns the secret stored for the entity in the file store.
    pub async fn stored_secret(&self) -> String {
        use aa_rotation::store::SecretStore;
        let store = aa_rotation::store::FileStore::new(self.store_path()).unwrap();
        let record = store.get(ENTITY).await.unwrap().unwrap();
        record.effective().unwrap().value.expose_secret().to_owned()
    }
}
