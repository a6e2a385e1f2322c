//! Tills syncing through a real sync server over a fresh Postgres database: two tills, convergence of several, roles, limits; a till restored from a backup; TLS and why a server is not reached.
#![allow(clippy::unwrap_used)]

mod clock;
mod convergence;
mod enrolment;
mod plain_http;
mod restore;
mod roles;
mod shifts;
mod sync;
mod sync_limits;
mod tls;
