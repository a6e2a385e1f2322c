//! The server process killed (SIGKILL, not a mock) while a terminal pushes, then started again
//! on the same database: the terminal resends what was not acknowledged and every sale is in
//! Postgres exactly once.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pos_shared::api::{PushRequest, PROTOCOL_VERSION};
use sqlx::PgPool;
use uuid::Uuid;

use crate::apply::sale;
use crate::helpers::{fresh_database, json_entry, Terminal, TestApp};

const BATCHES: i64 = 30;
const PER_BATCH: i64 = 20;

pub fn start(database_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("POS_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sync-server binary starts")
}

pub async fn ready(http: &reqwest::Client, url: &str) {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{url}/ready")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready in 30 s");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real server binary serving `database_url` on a free port, once it is ready: the
/// process, a client for it (`timeout` per request) and the port.
pub async fn serve(database_url: &str, timeout: Duration) -> (Child, TestApp, u16) {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().timeout(timeout).build().unwrap();
    let server = start(database_url, port);
    ready(&http, &url).await;
    let pool = PgPool::connect(database_url).await.unwrap();
    (server, TestApp { url, pool, http }, port)
}

#[tokio::test]
async fn a_server_killed_mid_push_and_restarted_loses_and_doubles_nothing() {
    let database_url = fresh_database("pos_fault").await;
    let (mut server, app, port) = serve(&database_url, Duration::from_secs(10)).await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;

    let pusher = terminal(&app.http, &app.url, &till, BATCHES, PER_BATCH);

    // Kill the server once a few batches are in, then start it again on the same database.
    let applied = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sales")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    while applied().await < 3 * PER_BATCH {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut server = start(&database_url, port);
    ready(&app.http, &app.url).await;

    let failures = tokio::time::timeout(Duration::from_secs(120), pusher)
        .await
        .expect("every batch acknowledged after the restart")
        .unwrap();
    assert!(failures > 0, "the kill interrupted the terminal's pushes");
    let (rows, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM sales")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((rows, distinct), (BATCHES * PER_BATCH, BATCHES * PER_BATCH));
    let mark: i64 = sqlx::query_scalar("SELECT acked_through FROM devices WHERE id = $1")
        .bind(till.device_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mark, BATCHES * PER_BATCH);
    server.kill().unwrap();
    server.wait().unwrap();
}

/// The terminal: `batches` batches of `per_batch` sales, each sent until the server
/// acknowledges it, whatever happens; answers how many sends failed.
pub fn terminal(
    http: &reqwest::Client,
    url: &str,
    till: &Terminal,
    batches: i64,
    per_batch: i64,
) -> tokio::task::JoinHandle<u64> {
    let product = Uuid::now_v7();
    let t0 = 1_795_510_800_000;
    let batches: Vec<Vec<_>> = (0..batches)
        .map(|b| {
            (0..per_batch)
                .map(|i| {
                    let n = b * per_batch + i + 1;
                    let s = sale(product, 1, t0 + n * 1_000, n);
                    json_entry(n, "sale", &s.id.to_string(), &s)
                })
                .collect()
        })
        .collect();
    let (http, url) = (http.clone(), url.to_owned());
    let (device, token) = (till.device_id, till.token.clone());
    tokio::spawn(async move {
        let mut failures = 0;
        for entries in batches {
            let req = PushRequest {
                protocol: PROTOCOL_VERSION,
                device_id: device,
                entries,
            };
            loop {
                let sent = http
                    .post(format!("{url}/v1/sync/push"))
                    .bearer_auth(&token)
                    .json(&req)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => break,
                    _ => {
                        failures += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
        failures
    })
}
