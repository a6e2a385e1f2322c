//! One clock per till database. The window's sync thread opens the database on a connection of
//! its own, apart from the counter's; a count pulled through it from a terminal whose clock is
//! an hour ahead must still come before the sales the counter rings up next, or the ledger
//! (a count replaces everything before it) drops those sales and the stock is wrong on every
//! replica. After a restart too: the pulled count is not in this till's own change log.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_core::{Session, Till};
use pos_shared::{FixedClock, Money, SeqIds, Tender};
use pos_testkit::server::till;
use sync_server::admin;

const CSV: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,10\n";
const SEMOULE: &str = "6130502000100";

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

/// The same database opened again, as the window's sync thread or a restarted till does.
fn reopen(dir: &Path, clock: &Arc<FixedClock>, stream: u16) -> Till {
    Till::open(dir, clock.clone(), Arc::new(SeqIds::with_stream(stream))).unwrap()
}

fn level(till: &Till) -> i64 {
    till.stock_show(SEMOULE).unwrap().level
}

#[test]
fn sales_after_a_count_pulled_from_a_till_ahead_of_time_count_on_every_replica() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_clock");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette El Baraka"))
        .unwrap();
    let code = || rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let net = &pos_sync_client::Http;

    // The back room's till runs an hour ahead of the counter's.
    let counter_time = Arc::new(FixedClock::new(1_795_510_800_000));
    let back_time = Arc::new(FixedClock::new(1_795_510_800_000 + 3_600_000));
    let (back_dir, counter_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut back, manager) = till(back_dir.path(), "Réserve", 1, &back_time);
    let (mut counter, karim) = till(counter_dir.path(), "Caisse 1", 2, &counter_time);
    let file = back_dir.path().join("catalog.csv");
    std::fs::write(&file, CSV).unwrap();
    back.import_catalog(Some(&manager), &file, &mut |_, _| {})
        .unwrap();
    back.enroll(Some(&manager), net, &url, &code()).unwrap();
    counter.enroll(Some(&karim), net, &url, &code()).unwrap();
    back.sync_once(net).unwrap();
    counter.sync_once(net).unwrap();
    assert_eq!(level(&counter), 10);
    counter
        .open_shift(&karim, Money::from_dinars(1000))
        .unwrap();

    // A minute later by the back room's clock, the manager counts 30 there; the counter's sync
    // thread pulls the count, and the cashier sells 2 on the counter's own connection.
    back_time.advance(60_000);
    back.stock_count(&manager, SEMOULE, 30).unwrap();
    back.sync_once(net).unwrap();
    let mut sync_thread = reopen(counter_dir.path(), &counter_time, 12);
    assert!(sync_thread.sync_once(net).unwrap().applied >= 1);
    counter_time.advance(1_000);
    sell(&mut counter, &karim, 2);
    assert_eq!(
        level(&counter),
        28,
        "the sale counts after the pulled count"
    );
    sync_thread.sync_once(net).unwrap();
    back.sync_once(net).unwrap();
    assert_eq!(level(&back), 28, "and on the till that counted");

    // Another count, pulled; the till is closed and opened again before the next sale.
    back_time.advance(60_000);
    back.stock_count(&manager, SEMOULE, 50).unwrap();
    back.sync_once(net).unwrap();
    sync_thread.sync_once(net).unwrap();
    drop((counter, sync_thread));
    let mut counter = reopen(counter_dir.path(), &counter_time, 22);
    let karim = counter.login("9999").unwrap();
    counter_time.advance(1_000);
    sell(&mut counter, &karim, 1);
    assert_eq!(level(&counter), 49, "a restart forgets no pulled timestamp");
    counter.sync_once(net).unwrap();
    back.sync_once(net).unwrap();
    assert_eq!(level(&back), 49);

    let server: i64 = rt
        .block_on(
            sqlx::query_scalar(
                "SELECT level FROM stock_levels l JOIN products p ON p.id = l.product_id
                 WHERE p.sku = 'EPI-0001'",
            )
            .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!(server, 49, "and in Postgres");
}
