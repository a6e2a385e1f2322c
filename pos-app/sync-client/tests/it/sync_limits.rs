//! A till over the server's rate limit: told `429 RATE_LIMITED` with `Retry-After`, it waits as
//! told and carries on from its acknowledged mark; every entry reaches the server, and the other
//! till, exactly once. The batches it pushes are large enough to go gzipped.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use pos_core::sync::Backoff;
use pos_core::{PosError, Till};
use pos_shared::FixedClock;
use pos_testkit::server::till;
use sync_server::admin;

const PRODUCTS: usize = 400;

fn catalog() -> String {
    let mut csv = String::from(
        "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n",
    );
    for i in 0..PRODUCTS {
        csv.push_str(&format!(
            "EPI-{i:04},,,Produit {i},منتج,épicerie,\"{},00\",19,piece,5,{}\n",
            100 + i,
            i % 7 + 1
        ));
    }
    csv
}

/// Syncs until nothing is pending, waiting as the server says; how many times it was told to.
fn sync_until_done(till: &mut Till) -> usize {
    let mut backoff = Backoff::default();
    let mut limited = 0;
    for _ in 0..60 {
        match till.sync_once(&pos_sync_client::Http) {
            Ok(report) if report.pending == 0 => return limited,
            Ok(_) => {}
            Err(e) => {
                let PosError::RateLimited { retry_after } = &e else {
                    panic!("sync failed: {e}");
                };
                assert!(*retry_after >= Duration::from_secs(1), "{retry_after:?}");
                assert_eq!(e.code(), "RATE_LIMITED");
                limited += 1;
                let wait = backoff.after(&e, 0.0);
                assert_eq!(wait, *retry_after, "the wait is what the server said");
                std::thread::sleep(wait);
            }
        }
    }
    panic!("still pending after 60 rounds");
}

fn count(till: &Till, sql: &str) -> i64 {
    till.store()
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_rate_limited_till_waits_as_told_and_loses_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // One request at a time, one a second: a till with a backlog is over it at once.
    let (url, pool) = pos_testkit::server::server_with(&rt, "pos_sync_rate", |s| {
        s.rate_per_second = 1.0;
        s.rate_burst = 1;
    });
    let store = rt
        .block_on(admin::create_store(&pool, "Superette"))
        .unwrap();
    let code = || rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut t1, k1) = till(dir1.path(), "Caisse 1", 1, &clock);
    let (mut t2, _) = till(dir2.path(), "Caisse 2", 2, &clock);
    let file = dir1.path().join("catalog.csv");
    std::fs::write(&file, catalog()).unwrap();
    let imported = t1.import_catalog(Some(&k1), &file, &mut |_, _| {}).unwrap();
    assert_eq!(imported.created, PRODUCTS, "{:?}", imported.errors);
    let entries = t1.pending_count().unwrap();
    assert!(entries > 500, "more than one push batch: {entries}");
    t1.enroll(Some(&k1), &pos_sync_client::Http, &url, &code())
        .unwrap();
    let k2 = t2.login("9999").unwrap();
    t2.enroll(Some(&k2), &pos_sync_client::Http, &url, &code())
        .unwrap();

    let limited = sync_until_done(&mut t1);
    assert!(
        limited >= 1,
        "a backlog of {entries} entries went over the limit"
    );
    let status = t1.sync_status().unwrap();
    assert_eq!((status.acked_through, status.pending), (entries, 0));

    // The server has every entry once, applied, in the store's feed.
    let device = uuid::Uuid::parse_str(&status.device_id.unwrap()).unwrap();
    let (rows, seqs, applied, feed, mark): (i64, i64, i64, i64, i64) = rt
        .block_on(
            sqlx::query_as(
                "SELECT count(*), count(DISTINCT seq), count(*) FILTER (WHERE status = 'applied'),
                        (SELECT count(*) FROM feed WHERE origin = $1),
                        (SELECT acked_through FROM devices WHERE id = $1)
                 FROM device_changes WHERE device_id = $1",
            )
            .bind(device)
            .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(
        (rows, seqs, applied, feed, mark),
        (entries, entries, entries, entries, entries)
    );

    // The other till pulls it all, page by page, waiting when told; every product and level once.
    sync_until_done(&mut t2);
    let head: i64 = rt
        .block_on(
            sqlx::query_scalar("SELECT head FROM store_heads WHERE store_id = $1")
                .bind(store)
                .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(t2.sync_status().unwrap().pull_cursor, head);
    assert_eq!(count(&t2, "SELECT count(*) FROM products"), PRODUCTS as i64);
    assert_eq!(
        count(&t2, "SELECT sum(level) FROM stock_levels"),
        count(&t1, "SELECT sum(level) FROM stock_levels")
    );
    assert_eq!(
        count(&t2, "SELECT count(*) FROM stock_movements"),
        count(&t1, "SELECT count(*) FROM stock_movements")
    );
}
