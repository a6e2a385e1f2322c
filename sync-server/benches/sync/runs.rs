//! The runs: ingest, reconnect storm, visibility between terminals.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use pos_shared::api::{Envelope, PullResponse};
use rand::Rng;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::data::{self, Catalog};
use crate::server::{Server, Terminal};

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub struct Ingest {
    pub sales: usize,
    pub sales_per_s: f64,
}

/// Sales of `terminals` new terminals (one per store, named `label N`): for each, `batches`
/// batches of `per_batch` sales as (first seq, sales).
pub async fn workload(
    server: &Server,
    label: &str,
    terminals: usize,
    batches: usize,
    per_batch: usize,
    rng: &mut impl Rng,
) -> anyhow::Result<Vec<(Terminal, Vec<(i64, Vec<pos_shared::Sale>)>)>> {
    let mut work = Vec::new();
    for i in 0..terminals {
        let store = server.store(&format!("{label} {i}")).await?;
        let t = server.enroll(store, "Caisse 1").await?;
        let catalog = Catalog::new(1000, rng);
        let batches = (0..batches)
            .map(|b| {
                let first = (b * per_batch) as i64 + 1;
                let sales = (0..per_batch as i64)
                    .map(|k| data::sale(&catalog, t.device_id, first + k, now_ms(), rng))
                    .collect();
                (first, sales)
            })
            .collect();
        work.push((t, batches));
    }
    Ok(work)
}

