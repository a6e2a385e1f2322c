//! `pos-bench`: the till's numbers on this machine, printed (never asserted).
//!
//! `pos-bench --catalog FILE [--dir DIR]` imports the catalog into a fresh till and measures:
//! import time, open-and-ready time, scan → cart line, a durable 5-line cash sale next to a bare
//! fsync'd SQLite transaction writing as many rows, catalog search, and resident memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use pos_core::till::TenderInput;
use pos_core::Till;
use pos_shared::{Money, Role, Tender};
use pos_system::{RandomIds, SystemClock};
use rand::{Rng, SeedableRng};

#[derive(Parser)]
struct Args {
    /// Catalog to import (make one with `pos-gen catalog --count 100000`).
    #[arg(long)]
    catalog: PathBuf,
    /// Folder for the benchmark's till (emptied first).
    #[arg(long, default_value = "target/bench/till")]
    dir: PathBuf,
    #[arg(long, default_value_t = 2000)]
    scans: usize,
    #[arg(long, default_value_t = 500)]
    sales: usize,
    #[arg(long, default_value_t = 1000)]
    searches: usize,
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

fn report(name: &str, samples: &mut [Duration], goal: &str) {
    let p50 = percentile(samples, 0.50);
    let p99 = percentile(samples, 0.99);
    let max = samples.last().copied().unwrap_or_default();
    println!(
        "{name:<36} n={:<5} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms   goal {goal}",
        samples.len(),
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}

fn rss_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.dir.exists() {
        std::fs::remove_dir_all(&args.dir)
            .with_context(|| format!("emptying {}", args.dir.display()))?;
    }
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(RandomIds);
    let mut till = Till::init(&args.dir, "Bench", "Caisse 1", clock.clone(), ids.clone())?;
    till.add_user(None, "Admin", Role::Admin, "0000")?;
    let admin = till.login("0000")?;
    till.add_user(Some(&admin), "Amina", Role::Cashier, "1111")?;

    let t = Instant::now();
    let imported = till.import_catalog(Some(&admin), &args.catalog, &mut |_, _| {})?;
    let import = t.elapsed();
    println!(
        "{:<36} {} products in {:.2} s ({:.0}/s)   goal 100k < 10 s",
        "catalog import",
        imported.created,
        import.as_secs_f64(),
        imported.created as f64 / import.as_secs_f64()
    );
    if imported.created == 0 {
        bail!("nothing imported from {}", args.catalog.display());
    }
    let codes = till.sellable_barcodes(usize::MAX)?;
    drop(till);

    let t = Instant::now();
    let mut till = Till::open(&args.dir, clock.clone(), ids.clone())?;
    let opened = t.elapsed();
    let amina = till.login("1111")?;
    till.scan(&amina, &codes[0], None)?;
    let ready = t.elapsed();
    println!(
        "{:<36} open {:.1} ms, + PIN login and first scan {:.1} ms   goal < 1000 ms",
        "open the store, ready to sell",
        opened.as_secs_f64() * 1e3,
        ready.as_secs_f64() * 1e3
    );
    till.void_cart(&amina, true)?;
    till.open_shift(&amina, Money::from_dinars(5000))?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);

    let mut scans = Vec::with_capacity(args.scans);
    for i in 0..args.scans {
        let code = &codes[rng.random_range(0..codes.len())];
        let t = Instant::now();
        till.scan(&amina, code, None)?;
        scans.push(t.elapsed());
        if i % 5 == 4 {
            till.void_cart(&amina, true)?;
        }
    }
    till.void_cart(&amina, true)?;
    report("scan -> cart line", &mut scans, "p99 < 1 ms");

    let cash = [TenderInput {
        tender: Tender::Cash,
        amount: None,
        reference: None,
    }];
    // Sales and bare transactions alternate, so both see the same disk and the same background
    // checkpoints; the bare one writes as many rows as the sale before it changed.
    let mut bare = Bare::open(&args.dir)?;
    let mut sales = Vec::with_capacity(args.sales);
    let mut bares = Vec::with_capacity(args.sales);
    let mut rows = 0;
    for i in 0..args.sales {
        for _ in 0..5 {
            till.scan(&amina, &codes[rng.random_range(0..codes.len())], None)?;
        }
        let before = till.store().conn().total_changes();
        let t = Instant::now();
        till.complete_sale(&amina, &cash)?;
        sales.push(t.elapsed());
        rows = till.store().conn().total_changes() - before;
        bares.push(bare.transaction(i, rows as usize)?);
    }
    report(
        "complete 5-line cash sale (fsync)",
        &mut sales,
        "p99 < 3 ms",
    );
    report(
        &format!("bare fsync'd tx, {rows} rows"),
        &mut bares,
        "reference",
    );
    println!(
        "{:<36} {:.2}x   goal <= 3x",
        "sale / bare transaction, p99",
        percentile(&mut sales, 0.99).as_secs_f64()
            / percentile(&mut bares, 0.99).as_secs_f64().max(1e-9)
    );

    let queries = search_queries(&till, &codes, &mut rng)?;
    let mut finds = Vec::with_capacity(args.searches);
    for i in 0..args.searches {
        let query = &queries[i % queries.len()];
        let t = Instant::now();
        let hits = till.find_products(query, 20)?;
        finds.push(t.elapsed());
        std::hint::black_box(hits);
    }
    report("catalog find (20 results)", &mut finds, "p99 < 10 ms");

    println!(
        "{:<36} now {:.0} MB, peak {:.0} MB   goal < 150 MB",
        "resident memory",
        rss_mb("VmRSS:"),
        rss_mb("VmHWM:")
    );
    Ok(())
}

/// What a cashier types: the start (2 to 5 letters) of a word of a product's name, or two.
fn search_queries(
    till: &Till,
    codes: &[String],
    rng: &mut impl Rng,
) -> anyhow::Result<Vec<String>> {
    let mut queries = Vec::new();
    for _ in 0..200 {
        let product = till.product(&codes[rng.random_range(0..codes.len())])?;
        let words: Vec<&str> = product
            .name_fr
            .split_whitespace()
            .filter(|w| w.chars().count() >= 2)
            .collect();
        if words.is_empty() {
            continue;
        }
        let prefix = |rng: &mut dyn rand::RngCore| -> String {
            let w = words[rng.random_range(0..words.len())];
            let n = w.chars().count();
            w.chars().take(rng.random_range(2..=n.min(5))).collect()
        };
        let first = prefix(rng);
        if words.len() > 1 && rng.random_bool(0.5) {
            let second = prefix(rng);
            queries.push(format!("{first} {second}"));
        } else {
            queries.push(first);
        }
    }
    Ok(queries)
}

/// The floor: a bare WAL transaction writing as many small rows with `synchronous = FULL`.
struct Bare {
    conn: rusqlite::Connection,
    payload: Vec<u8>,
}

impl Bare {
    fn open(dir: &Path) -> anyhow::Result<Bare> {
        let conn = rusqlite::Connection::open(dir.join("bare.db"))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v BLOB NOT NULL);",
        )?;
        Ok(Bare {
            conn,
            payload: vec![7u8; 120],
        })
    }

    fn transaction(&mut self, i: usize, rows: usize) -> anyhow::Result<Duration> {
        let t = Instant::now();
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO t (k, v) VALUES (?1, ?2)")?;
            for r in 0..rows {
                stmt.execute(rusqlite::params![format!("{i}-{r}"), self.payload])?;
            }
        }
        tx.commit()?;
        Ok(t.elapsed())
    }
}
