//! The counter as the window drives it: PIN, shift, scans, quantity, quick cash, change, park
//! and recall, a refund with a manager's PIN, X report, settings.

use std::sync::Arc;

use pos_shared::{FixedClock, Role, SeqIds};

use super::*;

const CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/demo-catalog.csv"
);

pub(super) fn counter(dir: &Path) -> Counter {
    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let mut till = Till::init(
        dir,
        "Superette El Baraka",
        "Caisse 1",
        clock,
        Arc::new(SeqIds::new()),
    )
    .unwrap();
    till.add_user(None, "Admin", Role::Admin, "0000").unwrap();
    let admin = till.login("0000").unwrap();
    till.add_user(Some(&admin), "Amina", Role::Cashier, "1111")
        .unwrap();
    till.add_user(Some(&admin), "Karim", Role::Manager, "9999")
        .unwrap();
    till.import_catalog(Some(&admin), CATALOG.as_ref(), &mut |_, _| {})
        .unwrap();
    Counter::new(till)
}

fn cash(amount: Option<&str>) -> TenderDto {
    TenderDto {
        tender: "cash".into(),
        amount: amount.map(str::to_owned),
        reference: None,
    }
}

#[test]
fn a_sale_at_the_counter_from_pin_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());

    let err = c.scan("6130502000100").unwrap_err();
    assert_eq!(err.code(), "LOGGED_OUT");
    assert_eq!(c.login("1234").unwrap_err().code(), "WRONG_PIN");

    let state = c.login("1111").unwrap();
    assert_eq!(
        state.cashier.as_ref().map(|s| s.name.as_str()),
        Some("Amina")
    );
    assert!(!state.is_manager);
    assert!(!state.shift_open);
    assert!(c.open_shift("5000").unwrap().shift_open);

    // Tabs and tiles come from the catalog; a tile's code rings the product up.
    let cats = c.categories().unwrap();
    assert!(cats.iter().any(|k| k.name == "épicerie" && k.count > 10));
    let tiles = c.category("épicerie").unwrap();
    assert!(!tiles.is_empty());
    let found = c.search("semoule").unwrap();
    assert!(found.iter().any(|p| p.name.starts_with("Semoule")));

    c.scan("6130502000100").unwrap(); // Semoule moyenne, 110,00
    c.scan("6130502000278").unwrap(); // Semoule fine, 110,00
    let weighed = tiles
        .iter()
        .find(|p| p.weighed)
        .expect("the demo catalog weighs some items");
    assert_eq!(c.scan(&weighed.code).unwrap_err().code(), "INVALID_INPUT");
    let cart = c.scan(&format!("{}*750", weighed.code)).unwrap();
    assert_eq!(cart.lines[2].qty_text, "0,750 kg");
    assert_eq!(cart.lines.len(), 3);
    let cart = c.set_qty(1, 3).unwrap();
    assert_eq!(cart.lines[0].qty, 3);
    assert_eq!(cart.lines[0].net.t, "330,00");
    assert_eq!(cart.items, 5, "3 + 1 pieces and one weighed line");
    let total = cart.total.c;
    assert_eq!(
        total,
        cart.lines.iter().map(|l| l.net.c).sum::<i64>(),
        "the total is the sum of the lines"
    );
    assert_eq!(
        total,
        cart.taxes.iter().map(|t| t.total.c).sum::<i64>(),
        "TVA lines add up to the total"
    );

    // A discount typed wrong is refused with its own code (not a generic one), and the cart is
    // as it was.
    assert_eq!(
        c.discount_line(1, "dix", None).unwrap_err().code(),
        "INVALID_AMOUNT"
    );
    assert_eq!(
        c.discount_order("150 %", None).unwrap_err().code(),
        "DISCOUNT_OVER_100_PERCENT"
    );
    assert_eq!(c.cart().unwrap().total.c, total);

    // Quick cash: the second button is the next round amount; the change is the difference.
    let quick = c.quick_amounts().unwrap();
    assert_eq!(quick[0].c, total);
    let handed = &quick[1];
    assert!(handed.c > total);
    let short = c.pay(&[cash(Some("1,00"))]).unwrap_err();
    assert_eq!(short.code(), "PAYMENT_SHORT");
    assert_eq!(
        c.cart().unwrap().lines.len(),
        3,
        "a refused payment loses nothing"
    );
    let done = c.pay(&[cash(Some(&handed.t))]).unwrap();
    assert_eq!(done.change.c, handed.c - total);
    assert_eq!(done.receipt_no, 1);
    assert!(done.receipt.contains("Semoule moyenne"), "{}", done.receipt);
    assert!(c.cart().unwrap().lines.is_empty());

    // Park and recall keep the lines.
    c.scan("6130502000100").unwrap();
    assert!(c.park(Some("Mme Benali")).unwrap().lines.is_empty());
    let parked = c.parked().unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(c.recall(&parked[0].id.to_string()).unwrap().lines.len(), 1);
    c.void_cart(true).unwrap();

    // A cashier refunds only with a manager's PIN.
    assert_eq!(c.find_sale("#1").unwrap().total.c, total);
    assert_eq!(c.refund("1", None).unwrap_err().code(), "FORBIDDEN");
    let refund = c.refund("1", Some("9999")).unwrap();
    assert_eq!(refund.total.c, total, "a refund gives back what was paid");

    let x = c.x_report().unwrap();
    assert_eq!((x.sales_count, x.refunds_count), (1, 1));
    // Her report is blind: in a cash-only shop the takings and the float she counted would
    // give the expected cash away.
    assert!(x.blind && x.net_total.is_none() && x.sales_total.is_none());
    assert!(x.taxes.is_empty() && x.by_tender.is_empty());

    // A cashier may change the language, not the scanner.
    let mut s = c.settings().unwrap();
    s.language = Lang::Ar;
    assert_eq!(c.set_settings(&s).unwrap().language, Lang::Ar);
    s.scanner.max_gap_ms = 80;
    assert_eq!(c.set_settings(&s).unwrap_err().code(), "FORBIDDEN");
    assert_eq!(c.state().unwrap().settings.language, Lang::Ar);
}

