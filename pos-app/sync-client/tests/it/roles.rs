//! The back office decides what a member of staff may do, even at a till that did not hear of
//! it: Karim, a manager, is made a cashier while his till is offline; the stock count and the
//! price change he then makes there are refused by the server and taken back on his till, the
//! other till never sees them, and both tills learn his new role. A till enrolled with nobody
//! on it gets the store's staff from the server and they log in with their own PINs.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use pos_core::Till;
use pos_shared::{FixedClock, Money, Role, SeqIds};
use sync_server::{admin, staff};

const CSV: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,10\n\
CRE-0001,6130325000448,,Lait Candia 1 L,حليب,crèmerie,\"135,00\",9,piece,10,20\n";
const SEMOLINA: &str = "6130502000100";
const MILK: &str = "6130325000448";

#[test]
fn a_manager_demoted_while_his_till_was_offline_changes_nothing_after_it() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_roles");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette"))
        .unwrap();
    let code = || rt.block_on(admin::enrollment_code(&pool, store)).unwrap();

    // Till A is set up an hour before it joins the store: an admin, Karim (manager), Amina.
    let clock = Arc::new(FixedClock::new(sync_server::now_ms() - 3_600_000));
    let dir_a = tempfile::tempdir().unwrap();
    let mut a = Till::init(
        dir_a.path(),
        "Superette",
        "Caisse 1",
        clock.clone(),
        Arc::new(SeqIds::with_stream(1)),
    )
    .unwrap();
    a.add_user(None, "Admin", Role::Admin, "0000").unwrap();
    let admin_a = a.login("0000").unwrap();
    a.add_user(Some(&admin_a), "Karim", Role::Manager, "9999")
        .unwrap();
    let karim = a.login("9999").unwrap();
    a.add_user(Some(&karim), "Amina", Role::Cashier, "1111")
        .unwrap();
    let file = dir_a.path().join("catalog.csv");
    std::fs::write(&file, CSV).unwrap();
    a.import_catalog(Some(&karim), &file, &mut |_, _| {})
        .unwrap();
    a.enroll(Some(&karim), &pos_sync_client::Http, &url, &code())
        .unwrap();
    let first = a.sync_once(&pos_sync_client::Http).unwrap();
    assert_eq!((first.rejected, first.pending), (0, 0));

    // Till B joins with nobody on it: the snapshot brings the staff, who log in with their PINs.
    let dir_b = tempfile::tempdir().unwrap();
    let mut b = Till::init(
        dir_b.path(),
        "Superette",
        "Caisse 2",
        clock.clone(),
        Arc::new(SeqIds::with_stream(2)),
    )
    .unwrap();
    b.enroll(None, &pos_sync_client::Http, &url, &code())
        .unwrap();
    b.sync_once(&pos_sync_client::Http).unwrap();
    let karim_on_b = b.login("9999").unwrap();
    assert_eq!(
        (karim_on_b.name.as_str(), karim_on_b.role),
        ("Karim", Role::Manager)
    );
    assert_eq!(b.login("1111").unwrap().name, "Amina");
    assert_eq!(b.stock_show(MILK).unwrap().level, 20);

    // The back office makes Karim a cashier. Till A does not know yet: he counts the milk and
    // lowers the semolina's price there, and the till lets him, as it must offline.
    rt.block_on(staff::set_role(
        &pool,
        store,
        "Karim",
        Role::Cashier,
        true,
        sync_server::now_ms(),
    ))
    .unwrap();
    clock.set(sync_server::now_ms() + 60_000);
    a.stock_count(&karim, MILK, 3).unwrap();
    std::fs::write(&file, CSV.replace("\"110,00\"", "\"99,00\"")).unwrap();
    assert_eq!(
        a.import_catalog(Some(&karim), &file, &mut |_, _| {})
            .unwrap()
            .updated,
        1
    );
    assert_eq!(a.stock_show(MILK).unwrap().level, 3);
    assert_eq!(a.product(SEMOLINA).unwrap().price, Money::from_dinars(99));

    // Back online: both are refused, said so, and taken back on till A.
    let back = a.sync_once(&pos_sync_client::Http).unwrap();
    assert_eq!(back.rejected, 2);
    let problems = a.sync_status().unwrap().problems;
    let said: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        said.contains(&"Karim is a cashier: changing stock needs a manager or an admin"),
        "{said:?}"
    );
    assert!(
        said.iter().any(
            |m| m.starts_with("Karim is a cashier: changing a product needs")
                && m.ends_with("undone")
        ),
        "{said:?}"
    );
    assert_eq!(a.stock_show(MILK).unwrap().level, 20);
    assert_eq!(a.product(SEMOLINA).unwrap().price, Money::from_dinars(110));
    assert_eq!(a.product_conflicts(SEMOLINA).unwrap(), vec![]);

    // Both tills now know Karim as a cashier: a count is refused at the till itself.
    b.sync_once(&pos_sync_client::Http).unwrap();
    for till in [&mut a, &mut b] {
        let karim = till.login("9999").unwrap();
        assert_eq!(karim.role, Role::Cashier);
        assert_eq!(
            till.stock_count(&karim, MILK, 3).unwrap_err().code(),
            "FORBIDDEN"
        );
        assert_eq!(till.stock_show(MILK).unwrap().level, 20);
        assert_eq!(
            till.product(SEMOLINA).unwrap().price,
            Money::from_dinars(110)
        );
        assert_eq!(till.pending_count().unwrap(), 0);
    }

    // Postgres agrees.
    let (level, price): (i64, i64) = rt
        .block_on(
            sqlx::query_as(
                "SELECT l.level, p.price FROM products p
                 JOIN stock_levels l ON l.store_id = p.store_id AND l.product_id = p.id
                 WHERE p.store_id = $1 AND p.sku = 'CRE-0001'",
            )
            .bind(store)
            .fetch_one(&pool),
        )
        .unwrap();
    assert_eq!((level, price), (20, 13_500));
}
