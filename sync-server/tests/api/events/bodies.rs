//! Event bodies: every example in `fixtures/events/` and every event a real day emits match
//! their type's JSON Schema; the sales totals the events carry agree with Postgres' day
//! rollups; a closed shift carries the Z totals the server materialised.

use std::collections::HashMap;
use std::path::PathBuf;

use pos_shared::{
    Money, MovementKind, SaleKind, ShiftEvent, ShiftEventKind, StockMovement, TaxRate, Tender,
};
use serde_json::Value;
use sync_server::events::{self, cloudevent::Received};
use uuid::Uuid;

use super::{consume, eventually, outbox_count, serve_relaying, Nats};
use crate::apply::{hlc, priced_sale};
use crate::catalog::product;
use crate::helpers::{fresh_database, json_entry};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/events")
}

fn read(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// A validator per event name, from `fixtures/events/<name>.schema.json`.
fn validators() -> HashMap<&'static str, jsonschema::Validator> {
    events::NAMES
        .iter()
        .map(|name| {
            let schema = read(fixtures().join(format!("{name}.schema.json")));
            (*name, jsonschema::validator_for(&schema).unwrap())
        })
        .collect()
}

fn check(validators: &HashMap<&'static str, jsonschema::Validator>, event: &Value) {
    let ty = event["type"].as_str().unwrap_or_default();
    let name = ty
        .strip_prefix("dz.pos.")
        .and_then(|t| t.strip_suffix(".v1"))
        .unwrap_or_else(|| panic!("type {ty:?}"));
    let v = validators
        .get(name)
        .unwrap_or_else(|| panic!("no schema for {name}"));
    let errors: Vec<String> = v.iter_errors(event).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{event}");
}

#[test]
fn every_example_matches_its_schema() {
    let validators = validators();
    for name in events::NAMES {
        check(
            &validators,
            &read(fixtures().join(format!("{name}.example.json"))),
        );
    }
}

fn refund_of(s: &pos_shared::Sale, at_ms: i64) -> pos_shared::Sale {
    let mut r = s.clone();
    r.id = Uuid::now_v7();
    r.kind = SaleKind::Refund;
    r.refund_of = Some(s.id);
    r.receipt_no += 100;
    r.created_at_ms = at_ms;
    r.hlc = hlc(at_ms);
    r
}

fn shift_event(shift: Uuid, at_ms: i64, kind: ShiftEventKind) -> ShiftEvent {
    ShiftEvent {
        id: Uuid::now_v7(),
        shift_id: shift,
        terminal_id: Uuid::from_u128(1),
        user_id: Uuid::from_u128(3),
        hlc: hlc(at_ms),
        kind,
    }
}

