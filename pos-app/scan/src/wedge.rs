//! Keyboard-wedge scanners: a scanner "types" its code much faster than a person can, usually
//! followed by Enter. The detector holds keys briefly and decides: a fast burst of enough
//! characters (with the configured prefix/suffix) is a scan; anything else is handed back as
//! typing, keys in order, none lost.

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

/// One key from the keyboard device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEvent {
    Char(char),
    Enter,
    Tab,
}

/// What the detector decided about the keys held so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WedgeVerdict {
    /// A scanner sent this code (prefix, suffix and terminator removed).
    Scan(String),
    /// A person typed these keys: give them to the focused field, in order
    /// (`\n` for Enter, `\t` for Tab).
    Typed(String),
}

/// The burst detector. Feed it every key with its time, and call `tick` from a timer so that
/// typed keys are released within `max_gap_ms`.
#[derive(Debug, Clone, Default)]
pub struct WedgeDetector {
    settings: WedgeSettings,
    held: String,
    /// When the last held key came; a longer gap than `max_gap_ms` releases the held keys,
    /// so every gap inside `held` is scanner-fast.
    last_at: u64,
}

impl WedgeDetector {
    pub fn new(settings: WedgeSettings) -> Self {
        WedgeDetector {
            settings,
            ..WedgeDetector::default()
        }
    }

    pub fn settings(&self) -> &WedgeSettings {
        &self.settings
    }

    /// A key arrived at `at_ms` (monotonic). Returns what is decided by it, oldest first.
    pub fn key(&mut self, key: KeyEvent, at_ms: u64) -> Vec<WedgeVerdict> {
        let mut out = Vec::new();
        if !self.held.is_empty() && at_ms.saturating_sub(self.last_at) > self.settings.max_gap_ms {
            out.extend(self.flush());
        }
        let terminates = matches!(
            (key, self.settings.terminator),
            (KeyEvent::Enter, Terminator::Enter) | (KeyEvent::Tab, Terminator::Tab)
        );
        if terminates {
            if let Some(code) = self.as_scan() {
                self.held.clear();
                out.push(WedgeVerdict::Scan(code));
            } else {
                let mut typed = std::mem::take(&mut self.held);
                typed.push(key_char(key));
                out.push(WedgeVerdict::Typed(typed));
            }
            return out;
        }
        self.last_at = at_ms;
        self.held.push(key_char(key));
        out
    }

    /// The timer: once keys have stopped for longer than `max_gap_ms`, release them (as a scan
    /// when the terminator is a pause and the burst qualifies, else as typing).
    pub fn tick(&mut self, now_ms: u64) -> Option<WedgeVerdict> {
        if self.held.is_empty() || now_ms.saturating_sub(self.last_at) <= self.settings.max_gap_ms {
            return None;
        }
        self.flush()
    }

    fn flush(&mut self) -> Option<WedgeVerdict> {
        if self.held.is_empty() {
            return None;
        }
        if self.settings.terminator == Terminator::Pause {
            if let Some(code) = self.as_scan() {
                self.held.clear();
                return Some(WedgeVerdict::Scan(code));
            }
        }
        Some(WedgeVerdict::Typed(std::mem::take(&mut self.held)))
    }

    /// The held keys as a scan, if they came fast enough, carry the prefix and suffix, and
    /// leave enough characters between them.
    fn as_scan(&self) -> Option<String> {
        let s = &self.settings;
        let body = self
            .held
            .strip_prefix(s.prefix.as_str())?
            .strip_suffix(s.suffix.as_str())?;
        (body.chars().count() >= s.min_len && !body.contains(['\n', '\t'])).then(|| body.to_owned())
    }
}

fn key_char(key: KeyEvent) -> char {
    match key {
        KeyEvent::Char(c) => c,
        KeyEvent::Enter => '\n',
        KeyEvent::Tab => '\t',
    }
}

#[cfg(test)]
#[path = "wedge_tests.rs"]
mod tests;
