//! Simulator configuration: token lifetimes, secret validity, the grace period
//! and the wire format of the expiry fields.

use serde::{Deserialize, Serialize};

use crate::SimError;

/// Upper bound for token validity. Ten years keeps every timestamp sum far inside jiff's range.
const MAX_TOKEN_VALIDITY_SECONDS: u64 = 10 * 366 * 86_400;

/// Upper bound for any setting counted in days, for the same reason.
const MAX_DAYS: u32 = 10 * 366;

/// Unit of the `expiresOn` field in Read and Reset responses.
///
/// The Token Service has been seen to send both: the OpenAPI example is in
/// seconds (`1725010763`), integration guides show milliseconds (`1733226041466`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpiresOnUnit {
    /// Epoch milliseconds.
    #[default]
    #[serde(rename = "ms")]
    Milliseconds,
    /// Epoch seconds.
    #[serde(rename = "s")]
    Seconds,
}

/// Behaviour settings of one simulator.
///
/// In JSON (`--config FILE`, `PUT /_sim/config`) the field names are camelCase,
/// every field is optional and takes the default shown on it, and unknown
/// fields are rejected so that a misspelt setting does not go unnoticed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SimConfig {
    /// Lifetime of a user token in seconds (`expiresIn`, JWT `exp - iat`). Default 86400.
    pub user_token_validity_seconds: u64,
    /// Lifetime of an entity token in seconds. Default 86400.
    pub entity_token_validity_seconds: u64,
    /// Validity of a reset secret when the request has no `secretExpiryDays`. Default 180.
    pub default_secret_expiry_days: u32,
    /// Maximum `secretExpiryDays`. Larger requests are capped to it. Default 180.
    pub max_secret_expiry_days: u32,
    /// Days after a secret's expiry during which entity-token requests still
    /// succeed with a warning `message`. Default 5, and 0 disables the grace period.
    pub grace_period_days: u32,
    /// Unit of `expiresOn` in Read and Reset responses. Default milliseconds (`"ms"`).
    pub expires_on_unit: ExpiresOnUnit,
    /// UTC offset in minutes of the zone-less `expirationDate`. Default 330 (IST, UTC+05:30).
    pub expiration_date_offset_minutes: i32,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            user_token_validity_seconds: 86_400,
            entity_token_validity_seconds: 86_400,
            default_secret_expiry_days: 180,
            max_secret_expiry_days: 180,
            grace_period_days: 5,
            expires_on_unit: ExpiresOnUnit::Milliseconds,
            expiration_date_offset_minutes: 330,
        }
    }
}

impl SimConfig {
    /// Checks that every value is in range.
    ///
    /// # Errors
    /// [`SimError::InvalidConfig`] naming the first field out of range.
    pub fn validate(&self) -> Result<(), SimError> {
        check_range(
            "userTokenValiditySeconds",
            self.user_token_validity_seconds,
            1,
            MAX_TOKEN_VALIDITY_SECONDS,
        )?;
        check_range(
            "entityTokenValiditySeconds",
            self.entity_token_validity_seconds,
            1,
            MAX_TOKEN_VALIDITY_SECONDS,
        )?;
        check_range(
            "maxSecretExpiryDays",
            u64::from(self.max_secret_expiry_days),
            1,
            u64::from(MAX_DAYS),
        )?;
        check_range(
            "defaultSecretExpiryDays",
            u64::from(self.default_secret_expiry_days),
            1,
            u64::from(self.max_secret_expiry_days),
        )?;
        check_range(
            "gracePeriodDays",
            u64::from(self.grace_period_days),
            0,
            u64::from(MAX_DAYS),
        )?;

        // Stays inside jiff's limit of ±25:59:59. Real zones stay within ±14:00.
        let minutes = self.expiration_date_offset_minutes;
        if !(-1439..=1439).contains(&minutes) {
            return Err(SimError::InvalidConfig(format!(
                "expirationDateOffsetMinutes is {minutes}, expected a value from -1439 to 1439"
            )));
        }
        Ok(())
    }
}

fn check_range(name: &str, value: u64, min: u64, max: u64) -> Result<(), SimError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(SimError::InvalidConfig(format!(
            "{name} is {value}, expected a value from {min} to {max}"
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn default_config_is_valid() {
        SimConfig::default().validate().unwrap();
    }

    #[test]
    fn json_fields_are_camel_case_and_optional() {
        let config: SimConfig =
            serde_json::from_str(r#"{"gracePeriodDays": 0, "expiresOnUnit": "s"}"#).unwrap();
        assert_eq!(config.grace_period_days, 0);
        assert_eq!(config.expires_on_unit, ExpiresOnUnit::Seconds);
        assert_eq!(config.max_secret_expiry_days, 180);
    }

    #[test]
    fn unknown_json_field_is_rejected() {
        let parsed = serde_json::from_str::<SimConfig>(r#"{"gracePeriodDay": 0}"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn default_above_maximum_is_invalid() {
        let config = SimConfig {
            default_secret_expiry_days: 200,
            ..SimConfig::default()
        };
        let message = config.validate().unwrap_err().to_string();
        assert!(message.contains("defaultSecretExpiryDays"), "{message}");
    }

    #[test]
    fn offset_out_of_range_is_invalid() {
        let config = SimConfig {
            expiration_date_offset_minutes: 1440,
            ..SimConfig::default()
        };
        assert!(config.validate().is_err());
    }
}
