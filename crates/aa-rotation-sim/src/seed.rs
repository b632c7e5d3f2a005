//! Users and entities to load into a simulator, from Rust or from a JSON seed
//! document (`--seed FILE`, `POST /_sim/seed`).

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::SimError;
use crate::clock::add_saturating;
use crate::state::generate_secret;

/// Largest `expiresInDays` magnitude accepted, about a century either way.
const MAX_RELATIVE_DAYS: f64 = 36_600.0;

/// A designated user: the credentials for the user token and the entity ids it manages.
///
/// `Debug` prints the password as `<redacted>`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSeed {
    /// Username (an email address in the real service).
    pub username: String,
    /// Password for `POST /v1/user/token/generate`.
    pub password: String,
    /// Entity ids whose secrets this user may read and reset.
    #[serde(default)]
    pub entities: Vec<String>,
    /// Password expiry in epoch seconds. After it the user token request fails
    /// with 401, and secrets reset by this user expire no later than it.
    #[serde(default)]
    pub password_expires_at: Option<i64>,
}

impl fmt::Debug for UserSeed {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("UserSeed")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("entities", &self.entities)
            .field("password_expires_at", &self.password_expires_at)
            .finish()
    }
}

/// An entity (AA, FIU or FIP) with its current secret.
///
/// `Debug` prints the secret as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct EntitySeed {
    /// Entity id, the OAuth client id.
    pub entity_id: String,
    /// Current secret.
    pub secret: String,
    /// Secret expiry in epoch seconds. `None` is a secret from before the
    /// 180-day policy: it never expires, and Read returns neither `expiresOn`
    /// nor `expirationDate` for it.
    pub expires_at: Option<i64>,
}

impl fmt::Debug for EntitySeed {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("EntitySeed")
            .field("entity_id", &self.entity_id)
            .field("secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Users and entities to add in one step. Existing entries with the same
/// username or entity id are replaced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seed {
    /// Designated users.
    pub users: Vec<UserSeed>,
    /// Entities.
    pub entities: Vec<EntitySeed>,
}

/// The JSON seed document.
///
/// Unlike [`Seed`], an entity may omit its secret (a random one is generated)
/// and may give its expiry relative to the simulator clock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedDocument {
    /// Designated users.
    pub users: Vec<UserSeed>,
    /// Entities.
    pub entities: Vec<EntitySeedDocument>,
}

/// One entity of a [`SeedDocument`].
///
/// `Debug` prints the secret as `<redacted>`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitySeedDocument {
    /// Entity id.
    pub entity_id: String,
    /// Current secret. When absent, a random 32-character secret is generated.
    #[serde(default)]
    pub secret: Option<String>,
    /// Secret expiry in epoch seconds.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Secret expiry in days from the simulator's current time, fractions
    /// allowed. Negative values make a secret that has already expired.
    #[serde(default)]
    pub expires_in_days: Option<f64>,
}

impl fmt::Debug for EntitySeedDocument {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("EntitySeedDocument")
            .field("entity_id", &self.entity_id)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .field("expires_in_days", &self.expires_in_days)
            .finish()
    }
}

impl SeedDocument {
    /// Turns the document into a [`Seed`]: generates omitted secrets and
    /// converts `expiresInDays` to an absolute expiry measured from `now`.
    ///
    /// # Errors
    /// [`SimError::InvalidSeed`] for an empty username or entity id, an empty
    /// secret, an entity with both `expiresAt` and `expiresInDays`, or a value
    /// out of range.
    pub fn resolve(self, now: Timestamp) -> Result<Seed, SimError> {
        for user in &self.users {
            if user.username.is_empty() {
                return Err(SimError::InvalidSeed("a user has an empty username".into()));
            }
            if let Some(seconds) = user.password_expires_at {
                check_epoch_seconds(seconds, "passwordExpiresAt")?;
            }
        }

        let entities = self
            .entities
            .into_iter()
            .map(|entity| entity.resolve(now))
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Seed {
            users: self.users,
            entities,
        })
    }
}

impl EntitySeedDocument {
    fn resolve(self, now: Timestamp) -> Result<EntitySeed, SimError> {
        let id = &self.entity_id;
        if id.is_empty() {
            return Err(SimError::InvalidSeed(
                "an entity has an empty entityId".into(),
            ));
        }

        let secret = match self.secret {
            Some(secret) if secret.is_empty() => {
                return Err(SimError::InvalidSeed(format!(
                    "entity {id} has an empty secret; omit the field to get a random one"
                )));
            }
            Some(secret) => secret,
            None => generate_secret(),
        };

        let expires_at = match (self.expires_at, self.expires_in_days) {
            (Some(_), Some(_)) => {
                return Err(SimError::InvalidSeed(format!(
                    "entity {id} has both expiresAt and expiresInDays; give one of them"
                )));
            }
            (Some(seconds), None) => Some(check_epoch_seconds(seconds, "expiresAt")?),
            (None, Some(days)) => Some(expiry_in_days(now, days, id)?),
            (None, None) => None,
        };

        Ok(EntitySeed {
            entity_id: self.entity_id,
            secret,
            expires_at,
        })
    }
}

fn check_epoch_seconds(seconds: i64, field: &str) -> Result<i64, SimError> {
    Timestamp::from_second(seconds)
        .map(|_| seconds)
        .map_err(|_| SimError::InvalidSeed(format!("{field} {seconds} is out of range")))
}

fn expiry_in_days(now: Timestamp, days: f64, entity_id: &str) -> Result<i64, SimError> {
    if !days.is_finite() || days.abs() > MAX_RELATIVE_DAYS {
        return Err(SimError::InvalidSeed(format!(
            "entity {entity_id} has expiresInDays {days}, expected a number from \
             -{MAX_RELATIVE_DAYS} to {MAX_RELATIVE_DAYS}"
        )));
    }
    let offset = SignedDuration::from_secs_f64(days * 86_400.0);
    Ok(add_saturating(now, offset).as_second())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn document(json: &str) -> SeedDocument {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn relative_expiry_counts_from_now() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let seed =
            document(r#"{"entities":[{"entityId":"AA-1","secret":"s","expiresInDays":-2}]}"#)
                .resolve(now)
                .unwrap();
        assert_eq!(
            seed.entities[0].expires_at,
            Some(1_700_000_000 - 2 * 86_400)
        );
    }

    #[test]
    fn omitted_secret_is_generated() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let seed = document(r#"{"entities":[{"entityId":"AA-1"}]}"#)
            .resolve(now)
            .unwrap();
        assert_eq!(seed.entities[0].secret.len(), 32);
        assert_eq!(seed.entities[0].expires_at, None);
    }

    #[test]
    fn both_expiry_forms_are_rejected() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let result = document(
            r#"{"entities":[{"entityId":"AA-1","expiresAt":1800000000,"expiresInDays":3}]}"#,
        )
        .resolve(now);
        assert!(result.is_err());
    }

    #[test]
    fn debug_output_hides_credentials() {
        let user = UserSeed {
            username: "ops@example.in".into(),
            password: "canary-password".into(),
            entities: vec![],
            password_expires_at: None,
        };
        let entity = EntitySeed {
            entity_id: "AA-1".into(),
            secret: "canary-secret".into(),
            expires_at: None,
        };
        let document_entity = EntitySeedDocument {
            entity_id: "AA-1".into(),
            secret: Some("canary-secret".into()),
            ..EntitySeedDocument::default()
        };
        assert!(!format!("{user:?}").contains("canary"));
        assert!(!format!("{entity:?}").contains("canary"));
        assert!(!format!("{document_entity:?}").contains("canary"));
    }
}
