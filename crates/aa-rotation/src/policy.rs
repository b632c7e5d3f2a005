//! When to rotate: the rotation policy and its decision for one secret.
//!
//! Everything is computed from whole durations in seconds between two instants,
//! never from calendar parts: a secret 40 days from expiry has 40 days left,
//! not the "9 days" that a months-and-days breakdown would show.

use std::time::Duration;

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const DAY_SECONDS: i64 = 86_400;

/// Settings that decide when a secret is rotated.
#[derive(Clone, Debug)]
pub struct RotationPolicy {
    /// Rotate when less than this remains before expiry. Default 30 days: a
    /// month leaves room for a failed rotation to be noticed and fixed by hand.
    pub rotate_before: Duration,
    /// Rotate when the secret is older than this, whatever its expiry.
    pub max_age: Option<Duration>,
    /// The validity requested on Reset (`secretExpiryDays`); the service caps it.
    pub secret_expiry_days: Option<u32>,
    /// Scheduled rotations happen only inside this window. Emergencies (an
    /// expired secret or one in its grace period) ignore it, and so does a
    /// manual `rotate`.
    pub window: Option<RotationWindow>,
    /// Upper bound of a random delay added, once per process, to the moment a
    /// scheduled rotation becomes due, so that a fleet does not rotate together.
    pub jitter: Duration,
    /// How long after expiry the service still issues entity tokens with a
    /// warning. Default 5 days, as newer service versions do.
    pub grace_period: Duration,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        Self {
            rotate_before: days(30),
            max_age: None,
            secret_expiry_days: None,
            window: None,
            jitter: Duration::ZERO,
            grace_period: days(5),
        }
    }
}

/// The maximum validity the Token Service grants a secret.
pub const MAX_SECRET_VALIDITY: Duration = Duration::from_secs(180 * DAY_SECONDS as u64);

impl RotationPolicy {
    /// Rejects settings that would rotate on every check: a threshold at or
    /// above the longest validity the service grants, or a requested validity
    /// at or below the threshold.
    pub fn validate(&self) -> Result<()> {
        let threshold_days = self.rotate_before.as_secs_f64() / DAY_SECONDS as f64;
        if self.rotate_before >= MAX_SECRET_VALIDITY {
            return Err(Error::Config(format!(
                "rotate_before_days is {threshold_days}, at or above the 180 days a secret lives at most, so every \
                 check would rotate; use a value such as 30 (AA_ROTATION_ROTATE_BEFORE_DAYS)"
            )));
        }
        if let Some(requested) = self.secret_expiry_days
            && f64::from(requested) <= threshold_days
        {
            return Err(Error::Config(format!(
                "secret_expiry_days is {requested}, not more than rotate_before_days ({threshold_days}), so every \
                 new secret would be due at once; request more days (AA_ROTATION_SECRET_EXPIRY_DAYS) or rotate \
                 later (AA_ROTATION_ROTATE_BEFORE_DAYS)"
            )));
        }
        Ok(())
    }
}

/// Returns `n` days as a [`Duration`].
pub fn days(n: u64) -> Duration {
    Duration::from_secs(n * DAY_SECONDS as u64)
}

/// The state of a secret at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretState {
    /// More than `rotate_before` remains.
    Healthy,
    /// Less than `rotate_before` remains, or the secret is older than `max_age`.
    Due,
    /// Expired, within the grace period: entity tokens still work, with a warning.
    GracePeriod,
    /// Expired past the grace period: entity tokens fail.
    Expired,
    /// No expiry is known (a secret from before the 180-day policy, or one given
    /// by configuration and never read from the service).
    Unknown,
}

