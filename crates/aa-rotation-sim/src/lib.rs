//! A simulator of the Account Aggregator Central Registry Token Service (the
//! Sahamati IAM), for tests and CI.
//!
//! It serves the four Token Service calls (user token, secret Read, secret
//! Reset, entity token), the deprecated OpenID Connect token endpoint and a
//! JWKS over HTTP/1.1 on loopback. Tokens are real Ed25519-signed JWTs with
//! `exp`. A movable clock lets tests make secrets and tokens expire, and
//! per-endpoint faults reproduce gateway errors, lost responses and odd
//! response shapes. Control endpoints under `/_sim/` expose the same controls
//! to tests written in other languages.
//!
//! ```no_run
//! # async fn example() -> Result<(), aa_rotation_sim::SimError> {
//! use aa_rotation_sim::{EntitySeed, Endpoint, Fault, SimConfig, Simulator, UserSeed};
//!
//! let sim = Simulator::start(SimConfig::default()).await?;
//! sim.add_entity(EntitySeed {
//!     entity_id: "AA-SIM-1".into(),
//!     secret: "initial-secret".into(),
//!     expires_at: None,
//! });
//! sim.add_user(UserSeed {
//!     username: "ops@example.in".into(),
//!     password: "user-password".into(),
//!     entities: vec!["AA-SIM-1".into()],
//!     password_expires_at: None,
//! });
//! sim.inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))?;
//! let base_url = sim.base_url(); // http://127.0.0.1:PORT/iam
//! # drop(base_url);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Secrets, passwords and tokens never appear in its logs: log lines carry
//! the endpoint, status, entity id, txnId and secret [`fingerprint`].

mod api;
mod clock;
mod config;
mod control;
mod counters;
mod error;
mod faults;
mod jwt;
mod reply;
mod run;
mod seed;
mod server;
mod state;

pub use config::{ExpiresOnUnit, SimConfig};
pub use counters::{CallCounters, Counters, EntityCounters, fingerprint};
pub use error::SimError;
pub use faults::{ActiveFault, Endpoint, Fault};
pub use run::{RunOptions, run};
pub use seed::{EntitySeed, EntitySeedDocument, Seed, SeedDocument, UserSeed};
pub use server::Simulator;
