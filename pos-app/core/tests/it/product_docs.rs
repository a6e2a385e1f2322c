//! Products as automerge documents: the genesis every replica builds alike, concurrent edits
//! that merge with their conflicts visible, and catalog re-imports that edit only what changed.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use automerge::AutoCommit;
use pos_core::catalog::doc;
use pos_core::Till;
use pos_shared::{FixedClock, Money, Product, Role, SeqIds, TaxRate, Unit};
use uuid::Uuid;

fn semoule() -> Product {
    Product {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        sku: "EPI-0001".into(),
        name_fr: "Semoule moyenne Sim 1 kg".into(),
        name_ar: "سميد متوسط سيم 1 كغ".into(),
        barcodes: vec!["06130502000100".into(), "06130502000117".into()],
        plu: None,
        price: Money::from_dinars(110),
        tax_rate: TaxRate::ZERO,
        category: "épicerie".into(),
        unit: Unit::Piece,
        reorder_point: 10,
        active: true,
    }
}

#[test]
fn replicas_build_the_same_genesis_and_merge_concurrent_edits() {
    let p = semoule();
    let (_, first) = doc::genesis(&p).unwrap();
    let mut reordered = p.clone();
    reordered.barcodes.reverse();
    let (_, second) = doc::genesis(&reordered).unwrap();
    assert_eq!(first, second, "barcode order must not change the genesis");

    // Two terminals start from their own genesis and edit the same product while offline.
    let terminal_a = Uuid::from_u128(0xA);
    let terminal_b = Uuid::from_u128(0xB);
    let (mut a, _) = doc::genesis(&p).unwrap();
    a.set_actor(doc::actor(&terminal_a));
    let (mut b, _) = doc::genesis(&p).unwrap();
    b.set_actor(doc::actor(&terminal_b));
    let a_edit = doc::update(
        &mut a,
        &Product {
            price: Money::from_dinars(115),
            ..p.clone()
        },
        1_000,
    )
    .unwrap()
    .unwrap();
    let b_price_and_name = Product {
        price: Money::from_dinars(120),
        name_fr: "Semoule moyenne SIM 1 kg".into(),
        ..p.clone()
    };
    let b_edit = doc::update(&mut b, &b_price_and_name, 2_000)
        .unwrap()
        .unwrap();
    assert!(
        doc::update(&mut b, &b_price_and_name, 3_000)
            .unwrap()
            .is_none(),
        "no-op edit"
    );

    // Each applies the other's change bytes (what sync carries) and they converge.
    a.load_incremental(&b_edit).unwrap();
    b.load_incremental(&a_edit).unwrap();
    let (on_a, conflicts_a) = doc::read(&a, p.id).unwrap();
    let (on_b, conflicts_b) = doc::read(&b, p.id).unwrap();
    assert_eq!(on_a, on_b);
    assert_eq!(conflicts_a, conflicts_b);
    assert_eq!(
        on_a.name_fr, "Semoule moyenne SIM 1 kg",
        "an edit nobody contested wins"
    );
    assert!([Money::from_dinars(115), Money::from_dinars(120)].contains(&on_a.price));
    let price = conflicts_a
        .iter()
        .find(|c| c.field == "price")
        .expect("price conflict shown");
    assert_eq!(price.values.len(), 2);
    assert!(!conflicts_a.iter().any(|c| c.field == "name_fr"));

    // A later edit on either side resolves the conflict.
    let settle = Product {
        price: Money::from_dinars(118),
        ..on_a
    };
    let fix = doc::update(&mut a, &settle, 4_000).unwrap().unwrap();
    b.load_incremental(&fix).unwrap();
    let (settled, none) = doc::read(&b, p.id).unwrap();
    assert_eq!((settled.price, none.len()), (Money::from_dinars(118), 0));

    // Saved and loaded, the document is the same.
    let reloaded = AutoCommit::load(&b.save()).unwrap();
    assert_eq!(doc::read(&reloaded, p.id).unwrap().0, settled);
}

#[test]
fn a_reimport_edits_only_the_changed_products() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let mut till = Till::init(dir.path(), "S", "Caisse 1", clock, Arc::new(SeqIds::new())).unwrap();
    till.add_user(None, "Admin", Role::Admin, "0000").unwrap();
    let admin = till.login("0000").unwrap();
    let csv = "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
               EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,5\n\
               BOI-0001,6130100000014,,\"Eau minérale Ifri 1,5 L\",ماء,boissons,\"45,00\",19,piece,24,60\n";
    let file = dir.path().join("catalog.csv");
    std::fs::write(&file, csv).unwrap();
    let first = till
        .import_catalog(Some(&admin), &file, &mut |_, _| {})
        .unwrap();
    assert_eq!(
        (first.created, first.errors.len()),
        (2, 0),
        "{:?}",
        first.errors
    );
    std::fs::write(&file, csv.replace("\"45,00\"", "\"50,00\"")).unwrap();
    let second = till
        .import_catalog(Some(&admin), &file, &mut |_, _| {})
        .unwrap();
    assert_eq!(
        (second.created, second.updated, second.unchanged),
        (0, 1, 1)
    );
    assert_eq!(
        till.product("6130100000014").unwrap().price,
        Money::from_dinars(50)
    );
    assert_eq!(
        till.stock_show("BOI-0001").unwrap().level,
        60,
        "a re-import leaves stock alone"
    );

    let conn = till.store().conn();
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM change_log WHERE kind LIKE 'product%' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kinds, ["product_genesis", "product_genesis", "product"]);
    let docs: i64 = conn
        .query_row("SELECT count(*) FROM product_docs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(docs, 1, "only the edited product needed a stored document");
    let hits = till.find_products("eau ifri", 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].price, Money::from_dinars(50));
}
