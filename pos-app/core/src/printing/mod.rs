//! What the core knows of printing: the queue of print jobs (written in the sale's own
//! transaction), this terminal's printer settings and store details, and printer addresses.
//! Drawing receipts and talking to printers is the print crate's.

pub mod queue;
pub mod settings;
pub mod uri;

pub use queue::PrintJob;
pub use settings::{PrintSettings, SaleNames, StoreHeader, STORE_FIELDS};
pub use uri::PrinterUri;
