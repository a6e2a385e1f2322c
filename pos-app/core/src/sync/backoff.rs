//! How long to wait before the next sync round after a failure: doubling from one second to a
//! minute, plus up to a quarter more at random so terminals that lost the server together do
//! not all come back in the same instant. The randomness comes from the caller. When the server
//! says how long to wait (`429` with `Retry-After`), that is the wait.

use std::time::Duration;

use crate::error::PosError;

const FIRST_MS: u64 = 1_000;
const MAX_MS: u64 = 60_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next_ms: FIRST_MS }
    }
}

impl Backoff {
    /// The wait after one more failure; `unit` is a random number in [0, 1).
    pub fn next(&mut self, unit: f64) -> Duration {
        let base = self.next_ms;
        self.next_ms = (base * 2).min(MAX_MS);
        let jitter = (base as f64 / 4.0 * unit.clamp(0.0, 1.0)) as u64;
        Duration::from_millis(base + jitter)
    }

    /// The wait after `error`: what the server asked for when it said to slow down (plus up to
    /// a quarter more at random, so terminals told together do not return together), else the
    /// next doubling.
    pub fn after(&mut self, error: &PosError, unit: f64) -> Duration {
        match error {
            PosError::RateLimited { retry_after } => {
                let base = retry_after.as_millis().min(u128::from(MAX_MS)) as u64;
                let jitter = (base as f64 / 4.0 * unit.clamp(0.0, 1.0)) as u64;
                Duration::from_millis(base.max(FIRST_MS) + jitter)
            }
            _ => self.next(unit),
        }
    }

    /// The server answered: the next failure starts from one second again.
    pub fn reset(&mut self) {
        self.next_ms = FIRST_MS;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_a_minute_with_at_most_a_quarter_of_jitter() {
        let mut b = Backoff::default();
        let waits: Vec<u64> = (0..9).map(|_| b.next(0.0).as_millis() as u64).collect();
        assert_eq!(
            waits,
            [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]
        );
        assert_eq!(b.next(0.999).as_millis(), 74_985);
        b.reset();
        assert_eq!(b.next(0.5).as_millis(), 1_125);
    }

    #[test]
    fn a_rate_limit_waits_what_the_server_said_without_doubling() {
        let mut b = Backoff::default();
        let told = PosError::RateLimited {
            retry_after: Duration::from_secs(3),
        };
        assert_eq!(b.after(&told, 0.0), Duration::from_secs(3));
        assert_eq!(b.after(&told, 0.999).as_millis(), 3_749);
        // Not doubled by being told: the next plain failure still starts at one second.
        let offline = PosError::offline("down");
        assert_eq!(b.after(&offline, 0.0), Duration::from_secs(1));
        assert_eq!(b.after(&offline, 0.0), Duration::from_secs(2));
    }
}
