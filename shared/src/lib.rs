//! Domain types shared by the till and the sync server, and the product document both replicas
//! merge (automerge). No IO.
//!
//! Everything here is pure: time and randomness come in through the
//! [`Clock`] and [`IdGen`] traits so behaviour is reproducible in tests.

mod decimal;
#[cfg(test)]
mod sample;

pub mod api;
pub mod domain;
pub mod gtin;
pub mod hlc;
pub mod ids;
pub mod lang;
pub mod money;
pub mod payment;
pub mod pricing;
pub mod product_doc;
pub mod receipt;
pub mod refund;
pub mod settings;
pub mod staff;
pub mod tax;
pub mod weighed;

pub use domain::{
    check_sale, check_time, level_step, recounted, sale_line_key, sale_line_movement_id,
    stock_level, DateOutOfRange, Discount, DiscountError, LevelStep, MovementKind, ParseEnumError,
    Payment, Permission, Product, ProductError, Role, Sale, SaleError, SaleKind, SaleLine,
    ShiftEvent, ShiftEventKind, StockMovement, TaxLine, Tender, Unit,
};
pub use gtin::{Gtin, GtinError, GtinKind};
pub use hlc::{node_from_uuid, Hlc, HlcError, HlcState};
pub use ids::{uuid_v7, Clock, FixedClock, IdGen, SeqIds};
pub use lang::{Lang, Paper};
pub use money::{Money, MoneyError};
pub use payment::{allocate, PaymentError, TenderInput};
pub use pricing::{price, round_div, LineTotals, PriceLine, PricingError, Totals};
pub use tax::{TaxError, TaxRate};
pub use weighed::{WeighedCode, WeighedError, WeighedScheme, WeighedValue};
