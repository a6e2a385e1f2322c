//! Two tills and a real sync server over a fresh Postgres database: a catalog imported on one
//! reaches the other, a sale on the other comes back as stock, and concurrent edits of one
//! product on both converge.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_shared::{FixedClock, Money, Tender};
use pos_testkit::server::till;
use sync_server::admin;

const CSV: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,10\n\
CRE-0001,6130325000448,,Lait Candia 1 L,حليب,crèmerie,\"135,00\",9,piece,10,20\n";

#[test]
fn two_tills_converge_through_the_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_sync");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette El Baraka"))
        .unwrap();
    let code = || rt.block_on(admin::enrollment_code(&pool, store)).unwrap();

    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let (dir1, dir2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut t1, k1) = till(dir1.path(), "Caisse 1", 1, &clock);
    let (mut t2, k2) = till(dir2.path(), "Caisse 2", 2, &clock);
    let file = dir1.path().join("catalog.csv");
    std::fs::write(&file, CSV).unwrap();
    t1.import_catalog(Some(&k1), &file, &mut |_, _| {}).unwrap();
    assert_eq!(
        t2.sync_once(&pos_sync_client::Http).unwrap_err().code(),
        "NOT_ENROLLED"
    );
    t1.enroll(Some(&k1), &pos_sync_client::Http, &url, &code())
        .unwrap();
    t2.enroll(Some(&k2), &pos_sync_client::Http, &url, &code())
        .unwrap();

    // The catalog and its stock reach the second till, through the snapshot of a new terminal
    // (its two products and their stock) rather than the four entries of the feed.
    let first = t1.sync_once(&pos_sync_client::Http).unwrap();
    assert_eq!((first.pushed, first.rejected, first.pending), (5, 0, 0));
    let second = t2.sync_once(&pos_sync_client::Http).unwrap();
    assert_eq!((second.snapshot, second.pulled), (2, 0));
    assert_eq!(t2.stock_show("6130502000100").unwrap().level, 10);
    assert_eq!(
        t2.product("6130325000448").unwrap().price,
        Money::from_dinars(135)
    );

    // A sale on the second till comes back to the first as stock.
    t2.open_shift(&k2, Money::from_dinars(1000)).unwrap();
    let cash = [TenderInput {
        tender: Tender::Cash,
        amount: None,
        reference: None,
    }];
    let items = [ItemSpec {
        code: "6130502000100".into(),
        qty: Some(2),
    }];
    let sale = t2.quick_sale(&k2, &items, None, &cash, None).unwrap();
    t2.sync_once(&pos_sync_client::Http).unwrap();
    let back = t1.sync_once(&pos_sync_client::Http).unwrap();
    assert!(back.applied >= 1);
    assert_eq!(t1.stock_show("6130502000100").unwrap().level, 8);
    assert_eq!(t1.find_sale(&sale.id.to_string()).unwrap(), sale);

    // Both edit the milk while offline: one the price, the other the name. Both edits survive.
    clock.advance(60_000);
    std::fs::write(&file, CSV.replace("\"135,00\"", "\"140,00\"")).unwrap();
    assert_eq!(
        t1.import_catalog(Some(&k1), &file, &mut |_, _| {})
            .unwrap()
            .updated,
        1
    );
    let file2 = dir2.path().join("catalog.csv");
    std::fs::write(
        &file2,
        CSV.replace("Lait Candia 1 L", "Lait UHT Candia 1 L"),
    )
    .unwrap();
    let edited = t2
        .import_catalog(Some(&k2), &file2, &mut |_, _| {})
        .unwrap();
    assert_eq!(
        (edited.created, edited.updated),
        (0, 1),
        "{:?}",
        edited.errors
    );
    t1.sync_once(&pos_sync_client::Http).unwrap();
    t2.sync_once(&pos_sync_client::Http).unwrap();
    t1.sync_once(&pos_sync_client::Http).unwrap();
    for t in [&t1, &t2] {
        let milk = t.product("6130325000448").unwrap();
        assert_eq!(
            (milk.price, milk.name_fr.as_str()),
            (Money::from_dinars(140), "Lait UHT Candia 1 L")
        );
        assert_eq!(t.stock_show("6130325000448").unwrap().level, 20);
    }
    assert_eq!(t1.pending_count().unwrap(), 0);
    assert_eq!(t2.pending_count().unwrap(), 0);

    // Postgres agrees with both tills: the sale once, and the same stock levels.
    let semolina = t1.product("6130502000100").unwrap().id;
    let (sales, level): (i64, i64) = rt
        .block_on(
            sqlx::query_as(
                "SELECT (SELECT count(*) FROM sales WHERE store_id = $1),
                        (SELECT level FROM stock_levels WHERE store_id = $1 AND product_id = $2)",
            )
            .bind(store)
            .bind(semolina)
            .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!((sales, level), (1, 8));
}
