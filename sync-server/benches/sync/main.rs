//! The sync server's numbers (`make bench-sync`): the real server binary, started as a child
//! process over a fresh Postgres database, driven over real TCP.
//!
//! (a) push ingest of five-line sales (with their stock movements and outbox rows), next to the
//!     raw insert rate of the same rows written straight into Postgres by this program;
//! (b) a reconnect storm: many terminals push their offline sales at once;
//! (c) how long a change pushed by one terminal takes to be seen by another;
//! (d) a 100k-product catalog to a fresh terminal is timed with real tills by
//!     `pos-app/benches/snapshot.rs`, which `make bench-sync` runs next.
//!
//! `SYNC_BENCH_SCALE` (default 1.0) scales the amounts, to try things quickly.
#![allow(clippy::unwrap_used)]

mod data;
mod raw;
mod runs;
mod server;

use std::time::Instant;

use rand::SeedableRng;

pub const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn scale() -> f64 {
    std::env::var("SYNC_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}

fn scaled(n: usize) -> usize {
    ((n as f64 * scale()).round() as usize).max(1)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let server = server::Server::start().await?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    println!(
        "sync-bench: server pid {} on {}, database {}",
        server.pid(),
        server.url,
        server.db
    );

    // (a) ingest: 4 terminals in 4 stores, batches of 500 sales, next to raw inserts.
    let terminals = 4;
    let batches = scaled(10);
    let ingest = runs::ingest(&server, terminals, batches, 500, &mut rng).await?;
    let raw = raw::insert_rate(&server, terminals, batches, 500, &mut rng).await?;
    println!(
        "(a) push ingest: {:.0} sales/s ({} sales of {} lines, {} terminals, batches of 500; {:.0} lines/s)",
        ingest.sales_per_s,
        ingest.sales,
        data::LINES,
        terminals,
        ingest.sales_per_s * data::LINES as f64
    );
    println!(
        "    raw Postgres insert of the same rows: {:.0} sales/s; push/raw = {:.2} (goal >= 5000 sales/s and >= 0.50)",
        raw.sales_per_s,
        ingest.sales_per_s / raw.sales_per_s
    );

    // (b) reconnect storm.
    let storm = runs::storm(&server, scaled(200), 500, &mut rng).await?;
    println!(
        "(b) reconnect storm: {} terminals x {} offline sales: {} applied, {} lost, {} duplicated in {:.1} s ({:.0} sales/s, {} retried pushes); server RSS peak {} MB (goal < 60 s, < 300 MB)",
        storm.terminals,
        storm.per_terminal,
        storm.applied,
        storm.lost,
        storm.duplicated,
        storm.seconds,
        storm.applied as f64 / storm.seconds,
        storm.retries,
        storm.peak_rss_kb / 1024
    );

    // (c) visibility: A pushes one sale, B pulls it.
    let poll = runs::visibility(&server, runs::Watch::Poll, scaled(40)).await?;
    println!(
        "(c) visible on another terminal, polling every 1 s: p50 {} ms, p99 {} ms, max {} ms ({} changes)",
        poll.p50_ms, poll.p99_ms, poll.max_ms, poll.samples
    );
    match runs::visibility(&server, runs::Watch::Live, scaled(200)).await {
        Ok(live) => println!(
            "    with the live channel: p50 {} ms, p99 {} ms, max {} ms ({} changes) (goal p99 < 1000 ms)",
            live.p50_ms, live.p99_ms, live.max_ms, live.samples
        ),
        Err(e) => println!("    with the live channel: not available ({e})"),
    }

    // (d) is measured with real tills: `cargo bench -p pos-app --bench snapshot`.
    println!("(d) snapshot: run by `cargo bench -p pos-app --bench snapshot` (make bench-sync runs it next)");
    server.stop().await?;
    println!(
        "sync-bench: done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
