//! Feed lag: how far the terminals that are pulling are behind their store's feed. What an
//! operator acts on is "a sale made at one till has not reached another one yet, and for how
//! long", so the main number is the age of the oldest feed entry an active terminal has not
//! pulled (`pos_feed_lag_seconds`), beside the most entries any of them is behind.
//!
//! A terminal is active while it pulled from this server in the last [`ACTIVE`]; its cursor is
//! the `next` of its last pull. Heads come from the feed notifications every server hears (see
//! `live.rs`); each head is kept with the moment it was heard, for the stores that have an
//! active terminal, until every active terminal of the store is past it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// A terminal that has not pulled for this long is offline, not lagging (tills poll every 5 s).
pub const ACTIVE: Duration = Duration::from_secs(300);
/// Heads kept per store; beyond it the two oldest are merged, keeping the older time, so ages
/// are never understated.
const MAX_MOVES: usize = 4096;

#[derive(Clone, Copy, Debug)]
struct Terminal {
    store: Uuid,
    cursor: i64,
    at: Instant,
}

#[derive(Debug, Default)]
struct StoreFeed {
    head: i64,
    /// (head, when it was heard), oldest first, heads increasing.
    moves: VecDeque<(i64, Instant)>,
}

impl StoreFeed {
    fn moved(&mut self, head: i64, now: Instant) {
        if head <= self.head {
            return;
        }
        self.head = head;
        self.moves.push_back((head, now));
        if self.moves.len() > MAX_MOVES {
            if let Some((_, oldest)) = self.moves.pop_front() {
                if let Some(front) = self.moves.front_mut() {
                    front.1 = oldest;
                }
            }
        }
    }

    /// When the entry after `cursor` was first known to be in the feed.
    fn since(&self, cursor: i64) -> Option<Instant> {
        self.moves
            .iter()
            .find(|(h, _)| *h > cursor)
            .map(|(_, t)| *t)
    }
}

/// The numbers `/metrics` shows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lag {
    pub active: usize,
    pub behind: usize,
    pub max_entries: i64,
    pub max_seconds: f64,
}

#[derive(Default)]
struct State {
    terminals: HashMap<Uuid, Terminal>,
    stores: HashMap<Uuid, StoreFeed>,
}

#[derive(Default)]
pub struct FeedLag {
    state: Mutex<State>,
}

impl FeedLag {
    /// `device` of `store` pulled up to `cursor`; `more` when the feed goes on after it.
    pub fn pulled(&self, device: Uuid, store: Uuid, cursor: i64, more: bool, now: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.terminals.insert(
            device,
            Terminal {
                store,
                cursor,
                at: now,
            },
        );
        let feed = s.stores.entry(store).or_default();
        // A head not heard yet (before this server started): at least what the pull showed.
        let seen = if more { cursor + 1 } else { cursor };
        feed.moved(seen, now);
    }

    /// The feed of `store` is at `head` (a push committed).
    pub fn moved(&self, store: Uuid, head: i64, now: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Only stores with a terminal pulling here are followed.
        if let Some(feed) = s.stores.get_mut(&store) {
            feed.moved(head, now);
        }
    }

    /// Forgets terminals gone quiet and heads every terminal is past; the numbers at `now`.
    pub fn measure(&self, now: Instant) -> Lag {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.terminals
            .retain(|_, t| now.saturating_duration_since(t.at) < ACTIVE);
        let mut slowest: HashMap<Uuid, i64> = HashMap::new();
        for t in s.terminals.values() {
            let c = slowest.entry(t.store).or_insert(t.cursor);
            *c = (*c).min(t.cursor);
        }
        s.stores.retain(|store, _| slowest.contains_key(store));
        for (store, feed) in s.stores.iter_mut() {
            let min = slowest.get(store).copied().unwrap_or(i64::MAX);
            while feed.moves.front().is_some_and(|(h, _)| *h <= min) {
                feed.moves.pop_front();
            }
        }
        let mut lag = Lag {
            active: s.terminals.len(),
            ..Lag::default()
        };
        for t in s.terminals.values() {
            let Some(feed) = s.stores.get(&t.store) else {
                continue;
            };
            let entries = feed.head - t.cursor;
            if entries <= 0 {
                continue;
            }
            lag.behind += 1;
            lag.max_entries = lag.max_entries.max(entries);
            if let Some(since) = feed.since(t.cursor) {
                let secs = now.saturating_duration_since(since).as_secs_f64();
                lag.max_seconds = lag.max_seconds.max(secs);
            }
        }
        lag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_grows_while_a_terminal_does_not_pull_and_clears_when_it_does() {
        let lag = FeedLag::default();
        let (store, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (a, b) = (Uuid::from_u128(10), Uuid::from_u128(11));
        let t0 = Instant::now();
        lag.pulled(a, store, 5, false, t0);
        lag.pulled(b, store, 5, false, t0);
        assert_eq!(lag.measure(t0).behind, 0);
        // A push at t0+1 s, another at t0+3 s; a store nobody pulls from is not followed.
        lag.moved(store, 8, t0 + Duration::from_secs(1));
        lag.moved(store, 9, t0 + Duration::from_secs(3));
        lag.moved(other, 100, t0);
        let m = lag.measure(t0 + Duration::from_secs(5));
        assert_eq!((m.active, m.behind, m.max_entries), (2, 2, 4));
        assert_eq!(m.max_seconds, 4.0);
        // b catches up to 8: a is still 4 entries and 4 s behind.
        lag.pulled(b, store, 8, false, t0 + Duration::from_secs(5));
        let m = lag.measure(t0 + Duration::from_secs(5));
        assert_eq!((m.behind, m.max_entries, m.max_seconds), (2, 4, 4.0));
        // a pulls 7 with more to come, then everything.
        lag.pulled(a, store, 7, true, t0 + Duration::from_secs(6));
        let m = lag.measure(t0 + Duration::from_secs(6));
        assert_eq!((m.max_entries, m.max_seconds), (2, 5.0));
        lag.pulled(a, store, 9, false, t0 + Duration::from_secs(6));
        lag.pulled(b, store, 9, false, t0 + Duration::from_secs(6));
        assert_eq!(
            lag.measure(t0 + Duration::from_secs(6)),
            Lag {
                active: 2,
                ..Lag::default()
            }
        );
        // A terminal that stops pulling is offline after ACTIVE, not lagging forever.
        lag.moved(store, 12, t0 + Duration::from_secs(7));
        let later = t0 + Duration::from_secs(7) + ACTIVE;
        assert_eq!(lag.measure(later), Lag::default());
    }

    #[test]
    fn a_long_backlog_of_heads_is_merged_never_understating_the_age() {
        let lag = FeedLag::default();
        let (store, a) = (Uuid::from_u128(1), Uuid::from_u128(10));
        let t0 = Instant::now();
        lag.pulled(a, store, 0, false, t0);
        for h in 1..=(MAX_MOVES as i64 + 10) {
            lag.moved(store, h, t0 + Duration::from_millis(h as u64));
        }
        let m = lag.measure(t0 + Duration::from_secs(10));
        assert_eq!(m.max_entries, MAX_MOVES as i64 + 10);
        assert_eq!(m.max_seconds, 9.999);
    }
}
