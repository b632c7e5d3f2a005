//! The Token Service's JSON bodies, and the rules that turn them into values.
//!
//! Every body type tolerates unknown fields and missing optional ones, because
//! the service has changed shape between versions and will again.

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::secret::{BearerToken, ClientSecret};

/// A `message` that the service added to a success body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceMessage {
    /// The message as the service wrote it, cut to 300 characters.
    pub text: String,
    /// The message's topic.
    pub kind: MessageKind,
}

/// The meaning of a [`ServiceMessage`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// The secret is expired and within the grace period: an entity token was
    /// still issued, but the secret must be reset now.
    GracePeriod,
    /// The service chose the secret's validity (the requested
    /// `secretExpiryDays` was missing or above the maximum).
    ExpiryDefaulted,
    /// Anything else.
    Other,
}

impl ServiceMessage {
    pub(crate) fn classify(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        let kind = if lower.contains("grace") {
            MessageKind::GracePeriod
        } else if lower.contains("by default") || lower.contains("default limit") {
            MessageKind::ExpiryDefaulted
        } else {
            MessageKind::Other
        };
        Self {
            text: text.chars().take(300).collect(),
            kind,
        }
    }
}

/// The source of a secret's expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpirySource {
    /// `expiresOn` in epoch seconds.
    EpochSeconds,
    /// `expiresOn` in epoch milliseconds.
    EpochMillis,
    /// `expirationDate`, read as India Standard Time.
    ExpirationDate,
    /// The service sent no expiry: a secret from before the 180-day policy.
    Unknown,
    /// The secret came from configuration and its expiry was never read from
    /// the service.
    Configured,
}

/// The parsed expiry of a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    /// The instant the secret expires, if known.
    pub at: Option<Timestamp>,
    /// The response field it came from.
    pub source: ExpirySource,
}

/// `expiresOn` values at or above this are milliseconds: 1e11 seconds lies in
/// the year 5138, and 1e11 milliseconds in 1973, so the two ranges that can
/// occur (2000 to 2100) never overlap.
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z: an expiry outside this range
/// is a unit or encoding error, never a real date.
const EARLIEST_EXPIRY: i64 = 946_684_800;
const LATEST_EXPIRY: i64 = 4_102_444_800;

/// India Standard Time, UTC+05:30. `expirationDate` comes without a zone and
/// the service does not document one. Reading it as IST gives the earlier of the
/// two plausible instants (IST or UTC), so a wrong guess makes a rotation
/// happen 5.5 hours early, never late.
const EXPIRATION_DATE_OFFSET_SECONDS: i32 = 5 * 3600 + 30 * 60;

/// Parses the expiry of a read or reset body: `expiresOn` (seconds or
/// milliseconds, by magnitude) when present, else `expirationDate`.
pub fn parse_expiry(
    expires_on: Option<&serde_json::Value>,
    expiration_date: Option<&str>,
) -> Result<Expiry, String> {
    match expires_on {
        Some(serde_json::Value::Null) | None => {}
        Some(value) => return parse_expires_on(value),
    }
    match expiration_date.map(str::trim) {
        Some(text) if !text.is_empty() => {
            let at = parse_expiration_date(text)?;
            Ok(Expiry {
                at: Some(at),
                source: ExpirySource::ExpirationDate,
            })
        }
        _ => Ok(Expiry {
            at: None,
            source: ExpirySource::Unknown,
        }),
    }
}

fn parse_expires_on(value: &serde_json::Value) -> Result<Expiry, String> {
    let number = match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("expiresOn {value} is not an integer"))?;

    let (seconds, millis, source) = if number >= MILLIS_THRESHOLD {
        (
            number.div_euclid(1000),
            number.rem_euclid(1000),
            ExpirySource::EpochMillis,
        )
    } else {
        (number, 0, ExpirySource::EpochSeconds)
    };
    if !(EARLIEST_EXPIRY..=LATEST_EXPIRY).contains(&seconds) {
        return Err(format!(
            "expiresOn {number} is outside the years 2000 to 2100 whether read as seconds or milliseconds"
        ));
    }
    let at = Timestamp::from_second(seconds)
        .and_then(|t| t.checked_add(SignedDuration::from_millis(millis)))
        .map_err(|e| format!("expiresOn {number}: {e}"))?;
    Ok(Expiry {
        at: Some(at),
        source,
    })
}