impl SecretState {
    /// Stable text for status output.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretState::Healthy => "healthy",
            SecretState::Due => "due",
            SecretState::GracePeriod => "grace_period",
            SecretState::Expired => "expired",
            SecretState::Unknown => "unknown",
        }
    }

    /// Returns the `aa-rotation check` exit code of this state: 0 fine, 1 rotation
    /// due, 2 critical. An unknown expiry is fine: such secrets never expire.
    pub fn check_code(self) -> i32 {
        match self {
            SecretState::Healthy | SecretState::Unknown => 0,
            SecretState::Due => 1,
            SecretState::GracePeriod | SecretState::Expired => 2,
        }
    }
}

/// The policy's decision about a secret.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub state: SecretState,
    /// Seconds until expiry; negative once expired.
    pub seconds_left: Option<i64>,
    /// True when a rotation should happen now, window and jitter aside.
    pub due: bool,
    /// True for an expired secret or one in its grace period: rotate now,
    /// outside any window.
    pub emergency: bool,
    /// When a scheduled rotation becomes due (before jitter).
    pub due_at: Option<Timestamp>,
    /// One sentence explaining the decision.
    pub reason: String,
}

impl Decision {
    /// Days left as a fraction (seconds / 86 400); negative once expired.
    pub fn days_left(&self) -> Option<f64> {
        self.seconds_left.map(|s| s as f64 / DAY_SECONDS as f64)
    }
}

impl RotationPolicy {
    /// Decides for a secret that expires at `expires_at` and was obtained at
    /// `obtained_at`, at instant `now`.
    pub fn decide(
        &self,
        expires_at: Option<Timestamp>,
        obtained_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Decision {
        let rotate_before = secs(self.rotate_before);
        let age_due_at = match (self.max_age, obtained_at) {
            (Some(max_age), Some(obtained)) => Some(add(obtained, secs(max_age))),
            _ => None,
        };

        let Some(expires_at) = expires_at else {
            let aged = age_due_at.is_some_and(|at| now >= at);
            return Decision {
                state: if aged {
                    SecretState::Due
                } else {
                    SecretState::Unknown
                },
                seconds_left: None,
                due: aged,
                emergency: false,
                due_at: age_due_at,
                reason: if aged {
                    "the secret's expiry is unknown and it is older than the maximum age".into()
                } else {
                    "the secret's expiry is unknown; no rotation is scheduled by expiry".into()
                },
            };
        };

        let seconds_left = expires_at.as_second() - now.as_second();
        let expiry_due_at = add(expires_at, -rotate_before);
        let due_at = match age_due_at {
            Some(age) if age < expiry_due_at => age,
            _ => expiry_due_at,
        };
        let grace = secs(self.grace_period);
        let days_text = format_days(seconds_left);

        let (state, reason) = if seconds_left <= 0 && -seconds_left < grace {
            (
                SecretState::GracePeriod,
                format!(
                    "the secret expired {} ago and is in its grace period",
                    format_days(-seconds_left)
                ),
            )
        } else if seconds_left <= 0 {
            (
                SecretState::Expired,
                format!(
                    "the secret expired {} ago, past any grace period",
                    format_days(-seconds_left)
                ),
            )
        } else if seconds_left < rotate_before {
            (
                SecretState::Due,
                format!(
                    "{days_text} left, less than the {} rotation threshold",
                    format_days(rotate_before)
                ),
            )
        } else if age_due_at.is_some_and(|at| now >= at) {
            (
                SecretState::Due,
                format!("{days_text} left, but the secret is older than the maximum age"),
            )
        } else {
            (
                SecretState::Healthy,
                format!("{days_text} left; rotation due from {due_at}"),
            )
        };
        let emergency = matches!(state, SecretState::GracePeriod | SecretState::Expired);
        Decision {
            state,
            seconds_left: Some(seconds_left),
            due: state != SecretState::Healthy,
            emergency,
            due_at: Some(due_at),
            reason,
        }
    }
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 2)
}

