//! The window's settings, kept in the till's `meta` so they survive a restart and stay with
//! the terminal: language, digits, camera, and how a keyboard-wedge scanner types.

pub use pos_shared::Lang;
use serde::{Deserialize, Serialize};

use pos_core::error::{PosError, Result};
use pos_core::store;
use pos_core::till::Till;
use pos_scan::WedgeSettings;

const KEY: &str = "desk_settings";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskSettings {
    pub language: Lang,
    /// Show amounts with Arabic-Indic digits in the Arabic layout.
    pub arabic_digits: bool,
    /// V4L2 camera index for camera scanning; none hides the camera button.
    pub camera: Option<u32>,
    /// How the keyboard-wedge scanner types (the same settings the core's detector reads).
    pub scanner: WedgeSettings,
}

impl DeskSettings {
    /// The settings a cashier may not change alone (everything but the language).
    pub fn without_language(&self) -> DeskSettings {
        DeskSettings {
            language: Lang::Fr,
            arabic_digits: false,
            ..self.clone()
        }
    }
}

pub fn load(till: &Till) -> Result<DeskSettings> {
    Ok(till
        .store()
        .meta(KEY)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub fn save(till: &mut Till, settings: &DeskSettings) -> Result<()> {
    let json = serde_json::to_string(settings).map_err(|e| PosError::Invalid(e.to_string()))?;
    till.store_mut().write(|tx| store::set_meta(tx, KEY, &json))
}
