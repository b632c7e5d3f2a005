//! The time source of the engine, the policy and the caches.
//!
//! Production code reads the system clock. Tests move a [`Clock`] forward
//! together with the simulator's clock, to make secrets and tokens expire
//! without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

/// A clock: the system time plus an offset that tests can move.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        let now = Timestamp::now();
        if offset == 0 {
            return now;
        }
        now.checked_add(SignedDuration::from_millis(offset))
            .unwrap_or(now)
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(millis, Ordering::Relaxed);
    }
}