#[tokio::test]
async fn a_days_events_match_their_schemas_and_agree_with_postgres() {
    let nats = Nats::start().await;
    let db = fresh_database("pos_ev_bodies").await;
    let (mut server, app) = serve_relaying(&db, &nats.url(), &[]).await;
    let (a, b) = (app.store("A").await, app.store("B").await);
    let (ta, tb) = (app.enroll(a, "A1").await, app.enroll(b, "B1").await);
    let spare = app.enroll(b, "B2").await;
    let t0 = 1_795_510_800_000; // 2026-11-24 08:00 Algiers
    let day = 86_400_000;
    let mut oil = product(1, "Huile 1L", 250);
    oil.reorder_point = 5;
    let shift = Uuid::now_v7();
    let d = Money::from_dinars;
    let sale_at = |at: i64, qty: i64, tender: Tender, n: i64| {
        let mut s = priced_sale(&[(oil.id, 250, qty)], TaxRate::STANDARD, None, at, tender);
        s.shift_id = shift;
        s.receipt_no = n;
        s
    };
    let s1 = sale_at(t0 + 1_000, 2, Tender::Cash, 1);
    let s2 = sale_at(t0 + 2_000, 1, Tender::Card, 2);
    let s3 = sale_at(t0 + day, 2, Tender::Cash, 3);
    let r1 = refund_of(&s1, t0 + day + 5_000);
    let mut e = vec![
        json_entry(1, "product_genesis", &oil.id.to_string(), &oil),
        json_entry(
            2,
            "movement",
            "m1",
            &StockMovement {
                id: Uuid::now_v7(),
                product_id: oil.id,
                kind: MovementKind::Receive,
                qty: 8,
                hlc: hlc(t0),
                reason: Some("livraison".into()),
                ref_id: None,
                user_id: None,
            },
        ),
    ];
    let open = shift_event(shift, t0 + 500, ShiftEventKind::Open { float: d(5000) });
    let cash_in = shift_event(
        shift,
        t0 + 3_000,
        ShiftEventKind::CashIn {
            amount: d(300),
            reason: "monnaie".into(),
        },
    );
    let cash_out = shift_event(
        shift,
        t0 + day + 6_000,
        ShiftEventKind::CashOut {
            amount: d(100),
            reason: "fournisseur".into(),
        },
    );
    // Cash: 5000 + 500 (s1) + 500 (s3) − 500 (r1) + 300 − 100 = 5700; 20 DA are missing.
    let close = shift_event(
        shift,
        t0 + day + 7_000,
        ShiftEventKind::Close {
            counted_cash: d(5680),
            expected_cash: d(5700),
        },
    );
    for (kind, id, body) in [
        ("shift_event", open.id, serde_json::to_value(&open).unwrap()),
        ("sale", s1.id, serde_json::to_value(&s1).unwrap()),
        ("sale", s2.id, serde_json::to_value(&s2).unwrap()),
        (
            "shift_event",
            cash_in.id,
            serde_json::to_value(&cash_in).unwrap(),
        ),
        ("sale", s3.id, serde_json::to_value(&s3).unwrap()),
        ("sale", r1.id, serde_json::to_value(&r1).unwrap()),
        (
            "shift_event",
            cash_out.id,
            serde_json::to_value(&cash_out).unwrap(),
        ),
        (
            "shift_event",
            close.id,
            serde_json::to_value(&close).unwrap(),
        ),
    ] {
        e.push(json_entry(e.len() as i64 + 1, kind, &id.to_string(), &body));
    }
    let (status, body) = app.push(&ta, e).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["rejected"], serde_json::json!([]), "{body}");
    let sb = priced_sale(
        &[(Uuid::now_v7(), 90, 3)],
        TaxRate::REDUCED,
        None,
        t0 + 9_000,
        Tender::Cash,
    );
    let (status, body) = app
        .push(&tb, vec![json_entry(1, "sale", &sb.id.to_string(), &sb)])
        .await;
    assert_eq!(status, 200, "{body}");
    sync_server::admin::revoke_device(&app.pool, spare.device_id)
        .await
        .unwrap();

    let (seen, consumer) = consume(&app, &nats, "bodies").await;
    let total = outbox_count(&app).await as usize;
    eventually(60, "every event reaches the consumer", || async {
        seen.lock().unwrap().len() >= total
    })
    .await;
    consumer.abort();
    let seen: Vec<Received> = seen.lock().unwrap().clone();
    let validators = validators();
    for e in &seen {
        check(&validators, &serde_json::to_value(e).unwrap());
        assert_eq!(
            e.source,
            format!(
                "/stores/{}/devices/{}",
                e.storeid,
                e.source.rsplit('/').next().unwrap()
            )
        );
    }
    let count = |ty: &str| {
        seen.iter()
            .filter(|e| e.ty == format!("dz.pos.{ty}.v1"))
            .count()
    };
    assert_eq!(count("payment.captured"), 4, "one per tender of each sale");
    assert_eq!(
        count("stock.low"),
        1,
        "8 → 6 → 5 crosses the reorder point once"
    );
    assert_eq!(count("device.enrolled"), 3);
    assert_eq!(count("device.revoked"), 1);
    assert_eq!(count("shift.closed"), 1);

    // Σ sale.completed − sale.refunded per store and business day = the day rollup's net.
    let mut sums: HashMap<(Uuid, String), i64> = HashMap::new();
    for e in &seen {
        let sign = match e.ty.as_str() {
            "dz.pos.sale.completed.v1" => 1,
            "dz.pos.sale.refunded.v1" => -1,
            _ => continue,
        };
        let day = e.data["business_day"].as_str().unwrap().to_owned();
        *sums.entry((e.storeid, day)).or_default() += sign * e.data["total"].as_i64().unwrap();
    }
    let rollups: Vec<(Uuid, String, i64)> =
        sqlx::query_as("SELECT store_id, day::text, net FROM day_rollups")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(rollups.len(), 3);
    for (store, day, net) in rollups {
        assert_eq!(sums.get(&(store, day.clone())), Some(&net), "{store} {day}");
    }

    let z = &seen
        .iter()
        .find(|e| e.ty == "dz.pos.shift.closed.v1")
        .unwrap()
        .data;
    assert_eq!(z["expected_cash"], 570_000);
    assert_eq!(z["counted_cash"], 568_000);
    assert_eq!(z["over_short"], -2_000);
    assert_eq!(z["sales_count"], 3);
    assert_eq!(z["refunds_count"], 1);
    let (expected, over_short, card): (i64, i64, i64) =
        sqlx::query_as("SELECT expected_cash, over_short, card_sales FROM shifts WHERE id = $1")
            .bind(shift)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((expected, over_short, card), (570_000, -2_000, 25_000));
    server.kill();
}
