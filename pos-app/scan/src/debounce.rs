//! One item in front of the camera is one scan.
//!
//! A camera reads the same code in every frame while the item is held there. The debounce
//! passes a code once, then ignores it until it has been out of sight for `repeat_after_ms`;
//! a second identical item scanned straight away needs that pause, or an explicit "+1".

use serde::{Deserialize, Serialize};

/// How long a code must be gone before it counts again; stored with the till's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebounceSettings {
    /// A code seen again after at least this long out of sight is a new scan.
    pub repeat_after_ms: u64,
}

impl Default for DebounceSettings {
    fn default() -> Self {
        DebounceSettings {
            repeat_after_ms: 1500,
        }
    }
}

/// A code that should go to the cart once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    pub code: String,
    pub at_ms: u64,
}

/// The debounce state: the last code passed and when it was last seen.
#[derive(Debug, Clone, Default)]
pub struct Debounce {
    settings: DebounceSettings,
    last: Option<(String, u64)>,
}

impl Debounce {
    pub fn new(settings: DebounceSettings) -> Self {
        Debounce {
            settings,
            last: None,
        }
    }

    /// A frame read `code` at `at_ms` (a monotonic clock): `Some` when it is a new scan.
    pub fn seen(&mut self, code: &str, at_ms: u64) -> Option<Scan> {
        if let Some((last, last_seen)) = &mut self.last {
            let held = at_ms.saturating_sub(*last_seen) < self.settings.repeat_after_ms;
            if last == code && held {
                *last_seen = at_ms.max(*last_seen);
                return None;
            }
        }
        self.last = Some((code.to_owned(), at_ms));
        Some(Scan {
            code: code.to_owned(),
            at_ms,
        })
    }

    /// The cashier pressed "+1": the last code again, at once, whatever the camera sees.
    pub fn plus_one(&mut self, at_ms: u64) -> Option<Scan> {
        let (code, last_seen) = self.last.as_mut()?;
        *last_seen = at_ms.max(*last_seen);
        Some(Scan {
            code: code.clone(),
            at_ms,
        })
    }

    /// Forget the last code (a new sale starts).
    pub fn reset(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    enum Ev {
        Seen(&'static str, u64),
        PlusOne(u64),
        Reset,
    }
    use Ev::*;

    /// Each case: the events, then the codes that must reach the cart, in order.
    #[test]
    fn debounce_table() {
        let cases: Vec<(&str, Vec<Ev>, Vec<&str>)> = vec![
            ("one read is one scan", vec![Seen("A", 0)], vec!["A"]),
            (
                "held in front of the camera for 3 s is still one scan",
                (0..90).map(|i| Seen("A", i * 33)).collect(),
                vec!["A"],
            ),
            (
                "a second item after a pause counts",
                vec![Seen("A", 0), Seen("A", 100), Seen("A", 1700)],
                vec!["A", "A"],
            ),
            (
                "a gap just under the pause does not count",
                vec![Seen("A", 0), Seen("A", 1499)],
                vec!["A"],
            ),
            (
                "a gap of exactly the pause counts",
                vec![Seen("A", 0), Seen("A", 1500)],
                vec!["A", "A"],
            ),
            (
                "the pause runs from the last time it was seen, not the first",
                vec![
                    Seen("A", 0),
                    Seen("A", 1000),
                    Seen("A", 2000),
                    Seen("A", 2400),
                ],
                vec!["A"],
            ),
            (
                "another code passes at once",
                vec![Seen("A", 0), Seen("B", 10), Seen("A", 20)],
                vec!["A", "B", "A"],
            ),
            (
                "+1 repeats the last code without a pause",
                vec![Seen("A", 0), PlusOne(50), Seen("A", 60)],
                vec!["A", "A"],
            ),
            (
                "+1 with nothing scanned does nothing",
                vec![PlusOne(0)],
                vec![],
            ),
            (
                "a new sale forgets the last code",
                vec![Seen("A", 0), Reset, Seen("A", 10)],
                vec!["A", "A"],
            ),
            (
                "a clock that steps back does not let a held code through",
                vec![Seen("A", 1000), Seen("A", 900), Seen("A", 1100)],
                vec!["A"],
            ),
        ];
        for (name, events, want) in cases {
            let mut d = Debounce::new(DebounceSettings::default());
            let mut got = Vec::new();
            for ev in events {
                let out = match ev {
                    Seen(code, t) => d.seen(code, t),
                    PlusOne(t) => d.plus_one(t),
                    Reset => {
                        d.reset();
                        None
                    }
                };
                got.extend(out.map(|s| s.code));
            }
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn settings_round_trip_and_fill_defaults() {
        let s: DebounceSettings = serde_json::from_str("{}").expect("defaults");
        assert_eq!(s, DebounceSettings::default());
        let s = DebounceSettings {
            repeat_after_ms: 800,
        };
        let back: DebounceSettings =
            serde_json::from_str(&serde_json::to_string(&s).expect("json")).expect("parse");
        assert_eq!(back, s);
    }
}
