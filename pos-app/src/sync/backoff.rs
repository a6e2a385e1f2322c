//! How long to wait before the next sync round after a failure: doubling from one second to a
//! minute, plus up to a quarter more at random so terminals that lost the server together do
//! not all come back in the same instant. The randomness comes from the caller.

use std::time::Duration;

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
}
