//! A batch is applied in one go, with the same result as its entries one at a time; what the
//! database refuses is rejected alone.

use pos_shared::{MovementKind, StockMovement};
use uuid::Uuid;

use crate::apply::{hlc, sale};
use crate::helpers::{json_entry, spawn_app, TestApp};

const T0: i64 = 1_795_510_800_000; // 2026-11-24

async fn events(app: &TestApp, store: Uuid) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT split_part(subject, '.', 3) || '.' || split_part(subject, '.', 4),
                coalesce((payload->>'level')::bigint, 0)
         FROM outbox WHERE store_id = $1 AND name <> 'device.enrolled' ORDER BY store_seq",
    )
    .bind(store)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_batch_applies_as_its_entries_one_by_one() {
    let app = spawn_app().await;
    let product = Uuid::now_v7();
    // A sale after the count, the count, a later sale, and the first sale again (another seq):
    // the count arrives between the sales it frames. Ids are global, so each store gets its own.
    let entries = || {
        let first = sale(product, 3, T0 + 1_000, 1);
        let count = StockMovement {
            id: Uuid::now_v7(),
            product_id: product,
            kind: MovementKind::Count,
            qty: 50,
            hlc: hlc(T0),
            reason: Some("inventaire".into()),
            ref_id: None,
            user_id: None,
        };
        let second = sale(product, 2, T0 + 2_000, 2);
        vec![
            json_entry(1, "sale", &first.id.to_string(), &first),
            json_entry(2, "movement", &count.id.to_string(), &count),
            json_entry(3, "sale", &second.id.to_string(), &second),
            json_entry(4, "sale", &first.id.to_string(), &first),
        ]
    };

    let one_by_one = app.store("One by one").await;
    let till = app.enroll(one_by_one, "Caisse 1").await;
    for e in &entries() {
        let (status, body) = app.push(&till, vec![e.clone()]).await;
        assert_eq!(status, 200, "{body}");
    }
    let batched = app.store("Batched").await;
    let till = app.enroll(batched, "Caisse 1").await;
    let (status, body) = app.push(&till, entries()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["acked_through"], 4);
    assert_eq!(body["data"]["rejected"], serde_json::json!([]));

    assert_eq!(app.level(batched, product).await, 45);
    assert_eq!(app.level(one_by_one, product).await, 45);
    let (a, b) = (events(&app, one_by_one).await, events(&app, batched).await);
    assert_eq!(a, b, "the same events in the same order");
    assert_eq!(
        b,
        [
            ("sale.completed".to_owned(), 0),
            ("payment.captured".to_owned(), 0),
            ("stock.changed".to_owned(), -3),
            ("stock.oversold".to_owned(), -3),
            ("stock.changed".to_owned(), 47),
            ("sale.completed".to_owned(), 0),
            ("payment.captured".to_owned(), 0),
            ("stock.changed".to_owned(), 45),
        ]
    );
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales WHERE store_id = $1")
        .bind(batched)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sales, 2, "the sale sent twice is there once");
    let feed: i64 = sqlx::query_scalar("SELECT head FROM store_heads WHERE store_id = $1")
        .bind(batched)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(feed, 4, "every accepted entry is in the feed");
}

#[tokio::test]
async fn what_the_database_cannot_hold_is_rejected_alone() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let product = Uuid::now_v7();
    let before = sale(product, 1, T0, 1);
    // A rule the database holds that the server's own checks do not know (an operator's
    // constraint): a sale breaking it is refused by Postgres, alone.
    sqlx::query("ALTER TABLE sale_lines ADD CONSTRAINT at_most_999 CHECK (qty < 1000)")
        .execute(&app.pool)
        .await
        .unwrap();
    let bad = sale(product, 1000, T0 + 500, 2);
    let after = sale(product, 1, T0 + 1_000, 3);
    // Far outside any month a till could mean: refused before it reaches the database.
    let absurd = sale(product, 1, 5_000_000_000_000, 4);
    let (status, body) = app
        .push(
            &till,
            vec![
                json_entry(1, "sale", &before.id.to_string(), &before),
                json_entry(2, "sale", &bad.id.to_string(), &bad),
                json_entry(3, "sale", &after.id.to_string(), &after),
                json_entry(4, "sale", &absurd.id.to_string(), &absurd),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["acked_through"], 4);
    let rejected = body["data"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{body}");
    assert_eq!(
        (&rejected[0]["seq"], &rejected[0]["code"]),
        (&serde_json::json!(2), &serde_json::json!("INVALID_ENTRY"))
    );
    assert!(
        rejected[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot store"),
        "{body}"
    );
    assert_eq!(rejected[1]["seq"], 4);
    assert!(rejected[1]["message"].as_str().unwrap().contains("clock"));
    let stored: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, status FROM device_changes WHERE device_id = $1 ORDER BY seq")
            .bind(till.device_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let statuses: Vec<&str> = stored.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(statuses, ["applied", "rejected", "applied", "rejected"]);
    // The two good sales applied, and only they moved the stock.
    assert_eq!(app.level(store, product).await, -2);
    let (_, feed) = app.get("/v1/sync/pull?since=0", Some(&till.token)).await;
    let ids: Vec<&str> = feed["data"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [before.id.to_string(), after.id.to_string()]);
}
