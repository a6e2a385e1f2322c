//! The sync API against a real Postgres (a fresh database per test) and a real server.
#![allow(clippy::unwrap_used)]

mod admin;
mod apply;
mod batch;
mod catalog;
mod events;
mod faults;
mod feed;
mod fuzz;
mod helpers;
mod hostile;
mod lag;
mod ledger;
mod limits;
mod live;
mod pg_restart;
mod portal;
mod protocol;
mod rollups;
mod staff;
