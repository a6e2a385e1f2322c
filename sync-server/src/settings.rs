//! Configuration: defaults, then environment (`DATABASE_URL`, `POS_LISTEN`, `POS_MAX_BODY_BYTES`,
//! `POS_MAX_CONCURRENT_PUSHES`, `POS_DB_CONNECTIONS`, `POS_RATE_PER_SECOND`, `POS_RATE_BURST`,
//! the fan-out's `POS_NATS_URL`, `POS_EVENTS_*`, `POS_OUTBOX_RETENTION_HOURS`, `POS_RELAY_*`, and
//! the portal's `POS_PORTAL_SECURE_COOKIE`, `POS_PORTAL_LOCKOUT_SECS`).
//! The database URL may hold a password, so it is kept out of `Debug`.

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Largest request body accepted (a push batch), in bytes.
    pub max_body_bytes: usize,
    /// Most entries in one push.
    pub max_batch: usize,
    /// Pushes read and applied at once; more wait their turn unread.
    pub max_concurrent_pushes: usize,
    /// Connections to Postgres.
    pub db_connections: u32,
    /// Requests a device may make per second, sustained (0 turns the limit off).
    pub rate_per_second: f64,
    /// Requests a device may make at once after a quiet spell.
    pub rate_burst: u32,
    /// NATS to relay the outbox to; `None`: `serve` does not relay (`sync-server relay` may).
    pub nats_url: Option<String>,
    /// How long the `POS` stream keeps events.
    pub events_max_age: Duration,
    /// How long the stream remembers message ids to drop a re-publish.
    pub events_duplicate_window: Duration,
    /// Largest event the stream takes, in bytes (-1: the NATS server's `max_payload`).
    pub events_max_msg_bytes: i32,
    /// How long published outbox rows are kept (for `events replay`) before they are pruned.
    pub outbox_retention: Duration,
    /// The relay looks for events this often even without a notification.
    pub relay_poll: Duration,
    /// Events read and published at once per store.
    pub relay_batch: i64,
    /// Stores whose events are published at the same time.
    pub relay_stores: usize,
    /// A pause between the stream's ack and marking the rows published: only for the fault
    /// tests, which kill the relay in that window.
    pub relay_hold_before_mark: Duration,
    /// The portal's cookie is sent only over HTTPS (`POS_PORTAL_SECURE_COOKIE`): set it when
    /// the server is reached through TLS (a terminating proxy), never for plain HTTP.
    pub portal_secure_cookie: bool,
    /// Failed sign-ins to one account, and from one address, before it is locked out.
    pub portal_account_attempts: i32,
    pub portal_address_attempts: i32,
    /// How long a lock-out lasts, and the window failures are counted in, in seconds.
    pub portal_lockout_secs: i64,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &"[hidden]")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_batch", &self.max_batch)
            .field("max_concurrent_pushes", &self.max_concurrent_pushes)
            .field("db_connections", &self.db_connections)
            .field("rate_per_second", &self.rate_per_second)
            .field("rate_burst", &self.rate_burst)
            .field("nats_url", &self.nats_url.as_ref().map(|_| "[set]"))
            .field("events_max_age", &self.events_max_age)
            .field("events_duplicate_window", &self.events_duplicate_window)
            .field("events_max_msg_bytes", &self.events_max_msg_bytes)
            .field("outbox_retention", &self.outbox_retention)
            .field("relay_poll", &self.relay_poll)
            .field("relay_batch", &self.relay_batch)
            .field("relay_stores", &self.relay_stores)
            .field("portal_secure_cookie", &self.portal_secure_cookie)
            .field("portal_account_attempts", &self.portal_account_attempts)
            .field("portal_address_attempts", &self.portal_address_attempts)
            .field("portal_lockout_secs", &self.portal_lockout_secs)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "postgres://postgres@127.0.0.1:5432/pos".to_owned(),
            max_body_bytes: 8 * 1024 * 1024,
            max_batch: 5000,
            max_concurrent_pushes: 8,
            db_connections: 16,
            // A till makes a push and a pull every few seconds, and pages back to back when it
            // catches up after days offline (each page is applied in SQLite first, a few tens
            // of milliseconds); 20 a second with 120 at once leaves that room.
            rate_per_second: 20.0,
            rate_burst: 120,
            nats_url: None,
            events_max_age: Duration::from_secs(7 * 24 * 3600),
            // Long enough to cover a relay that dies after publishing and is restarted.
            events_duplicate_window: Duration::from_secs(15 * 60),
            events_max_msg_bytes: -1,
            outbox_retention: Duration::from_secs(7 * 24 * 3600),
            relay_poll: Duration::from_secs(1),
            relay_batch: 1000,
            relay_stores: 32,
            relay_hold_before_mark: Duration::ZERO,
            portal_secure_cookie: false,
            portal_account_attempts: 5,
            portal_address_attempts: 20,
            portal_lockout_secs: 900,
        }
    }
}

