//! Time and identifier sources as traits.
//!
//! This crate does no IO, so the wall clock and the random generator are
//! injected: the app provides real ones, tests use [`FixedClock`] and
//! [`SeqIds`] so every run produces the same ids and timestamps.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use uuid::{Builder, Uuid};

/// Source of the current time.
pub trait Clock: Send + Sync {
    /// Unix epoch milliseconds.
    fn now_ms(&self) -> i64;
}

/// Source of new record identifiers.
pub trait IdGen: Send + Sync {
    /// A fresh id; time-ordered (UUIDv7) so inserts stay index-friendly.
    fn new_id(&self, now_ms: i64) -> Uuid;
}

impl<T: Clock + ?Sized> Clock for &T {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

impl<T: Clock + ?Sized> Clock for Box<T> {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

impl<T: Clock + ?Sized> Clock for Arc<T> {
    fn now_ms(&self) -> i64 {
        (**self).now_ms()
    }
}

impl<T: IdGen + ?Sized> IdGen for &T {
    fn new_id(&self, now_ms: i64) -> Uuid {
        (**self).new_id(now_ms)
    }
}

impl<T: IdGen + ?Sized> IdGen for Box<T> {
    fn new_id(&self, now_ms: i64) -> Uuid {
        (**self).new_id(now_ms)
    }
}

impl<T: IdGen + ?Sized> IdGen for Arc<T> {
    fn new_id(&self, now_ms: i64) -> Uuid {
        (**self).new_id(now_ms)
    }
}

/// Builds a UUIDv7 from a timestamp and caller-supplied random bytes, so the
/// result is exactly as deterministic as the random source. Negative
/// timestamps are clamped to the epoch. Six bits of `random` are replaced
/// by the version and variant.
pub fn uuid_v7(now_ms: i64, random: [u8; 10]) -> Uuid {
    let ms = u64::try_from(now_ms).unwrap_or(0);
    Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
}

/// Deterministic [`IdGen`] for tests and fixtures: ids are UUIDv7 whose
/// random part is a 12-bit stream number and a 62-bit counter, so ids from
/// one generator are unique and ordered, and distinct streams never collide.
#[derive(Debug, Default)]
pub struct SeqIds {
    next: AtomicU64,
    stream: u16,
}

impl SeqIds {
    /// Counter starting at 0, stream 0.
    pub fn new() -> Self {
        SeqIds::default()
    }

    /// A separate stream (only the low 12 bits count), e.g. one per
    /// simulated terminal.
    pub fn with_stream(stream: u16) -> Self {
        SeqIds {
            next: AtomicU64::new(0),
            stream: stream & 0x0fff,
        }
    }

    /// Counter starting at `first` (only the low 62 bits count).
    pub fn starting_at(first: u64) -> Self {
        SeqIds {
            next: AtomicU64::new(first),
            stream: 0,
        }
    }

    /// How many ids have been handed out plus the starting value.
    pub fn peek(&self) -> u64 {
        self.next.load(Ordering::Relaxed)
    }
}

impl IdGen for SeqIds {
    fn new_id(&self, now_ms: i64) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::Relaxed) & 0x3fff_ffff_ffff_ffff;
        let mut random = [0u8; 10];
        random[..2].copy_from_slice(&self.stream.to_be_bytes());
        random[2..].copy_from_slice(&n.to_be_bytes());
        uuid_v7(now_ms, random)
    }
}

/// Deterministic [`Clock`] for tests: returns whatever it was set to.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    /// A clock stopped at `ms`.
    pub fn new(ms: i64) -> Self {
        FixedClock(AtomicI64::new(ms))
    }

    /// Moves to `ms` (may go backwards, to test clock skew).
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }

    /// Moves forward (or back, if negative) by `ms`.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v7_is_deterministic_and_versioned() {
        let a = uuid_v7(1_700_000_000_000, [7; 10]);
        assert_eq!(a, uuid_v7(1_700_000_000_000, [7; 10]));
        assert_eq!(a.get_version_num(), 7);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        let (secs, _) = a.get_timestamp().unwrap().to_unix();
        assert_eq!(secs, 1_700_000_000);
        assert_eq!(uuid_v7(-5, [0; 10]), uuid_v7(0, [0; 10]));
    }

    #[test]
    fn seq_ids_are_unique_and_ordered() {
        let ids = SeqIds::new();
        let a = ids.new_id(1000);
        let b = ids.new_id(1000);
        let c = ids.new_id(999);
        assert!(a < b, "same millisecond: ordered by counter");
        assert!(c < a, "earlier millisecond sorts first");
        assert_eq!(ids.peek(), 3);
        let again = SeqIds::new();
        assert_eq!(again.new_id(1000), a, "reproducible");
        let other = SeqIds::with_stream(1);
        assert_ne!(other.new_id(1000), a);
        assert_ne!(SeqIds::starting_at(5).new_id(1000), a);
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let clock = FixedClock::new(10);
        assert_eq!(clock.now_ms(), 10);
        clock.advance(5);
        assert_eq!(clock.now_ms(), 15);
        clock.set(3);
        assert_eq!(clock.now_ms(), 3);
        let shared: Arc<dyn Clock> = Arc::new(FixedClock::new(42));
        assert_eq!(shared.now_ms(), 42);
        let boxed: Box<dyn IdGen> = Box::new(SeqIds::new());
        assert_eq!(boxed.new_id(1).get_version_num(), 7);
    }
}