fn add(at: Timestamp, seconds: i64) -> Timestamp {
    at.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(if seconds < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// "12.5 days" or "3.2 hours".
pub fn format_days(seconds: i64) -> String {
    if seconds.abs() < DAY_SECONDS {
        format!("{:.1} hours", seconds as f64 / 3600.0)
    } else {
        format!("{:.1} days", seconds as f64 / DAY_SECONDS as f64)
    }
}

/// Weekdays and hours, in one time zone, when scheduled rotations may run; for
/// example `Mon-Fri 10:00-16:00 Asia/Kolkata`.
#[derive(Clone, Debug, PartialEq)]
pub struct RotationWindow {
    weekdays: [bool; 7],
    start: Time,
    end: Time,
    zone: TimeZone,
    text: String,
}

impl RotationWindow {
    /// Parses `DAYS HH:MM-HH:MM ZONE`. DAYS is a range (`Mon-Fri`), a list
    /// (`Mon,Wed,Fri`) or `*`; ZONE is an IANA name such as `Asia/Kolkata` or
    /// `UTC`. The end may be earlier than the start for a window across midnight.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::Config(format!(
                "invalid rotation window {text:?}: {why}; expected for example \"Mon-Fri 10:00-16:00 Asia/Kolkata\""
            ))
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [days, hours, zone] = parts.as_slice() else {
            return Err(bad("it needs three parts: days, hours and time zone"));
        };
        let weekdays =
            parse_weekdays(days).ok_or_else(|| bad("the days are not like Mon-Fri or Mon,Wed"))?;
        let (start, end) = hours
            .split_once('-')
            .ok_or_else(|| bad("the hours are not like 10:00-16:00"))?;
        let start: Time = start
            .parse()
            .map_err(|_| bad("the start time is not HH:MM"))?;
        let end: Time = end.parse().map_err(|_| bad("the end time is not HH:MM"))?;
        if start == end {
            return Err(bad("the start and end times are equal"));
        }
        let zone =
            TimeZone::get(zone).map_err(|_| bad("the time zone is not a known IANA name"))?;
        Ok(Self {
            weekdays,
            start,
            end,
            zone,
            text: text.trim().to_owned(),
        })
    }

    /// True when `at` falls inside the window.
    pub fn contains(&self, at: Timestamp) -> bool {
        let local = at.to_zoned(self.zone.clone());
        let time = local.time();
        let weekday = local.weekday();
        if self.start < self.end {
            self.weekdays[index(weekday)] && time >= self.start && time < self.end
        } else {
            // Across midnight: the part after midnight belongs to the previous day.
            (self.weekdays[index(weekday)] && time >= self.start)
                || (self.weekdays[index(weekday.previous())] && time < self.end)
        }
    }

    /// Returns the window as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn index(weekday: Weekday) -> usize {
    weekday.to_monday_zero_offset() as usize
}

fn parse_weekday(name: &str) -> Option<Weekday> {
    let lower = name.to_ascii_lowercase();
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let position = names.iter().position(|n| lower.starts_with(n))?;
    Weekday::from_monday_zero_offset(position as i8).ok()
}

