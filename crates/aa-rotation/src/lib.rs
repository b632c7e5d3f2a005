//! Keeps an Account Aggregator participant's Central Registry client secret
//! alive: rotates it before it expires, stores the new one where applications
//! read it, proves that it works, and hands out fresh entity tokens.
//!
//! - [`client`]: the Token Service's four calls, with typed errors and retries.
//! - [`policy`]: when a secret is due.
//! - [`store`] and [`lease`]: where the secret lives, and one rotation at a time.
//! - [`engine`]: the crash-safe rotation protocol, recovery and drift healing.
//! - [`token_cache`]: cached entity tokens with single-flight refresh.
//! - [`rotation_client`]: everything above behind one object, as the CLI and
//!   the Python, Node and JVM bindings use it.
//! - [`secret`]: wrappers that keep secrets, passwords and tokens out of logs.

pub mod client;
pub mod clock;
pub mod engine;
pub mod error;
pub mod events;
pub mod lease;
pub mod policy;
pub mod rotation_client;
pub mod secret;
pub mod settings;
pub mod store;
pub mod token_cache;

pub use client::{
    ClientConfig, EntityToken, Environment, SecretInfo, TokenServiceClient, UserToken,
};
pub use clock::Clock;
pub use engine::{
    Engine, EngineConfig, RecoveryOutcome, RotateOptions, RotationOutcome, SecretStatus,
    UserCredentials,
};
pub use error::{Endpoint, Error, ErrorKind, Result, ServiceDetail};
pub use events::{Event, EventBus, EventKind};
pub use policy::{RotationPolicy, RotationWindow, SecretState};
pub use rotation_client::{CheckResult, RotationClient, RotationConfig, StoreChoice};
pub use secret::{BearerToken, ClientSecret, Fingerprint, Password};
pub use settings::Settings;
pub use token_cache::CachedToken;
