//! The core through its own API: a day at the till, product documents.
#![allow(clippy::unwrap_used)]

mod cashier_rules;
mod day_at_the_till;
mod ledger_rule;
mod money_and_stock;
mod product_docs;
