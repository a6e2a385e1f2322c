//! The till's side of sync over HTTP: `Http` is the core's `sync::Network` (enrolment, push,
//! pull, snapshot pages), and `LiveWatch` holds the server's live channel open so the sync loop
//! pulls as soon as another terminal pushes. The rules of what to push and how to apply what
//! comes back are the core's; this crate only carries bytes.

mod client;
mod live;

pub use client::{push_body, Http, SyncClient};
pub use live::LiveWatch;

use pos_core::{Result, Till};

/// Starts listening to the live channel of the server `till` is enrolled with.
pub fn live_watch(till: &Till) -> Result<LiveWatch> {
    let c = till.credentials()?;
    Ok(LiveWatch::start(&c.server, &c.token))
}
