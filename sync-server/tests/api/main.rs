//! The sync API against a real Postgres (a fresh database per test) and a real server.
#![allow(clippy::unwrap_used)]

mod apply;
mod batch;
mod faults;
mod feed;
mod fuzz;
mod helpers;
mod lag;
mod limits;
mod live;
mod pg_restart;
mod protocol;
