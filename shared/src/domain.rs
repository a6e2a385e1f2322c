//! Records shared by the till, the sync server and the fixtures.
//!
//! Plain data with serde so every process agrees on the wire and storage
//! format; the behaviour lives in `pricing` and in the app.

mod discount;
mod enums;
mod product_check;
mod records;
mod sale_check;
mod stock;

pub use discount::{Discount, DiscountError};
pub use enums::{ParseEnumError, Permission, Role, SaleKind, Tender, Unit};
pub use product_check::ProductError;
pub use records::{
    sale_line_key, sale_line_movement_id, Payment, Product, Sale, SaleLine, ShiftEvent,
    ShiftEventKind, TaxLine,
};
pub use sale_check::{check_sale, check_time, DateOutOfRange, SaleError};
pub use stock::{level_step, recounted, stock_level, LevelStep, MovementKind, StockMovement};