#[test]
fn a_manager_sets_the_store_and_the_printer_and_a_cashier_may_only_print_a_test_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    let printer = PrinterDto {
        uri: Some(format!("file://{}", dir.path().join("paper.bin").display())),
        paper: 80,
        lang: "ar".into(),
    };

    c.login("1111").unwrap();
    assert_eq!(c.printer().unwrap().uri, None);
    assert_eq!(c.set_printer(&printer).unwrap_err().code(), "FORBIDDEN");
    assert_eq!(c.queue_test_page().unwrap_err().code(), "NO_PRINTER");
    let mut store = c.store_details().unwrap();
    assert_eq!(store.name, "Superette El Baraka");
    store.nif = "000016001234567".into();
    assert_eq!(c.set_store_details(&store).unwrap_err().code(), "FORBIDDEN");

    c.login("9999").unwrap();
    assert_eq!(c.set_printer(&printer).unwrap(), printer);
    let bad = PrinterDto {
        uri: Some("lpt1".into()),
        ..printer.clone()
    };
    assert_eq!(
        c.set_printer(&bad).unwrap_err().code(),
        "INVALID_PRINTER_URI"
    );
    assert_eq!(
        c.printer().unwrap(),
        printer,
        "a refused URI changes nothing"
    );
    store.name = "  ".into();
    assert_eq!(
        c.set_store_details(&store).unwrap_err().code(),
        "INVALID_INPUT"
    );
    store.name = "Superette El Baraka — Bab Ezzouar".into();
    assert_eq!(c.set_store_details(&store).unwrap().nif, "000016001234567");
    assert_eq!(c.state().unwrap().store_name, store.name);

    c.login("1111").unwrap();
    let job = c.queue_test_page().unwrap();
    assert!(job > 0);
}