impl Settings {
    /// Defaults overridden by the environment.
    pub fn from_env() -> anyhow::Result<Settings> {
        let mut s = Settings::default();
        if let Ok(url) = std::env::var("DATABASE_URL") {
            s.database_url = url;
        }
        if let Ok(listen) = std::env::var("POS_LISTEN") {
            s.listen = listen
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_LISTEN={listen:?}: {e}"))?;
        }
        if let Ok(max) = std::env::var("POS_MAX_BODY_BYTES") {
            s.max_body_bytes = max
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_MAX_BODY_BYTES={max:?}: {e}"))?;
        }
        if let Ok(max) = std::env::var("POS_MAX_CONCURRENT_PUSHES") {
            s.max_concurrent_pushes = max
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_MAX_CONCURRENT_PUSHES={max:?}: {e}"))?;
        }
        if let Ok(n) = std::env::var("POS_DB_CONNECTIONS") {
            s.db_connections = n
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_DB_CONNECTIONS={n:?}: {e}"))?;
        }
        if let Ok(n) = std::env::var("POS_RATE_PER_SECOND") {
            s.rate_per_second = n
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_RATE_PER_SECOND={n:?}: {e}"))?;
        }
        if let Ok(n) = std::env::var("POS_RATE_BURST") {
            s.rate_burst = n
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_RATE_BURST={n:?}: {e}"))?;
        }
        if let Ok(url) = std::env::var("POS_NATS_URL") {
            s.nats_url = Some(url).filter(|u| !u.trim().is_empty());
        }
        let secs = |v: f64| Duration::from_secs_f64(v.max(0.0));
        if let Some(h) = number::<f64>("POS_EVENTS_MAX_AGE_HOURS")? {
            s.events_max_age = secs(h * 3600.0);
        }
        if let Some(v) = number::<f64>("POS_EVENTS_DUPLICATE_WINDOW_SECS")? {
            s.events_duplicate_window = secs(v);
        }
        if let Some(v) = number("POS_EVENTS_MAX_MSG_BYTES")? {
            s.events_max_msg_bytes = v;
        }
        if let Some(h) = number::<f64>("POS_OUTBOX_RETENTION_HOURS")? {
            s.outbox_retention = secs(h * 3600.0);
        }
        if let Some(v) = number::<f64>("POS_RELAY_POLL_MS")? {
            s.relay_poll = secs(v / 1000.0);
        }
        if let Some(v) = number::<i64>("POS_RELAY_BATCH")? {
            s.relay_batch = v.max(1);
        }
        if let Some(v) = number::<usize>("POS_RELAY_STORES")? {
            s.relay_stores = v.max(1);
        }
        if let Some(v) = number::<f64>("POS_RELAY_HOLD_BEFORE_MARK_MS")? {
            s.relay_hold_before_mark = secs(v / 1000.0);
        }
        if let Ok(v) = std::env::var("POS_PORTAL_SECURE_COOKIE") {
            s.portal_secure_cookie = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = number("POS_PORTAL_LOCKOUT_SECS")? {
            s.portal_lockout_secs = v;
        }
        Ok(s)
    }
}

/// The number in environment variable `name`, if set.
fn number<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{name}={v:?}: {e}")),
        Err(_) => Ok(None),
    }
}
