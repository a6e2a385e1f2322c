//! The till's core: the local store and its change log, the catalog, the stock ledger, users,
//! and every operation at the counter. No Tauri, no network, no clock or randomness of its own:
//! time and ids come in through `Ctx`.

pub mod catalog;
pub mod counter;
pub mod ctx;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod error;
pub mod print;
pub mod receipt;
pub mod scan;
pub mod stock;
pub mod store;
pub mod sync;
pub mod till;
pub mod users;

pub use error::{PosError, Result};
pub use till::Till;
pub use users::Session;
