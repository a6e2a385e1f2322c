//! Keyboard-wedge scanners: a scanner "types" its code much faster than a person can, usually
//! followed by Enter. How this till's scanner types is kept here with the till's settings; the
//! window tells a burst from typing by these settings (`ui/src/lib/wedge.ts`, its cases in
//! `ui/tests/wedge.test.ts`): a fast burst of enough characters, with the configured prefix and
//! suffix, ended by the terminator, is a scan; anything else is typing, keys in order, none lost.

use serde::{Deserialize, Serialize};

/// What ends a scanner's burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terminator {
    /// The scanner sends Enter after the code (the factory default of most scanners).
    Enter,
    /// The scanner sends Tab after the code.
    Tab,
    /// Nothing: the burst ends when the keys stop coming.
    Pause,
}

/// How this till's scanner types; stored with the till's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WedgeSettings {
    /// Longest gap between two keys of one scan. People rarely type two keys under 50 ms apart
    /// on purpose and never a dozen in a row; scanners send one every 1–20 ms.
    pub max_gap_ms: u64,
    /// Fewest characters in a scan (without prefix and suffix).
    pub min_len: usize,
    /// Characters the scanner is set to send before each code (often none).
    pub prefix: String,
    /// Characters the scanner is set to send after each code, before the terminator.
    pub suffix: String,
    pub terminator: Terminator,
}

impl Default for WedgeSettings {
    fn default() -> Self {
        WedgeSettings {
            max_gap_ms: 35,
            min_len: 4,
            prefix: String::new(),
            suffix: String::new(),
            terminator: Terminator::Enter,
        }
    }
}
