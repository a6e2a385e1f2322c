//! The catalog on the server: genesis entries create products, concurrent edits from two
//! terminals merge into one row with the conflict listed, a broken product is refused alone,
//! and a new terminal's snapshot pages through it with the stock ledger that still counts.

use base64::Engine;
use pos_shared::api::{Envelope, PushEntry, SnapshotResponse};
use pos_shared::product_doc;
use pos_shared::{Money, MovementKind, Product, StockMovement, TaxRate, Unit};
use uuid::Uuid;

use crate::apply::{hlc, sale};
use crate::helpers::{json_entry, spawn_app};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub fn product(n: u128, name: &str, price: i64) -> Product {
    Product {
        id: Uuid::from_u128(0x1000 + n),
        sku: format!("SKU-{n}"),
        name_fr: name.into(),
        name_ar: String::new(),
        barcodes: vec![gtin14(n)],
        plu: None,
        price: Money::from_dinars(price),
        tax_rate: TaxRate::STANDARD,
        category: "Épicerie".into(),
        unit: Unit::Piece,
        reorder_point: 0,
        active: true,
    }
}

/// A valid GTIN-14 for a test product.
fn gtin14(n: u128) -> String {
    let body = format!("0613{n:09}");
    let check = pos_shared::gtin::check_digit(&body).unwrap();
    format!("{body}{check}")
}

/// An edit of `base` made on terminal `actor`: the automerge change bytes as an entry.
fn edit(seq: i64, actor: Uuid, base: &Product, edited: &Product) -> PushEntry {
    let (mut doc, _) = product_doc::genesis(base).unwrap();
    doc.set_actor(product_doc::actor(&actor));
    let change = product_doc::update(&mut doc, edited, 1_795_510_800_000)
        .unwrap()
        .unwrap();
    PushEntry {
        seq,
        kind: "product".into(),
        entity_id: base.id.to_string(),
        hlc: format!("{:015}-000000-0000000000000001", seq),
        body: B64.encode(change),
    }
}

#[tokio::test]
async fn edits_merge_on_the_server_and_a_new_terminal_reads_the_snapshot() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let a = app.enroll(store, "Caisse 1").await;
    let b = app.enroll(store, "Caisse 2").await;
    let oil = product(1, "Huile 1L", 250);
    let milk = product(2, "Lait", 120);
    let sugar = product(3, "Sucre", 150);
    let mut broken = product(4, "Sans code", 10);
    broken.barcodes = vec!["12345".into()];
    let stranger = product(5, "Inconnu", 10);
    let entries = vec![
        json_entry(1, "product_genesis", &oil.id.to_string(), &oil),
        json_entry(2, "product_genesis", &milk.id.to_string(), &milk),
        json_entry(3, "product_genesis", &sugar.id.to_string(), &sugar),
        json_entry(4, "product_genesis", &broken.id.to_string(), &broken),
        // An edit of a product the server has never seen is refused, the rest applies.
        edit(5, a.device_id, &stranger, &product(5, "Inconnu 2", 11)),
    ];
    let (status, body) = app.push(&a, entries).await;
    assert_eq!(status, 200, "{body}");
    let rejected: Vec<i64> = body["data"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(rejected, vec![4, 5], "{body}");
    assert!(body["data"]["rejected"][0]["message"]
        .as_str()
        .unwrap()
        .contains("GTIN"));
    assert!(
        body["data"]["rejected"][1]["message"]
            .as_str()
            .unwrap()
            .contains("is not known here: its creation must be synced first"),
        "{body}"
    );

    // Both terminals change the oil's price while offline; B also renames it.
    let on_a = Product {
        price: Money::from_dinars(260),
        ..oil.clone()
    };
    let on_b = Product {
        price: Money::from_dinars(270),
        name_fr: "Huile de table 1L".into(),
        ..oil.clone()
    };
    assert_eq!(
        app.push(&a, vec![edit(6, a.device_id, &oil, &on_a)])
            .await
            .0,
        200
    );
    assert_eq!(
        app.push(&b, vec![edit(1, b.device_id, &oil, &on_b)])
            .await
            .0,
        200
    );
    let (name, price, conflicts): (String, i64, serde_json::Value) = sqlx::query_as(
        "SELECT name_fr, price, conflicts FROM products WHERE store_id = $1 AND id = $2",
    )
    .bind(store)
    .bind(oil.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(name, "Huile de table 1L");
    assert!(price == 26_000 || price == 27_000, "{price}");
    assert_eq!(conflicts[0]["field"], "price", "{conflicts}");
    assert_eq!(conflicts[0]["values"].as_array().unwrap().len(), 2);
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE store_id = $1 AND subject LIKE '%.product.%'",
    )
    .bind(store)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, 3 + 2, "three created, two updates");

    // Stock of milk: an old receive, a count, then a sale; the snapshot ships the count and
    // what came after it, which is all a replica needs.
    let t0 = 1_795_510_800_000;
    let movement = |kind, qty, at| StockMovement {
        id: Uuid::now_v7(),
        product_id: milk.id,
        kind,
        qty,
        hlc: hlc(at),
        reason: None,
        ref_id: None,
        user_id: None,
    };
    let old = movement(MovementKind::Receive, 10, t0);
    let count = movement(MovementKind::Count, 40, t0 + 1_000);
    let sold = sale(milk.id, 3, t0 + 2_000, 1);
    let entries = vec![
        json_entry(7, "movement", &old.id.to_string(), &old),
        json_entry(8, "movement", &count.id.to_string(), &count),
        json_entry(9, "sale", &sold.id.to_string(), &sold),
    ];
    assert_eq!(app.push(&a, entries).await.0, 200);

    let c = app.enroll(store, "Caisse 3").await;
    let page = |after: Option<Uuid>| {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let (app, token) = (&app, c.token.clone());
        async move {
            let (status, body) = app
                .get(&format!("/v1/sync/snapshot?limit=2{after}"), Some(&token))
                .await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_value::<Envelope<SnapshotResponse>>(body)
                .unwrap()
                .into_result()
                .unwrap()
        }
    };
    let first = page(None).await;
    let head: i64 = sqlx::query_scalar("SELECT head FROM store_heads WHERE store_id = $1")
        .bind(store)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(first.as_of, head);
    assert!(first.more);
    assert_eq!(first.products.len(), 2);
    let second = page(first.next).await;
    assert!(!second.more);
    let products: Vec<_> = first.products.iter().chain(&second.products).collect();
    let ids: Vec<Uuid> = products.iter().map(|p| p.product.id).collect();
    assert_eq!(ids, vec![oil.id, milk.id, sugar.id]);
    // Only the edited product has a document, and it reads as the server's row.
    let oil_doc = products[0].doc.as_ref().expect("the oil was edited");
    let doc = product_doc::load(&B64.decode(oil_doc).unwrap(), &oil.id).unwrap();
    let (read, conflicts) = product_doc::read(&doc, oil.id).unwrap();
    assert_eq!(read, products[0].product);
    assert_eq!(conflicts.len(), 1);
    assert!(products[1].doc.is_none() && products[2].doc.is_none());
    assert_eq!(products[1].product, milk);
    let tail: Vec<(MovementKind, i64)> = first
        .movements
        .iter()
        .chain(&second.movements)
        .map(|m| (m.kind, m.qty))
        .collect();
    assert_eq!(
        tail,
        vec![(MovementKind::Count, 40), (MovementKind::Sale, -3)]
    );
}
