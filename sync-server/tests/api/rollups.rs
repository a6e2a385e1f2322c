//! The portal's day and product rollups follow the sales tables: each new sale is added once,
//! a refund is subtracted, a re-sent or refused sale changes nothing, and the business day is
//! Algiers time.

use pos_shared::{pricing, Discount, Hlc, Money, Payment, Sale, SaleKind, TaxRate, Tender};
use uuid::Uuid;

use crate::apply::priced_sale;
use crate::helpers::{json_entry, spawn_app, TestApp};

/// A sale of `items` (product, unit price in dinars, qty) at 19 %, with an order discount of
/// 10 % when `discounted`, paid by `tender`.
fn sale(items: &[(Uuid, i64, i64)], at_ms: i64, discounted: bool, tender: Tender) -> Sale {
    let discount = discounted.then_some(Discount::Percent(1000));
    priced_sale(items, TaxRate::STANDARD, discount, at_ms, tender)
}

/// A refund of the first line of `of`, whole, in cash: positive amounts, as a till writes it.
fn refund(of: &Sale, at_ms: i64) -> Sale {
    let line = of.lines[0].clone();
    let taxes = pricing::taxes_of_nets(&[(line.tax_rate, line.net)]).unwrap();
    Sale {
        id: Uuid::now_v7(),
        kind: SaleKind::Refund,
        refund_of: Some(of.id),
        hlc: Hlc::new(at_ms, 0, 1),
        created_at_ms: at_ms,
        subtotal: line.gross,
        discount_total: line.gross - line.net,
        total: line.net,
        taxes,
        payments: vec![Payment {
            tender: Tender::Cash,
            amount: line.net,
            tendered: line.net,
            reference: None,
        }],
        lines: vec![line],
        ..of.clone()
    }
}

type DayRow = (String, i64, i64, i64, i64, i64, i64, i64, i64);
type ProductRow = (String, Uuid, i64, i64, i64);
type SumRow = (String, i64, i64, i64, i64, i64, i64, i64);

async fn day_rollups(app: &TestApp, store: Uuid) -> Vec<DayRow> {
    sqlx::query_as(
        "SELECT day::text, sales, refunds, gross, discount, net, tax, cash, card
         FROM day_rollups WHERE store_id = $1 ORDER BY day",
    )
    .bind(store)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// The same sums recomputed from the sales tables, the day taken in Postgres's own
/// Africa/Algiers zone (tax comes from the records pushed: the tables do not hold it).
async fn day_sums(app: &TestApp, store: Uuid, tax: &[(String, i64)]) -> Vec<DayRow> {
    let rows: Vec<SumRow> = sqlx::query_as(
        "WITH s AS (SELECT id, kind, (created_at AT TIME ZONE 'Africa/Algiers')::date::text AS day,
                           CASE kind WHEN 'refund' THEN -1 ELSE 1 END AS sign
                    FROM sales WHERE store_id = $1)
         SELECT s.day,
                count(*) FILTER (WHERE kind = 'sale'), count(*) FILTER (WHERE kind = 'refund'),
                (SELECT sum(sign * gross) FROM sale_lines l JOIN s t ON t.id = l.sale_id WHERE t.day = s.day)::bigint,
                (SELECT sum(sign * (gross - net)) FROM sale_lines l JOIN s t ON t.id = l.sale_id WHERE t.day = s.day)::bigint,
                (SELECT sum(sign * net) FROM sale_lines l JOIN s t ON t.id = l.sale_id WHERE t.day = s.day)::bigint,
                (SELECT coalesce(sum(sign * amount) FILTER (WHERE tender = 'cash'), 0) FROM payments p JOIN s t ON t.id = p.sale_id WHERE t.day = s.day)::bigint,
                (SELECT coalesce(sum(sign * amount) FILTER (WHERE tender = 'card'), 0) FROM payments p JOIN s t ON t.id = p.sale_id WHERE t.day = s.day)::bigint
         FROM s GROUP BY s.day ORDER BY s.day",
    )
    .bind(store)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(day, sales, refunds, gross, discount, net, cash, card)| {
            let t = tax.iter().filter(|(d, _)| *d == day).map(|(_, t)| t).sum();
            (day, sales, refunds, gross, discount, net, t, cash, card)
        })
        .collect()
}

