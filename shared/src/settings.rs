//! The till's window settings, kept with the terminal: language, digits, camera, and how its
//! keyboard-wedge scanner types. The core keeps them and decides who may change what
//! (`Till::set_desk_settings`); the window reads them. No IO.

use serde::{Deserialize, Serialize};

use crate::Lang;

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

/// The window's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskSettings {
    pub language: Lang,
    /// Show amounts with Arabic-Indic digits in the Arabic layout.
    pub arabic_digits: bool,
    /// V4L2 camera index for camera scanning; none hides the camera button.
    pub camera: Option<u32>,
    /// How the keyboard-wedge scanner types.
    pub scanner: WedgeSettings,
}

/// The longest key gap a scan may have: beyond it a person typing quickly looks like a scanner.
pub const MAX_GAP_MS: u64 = 200;

impl DeskSettings {
    /// The settings a cashier may not change alone (everything but how she reads the screen).
    pub fn without_language(&self) -> DeskSettings {
        DeskSettings {
            language: Lang::Fr,
            arabic_digits: false,
            ..self.clone()
        }
    }

    /// Why these settings cannot be kept, in words a manager can act on.
    pub fn check(&self) -> Result<(), String> {
        let s = &self.scanner;
        if !(5..=MAX_GAP_MS).contains(&s.max_gap_ms) {
            return Err(format!(
                "the scanner's key gap must be between 5 and {MAX_GAP_MS} ms (it is {} ms)",
                s.max_gap_ms
            ));
        }
        if !(1..=64).contains(&s.min_len) {
            return Err(format!(
                "a scan's shortest code must be 1 to 64 characters (it is {})",
                s.min_len
            ));
        }
        if s.prefix.chars().count() > 8 || s.suffix.chars().count() > 8 {
            return Err("the scanner's prefix and suffix are 8 characters at most".into());
        }
        if self.camera.is_some_and(|c| c > 63) {
            return Err("the camera number is 0 to 63 (/dev/video0 is 0)".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_range_are_refused_with_the_range() {
        let mut s = DeskSettings::default();
        assert_eq!(s.check(), Ok(()));
        s.scanner.max_gap_ms = 1500;
        assert!(s.check().unwrap_err().contains("between 5 and 200 ms"));
        s.scanner.max_gap_ms = 150;
        s.scanner.min_len = 0;
        assert!(s.check().unwrap_err().contains("1 to 64"));
        s.scanner.min_len = 8;
        s.camera = Some(99);
        assert!(s.check().unwrap_err().contains("camera"));
    }
}