fn parse_expiration_date(text: &str) -> Result<Timestamp, String> {
    // A value that carries its own zone or offset is taken as written.
    if let Ok(at) = text.parse::<Timestamp>() {
        return check_range(at, text);
    }
    let civil: DateTime = text.parse().map_err(|e| {
        format!("expirationDate {text:?} is not a date-time like 2024-12-17T07:10:52.929: {e}")
    })?;
    let zone = TimeZone::fixed(
        Offset::from_seconds(EXPIRATION_DATE_OFFSET_SECONDS).map_err(|e| e.to_string())?,
    );
    let at = civil
        .to_zoned(zone)
        .map_err(|e| format!("expirationDate {text:?}: {e}"))?
        .timestamp();
    check_range(at, text)
}

fn check_range(at: Timestamp, text: &str) -> Result<Timestamp, String> {
    if (EARLIEST_EXPIRY..=LATEST_EXPIRY).contains(&at.as_second()) {
        Ok(at)
    } else {
        Err(format!(
            "expirationDate {text:?} is outside the years 2000 to 2100"
        ))
    }
}

/// Parses the expiry and `message` of a whole read or reset response body,
/// as the client does. The shared test vectors call this from every language.
pub fn parse_secret_body(body: &str) -> Result<(Expiry, Option<ServiceMessage>), String> {
    let parsed: SecretBody = serde_json::from_str(body)
        .map_err(|e| format!("the body is not the expected JSON: {e:?}"))?;
    let expiry = parse_expiry(
        parsed.expires_on.as_ref(),
        parsed.expiration_date.as_deref(),
    )?;
    Ok((
        expiry,
        parsed.message.as_deref().map(ServiceMessage::classify),
    ))
}

/// The JSON error envelope: `{ver, timestamp, txnId, errorCode, errorMsg}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorEnvelope {
    #[serde(default)]
    pub txn_id: Option<String>,
    #[serde(default, alias = "error")]
    pub error_code: Option<serde_json::Value>,
    #[serde(default, alias = "error_description")]
    pub error_msg: Option<serde_json::Value>,
}

/// A token response body: user token, entity token, or the OpenID Connect
/// endpoint's snake_case form.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenBody {
    #[serde(alias = "access_token")]
    pub access_token: Option<BearerToken>,
    #[serde(default, alias = "expires_in")]
    pub expires_in: Option<serde_json::Value>,
    #[serde(default, alias = "token_type")]
    pub token_type: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// A secret read or reset response body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretBody {
    #[serde(default)]
    pub txn_id: Option<String>,
    #[serde(default)]
    pub entity_id: Option<String>,
    pub secret: Option<ClientSecret>,
    #[serde(default)]
    pub expires_on: Option<serde_json::Value>,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// The JSON body of a read or reset request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretRequest<'a> {
    pub ver: &'static str,
    pub timestamp: String,
    pub txn_id: &'a str,
    pub entity_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_expiry_days: Option<u32>,
}