/// `terminals` terminals, one per store, each pushing `batches` batches of `per_batch` sales
/// one after the other; all terminals at once.
pub async fn ingest(
    server: &Server,
    terminals: usize,
    batches: usize,
    per_batch: usize,
    rng: &mut impl Rng,
) -> anyhow::Result<Ingest> {
    let mut work = Vec::new();
    for (t, batches) in workload(server, "Ingest", terminals, batches, per_batch, rng).await? {
        let bodies: Vec<_> = batches
            .iter()
            .map(|(first, sales)| {
                let last = first + sales.len() as i64 - 1;
                (last, data::push_body(t.device_id, *first, sales))
            })
            .collect();
        work.push((t, bodies));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (t, bodies) in work {
        let (url, http) = (server.url.clone(), server.http.clone());
        tasks.push(tokio::spawn(async move {
            for (last, body) in bodies {
                let answer = post(&http, &url, &t.token, body).await?;
                if answer["data"]["acked_through"] != last
                    || answer["data"]["rejected"] != serde_json::json!([])
                {
                    anyhow::bail!("ingest push answered {answer}");
                }
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    let sales = terminals * batches * per_batch;
    Ok(Ingest {
        sales,
        sales_per_s: sales as f64 / secs,
    })
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Vec<u8>,
) -> anyhow::Result<serde_json::Value> {
    let resp = http
        .post(format!("{url}/v1/sync/push"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = resp.status();
    let value: serde_json::Value = resp.json().await?;
    if !status.is_success() {
        anyhow::bail!("push answered {status}: {value}");
    }
    Ok(value)
}

pub struct Storm {
    pub terminals: usize,
    pub per_terminal: usize,
    pub applied: i64,
    pub lost: i64,
    pub duplicated: i64,
    pub retries: u64,
    pub seconds: f64,
    pub peak_rss_kb: u64,
}

/// `terminals` terminals (four to a store) come back online at once, each with `per_terminal`
/// sales to push in one batch; a failed push is retried as the till does, after a pause.
pub async fn storm(
    server: &Server,
    terminals: usize,
    per_terminal: usize,
    rng: &mut impl Rng,
) -> anyhow::Result<Storm> {
    let mut stores = Vec::new();
    let mut work = Vec::new();
    let mut catalog = Catalog::new(1000, rng);
    for i in 0..terminals {
        if i % 4 == 0 {
            stores.push(server.store(&format!("Storm {}", i / 4)).await?);
            catalog = Catalog::new(1000, rng);
        }
        let store = *stores.last().unwrap_or(&Uuid::nil());
        let t = server.enroll(store, &format!("Caisse {i}")).await?;
        // Sold while offline, over the last hour.
        let start = now_ms() - 3_600_000;
        let sales: Vec<_> = (0..per_terminal as i64)
            .map(|k| data::sale(&catalog, t.device_id, k + 1, start + k * 5_000, rng))
            .collect();
        let body = data::push_body(t.device_id, 1, &sales);
        work.push((t, body));
    }
    let peak = Arc::new(AtomicU64::new(server.rss_kb()));
    let pid = server.pid();
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let kb = rss_of(pid);
                peak.fetch_max(kb, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let retries = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (t, body) in work {
        let (url, http, retries) = (server.url.clone(), server.http.clone(), retries.clone());
        tasks.push(tokio::spawn(async move {
            for attempt in 1..=30u64 {
                match post(&http, &url, &t.token, body.clone()).await {
                    Ok(a) if a["data"]["acked_through"] == per_terminal => return Ok(()),
                    Ok(a) => anyhow::bail!("storm push answered {a}"),
                    Err(_) => {
                        retries.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(500 * attempt.min(8))).await;
                    }
                }
            }
            anyhow::bail!("terminal {} gave up after 30 attempts", t.device_id)
        }));
    }
    for t in tasks {
        t.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    sampling.abort();
    let (applied, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM sales WHERE store_id = ANY($1)")
            .bind(&stores)
            .fetch_one(&server.pool)
            .await?;
    let expected = (terminals * per_terminal) as i64;
    Ok(Storm {
        terminals,
        per_terminal,
        applied: distinct,
        lost: expected - distinct,
        duplicated: applied - distinct,
        retries: retries.load(Ordering::Relaxed),
        seconds,
        peak_rss_kb: peak.load(Ordering::Relaxed),
    })
}

fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    /// Pull every second, as `pos sync` does between rounds.
    Poll,
    /// Pull when the live channel says the feed moved.
    Live,
}

pub struct Latency {
    pub samples: usize,
    pub p50_ms: u128,
    pub p99_ms: u128,
    pub max_ms: u128,
}

/// Terminal A pushes one sale at a time; terminal B, watching as `watch` says, reports when it
/// has pulled it. Latency is from A starting its push to B holding the entry.
pub async fn visibility(server: &Server, watch: Watch, samples: usize) -> anyhow::Result<Latency> {
    let store = server.store("Visibility").await?;
    let a = server.enroll(store, "Caisse A").await?;
    let b = server.enroll(store, "Caisse B").await?;
    if watch == Watch::Live {
        let probe = server
            .http
            .get(format!("{}/v1/sync/live", server.url))
            .bearer_auth(&b.token)
            .send()
            .await?;
        if !probe.status().is_success() {
            anyhow::bail!("GET /v1/sync/live answered {}", probe.status());
        }
    }
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<(String, Instant)>();
    let watcher = tokio::spawn(watch_feed(
        server.url.clone(),
        server.http.clone(),
        b,
        watch,
        seen_tx,
    ));
    let catalog = Catalog::new(100, &mut rand::rng());
    let mut latencies = Vec::new();
    let mut early: HashMap<String, Instant> = HashMap::new();
    for seq in 1..=samples as i64 {
        let sale = data::sale(&catalog, a.device_id, seq, now_ms(), &mut rand::rng());
        let id = sale.id.to_string();
        let body = data::push_body(a.device_id, seq, &[sale]);
        let t0 = Instant::now();
        post(&server.http, &server.url, &a.token, body).await?;
        let seen = loop {
            if let Some(at) = early.remove(&id) {
                break at;
            }
            match tokio::time::timeout(Duration::from_secs(10), seen_rx.recv()).await {
                Ok(Some((entity, at))) if entity == id => break at,
                Ok(Some((entity, at))) => {
                    early.insert(entity, at);
                }
                _ => anyhow::bail!("terminal B never saw sale {seq}"),
            }
        };
        latencies.push(seen.saturating_duration_since(t0).as_millis());
        let pause = rand::rng().random_range(50..250);
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    watcher.abort();
    latencies.sort_unstable();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    Ok(Latency {
        samples: latencies.len(),
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        max_ms: *latencies.last().unwrap_or(&0),
    })
}

async fn watch_feed(
    url: String,
    http: reqwest::Client,
    b: Terminal,
    watch: Watch,
    seen: mpsc::UnboundedSender<(String, Instant)>,
) -> anyhow::Result<()> {
    let mut since = 0;
    let pull_all = async |since: &mut i64| -> anyhow::Result<()> {
        loop {
            let page: Envelope<PullResponse> = http
                .get(format!("{url}/v1/sync/pull?since={since}&limit=500"))
                .bearer_auth(&b.token)
                .send()
                .await?
                .json()
                .await?;
            let page = page
                .into_result()
                .map_err(|e| anyhow::anyhow!("pull: {}", e.message))?;
            let at = Instant::now();
            for e in &page.entries {
                let _ = seen.send((e.entity_id.clone(), at));
            }
            *since = page.next;
            if !page.more {
                return Ok(());
            }
        }
    };
    match watch {
        Watch::Poll => loop {
            pull_all(&mut since).await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
        },
        Watch::Live => {
            let resp = http
                .get(format!("{url}/v1/sync/live"))
                .bearer_auth(&b.token)
                .send()
                .await?;
            let mut events = resp.bytes_stream();
            pull_all(&mut since).await?;
            while let Some(chunk) = events.next().await {
                chunk?;
                pull_all(&mut since).await?;
            }
            Ok(())
        }
    }
}
