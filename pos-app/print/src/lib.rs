//! Receipts on ESC/POS thermal printers: the receipt document (`layout`, the one document the
//! screen, the preview and the paper all show), its text (`text`), its bytes (`escpos`), its
//! raster and PNG preview (`raster`, `png`), the printer connections (`driver`) and the worker
//! that prints the core's queue (`worker`). Printing never blocks or loses a sale: the sale's
//! transaction only enqueues a job; the worker prints it, retrying until the printer is back.

pub mod driver;
pub mod escpos;
pub mod layout;
mod ops;
pub mod png;
pub mod raster;
pub mod text;
pub mod worker;

pub use layout::{Receipt, SaleNames, StoreHeader};
pub use ops::{Format, TillPrinting};
pub use pos_shared::{Lang, Paper};
