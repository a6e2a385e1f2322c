//! The till's side of sync over HTTP: `Http` is the core's `sync::Network` (enrolment, push,
//! pull, snapshot pages), and `LiveWatch` holds the server's live channel open so the sync loop
//! pulls as soon as another terminal pushes. The rules of what to push and how to apply what
//! comes back are the core's; this crate only carries bytes, over TLS (see `connect`), and
//! says why when it cannot (see `cause`).

mod cause;
mod client;
mod connect;
mod live;

pub use client::{push_body, Http, SyncClient};
pub use connect::{check_address, http_client, Timeouts};
pub use live::LiveWatch;

use pos_core::{Result, Till};

/// Starts listening to the live channel of the server `till` is enrolled with.
pub fn live_watch(till: &Till) -> Result<LiveWatch> {
    let c = till.credentials()?;
    Ok(LiveWatch::start(&till.endpoint(&c.server)?, &c.token))
}
