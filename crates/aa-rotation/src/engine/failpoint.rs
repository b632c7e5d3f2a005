//! Crash injection for tests: stop the rotation protocol right after a step.

use std::sync::Mutex;
use std::time::Duration;

/// What a failpoint does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailAction {
    /// Panic, unwinding the rotating task: an in-process crash where no
    /// cleanup code of the engine runs.
    Panic,
    /// Abort the process at once.
    Abort,
    /// Sleep for ten minutes, so that a test can kill the process at this step.
    Pause,
    /// Sleep for half a second and go on, so that a test can act while a
    /// rotation stands between two steps.
    Delay,
}

impl FailAction {
    /// Parses `panic`, `abort`, `pause` or `delay`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "panic" => Some(FailAction::Panic),
            "abort" => Some(FailAction::Abort),
            "pause" => Some(FailAction::Pause),
            "delay" => Some(FailAction::Delay),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Failpoints {
    armed: Mutex<Option<(String, FailAction)>>,
}

impl Failpoints {
    pub(super) fn set(&self, step: &str, action: FailAction) {
        if let Ok(mut armed) = self.armed.lock() {
            *armed = Some((step.to_owned(), action));
        }
    }

    #[allow(
        clippy::panic,
        reason = "a failpoint simulates a crash, only when a test arms it"
    )]
    pub(super) async fn hit(&self, step: &str) {
        let action = match self.armed.lock() {
            Ok(armed) => armed
                .as_ref()
                .filter(|(armed_step, _)| armed_step == step)
                .map(|(_, action)| *action),
            Err(_) => None,
        };
        match action {
            None => {}
            Some(FailAction::Panic) => panic!("failpoint after step {step}"),
            Some(FailAction::Abort) => std::process::abort(),
            Some(FailAction::Pause) => {
                eprintln!("failpoint: paused after step {step}");
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
            Some(FailAction::Delay) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}
