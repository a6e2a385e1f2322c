//! One module per resource; each handler validates, authorises, and calls into the database.

pub mod enroll;
pub mod health;
pub mod live;
pub mod snapshot;
pub mod sync;