#[tokio::test]
async fn rollups_add_each_new_sale_once_and_subtract_refunds() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let other = app.store("Autre").await;
    let till = app.enroll(store, "Caisse 1").await;
    let elsewhere = app.enroll(other, "Caisse 1").await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let t0 = 1_795_510_800_000; // 2026-11-24 09:00 UTC
    let morning = sale(&[(a, 120, 3), (b, 45, 2)], t0, false, Tender::Cash);
    let noon = sale(&[(a, 120, 1)], t0 + 3 * 3_600_000, true, Tender::Card);
    // 23:30 UTC on the 24th is 00:30 on the 25th in Algiers.
    let night = sale(
        &[(b, 45, 4)],
        t0 + 14 * 3_600_000 + 1_800_000,
        false,
        Tender::Cash,
    );
    let mut tampered = sale(&[(a, 120, 9)], t0 + 1_000, false, Tender::Cash);
    tampered.total = Money::from_dinars(1);
    let entries = vec![
        json_entry(1, "sale", &morning.id.to_string(), &morning),
        json_entry(2, "sale", &noon.id.to_string(), &noon),
        json_entry(3, "sale", &night.id.to_string(), &night),
        json_entry(4, "sale", &tampered.id.to_string(), &tampered),
        // The same sale twice in one batch.
        json_entry(5, "sale", &noon.id.to_string(), &noon),
    ];
    let (status, body) = app.push(&till, entries.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["rejected"].as_array().unwrap().len(), 1);

    // The batch again (a lost answer), then the refund with the morning's sale re-sent under
    // new numbers (a till restored from a backup), and a sale in another store.
    assert_eq!(app.push(&till, entries).await.0, 200);
    let back = refund(&morning, t0 + 5 * 3_600_000);
    let later = vec![
        json_entry(6, "sale", &back.id.to_string(), &back),
        json_entry(7, "sale", &morning.id.to_string(), &morning),
    ];
    let (status, body) = app.push(&till, later).await;
    assert_eq!(
        (status, &body["data"]["rejected"]),
        (200, &serde_json::json!([]))
    );
    let far = sale(&[(a, 120, 7)], t0, false, Tender::Cash);
    let (status, _) = app
        .push(
            &elsewhere,
            vec![json_entry(1, "sale", &far.id.to_string(), &far)],
        )
        .await;
    assert_eq!(status, 200);

    let day = |s: &Sale, sign: i64| {
        let d = if s.created_at_ms > t0 + 14 * 3_600_000 {
            "2026-11-25"
        } else {
            "2026-11-24"
        };
        (
            d.to_owned(),
            sign * s.taxes.iter().map(|t| t.tax.centimes()).sum::<i64>(),
        )
    };
    let tax = [
        day(&morning, 1),
        day(&noon, 1),
        day(&night, 1),
        day(&back, -1),
    ];
    let rollups = day_rollups(&app, store).await;
    assert_eq!(rollups, day_sums(&app, store, &tax).await);
    // By hand: on the 24th, 3×120 + 2×45 + 120 = 570 DA gross, 12 DA off the noon sale, the
    // 360 DA of the first line refunded; on the 25th (Algiers), 4×45 = 180 DA.
    let d24 = &rollups[0];
    assert_eq!((d24.0.as_str(), d24.1, d24.2), ("2026-11-24", 2, 1));
    assert_eq!((d24.3, d24.4, d24.5), (21_000, 1_200, 19_800));
    assert_eq!((d24.7, d24.8), (9_000, 10_800));
    let d25 = &rollups[1];
    assert_eq!(
        (d25.0.as_str(), d25.1, d25.2, d25.5),
        ("2026-11-25", 1, 0, 18_000)
    );
    assert_eq!(rollups.len(), 2);

    let products: Vec<ProductRow> = sqlx::query_as(
        "SELECT day::text, product_id, qty, gross, net FROM product_day_rollups
         WHERE store_id = $1 ORDER BY day, product_id",
    )
    .bind(store)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let recomputed: Vec<ProductRow> = sqlx::query_as(
        "SELECT (s.created_at AT TIME ZONE 'Africa/Algiers')::date::text AS day, l.product_id,
                sum(CASE s.kind WHEN 'refund' THEN -l.qty ELSE l.qty END)::bigint,
                sum(CASE s.kind WHEN 'refund' THEN -l.gross ELSE l.gross END)::bigint,
                sum(CASE s.kind WHEN 'refund' THEN -l.net ELSE l.net END)::bigint
         FROM sale_lines l JOIN sales s ON s.id = l.sale_id
         WHERE s.store_id = $1 GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(store)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(products, recomputed);
    let a24 = products
        .iter()
        .find(|p| p.0 == "2026-11-24" && p.1 == a)
        .unwrap();
    assert_eq!(a24.2, 1, "3 sold in the morning, 1 at noon, 3 refunded");

    let (sales, net): (i64, i64) =
        sqlx::query_as("SELECT sales, net FROM day_rollups WHERE store_id = $1")
            .bind(other)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((sales, net), (1, far.total.centimes()));
}
