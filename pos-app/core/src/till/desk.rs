//! The window's settings (`pos_shared::settings::DeskSettings`), kept in the till's `meta` so
//! they survive a restart and stay with the terminal. Anyone logged in may change how she reads
//! the screen (language, digits); the scanner and the camera are a manager's, as the till knows
//! the member's role now; values out of range are refused before anything is kept.

use pos_shared::settings::DeskSettings;
use pos_shared::Permission;

use super::Till;
use crate::error::{PosError, Result};
use crate::store;
use crate::users::Session;

const KEY: &str = "desk_settings";

impl Till {
    /// The window's settings, the defaults until some are saved.
    pub fn desk_settings(&self) -> Result<DeskSettings> {
        Ok(self
            .store
            .meta(KEY)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// Saves the window's settings: changing anything but the language and digits needs a
    /// manager.
    pub fn set_desk_settings(&mut self, session: &Session, settings: &DeskSettings) -> Result<()> {
        let session = self.current(session)?;
        if self.desk_settings()?.without_language() != settings.without_language() {
            session.require(Permission::StockEdit, "change the till's settings")?;
        }
        settings.check().map_err(PosError::Invalid)?;
        let json = serde_json::to_string(settings).map_err(|e| PosError::Invalid(e.to_string()))?;
        self.store.write(|tx| store::set_meta(tx, KEY, &json))
    }
}
