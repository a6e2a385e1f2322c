//! Hybrid logical clock (Kulkarni et al., 2014).
//!
//! Terminals work offline with imperfect clocks; an HLC gives every event a
//! timestamp close to wall time that never goes backwards on a node and
//! respects causality across nodes, so "latest wins" merges are sound.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// Largest counter that fits the 6-digit string form; past it the clock
/// borrows a millisecond instead, keeping string order equal to `Ord`.
pub const MAX_COUNTER: u32 = 999_999;

/// Largest wall time that fits the 15-digit string form (year ~33658).
pub const MAX_WALL_MS: i64 = 999_999_999_999_999;

/// A timestamp totally ordered by (wall_ms, counter, node).
///
/// Serialised as its fixed-width string so that databases and JSON sort
/// it correctly as text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Hlc {
    pub wall_ms: i64,
    pub counter: u32,
    pub node: u64,
}

/// A malformed HLC string (corrupt record or foreign data).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "\"{input}\" is not a valid HLC timestamp (expected WWWWWWWWWWWWWWW-CCCCCC-NNNNNNNNNNNNNNNN)"
)]
pub struct HlcError {
    pub input: String,
}

impl HlcError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        "INVALID_HLC"
    }
}

impl Hlc {
    /// Plain constructor.
    pub const fn new(wall_ms: i64, counter: u32, node: u64) -> Hlc {
        Hlc {
            wall_ms,
            counter,
            node,
        }
    }
}

/// Derives a 64-bit node id from a terminal's UUID by XOR-folding its two
/// halves. For UUIDv7 the first half is mostly the creation time, so using
/// it alone would give two terminals registered in the same millisecond
/// the same node; the fold mixes in the random half.
pub fn node_from_uuid(id: &Uuid) -> u64 {
    let (hi, lo) = id.as_u64_pair();
    hi ^ lo
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:015}-{:06}-{:016x}",
            self.wall_ms, self.counter, self.node
        )
    }
}

impl FromStr for Hlc {
    type Err = HlcError;

    /// Accepts exactly the canonical form so that parse/print round-trips
    /// and text order stays equal to `Ord`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || HlcError {
            input: s.to_owned(),
        };
        let mut parts = s.split('-');
        let (Some(w), Some(c), Some(n), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        let decimal = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
        let hex = n.len() == 16 && n.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !decimal(w, 15) || !decimal(c, 6) || !hex {
            return Err(err());
        }
        Ok(Hlc {
            wall_ms: w.parse().map_err(|_| err())?,
            counter: c.parse().map_err(|_| err())?,
            node: u64::from_str_radix(n, 16).map_err(|_| err())?,
        })
    }
}

impl From<Hlc> for String {
    fn from(h: Hlc) -> String {
        h.to_string()
    }
}

impl TryFrom<String> for Hlc {
    type Error = HlcError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The clock state of one node; persist `last()` to survive restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HlcState {
    last: Hlc,
}

impl HlcState {
    /// A fresh node that has issued nothing yet.
    pub fn new(node: u64) -> Self {
        HlcState {
            last: Hlc::new(0, 0, node),
        }
    }

    /// Resumes from the last timestamp issued (e.g. read back from disk).
    pub fn from_last(last: Hlc) -> Self {
        HlcState { last }
    }

    /// The most recent timestamp issued or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// This node's id.
    pub fn node(&self) -> u64 {
        self.last.node
    }

    /// Local or send event: strictly greater than anything issued or
    /// observed before, even if the wall clock went backwards.
    pub fn tick(&mut self, now_ms: i64) -> Hlc {
        let last = self.last;
        let wall = last.wall_ms.max(now_ms);
        let counter = if wall == last.wall_ms {
            Some(last.counter)
        } else {
            None
        };
        self.issue(wall, counter)
    }

    /// Receive event: strictly greater than both our last timestamp and the
    /// remote one, so effects are ordered after their causes.
    pub fn observe(&mut self, remote: &Hlc, now_ms: i64) -> Hlc {
        let last = self.last;
        let wall = last.wall_ms.max(remote.wall_ms).max(now_ms);
        let counter = match (wall == last.wall_ms, wall == remote.wall_ms) {
            (true, true) => Some(last.counter.max(remote.counter)),
            (true, false) => Some(last.counter),
            (false, true) => Some(remote.counter),
            (false, false) => None,
        };
        self.issue(wall, counter)
    }

