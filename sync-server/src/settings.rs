//! Configuration: defaults, then environment (`DATABASE_URL`, `POS_LISTEN`, `POS_MAX_BODY_BYTES`,
//! `POS_MAX_CONCURRENT_PUSHES`, `POS_DB_CONNECTIONS`, `POS_RATE_PER_SECOND`, `POS_RATE_BURST`, `POS_PORTAL_SECURE_COOKIE`,
//! `POS_PORTAL_LOCKOUT_SECS`).
//! The database URL may hold a password, so it is kept out of `Debug`.

use std::net::SocketAddr;

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
        if let Ok(v) = std::env::var("POS_PORTAL_SECURE_COOKIE") {
            s.portal_secure_cookie = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Ok(n) = std::env::var("POS_PORTAL_LOCKOUT_SECS") {
            s.portal_lockout_secs = n
                .parse()
                .map_err(|e| anyhow::anyhow!("POS_PORTAL_LOCKOUT_SECS={n:?}: {e}"))?;
        }
        Ok(s)
    }
}
