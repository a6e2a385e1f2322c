//! What the tests of the till crates share: a shop with the demo catalog and an open shift
//! (`shop`), an ESC/POS decoder written from the printer's command reference rather than from
//! the encoder (`printer`), and a real sync server over a fresh Postgres database (`server`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod printer;
#[cfg(feature = "server")]
pub mod server;
pub mod shop;
