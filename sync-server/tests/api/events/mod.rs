//! The fan-out against real parts: a `nats-server -js` of each test's own (free port, its own
//! store directory), real server processes relaying a fresh Postgres database, and the
//! reference consumer's code (`events::tail`) reading the stream.

mod bodies;
mod dead;
mod delivery;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sync_server::events::cloudevent::Received;
use sync_server::events::nats::NatsSink;
use sync_server::events::tail::{self, TailConfig};

use crate::faults::{free_port, ready};
use crate::helpers::TestApp;

/// A NATS server with JetStream for one test; stopped and its files removed when dropped.
pub struct Nats {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    extra: Vec<String>,
}

fn nats_binary() -> String {
    if let Ok(b) = std::env::var("NATS_SERVER") {
        return b;
    }
    for b in [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ] {
        if std::path::Path::new(b).exists() {
            return b.to_owned();
        }
    }
    "nats-server".to_owned()
}

impl Nats {
    pub async fn start() -> Nats {
        Nats::start_with(&[]).await
    }

    /// With more command-line options (e.g. `--max_payload`).
    pub async fn start_with(extra: &[&str]) -> Nats {
        let dir = std::env::temp_dir().join(format!("pos-nats-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut n = Nats {
            child: None,
            port: free_port(),
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        n.resume().await;
        n
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops the server as an operator does (SIGTERM: it writes out its streams and consumers,
    /// whose files stay), killing it only if it has not gone within 10 s. A SIGKILL instead can
    /// lose the stream's last acknowledged messages while the consumer's state on disk has them
    /// as delivered: that is NATS's `sync_interval` durability setting, not what this test is
    /// about (see docs/events.md).
    pub fn stop(&mut self) {
        let Some(mut c) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        for _ in 0..200 {
            if matches!(c.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
    }

    /// Starts it again on the same port and files, once it accepts connections.
    pub async fn resume(&mut self) {
        let child = Command::new(nats_binary())
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.dir)
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts (make deps installs it)");
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nats-server did not start on port {}", self.port);
    }

    pub async fn sink(&self) -> NatsSink {
        NatsSink::connect(&self.url()).await.unwrap()
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server process, killed (SIGKILL) when dropped, so a failing test leaves none behind.
pub struct Server(Child);

impl Server {
    /// SIGKILL, and wait for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The real server binary serving `database_url` with the relay on `nats`, with more settings
/// in `env`; once ready, the process and a client for it.
pub async fn serve_relaying(
    database_url: &str,
    nats: &str,
    env: &[(&str, &str)],
) -> (Server, TestApp) {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sync-server"));
    cmd.arg("serve")
        .env("DATABASE_URL", database_url)
        .env("POS_LISTEN", format!("127.0.0.1:{port}"))
        .env("POS_NATS_URL", nats)
        .env("POS_RELAY_POLL_MS", "200")
        // The suite runs many servers on one Postgres at once: a few connections each.
        .env("POS_DB_CONNECTIONS", "4")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = Server(cmd.spawn().unwrap());
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    ready(&http, &url).await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(database_url)
        .await
        .unwrap();
    (child, TestApp { url, pool, http })
}

/// What the reference consumer handled, in order.
pub type Seen = Arc<Mutex<Vec<Received>>>;

/// Runs the reference consumer (durable `name`) in the background against `nats`, recording
/// into its inbox in `app`'s database.
pub async fn consume(
    app: &TestApp,
    nats: &Nats,
    name: &str,
) -> (Seen, tokio::task::JoinHandle<()>) {
    let seen: Seen = Arc::default();
    let (pool, sink, record) = (app.pool.clone(), nats.sink().await, seen.clone());
    let mut config = TailConfig::new(name);
    // An ack lost when NATS stops is redelivered soon; the inbox drops it.
    config.ack_wait = Duration::from_secs(3);
    let task = tokio::spawn(async move {
        // The stream appears once a relay has connected; until then there is nothing to read.
        loop {
            let record = record.clone();
            let r = tail::run(&pool, sink.context(), &config, move |e| {
                record.lock().unwrap().push(e.clone());
                Ok(())
            })
            .await;
            if let Err(e) = r {
                tracing::debug!(error = %e, "consumer restarts");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    (seen, task)
}

/// Waits (up to `secs`) until `done` holds, polling; the deadline is generous, never a timing
/// assertion.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within {secs} s: {what}");
}

pub async fn outbox_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Each event once, and per store in the store's sequence with no gap.
pub fn assert_once_in_store_order(seen: &[Received], expected: usize) {
    let mut ids = std::collections::HashSet::new();
    for e in seen {
        assert!(ids.insert(e.id), "event {} handled twice", e.id);
    }
    assert_eq!(seen.len(), expected, "events handled");
    let mut last: std::collections::HashMap<uuid::Uuid, i64> = Default::default();
    for e in seen {
        let prev = last.insert(e.storeid, e.storeseq).unwrap_or(0);
        assert_eq!(e.storeseq, prev + 1, "store {} out of order", e.storeid);
    }
}
