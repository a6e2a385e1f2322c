//! What the core needs from the network, and nothing more: the sync client crate implements
//! it over HTTP, tests may implement it over anything. The core never opens a socket.

use pos_shared::api::{EnrollResponse, PullResponse, PushEntry, PushResponse, SnapshotResponse};
use uuid::Uuid;

use super::Endpoint;
use crate::error::Result;

/// What a terminal tells the server as it enrols: its name, and how far its set-up goes (the
/// last entry of its change log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolment {
    pub name: String,
    pub setup_through: i64,
    /// The store and device this till was enrolled as before, if ever.
    pub enrolled_as: Option<pos_shared::api::EnrolledAs>,
}

impl Enrolment {
    /// A terminal with nothing done yet, so no set-up to vouch for.
    pub fn named(name: &str) -> Enrolment {
        Enrolment {
            name: name.to_owned(),
            setup_through: 0,
            enrolled_as: None,
        }
    }
}

/// One enrolled terminal's conversation with its sync server.
pub trait Transport: Sync {
    fn push(&self, entries: Vec<PushEntry>) -> Result<PushResponse>;
    fn pull(&self, since: i64, limit: i64) -> Result<PullResponse>;
    fn snapshot(&self, after: Option<Uuid>, limit: i64) -> Result<SnapshotResponse>;
}

/// How to reach a sync server: enrol with a one-time code, or talk as an enrolled terminal.
/// `server` carries the till's transport settings (its own CA file, plain http allowed).
pub trait Network {
    fn enroll(&self, server: &Endpoint, code: &str, terminal: &Enrolment)
        -> Result<EnrollResponse>;
    fn connect(
        &self,
        server: &Endpoint,
        device_id: Uuid,
        token: &str,
    ) -> Result<Box<dyn Transport>>;
}

/// What an enrolled terminal presents to its server.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub server: String,
    pub device_id: Uuid,
    pub token: String,
}
