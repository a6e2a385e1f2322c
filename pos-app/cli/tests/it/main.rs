//! The `pos` binary as scripts and people use it: every verb, crash safety under SIGKILL, printing, the live channel.
#![allow(clippy::unwrap_used)]

mod cli;
mod counting;
mod crash_safety;
mod printing_cli;
mod support;
mod sync_live;
mod sync_settings;
