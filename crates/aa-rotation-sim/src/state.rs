//! The simulator's mutable state: users, entities, counters, faults, clock and
//! configuration, all behind one `std::sync::Mutex`.
//!
//! Handlers lock it only for synchronous work and never across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::clock::{Clock, timestamp_from_epoch_seconds};
use crate::counters::{CallCounters, Counters, EntityCounters, fingerprint};
use crate::faults::FaultTable;
use crate::jwt::TokenSigner;
use crate::{EntitySeed, Seed, SimConfig, UserSeed};

/// Length of a generated secret, in characters from `[A-Za-z0-9]`.
const SECRET_LENGTH: usize = 32;

/// Generates a random secret from the thread-local CSPRNG (ChaCha12 seeded by the OS).
pub(crate) fn generate_secret() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(SECRET_LENGTH)
        .map(char::from)
        .collect()
}

/// A designated user.
pub(crate) struct User {
    pub(crate) password: String,
    pub(crate) entities: Vec<String>,
    pub(crate) password_expires_at: Option<Timestamp>,
}

impl User {
    pub(crate) fn password_expired(&self, now: Timestamp) -> bool {
        self.password_expires_at.is_some_and(|expiry| now >= expiry)
    }
}

/// An entity and its single secret slot.
pub(crate) struct Entity {
    pub(crate) secret: String,
    /// `None` for a secret from before the 180-day policy, which never expires.
    pub(crate) expires_at: Option<Timestamp>,
    /// When the current secret was seeded or reset.
    pub(crate) created_at: Timestamp,
}

/// Everything that changes while the simulator runs.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) config: SimConfig,
    pub(crate) clock: Clock,
    pub(crate) users: HashMap<String, User>,
    pub(crate) entities: HashMap<String, Entity>,
    pub(crate) calls: CallCounters,
    pub(crate) resets: HashMap<String, u64>,
    pub(crate) faults: FaultTable,
}

impl State {
    pub(crate) fn new(config: SimConfig) -> Self {
        State {
            config,
            ..State::default()
        }
    }

    pub(crate) fn add_user(&mut self, seed: UserSeed) {
        let user = User {
            password: seed.password,
            entities: seed.entities,
            password_expires_at: seed.password_expires_at.map(timestamp_from_epoch_seconds),
        };
        self.users.insert(seed.username, user);
    }

    pub(crate) fn add_entity(&mut self, seed: EntitySeed) {
        let entity = Entity {
            secret: seed.secret,
            expires_at: seed.expires_at.map(timestamp_from_epoch_seconds),
            created_at: self.clock.now(),
        };
        self.entities.insert(seed.entity_id, entity);
    }

    pub(crate) fn apply_seed(&mut self, seed: Seed) {
        for user in seed.users {
            self.add_user(user);
        }
        for entity in seed.entities {
            self.add_entity(entity);
        }
    }

    pub(crate) fn record_reset(&mut self, entity_id: &str) {
        let count = self.resets.entry(entity_id.to_owned()).or_insert(0);
        *count = count.saturating_add(1);
    }

    pub(crate) fn counters(&self) -> Counters {
        let mut resets = BTreeMap::new();
        let mut entities = BTreeMap::new();
        for (id, entity) in &self.entities {
            resets.insert(id.clone(), self.resets.get(id).copied().unwrap_or(0));
            entities.insert(
                id.clone(),
                EntityCounters {
                    fingerprint: fingerprint(&entity.secret),
                    expires_at: entity.expires_at.map(Timestamp::as_second),
                    created_at: entity.created_at.as_second(),
                },
            );
        }
        Counters {
            calls: self.calls.clone(),
            resets,
            entities,
        }
    }
}

/// State shared by every connection of one simulator.
pub(crate) struct Shared {
    state: Mutex<State>,
    pub(crate) signer: TokenSigner,
    /// IAM base URL ending in `/iam`, also the `iss` claim of every token.
    pub(crate) base_url: String,
}

impl Shared {
    pub(crate) fn new(config: SimConfig, base_url: String) -> Self {
        Shared {
            state: Mutex::new(State::new(config)),
            signer: TokenSigner::generate(),
            base_url,
        }
    }

    /// Locks the state. A panic in another holder cannot leave the data half
    /// written in a way that matters to a simulator, so a poisoned lock is used as is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_is_32_alphanumerics() {
        let secret = generate_secret();
        assert_eq!(secret.len(), SECRET_LENGTH);
        assert!(
            secret.chars().all(|c| c.is_ascii_alphanumeric()),
            "{secret}"
        );
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(generate_secret(), generate_secret());
    }
}
