//! Receipts on ESC/POS thermal printers: the receipt document (`layout`), its bytes (`escpos`),
//! its raster and PNG preview (`raster`, `png`), the printer connections (`driver`) and the
//! print queue kept in SQLite (`queue`). Printing never blocks or loses a sale: the sale's
//! transaction only enqueues a job; a worker prints it, retrying until the printer is back.

pub mod driver;
pub mod escpos;
mod labels;
pub mod layout;
mod ops;
pub mod png;
pub mod queue;
pub mod raster;
mod settings;

pub use layout::{Lang, Paper, Receipt, SaleNames, StoreHeader};
pub use ops::Format;
pub use settings::{PrintSettings, STORE_FIELDS};
