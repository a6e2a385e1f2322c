//! The sync server: terminals enrol, push their change logs, and pull what the other terminals
//! of their store wrote. A library with a thin binary; tests start the same `Application`.

pub mod admin;
pub mod apply;
pub mod auth;
pub mod catalog;
pub mod demo;
pub mod error;
pub mod events;
pub mod feed;
pub mod feed_lag;
pub mod handlers;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod portal;
pub mod rate;
pub mod routes;
pub mod settings;
pub mod shifts;
pub mod staff;
pub mod startup;

pub use settings::Settings;
pub use startup::Application;

/// The migrations of `migrations/server/`, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/server");

/// Now, in milliseconds since 1970: when the back office changes a role, and the latest time
/// an entry is taken to have been made.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
