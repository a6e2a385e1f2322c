//! A token bucket per device, in this process's memory. Each request of a device takes a token;
//! tokens come back at `per_second` up to `burst`. A till's normal round (a push and a pull every
//! few seconds, a page more when it catches up) stays far inside it; a terminal stuck in a loop
//! gets `429 RATE_LIMITED` with `Retry-After` instead of taking the server's places from the
//! other terminals of its store. Behind a load balancer each server keeps its own buckets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Buckets are forgotten once full again (the device has been quiet); the map is swept when
/// it has grown to this many, or twice its size after the last sweep.
const FIRST_SWEEP: usize = 1024;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    state: Mutex<Buckets>,
}

struct Buckets {
    by_device: HashMap<Uuid, Bucket>,
    sweep_at: usize,
}

impl RateLimiter {
    /// `per_second` of 0 (or less) turns the limit off.
    pub fn new(per_second: f64, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second,
            burst: f64::from(burst.max(1)),
            state: Mutex::new(Buckets {
                by_device: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
        }
    }

    fn refill(&self, b: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        (b.tokens + elapsed * self.per_second).min(self.burst)
    }

    /// Takes a token for `device` at `now`; when none is left, how long until one is.
    pub fn take(&self, device: Uuid, now: Instant) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        // A poisoned lock only means another request panicked; the buckets are still usable.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.by_device.len() >= state.sweep_at {
            let full = self.burst;
            state.by_device.retain(|_, b| self.refill(b, now) < full);
            state.sweep_at = (state.by_device.len() * 2).max(FIRST_SWEEP);
        }
        let bucket = state.by_device.entry(device).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = self.refill(bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((1.0 - tokens) / self.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate_each_device_on_its_own() {
        let limiter = RateLimiter::new(2.0, 3);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take(a, t0), Ok(()));
        }
        let wait = limiter.take(a, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        // Another device has its own bucket.
        assert_eq!(limiter.take(b, t0), Ok(()));
        // Half a second later one token is back, and only one.
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!(limiter.take(a, t1), Ok(()));
        assert!(limiter.take(a, t1).is_err());
        // Never more than the burst, however long the device was quiet.
        let t2 = t1 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(limiter.take(a, t2), Ok(()));
        }
        assert!(limiter.take(a, t2).is_err());
    }

    #[test]
    fn quiet_devices_are_forgotten_and_zero_turns_it_off() {
        let limiter = RateLimiter::new(1.0, 2);
        let t0 = Instant::now();
        for i in 0..FIRST_SWEEP as u128 {
            assert_eq!(limiter.take(Uuid::from_u128(i), t0), Ok(()));
        }
        let later = t0 + Duration::from_secs(10);
        assert_eq!(limiter.take(Uuid::from_u128(u128::MAX), later), Ok(()));
        let left = limiter.state.lock().map(|s| s.by_device.len()).unwrap_or(0);
        assert_eq!(left, 1);

        let off = RateLimiter::new(0.0, 1);
        for _ in 0..100 {
            assert_eq!(off.take(Uuid::from_u128(7), t0), Ok(()));
        }
    }
}
