//! A 100k-product catalog to a fresh terminal (`make bench-sync`): one till imports the catalog
//! and pushes it to a real sync server over a fresh Postgres database; a second till, just
//! enrolled, takes its first sync — the paged snapshot, then the feed after it. Both tills and
//! the server share this 2-core machine, as a shop's back-office PC would.
//!
//! `SNAPSHOT_CATALOG` names the catalog CSV (`make bench-sync` generates it with `pos-gen`).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use pos_core::Till;
use pos_shared::Role;
use pos_system::{RandomIds, SystemClock};
use sync_server::{admin, Application, Settings};

fn main() -> anyhow::Result<()> {
    let catalog = std::env::var("SNAPSHOT_CATALOG")
        .unwrap_or_else(|_| "target/bench/catalog-100k.csv".into());
    let rt = tokio::runtime::Runtime::new()?;
    let (url, pool) = rt.block_on(async {
        let admin_pool =
            sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/postgres").await?;
        let db = format!("pos_bench_snapshot_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin_pool)
            .await?;
        let app = Application::build(Settings {
            listen: "127.0.0.1:0".parse()?,
            database_url: format!("postgres://postgres@127.0.0.1:5432/{db}"),
            ..Settings::default()
        })
        .await?;
        let url = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        tokio::spawn(app.run_until_stopped());
        anyhow::Ok((url, pool))
    })?;
    let store = rt.block_on(admin::create_store(&pool, "Superette"))?;
    let clock = Arc::new(SystemClock);

    let first_dir = tempfile::tempdir()?;
    let mut first = Till::init(
        first_dir.path(),
        "Superette",
        "Caisse 1",
        clock.clone(),
        Arc::new(RandomIds),
    )?;
    first.add_user(None, "Karim", Role::Manager, "9999")?;
    let karim = first.login("9999")?;
    let started = Instant::now();
    let report =
        first.import_catalog(Some(&karim), std::path::Path::new(&catalog), &mut |_, _| {})?;
    println!(
        "import on the first till: {} products in {:.1} s",
        report.created,
        started.elapsed().as_secs_f64()
    );
    first.enroll(
        Some(&karim),
        &pos_sync_client::Http,
        &url,
        &rt.block_on(admin::enrollment_code(&pool, store))?,
    )?;
    let started = Instant::now();
    let pushed = first.sync_once(&pos_sync_client::Http)?;
    println!(
        "first till's sync (push of {} entries, then its own snapshot): {:.1} s",
        pushed.pushed,
        started.elapsed().as_secs_f64()
    );

    let fresh_dir = tempfile::tempdir()?;
    let mut fresh = Till::init(
        fresh_dir.path(),
        "Superette",
        "Caisse 2",
        clock,
        Arc::new(RandomIds),
    )?;
    fresh.enroll(
        None,
        &pos_sync_client::Http,
        &url,
        &rt.block_on(admin::enrollment_code(&pool, store))?,
    )?;
    let started = Instant::now();
    let got = fresh.sync_once(&pos_sync_client::Http)?;
    let took = started.elapsed().as_secs_f64();
    let here: i64 = fresh
        .store()
        .conn()
        .query_row("SELECT count(*) FROM products", [], |r| r.get(0))?;
    println!(
        "snapshot to a fresh terminal: {} products ({here} in its catalog) in {took:.2} s \
         ({:.0} products/s; goal < 10 s)",
        got.snapshot,
        got.snapshot as f64 / took
    );
    anyhow::ensure!(
        here as usize == report.created,
        "the fresh terminal is missing products"
    );
    Ok(())
}
