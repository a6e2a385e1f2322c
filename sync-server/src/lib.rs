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

/// The server's processes allocate with mimalloc, which keeps the memory it was given. Under
/// glibc's allocator the relay spent a third of its time in page faults (`make bench-events`,
/// perf): each batch's rows and bodies grew a thread's heap, the heap was trimmed, and the next
/// batch faulted zeroed pages in again. Without transparent huge pages (`no_thp`): with them
/// the reconnect storm's server peaked at 336 MB (`make bench-sync`), 261 MB without, 294 MB
/// under glibc. Set here, not in the binary, so the tests and the benchmarks run the server as
/// it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