#[test]
fn a_price_two_terminals_changed_at_once_is_shown_on_the_stock_screen() {
    use pos_core::catalog::{self, doc};
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    c.login("9999").unwrap();
    assert!(c.stock("6130502000100").unwrap().conflicts.is_empty());

    // Two other terminals change the price while offline; both edits arrive here.
    let p = c.till.product("6130502000100").unwrap();
    let edit = |terminal: u128, dinars: i64| {
        let (mut d, _) = doc::genesis(&p).unwrap();
        d.set_actor(doc::actor(&Uuid::from_u128(terminal)));
        let edited = pos_shared::Product {
            price: Money::from_dinars(dinars),
            ..p.clone()
        };
        doc::update(&mut d, &edited, 1_000).unwrap().unwrap()
    };
    let (a, b) = (edit(0xA, 115), edit(0xB, 120));
    c.till
        .store_mut()
        .write(|tx| {
            catalog::apply_change(tx, &p.id, &a)?;
            catalog::apply_change(tx, &p.id, &b)
        })
        .unwrap();

    let shown = c.stock("6130502000100").unwrap().conflicts;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].field, "price");
    let mut values = shown[0].values.clone();
    values.sort();
    assert_eq!(values, vec!["115,00 DA", "120,00 DA"]);
}

#[test]
fn a_role_the_back_office_changes_takes_effect_at_the_next_action() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    assert!(c.login("9999").unwrap().is_manager);
    assert_eq!(
        c.stock_count("6130502000100", "12").unwrap().level_text,
        "12"
    );

    // What a sync brings: Karim is a cashier now, then he has left.
    let karim = c
        .till
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.name == "Karim")
        .unwrap();
    let pin_hash: String = c
        .till
        .store()
        .conn()
        .query_row(
            "SELECT pin_hash FROM users WHERE id = ?1",
            [karim.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    let told = |role: Role, active: bool| pos_shared::staff::StaffMember {
        id: karim.id,
        name: karim.name.clone(),
        role,
        pin_hash: pin_hash.clone(),
        active,
        added_by: None,
    };
    let demoted = told(Role::Cashier, true);
    c.till
        .store_mut()
        .write(|tx| pos_core::users::apply_member(tx, &demoted))
        .unwrap();
    let state = c.state().unwrap();
    assert!(!state.is_manager);
    assert_eq!(state.cashier.unwrap().role, Role::Cashier);
    assert_eq!(
        c.stock_count("6130502000100", "3").unwrap_err().code(),
        "FORBIDDEN"
    );

    let gone = told(Role::Cashier, false);
    c.till
        .store_mut()
        .write(|tx| pos_core::users::apply_member(tx, &gone))
        .unwrap();
    assert_eq!(c.scan("6130502000100").unwrap_err().code(), "LOGGED_OUT");
    assert_eq!(c.login("9999").unwrap_err().code(), "WRONG_PIN");
}

#[test]
fn stock_quantities_are_read_as_typed_in_the_product_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    c.login("9999").unwrap();
    // Potatoes are weighed: 19,500 kg in stock, 1,5 kg (or 1.5) more delivered.
    assert_eq!(
        c.stock_receive("00101", "1,5").unwrap().level_text,
        "21,000 kg"
    );
    assert_eq!(
        c.stock_receive("00101", "1.5").unwrap().level_text,
        "22,500 kg"
    );
    assert_eq!(
        c.stock_count("00101", "20").unwrap().level_text,
        "20,000 kg"
    );
    // Semolina is counted in pieces: a fraction or a word is refused, and says what to type.
    let half = c.stock_receive("6130502000100", "1,5").unwrap_err();
    assert_eq!(half.code(), "INVALID_QUANTITY");
    assert!(half.to_string().contains("decimal comma"), "{half}");
    assert_eq!(
        c.stock_count("6130502000100", "douze").unwrap_err().code(),
        "INVALID_QUANTITY"
    );
    assert_eq!(
        c.stock_receive("6130502000100", "12").unwrap().level_text,
        "17"
    );
}

#[test]
fn the_counter_asks_before_losing_a_cart_or_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = counter(dir.path());
    c.login("1111").unwrap();
    c.open_shift("5000").unwrap();
    c.scan("6130502000100").unwrap();
    assert_eq!(c.void_cart(false).unwrap_err().code(), "CONFIRM_VOID");
    assert_eq!(c.cart().unwrap().lines.len(), 1);
    assert!(c.void_cart(true).unwrap().lines.is_empty());

    let x = c.x_report().unwrap();
    assert!(x.blind && x.expected_cash.is_none() && x.float.is_none());
    assert!(x.net_total.is_none() && x.discounts.is_none());
    assert_eq!(c.close_shift("").unwrap_err().code(), "COUNT_MISSING");
    assert!(c.close_shift("0").unwrap().closed);
}
