//! Tills syncing through a real sync server over a fresh Postgres database: two tills, convergence of several, roles, limits.
#![allow(clippy::unwrap_used)]

mod clock;
mod convergence;
mod restore;
mod roles;
mod shifts;
mod sync;
mod sync_limits;
