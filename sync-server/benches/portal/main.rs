//! `make bench-portal`: the portal's report latencies over a big history. Fills a fresh
//! database (`generate.rs`) with `PORTAL_BENCH_LINES` sale lines (default 2,000,000; the issue's
//! full size is 10,000,000) over `PORTAL_BENCH_STORES` stores (50) and two years, starts the
//! real server over it, signs in as the owner and prints p95 of the dashboard and TVA over a
//! month and a year (all stores and one), the receipts list at several depths, and a month's
//! CSV export of lines in lines/s with the server's peak RSS. A program that prints numbers,
//! never a pass/fail.

mod generate;

use std::time::{Duration, Instant};

use sync_server::{admin, Application, Settings};

const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const RUNS: usize = 30;

fn p95(mut v: Vec<Duration>) -> f64 {
    v.sort();
    let i = ((v.len() as f64) * 0.95).ceil() as usize;
    v[i.saturating_sub(1).min(v.len() - 1)].as_secs_f64() * 1000.0
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn time(http: &reqwest::Client, url: &str) -> anyhow::Result<Vec<Duration>> {
    let mut out = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = http.get(url).send().await?;
        anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await?;
        out.push(t.elapsed());
    }
    Ok(out)
}

fn day(offset: i64) -> String {
    let now = sync_server::now_ms() / 86_400_000 + offset;
    sync_server::portal::views::day_text(now as i32)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let lines: i64 = std::env::var("PORTAL_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let stores: i64 = std::env::var("PORTAL_BENCH_STORES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let db = format!("pos_bench_portal_{lines}_{stores}");
    let root = sqlx::PgPool::connect(ADMIN_URL).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&db)
            .fetch_one(&root)
            .await?;
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let settings = Settings {
        listen: "127.0.0.1:0".parse()?,
        database_url: url.clone(),
        ..Settings::default()
    };
    if !exists || std::env::var("PORTAL_BENCH_FRESH").is_ok() {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
        )))
        .execute(&root)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&root)
            .await?;
        let pool = sqlx::PgPool::connect(&url).await?;
        sync_server::MIGRATOR.run(&pool).await?;
        eprintln!("generating {lines} sale lines over {stores} stores and 2 years (kept as {db} for the next run)");
        let t = Instant::now();
        generate::generate(&pool, stores, lines).await?;
        admin::create_user(&pool, "bench@portal.dz", "owner", "bench-password", &[]).await?;
        eprintln!("generated in {:.0} s", t.elapsed().as_secs_f64());
    }
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    let counted: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM sale_lines), (SELECT count(*) FROM sales)")
            .fetch_one(&pool)
            .await?;
    println!(
        "history: {} sale lines, {} receipts, {stores} stores, 2 years",
        counted.0, counted.1
    );

    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let s: serde_json::Value = http
        .get(format!("{base}/v1/portal/session"))
        .send()
        .await?
        .json()
        .await?;
    let csrf = s["data"]["csrf"].as_str().unwrap_or_default().to_owned();
    let r = http
        .post(format!("{base}/v1/portal/sign-in"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"email": "bench@portal.dz", "password": "bench-password"}))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "sign-in: {}", r.status());
    let one: uuid::Uuid = sqlx::query_scalar("SELECT id FROM stores ORDER BY name LIMIT 1")
        .fetch_one(&pool)
        .await?;

    let (month, year, today) = (day(-30), day(-365), day(1));
    let report = |name: &str, v: Vec<Duration>, goal: f64| {
        let p = p95(v);
        println!(
            "{name:<48} p95 {p:>8.1} ms  (goal < {goal} ms){}",
            if p < goal { "" } else { "  MISSED" }
        );
    };
    for (label, range) in [("month", &month), ("year", &year)] {
        let q = format!("from={range}&to={today}");
        report(
            &format!("dashboard, {label}, all {stores} stores"),
            time(&http, &format!("{base}/v1/portal/dashboard?{q}")).await?,
            100.0,
        );
        report(
            &format!("dashboard, {label}, one store"),
            time(
                &http,
                &format!("{base}/v1/portal/dashboard?{q}&stores={one}"),
            )
            .await?,
            100.0,
        );
        report(
            &format!("TVA, {label}, all stores"),
            time(&http, &format!("{base}/v1/portal/tva?{q}")).await?,
            100.0,
        );
    }
    // Receipts at depth: the cursor of the receipt at that place in the newest-first order.
    for (label, fraction) in [
        ("first page", 0.0),
        ("10 % deep", 0.1),
        ("50 % deep", 0.5),
        ("99 % deep", 0.99),
    ] {
        let offset = ((counted.1 as f64) * fraction) as i64;
        let cursor: String = sqlx::query_scalar(
            "SELECT (extract(epoch FROM created_at) * 1000000)::int8 || '_' || id FROM sales ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1")
            .bind(offset).fetch_one(&pool).await?;
        let after = if fraction == 0.0 {
            String::new()
        } else {
            cursor
        };
        report(
            &format!("receipts page of 50, all stores, {label}"),
            time(&http, &format!("{base}/v1/portal/receipts?after={after}")).await?,
            50.0,
        );
        report(
            &format!("receipts page of 50, one store, {label}"),
            time(
                &http,
                &format!("{base}/v1/portal/receipts?stores={one}&after={after}"),
            )
            .await?,
            50.0,
        );
    }

    // A month of lines as CSV, read as it streams, RSS sampled meanwhile.
    let before = rss_kb();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_kb(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let t = Instant::now();
    let mut resp = http
        .get(format!(
            "{base}/v1/portal/exports/lines.csv?from={month}&to={today}&sep=semicolon"
        ))
        .send()
        .await?;
    let mut rows = 0u64;
    let mut bytes = 0u64;
    while let Some(chunk) = resp.chunk().await? {
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        bytes += chunk.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    sampler.abort();
    let lines_out = rows.saturating_sub(1);
    println!(
        "CSV export of a month of lines: {lines_out} lines, {:.1} MB in {secs:.2} s = {:.0} lines/s (goal >= 50000); process RSS {} MB before, {} MB peak (goal < 300)",
        bytes as f64 / 1e6,
        lines_out as f64 / secs,
        before / 1024,
        peak.load(std::sync::atomic::Ordering::Relaxed) / 1024
    );
    Ok(())
}
