//! A till restored from a backup numbers its new entries from where the backup stopped, under
//! numbers the server already holds other entries by. The server sees the entries are not its
//! own, the till numbers them again after the server's, and nothing is lost or counted twice.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use pos_core::store::Store;
use pos_core::till::{ItemSpec, TenderInput};
use pos_core::{Session, Till};
use pos_shared::{FixedClock, SeqIds, Tender};
use pos_testkit::server::{stocked_till, SEMOULE};
use sync_server::admin;

fn sell(till: &mut Till, who: &Session, qty: i64) {
    let cash = [TenderInput {
        tender: Tender::Cash,
        amount: None,
        reference: None,
    }];
    let items = [ItemSpec {
        code: SEMOULE.into(),
        qty: Some(qty),
    }];
    till.quick_sale(who, &items, None, &cash, None).unwrap();
}

#[test]
fn a_till_restored_from_a_backup_loses_no_sale_and_counts_none_twice() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_restore");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette"))
        .unwrap();
    let code = rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let net = &pos_sync_client::Http;
    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let dir = tempfile::tempdir().unwrap();
    let (mut shop, karim) = stocked_till(dir.path(), "Caisse 1", 1, &clock);
    shop.enroll(Some(&karim), net, &url, &code).unwrap();
    shop.open_shift(&karim, pos_shared::Money::from_dinars(1000))
        .unwrap();
    sell(&mut shop, &karim, 1);
    shop.sync_once(net).unwrap();

    // The night's backup; then a morning of sales, synced, before the disk fails.
    let backup = dir.path().join("backup.db");
    shop.store()
        .conn()
        .execute("VACUUM INTO ?1", [backup.to_str().unwrap()])
        .unwrap();
    clock.advance(3_600_000);
    sell(&mut shop, &karim, 2);
    sell(&mut shop, &karim, 3);
    shop.sync_once(net).unwrap();
    drop(shop);

    // The till comes back from the backup and sells on before its next sync.
    let db = Store::db_path(dir.path());
    for stale in ["till.db-wal", "till.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(stale));
    }
    std::fs::copy(&backup, &db).unwrap();
    let mut shop = Till::open(dir.path(), clock.clone(), Arc::new(SeqIds::with_stream(2))).unwrap();
    clock.advance(3_600_000);
    sell(&mut shop, &karim, 4);
    let report = shop.sync_once(net).unwrap();
    assert!(report.renumbered, "{report:?}");
    assert_eq!(report.pending, 0, "{report:?}");

    // Every sale is on the server once: the one before the backup, the two of the morning
    // the till forgot, and the one sold after the restore.
    let sold: Vec<i64> = rt
        .block_on(
            sqlx::query_scalar(
                "SELECT l.qty FROM sales s JOIN sale_lines l ON l.sale_id = s.id
                 WHERE s.store_id = $1 ORDER BY s.created_at",
            )
            .bind(store)
            .fetch_all(&pool),
        )
        .unwrap();
    assert_eq!(sold, vec![1, 2, 3, 4]);
    let level: i64 = rt
        .block_on(
            sqlx::query_scalar("SELECT level FROM stock_levels WHERE store_id = $1")
                .bind(store)
                .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(level, 50 - 10);

    // The next round has nothing to send and numbers nothing again.
    sell(&mut shop, &karim, 1);
    let report = shop.sync_once(net).unwrap();
    assert!(!report.renumbered && report.pending == 0, "{report:?}");
    let sales: i64 = rt
        .block_on(
            sqlx::query_scalar("SELECT count(*) FROM sales WHERE store_id = $1")
                .bind(store)
                .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(sales, 5);
}