    /// Issues (wall, prev + 1), or (wall, 0) when there is no previous
    /// counter at this wall time; on counter exhaustion moves to wall + 1.
    fn issue(&mut self, wall: i64, prev_counter: Option<u32>) -> Hlc {
        let (wall, counter) = match prev_counter {
            None => (wall, 0),
            Some(c) if c >= MAX_COUNTER => (wall.saturating_add(1), 0),
            Some(c) => (wall, c + 1),
        };
        self.last = Hlc::new(wall, counter, self.last.node);
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_form_is_fixed_width_and_round_trips() {
        let h = Hlc::new(1_700_000_000_123, 7, 0xabc);
        let s = h.to_string();
        assert_eq!(s, "001700000000123-000007-0000000000000abc");
        assert_eq!(s.parse::<Hlc>(), Ok(h));
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{s}\""));
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), h);
    }

    #[test]
    fn refuses_malformed_strings() {
        for bad in [
            "",
            "001700000000123-000007",
            "001700000000123-000007-0000000000000ABC",
            "1700000000123-000007-0000000000000abc",
            "001700000000123-0000007-0000000000000abc",
            "001700000000123-000007-0000000000000abc-1",
            "00170000000012x-000007-0000000000000abc",
        ] {
            assert_eq!(
                bad.parse::<Hlc>().map_err(|e| e.code()),
                Err("INVALID_HLC"),
                "{bad}"
            );
        }
        assert!(serde_json::from_str::<Hlc>("\"nope\"").is_err());
    }

    #[test]
    fn text_order_matches_ord() {
        let mut hs = [
            Hlc::new(2, 0, 1),
            Hlc::new(1, 999_999, u64::MAX),
            Hlc::new(1, 10, 0),
            Hlc::new(1, 9, 5),
            Hlc::new(10, 0, 0),
            Hlc::new(1, 9, 4),
        ];
        let mut texts: Vec<String> = hs.iter().map(Hlc::to_string).collect();
        hs.sort();
        texts.sort();
        assert_eq!(texts, hs.iter().map(Hlc::to_string).collect::<Vec<_>>());
    }

    #[test]
    fn tick_is_monotonic_when_the_clock_jumps_back() {
        let mut st = HlcState::new(1);
        let a = st.tick(1000);
        assert_eq!(a, Hlc::new(1000, 0, 1));
        let b = st.tick(1000);
        assert_eq!(b, Hlc::new(1000, 1, 1));
        let c = st.tick(400); // wall clock set back by NTP or the user
        assert_eq!(c, Hlc::new(1000, 2, 1));
        let d = st.tick(1001);
        assert_eq!(d, Hlc::new(1001, 0, 1));
        assert!(a < b && b < c && c < d);
        assert_eq!(st.last(), d);
        assert_eq!(HlcState::from_last(d).tick(5), Hlc::new(1001, 1, 1));
    }

    #[test]
    fn observe_merges_with_remote_ahead() {
        let mut st = HlcState::new(1);
        st.tick(1000);
        let remote = Hlc::new(5000, 3, 2);
        let m = st.observe(&remote, 1200);
        assert_eq!(m, Hlc::new(5000, 4, 1));
        assert!(m > remote);
        // Our clock still lags: the next local event stays after the merge.
        assert_eq!(st.tick(1300), Hlc::new(5000, 5, 1));
        // Once wall time passes, the counter resets.
        assert_eq!(st.tick(6000), Hlc::new(6000, 0, 1));
    }

    #[test]
    fn observe_other_cases() {
        let mut st = HlcState::from_last(Hlc::new(1000, 5, 1));
        // Same wall time on both sides: max counter + 1.
        assert_eq!(
            st.observe(&Hlc::new(1000, 9, 2), 900),
            Hlc::new(1000, 10, 1)
        );
        // Remote behind, local ahead: our counter + 1.
        assert_eq!(st.observe(&Hlc::new(10, 50, 2), 900), Hlc::new(1000, 11, 1));
        // Wall clock ahead of both: counter resets.
        assert_eq!(st.observe(&Hlc::new(10, 50, 2), 2000), Hlc::new(2000, 0, 1));
    }

    #[test]
    fn counter_overflow_borrows_a_millisecond() {
        let mut st = HlcState::from_last(Hlc::new(1000, MAX_COUNTER, 1));
        let h = st.tick(1000);
        assert_eq!(h, Hlc::new(1001, 0, 1));
        assert_eq!(h.to_string().len(), 15 + 1 + 6 + 1 + 16);
    }

    #[test]
    fn node_from_uuid_folds_both_halves() {
        let id = Uuid::from_u64_pair(0x1111_0000_0000_0000, 0x0000_0000_0000_0022);
        assert_eq!(node_from_uuid(&id), 0x1111_0000_0000_0022);
        let ids = crate::ids::SeqIds::new();
        use crate::ids::IdGen;
        let (a, b) = (ids.new_id(5), ids.new_id(5));
        assert_ne!(node_from_uuid(&a), node_from_uuid(&b));
    }
}