/// Reads `expiresIn` as whole seconds from a number or a numeric string.
pub(crate) fn parse_expires_in(value: Option<&serde_json::Value>) -> Result<u64, String> {
    let value = value.ok_or("expiresIn is missing")?;
    let seconds = match value {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match seconds {
        Some(0) | None => Err(format!(
            "expiresIn {value} is not a positive number of seconds"
        )),
        Some(s) => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expires_on_seconds_and_millis_agree() {
        let seconds = parse_expiry(Some(&json!(1725010763)), None).unwrap();
        let millis = parse_expiry(Some(&json!(1725010763000_i64)), None).unwrap();
        assert_eq!(seconds.at, millis.at);
        assert_eq!(seconds.source, ExpirySource::EpochSeconds);
        assert_eq!(millis.source, ExpirySource::EpochMillis);
        assert_eq!(seconds.at.unwrap().to_string(), "2024-08-30T09:39:23Z");
    }

    #[test]
    fn guide_example_millis() {
        let expiry = parse_expiry(Some(&json!(1733226041466_i64)), None).unwrap();
        assert_eq!(expiry.at.unwrap().to_string(), "2024-12-03T11:40:41.466Z");
    }

    #[test]
    fn expires_on_as_string() {
        let expiry = parse_expiry(Some(&json!("1725010763")), None).unwrap();
        assert_eq!(expiry.at.unwrap().as_second(), 1725010763);
    }

    #[test]
    fn expires_on_out_of_range_is_error() {
        for value in [
            json!(1),
            json!(0),
            json!(-5),
            json!(5_000_000_000_i64),
            json!(99_999_999_999_999_i64),
        ] {
            let error = parse_expiry(Some(&value), None).unwrap_err();
            assert!(
                error.contains("outside the years 2000 to 2100"),
                "{value}: {error}"
            );
        }
    }

    #[test]
    fn expires_on_not_number_is_error() {
        assert!(
            parse_expiry(Some(&json!(true)), None)
                .unwrap_err()
                .contains("not an integer")
        );
    }

    #[test]
    fn expiration_date_is_read_as_ist() {
        let expiry = parse_expiry(None, Some("2024-12-17T07:10:52.929")).unwrap();
        assert_eq!(expiry.source, ExpirySource::ExpirationDate);
        assert_eq!(expiry.at.unwrap().to_string(), "2024-12-17T01:40:52.929Z");
    }

    #[test]
    fn expiration_date_with_zone_taken_as_written() {
        let expiry = parse_expiry(None, Some("2024-12-17T07:10:52Z")).unwrap();
        assert_eq!(expiry.at.unwrap().to_string(), "2024-12-17T07:10:52Z");
    }

    #[test]
    fn expires_on_wins_over_expiration_date() {
        let expiry = parse_expiry(Some(&json!(1725010763)), Some("2030-01-01T00:00:00")).unwrap();
        assert_eq!(expiry.source, ExpirySource::EpochSeconds);
    }

    #[test]
    fn no_expiry_is_unknown() {
        let expiry = parse_expiry(Some(&serde_json::Value::Null), None).unwrap();
        assert_eq!(
            expiry,
            Expiry {
                at: None,
                source: ExpirySource::Unknown
            }
        );
        assert_eq!(
            parse_expiry(None, Some("")).unwrap().source,
            ExpirySource::Unknown
        );
    }

    #[test]
    fn bad_expiration_date_is_error() {
        assert!(
            parse_expiry(None, Some("17/12/2024"))
                .unwrap_err()
                .contains("not a date-time")
        );
    }

    #[test]
    fn messages_are_classified() {
        let grace = ServiceMessage::classify(
            "The secret for entity X is expired and within the grace period",
        );
        assert_eq!(grace.kind, MessageKind::GracePeriod);
        let defaulted = ServiceMessage::classify(
            "the expiry is set to 180 days by default, as the user didn't specify or exceeded the default limit",
        );
        assert_eq!(defaulted.kind, MessageKind::ExpiryDefaulted);
        assert_eq!(ServiceMessage::classify("hello").kind, MessageKind::Other);
    }

    #[test]
    fn expires_in_forms() {
        assert_eq!(parse_expires_in(Some(&json!(86400))).unwrap(), 86400);
        assert_eq!(parse_expires_in(Some(&json!("300"))).unwrap(), 300);
        assert!(parse_expires_in(Some(&json!(0))).is_err());
        assert!(parse_expires_in(None).is_err());
    }
}
