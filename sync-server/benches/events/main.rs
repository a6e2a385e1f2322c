//! The fan-out's numbers (`make bench-events`), against a `nats-server -js` of its own and a
//! fresh Postgres database:
//!
//! (a) relay throughput: a 100,000-event outbox (real sale events, 16 stores) drained by the
//!     relay, next to the raw JetStream rate of publishing the same bodies with acks, pipelined
//!     the same way, from this program;
//! (b) latency from push commit to the event at a consumer, with tills pushing 500 sales/s
//!     through the real server (in this process), p50/p99;
//! (c) a 100,000-event backlog built while NATS is down, drained after it comes back.
//!
//! `EVENTS_BENCH_SCALE` (default 1.0) scales the amounts.
#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sync_server::events::cloudevent::{Row, SELECT};
use sync_server::events::nats::{NatsSink, StreamSettings};
use sync_server::events::relay::{Relay, RelayConfig};
use sync_server::events::sink::{Outgoing, Sink};
use sync_server::events::stats::RelayStats;
use uuid::Uuid;

const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

mod latency;

fn scaled(n: usize) -> usize {
    let s: f64 = std::env::var("EVENTS_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    ((n as f64 * s).round() as usize).max(1)
}

pub struct Nats {
    child: Option<Child>,
    pub port: u16,
    dir: std::path::PathBuf,
}

impl Nats {
    pub fn start() -> Nats {
        let dir = std::env::temp_dir().join(format!("pos-nats-bench-{}", Uuid::now_v7().simple()));
        let port = free_port();
        let mut n = Nats {
            child: None,
            port,
            dir,
        };
        n.resume();
        n
    }
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    pub fn resume(&mut self) {
        let bin = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .into_iter()
            .find(|b| std::path::Path::new(b).exists())
            .unwrap_or("nats-server");
        self.child = Some(
            Command::new(bin)
                .args([
                    "-js",
                    "-a",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-sd",
                ])
                .arg(&self.dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nats-server (make deps installs it)"),
        );
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nats-server did not start");
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn fresh_database() -> String {
    let db = format!("pos_evbench_{}", Uuid::now_v7().simple());
    let admin = PgPool::connect(ADMIN_URL).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&admin)
        .await
        .unwrap();
    format!("postgres://postgres@127.0.0.1:5432/{db}")
}

/// `n` pending outbox rows over `stores` stores, each a five-line sale's `sale.completed`.
async fn fill(pool: &PgPool, stores: usize, n: usize) {
    let data = serde_json::json!({
        "sale_id": Uuid::now_v7(), "kind": "sale", "refund_of": null, "receipt_no": 1,
        "total": 125_000, "business_day": "2026-11-24", "at_ms": 1_795_510_801_000_i64,
        "lines": (1..=5).map(|i| serde_json::json!({"line_no": i, "product_id": Uuid::now_v7(),
            "sku": format!("SKU-{i}"), "name": "Semoule extra 1kg", "unit": "piece", "qty": 1,
            "unit_price": 25_000, "tax_rate": 900, "gross": 25_000, "line_discount": 0,
            "order_discount": 0, "net": 25_000})).collect::<Vec<_>>(),
        "taxes": [{"rate": 900, "base": 114_679, "tax": 10_321, "total": 125_000}],
        "payments": [{"tender": "cash", "amount": 125_000, "tendered": 130_000, "reference": null}],
    });
    let ids: Vec<Uuid> = (0..stores).map(|_| Uuid::now_v7()).collect();
    for s in &ids {
        sqlx::query("INSERT INTO stores (id, name) VALUES ($1, 'bench')")
            .bind(s)
            .execute(pool)
            .await
            .unwrap();
    }
    let per = n / stores;
    sqlx::query(
        "INSERT INTO outbox (id, store_id, store_seq, name, subject, entity, device_id, payload)
         SELECT gen_random_uuid(), s, g, 'sale.completed', 'transaction.' || s || '.sale.completed',
                gen_random_uuid()::text, '00000000-0000-0000-0000-000000000000', $3::json
         FROM UNNEST($1::uuid[]) AS s, generate_series(1, $2) AS g",
    )
    .bind(&ids)
    .bind(per as i64)
    .bind(data.to_string())
    .execute(pool)
    .await
    .unwrap(); // Each store's event sequence stands where its outbox ends, as the apply pipeline leaves it.
    sqlx::query(
        "INSERT INTO store_heads (store_id, events) SELECT s, $2 FROM UNNEST($1::uuid[]) AS s",
    )
    .bind(&ids)
    .bind(per as i64)
    .execute(pool)
    .await
    .unwrap();
}

async fn pending(pool: &PgPool) -> i64 {
    sync_server::events::relay::backlog(pool).await.unwrap().0
}

fn relay(pool: &PgPool, sink: NatsSink, db: &str) -> tokio::task::JoinHandle<()> {
    // POS_RELAY_BATCH and POS_RELAY_STORES apply, to try other sizes.
    let mut settings = sync_server::Settings::from_env().unwrap_or_default();
    settings.database_url = db.to_owned();
    settings.relay_poll = Duration::from_millis(100);
    let relay = Relay {
        pool: pool.clone(),
        sink: Arc::new(sink),
        stats: Arc::new(RelayStats::default()),
        config: RelayConfig::of(&settings),
    };
    tokio::spawn(relay.run())
}

/// Waits until no row is left to publish. The probe reads one row per store (its head and its
/// cursor), so asking often does not load the database the relay is working in.
async fn drained(pool: &PgPool, since: Instant) -> Duration {
    loop {
        let left: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM store_heads h
                            LEFT JOIN outbox_cursors c ON c.store_id = h.store_id
                            WHERE h.events > coalesce(c.published, 0))",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if !left {
            return since.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The same bodies published straight to a stream of their own, in batches of the relay's
/// size, all pipelined, acks awaited: what JetStream takes from one program.
async fn raw_rate(pool: &PgPool, sink: &NatsSink, n: usize) -> f64 {
    let mut js_config = async_nats::jetstream::stream::Config {
        name: "BENCH_RAW".into(),
        subjects: vec!["raw.>".into()],
        ..Default::default()
    };
    js_config.duplicate_window = Duration::from_secs(900);
    sink.context()
        .create_or_update_stream(js_config)
        .await
        .unwrap();
    let sql = format!("SELECT {SELECT} FROM outbox ORDER BY store_id, store_seq LIMIT $1");
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(n as i64)
        .fetch_all(pool)
        .await
        .unwrap();
    let batch: Vec<Outgoing> = rows
        .iter()
        .map(|r| Outgoing {
            id: Uuid::now_v7(),
            subject: format!("raw.{}", r.store_id),
            body: r.body().unwrap(),
        })
        .collect();
    let started = Instant::now();
    for chunk in batch.chunks(1000) {
        let outcomes = sink.publish(chunk).await;
        assert!(outcomes
            .iter()
            .all(|o| matches!(o, sync_server::events::sink::Outcome::Stored { .. })));
    }
    batch.len() as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = scaled(100_000);
    let stores = 16;
    let nats = Nats::start();
    let db = fresh_database().await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(40)
        .connect(&db)
        .await?;
    sync_server::MIGRATOR.run(&pool).await?;
    let sink = NatsSink::connect(&nats.url()).await?;
    let streams = StreamSettings::of(&sync_server::Settings::default());
    sink.ensure_streams(&streams).await?;

    // (a) relay throughput next to raw publishing.
    fill(&pool, stores, n).await;
    let raw = raw_rate(&pool, &sink, n).await;
    let started = Instant::now();
    let task = relay(&pool, sink.clone(), &db);
    let took = drained(&pool, started).await;
    task.abort();
    let rate = n as f64 / took.as_secs_f64();
    println!(
        "(a) relay: {rate:.0} events/s ({n} events, {stores} stores, {:.2} s); raw JetStream publish with acks: {raw:.0} events/s; ratio {:.2} (goals ≥ 0.5 and ≥ 20000/s)",
        took.as_secs_f64(),
        rate / raw
    );

    // (b) push commit → consumer at 500 sales/s.
    let (p50, p99, count) = latency::run(&nats, &db, 500, scaled(10)).await?;
    println!(
        "(b) push commit → consumer at 500 sales/s: p50 {p50:.1} ms, p99 {p99:.1} ms over {count} sales (goal p99 < 200 ms)"
    );

    // (c) a backlog built while NATS is down, drained once it is back.
    let mut nats = nats;
    sqlx::query("DELETE FROM outbox").execute(&pool).await?;
    for table in ["outbox_cursors", "store_heads"] {
        let sql = format!(
            "DELETE FROM {table} WHERE store_id IN (SELECT id FROM stores WHERE name = 'bench')"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await?;
    }
    sqlx::query("DELETE FROM stores WHERE name = 'bench'")
        .execute(&pool)
        .await?;
    nats.stop();
    let down_sink = NatsSink::connect(&nats.url()).await?;
    let task = relay(&pool, down_sink, &db);
    fill(&pool, stores, n).await;
    let backlog = pending(&pool).await;
    nats.resume();
    let started = Instant::now();
    let took = drained(&pool, started).await;
    task.abort();
    println!(
        "(c) backlog of {backlog} events drained in {:.2} s after NATS came back (goal < 10 s)",
        took.as_secs_f64()
    );
    Ok(())
}
