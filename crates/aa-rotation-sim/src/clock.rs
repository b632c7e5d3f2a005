//! The simulator clock: real UTC time plus an offset that tests move forward.
//!
//! Every validity check (password expiry, secret expiry, grace period, token
//! `exp`) and every `timestamp` the simulator writes uses this clock, so a test
//! can make a secret expire by advancing it instead of waiting.

use jiff::{SignedDuration, Timestamp};

/// Real time shifted by an offset that only grows.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: SignedDuration,
}

impl Clock {
    /// Returns the simulated current time.
    pub(crate) fn now(&self) -> Timestamp {
        add_saturating(Timestamp::now(), self.offset)
    }

    /// Moves the clock forward by `by`.
    pub(crate) fn advance(&mut self, by: SignedDuration) {
        self.offset = self.offset.saturating_add(by);
    }
}

/// Adds `duration` to `timestamp`, stopping at the ends of jiff's range (years -9999 and 9999).
pub(crate) fn add_saturating(timestamp: Timestamp, duration: SignedDuration) -> Timestamp {
    timestamp
        .checked_add(duration)
        .unwrap_or(if duration.is_negative() {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// Adds whole seconds to `timestamp`, saturating like [`add_saturating`].
pub(crate) fn add_seconds(timestamp: Timestamp, seconds: i64) -> Timestamp {
    add_saturating(timestamp, SignedDuration::from_secs(seconds))
}

/// Converts epoch seconds to a timestamp, clamping values beyond jiff's range.
pub(crate) fn timestamp_from_epoch_seconds(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward() {
        let mut clock = Clock::default();
        let before = clock.now();
        clock.advance(SignedDuration::from_hours(48));
        let gap = clock.now().duration_since(before);
        assert!(gap >= SignedDuration::from_hours(48));
        assert!(gap < SignedDuration::from_hours(49));
    }

    #[test]
    fn add_saturating_stops_at_max() {
        let far = add_seconds(Timestamp::MAX, 10);
        assert_eq!(far, Timestamp::MAX);
    }

    #[test]
    fn epoch_seconds_out_of_range_clamp() {
        assert_eq!(timestamp_from_epoch_seconds(i64::MAX), Timestamp::MAX);
        assert_eq!(timestamp_from_epoch_seconds(i64::MIN), Timestamp::MIN);
    }
}
