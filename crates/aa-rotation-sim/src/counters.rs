//! Call and reset counters that tests read to check what a client did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Endpoint;

/// Snapshot of the simulator's counters (`GET /_sim/counters`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Requests per Token Service endpoint, including those that a fault handled.
    pub calls: CallCounters,
    /// Successful Resets per entity id. Every known entity is listed, with 0 if never reset.
    pub resets: BTreeMap<String, u64>,
    /// Current secret of each entity, identified by fingerprint.
    pub entities: BTreeMap<String, EntityCounters>,
}

impl Counters {
    /// Returns the number of successful Resets of `entity_id` (0 when unknown).
    pub fn resets_of(&self, entity_id: &str) -> u64 {
        self.resets.get(entity_id).copied().unwrap_or(0)
    }
}

/// Requests received per Token Service endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallCounters {
    /// `POST /iam/v1/user/token/generate`.
    pub user_token: u64,
    /// `POST /iam/v1/entity/secret/read`.
    pub secret_read: u64,
    /// `POST /iam/v1/entity/secret/reset`.
    pub secret_reset: u64,
    /// `POST /iam/v1/entity/token/generate`.
    pub entity_token: u64,
    /// `POST /auth/realms/sahamati/protocol/openid-connect/token`.
    pub oidc_token: u64,
}

impl CallCounters {
    /// Returns the request count of `endpoint`.
    pub fn get(&self, endpoint: Endpoint) -> u64 {
        match endpoint {
            Endpoint::UserToken => self.user_token,
            Endpoint::SecretRead => self.secret_read,
            Endpoint::SecretReset => self.secret_reset,
            Endpoint::EntityToken => self.entity_token,
            Endpoint::OidcToken => self.oidc_token,
        }
    }

    pub(crate) fn increment(&mut self, endpoint: Endpoint) {
        let counter = match endpoint {
            Endpoint::UserToken => &mut self.user_token,
            Endpoint::SecretRead => &mut self.secret_read,
            Endpoint::SecretReset => &mut self.secret_reset,
            Endpoint::EntityToken => &mut self.entity_token,
            Endpoint::OidcToken => &mut self.oidc_token,
        };
        *counter = counter.saturating_add(1);
    }
}

/// An entity's current secret as the counters show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityCounters {
    /// [`fingerprint`] of the current secret.
    pub fingerprint: String,
    /// Secret expiry in epoch seconds (rounded down), or `None` for a secret that never expires.
    pub expires_at: Option<i64>,
    /// When the current secret was seeded or reset, in epoch seconds on the simulator clock.
    pub created_at: i64,
}

/// Computes the fingerprint that identifies a secret in logs and counters:
/// `"sha256:"` followed by the first 16 lowercase hex digits of SHA-256 over
/// the secret's UTF-8 bytes.
///
/// The core library computes the same value, so the two can be compared.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_matches_known_digest() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(fingerprint("abc"), "sha256:ba7816bf8f01cfea");
    }

    #[test]
    fn call_counters_serialize_camel_case() {
        let json = serde_json::to_value(CallCounters::default()).unwrap_or_default();
        for name in [
            "userToken",
            "secretRead",
            "secretReset",
            "entityToken",
            "oidcToken",
        ] {
            assert_eq!(json[name], 0, "{name}");
        }
    }
}
