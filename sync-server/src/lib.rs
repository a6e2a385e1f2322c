//! The sync server: terminals enrol, push their change logs, and pull what the other terminals
//! of their store wrote. A library with a thin binary; tests start the same `Application`.

pub mod admin;
pub mod apply;
pub mod auth;
pub mod catalog;
pub mod error;
pub mod feed;
pub mod feed_lag;
pub mod handlers;
pub mod live;
pub mod metrics;
pub mod rate;
pub mod routes;
pub mod settings;
pub mod staff;
pub mod startup;

pub use settings::Settings;
pub use startup::Application;

/// The migrations of `migrations/server/`, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/server");
