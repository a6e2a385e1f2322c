//! The till's core: the local store and its change log, the catalog, the stock ledger, users,
//! and every operation at the counter, with the rules of who may do what. No network, printer,
//! camera, window, clock or randomness of its own: time and ids come in through `Ctx`, the sync
//! server through `sync::Transport`, and printing reads the print queue kept here.

pub mod catalog;
pub mod ctx;
pub mod error;
pub mod printing;
pub mod stock;
pub mod store;
pub mod sync;
pub mod till;
pub mod users;

pub use error::{OfflineCause, PosError, Result};
pub use till::Till;
pub use users::Session;