fn parse_weekdays(text: &str) -> Option<[bool; 7]> {
    let mut days = [false; 7];
    if text == "*" {
        return Some([true; 7]);
    }
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let mut day = parse_weekday(from)?;
                let last = parse_weekday(to)?;
                loop {
                    days[index(day)] = true;
                    if day == last {
                        break;
                    }
                    day = day.next();
                }
            }
            None => days[index(parse_weekday(part)?)] = true,
        }
    }
    Some(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn looping_settings_are_rejected() {
        let policy = RotationPolicy {
            secret_expiry_days: Some(20),
            ..Default::default()
        };
        let error = policy.validate().unwrap_err().to_string();
        assert!(error.contains("secret_expiry_days is 20"), "{error}");
        let policy = RotationPolicy {
            rotate_before: days(400),
            ..Default::default()
        };
        let error = policy.validate().unwrap_err().to_string();
        assert!(error.contains("180 days"), "{error}");
        let policy = RotationPolicy {
            secret_expiry_days: Some(90),
            ..Default::default()
        };
        assert!(policy.validate().is_ok());
    }

    #[test]
    fn forty_days_is_forty_days() {
        let now = at("2025-01-31T00:00:00Z");
        let expires = at("2025-03-12T00:00:00Z");
        let decision = RotationPolicy::default().decide(Some(expires), None, now);
        assert_eq!(decision.days_left(), Some(40.0));
        assert_eq!(decision.state, SecretState::Healthy);
    }

    #[test]
    fn states_by_offset() {
        let now = at("2026-06-01T12:00:00Z");
        let policy = RotationPolicy::default();
        let cases = [
            (181, SecretState::Healthy),
            (31, SecretState::Healthy),
            (29, SecretState::Due),
            (1, SecretState::Due),
            (0, SecretState::GracePeriod),
            (-4, SecretState::GracePeriod),
            (-5, SecretState::Expired),
            (-30, SecretState::Expired),
        ];
        for (offset_days, expected) in cases {
            let expires = now
                .checked_add(SignedDuration::from_hours(24 * offset_days))
                .unwrap();
            let decision = policy.decide(Some(expires), None, now);
            assert_eq!(decision.state, expected, "offset {offset_days} days");
            assert_eq!(
                decision.emergency,
                offset_days <= 0,
                "offset {offset_days} days"
            );
        }
    }

    #[test]
    fn max_age_makes_old_secret_due() {
        let now = at("2026-06-01T00:00:00Z");
        let policy = RotationPolicy {
            max_age: Some(days(90)),
            ..Default::default()
        };
        let obtained = at("2026-02-01T00:00:00Z");
        let expires = at("2026-12-01T00:00:00Z");
        let decision = policy.decide(Some(expires), Some(obtained), now);
        assert_eq!(decision.state, SecretState::Due);
        assert_eq!(decision.due_at, Some(at("2026-05-02T00:00:00Z")));
    }

    #[test]
    fn unknown_expiry_is_not_due() {
        let decision = RotationPolicy::default().decide(None, None, Timestamp::now());
        assert_eq!(decision.state, SecretState::Unknown);
        assert!(!decision.due);
    }

    #[test]
    fn window_weekdays_and_hours() {
        let window = RotationWindow::parse("Mon-Fri 10:00-16:00 Asia/Kolkata").unwrap();
        // 2026-12-04 is a Friday. 05:00Z is 10:30 IST.
        assert!(window.contains(at("2026-12-04T05:00:00Z")));
        // 11:00Z is 16:30 IST.
        assert!(!window.contains(at("2026-12-04T11:00:00Z")));
        // Saturday 10:30 IST.
        assert!(!window.contains(at("2026-12-05T05:00:00Z")));
    }

    #[test]
    fn window_across_midnight() {
        let window = RotationWindow::parse("Fri 22:00-02:00 UTC").unwrap();
        assert!(window.contains(at("2026-12-04T23:00:00Z")));
        assert!(window.contains(at("2026-12-05T01:00:00Z")));
        assert!(!window.contains(at("2026-12-05T03:00:00Z")));
        assert!(!window.contains(at("2026-12-04T01:00:00Z")));
    }

    #[test]
    fn window_parse_errors_name_the_part() {
        let error = RotationWindow::parse("Mon-Fri 10:00-16:00 Mars/Olympus")
            .unwrap_err()
            .to_string();
        assert!(error.contains("time zone"), "{error}");
        let error = RotationWindow::parse("weekdays 10-16")
            .unwrap_err()
            .to_string();
        assert!(error.contains("three parts"), "{error}");
        assert!(RotationWindow::parse("Mon,Wed,Fri 09:00-10:00 UTC").is_ok());
        assert!(RotationWindow::parse("* 09:00-10:00 UTC").is_ok());
    }
}
