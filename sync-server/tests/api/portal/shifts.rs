//! The Shifts report: every shift of a generated history, its Z figures recomputed here from
//! the raw tables (sales, payments, drawer events) by the till's rule, scoped to the user's
//! stores, and the Z export adding up to the same.

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use super::history::{generate, DAYS};
use super::{user, Browser};
use crate::helpers::spawn_app;

fn c(v: &Value) -> i64 {
    v["c"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an amount: {v}"))
}

/// Per shift, from the raw tables: [sales, refunds, sales total, refunds total, cash sales,
/// cash refunds, card sales, card refunds, cash in, cash out, float, counted].
const RAW: &str = "SELECT sh.id, ARRAY[
    (SELECT count(*) FROM sales s WHERE s.shift_id = sh.id AND s.kind = 'sale'),
    (SELECT count(*) FROM sales s WHERE s.shift_id = sh.id AND s.kind = 'refund'),
    (SELECT coalesce(sum(total), 0) FROM sales s WHERE s.shift_id = sh.id AND s.kind = 'sale'),
    (SELECT coalesce(sum(total), 0) FROM sales s WHERE s.shift_id = sh.id AND s.kind = 'refund'),
    (SELECT coalesce(sum(p.amount), 0) FROM payments p JOIN sales s ON s.id = p.sale_id
      WHERE s.shift_id = sh.id AND s.kind = 'sale' AND p.tender = 'cash'),
    (SELECT coalesce(sum(p.amount), 0) FROM payments p JOIN sales s ON s.id = p.sale_id
      WHERE s.shift_id = sh.id AND s.kind = 'refund' AND p.tender = 'cash'),
    (SELECT coalesce(sum(p.amount), 0) FROM payments p JOIN sales s ON s.id = p.sale_id
      WHERE s.shift_id = sh.id AND s.kind = 'sale' AND p.tender = 'card'),
    (SELECT coalesce(sum(p.amount), 0) FROM payments p JOIN sales s ON s.id = p.sale_id
      WHERE s.shift_id = sh.id AND s.kind = 'refund' AND p.tender = 'card'),
    (SELECT coalesce(sum(amount), 0) FROM shift_events e WHERE e.shift_id = sh.id AND e.kind = 'cash_in'),
    (SELECT coalesce(sum(amount), 0) FROM shift_events e WHERE e.shift_id = sh.id AND e.kind = 'cash_out'),
    (SELECT amount FROM shift_events e WHERE e.shift_id = sh.id AND e.kind = 'open'),
    (SELECT amount FROM shift_events e WHERE e.shift_id = sh.id AND e.kind = 'close')
  ]::int8[] FROM (SELECT DISTINCT shift_id AS id FROM shift_events) sh";

#[tokio::test]
async fn each_shifts_z_report_equals_the_raw_tables_and_stays_in_its_stores() {
    let app = spawn_app().await;
    let h = generate(&app).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    user(&app, "b@shop.dz", "manager", &[h.store_b]).await;
    let owner = Browser::signed_in(&app, "owner@shop.dz").await;

    let (status, body) = owner
        .get("/v1/portal/shifts?from=2026-10-20&to=2026-11-03")
        .await;
    assert_eq!(status, 200, "{body}");
    let shifts = body["data"]["shifts"].as_array().unwrap().clone();
    assert_eq!(
        shifts.len() as i64,
        DAYS * 3,
        "a shift a day at each of 3 tills"
    );
    let raw: HashMap<Uuid, Vec<i64>> = sqlx::query_as::<_, (Uuid, Vec<i64>)>(RAW)
        .fetch_all(&app.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let (mut short, mut over) = (0, 0);
    for s in &shifts {
        let id: Uuid = s["id"].as_str().unwrap().parse().unwrap();
        let r = &raw[&id];
        let z = &s["z"];
        assert_eq!(s["closed"], true, "{s}");
        assert_eq!(
            [
                z["sales_count"].as_i64().unwrap(),
                z["refunds_count"].as_i64().unwrap(),
                c(&z["sales_total"]),
                c(&z["refunds_total"]),
                c(&z["cash_sales"]),
                c(&z["cash_refunds"]),
                c(&z["card_sales"]),
                c(&z["card_refunds"]),
                c(&z["cash_in"]),
                c(&z["cash_out"]),
                c(&s["float"]),
                c(&z["counted_cash"]),
            ],
            r[..],
            "{s}"
        );
        // The till's rule: float + cash sales − cash refunds + cash in − cash out.
        let expected = r[10] + r[4] - r[5] + r[8] - r[9];
        assert_eq!(c(&z["expected_cash"]), expected);
        assert_eq!(c(&z["over_short"]), r[11] - expected);
        assert_eq!(c(&z["net_total"]), r[2] - r[3]);
        assert_eq!(
            z["agrees"], true,
            "the till computed the same expected cash"
        );
        short += i32::from(r[11] < expected);
        over += i32::from(r[11] > expected);
    }
    assert!(short > 0 && over > 0, "the history has short and over days");

    // One shift: TVA per rate adds up to its net takings; its drawer events in order.
    let first = shifts[0]["id"].as_str().unwrap();
    let (status, one) = owner.get(&format!("/v1/portal/shifts/{first}")).await;
    assert_eq!(status, 200, "{one}");
    let ttc: i64 = one["data"]["taxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| c(&t["total"]))
        .sum();
    assert_eq!(ttc, c(&shifts[0]["z"]["net_total"]));
    let kinds: Vec<&str> = one["data"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"open"));
    assert_eq!(kinds.last(), Some(&"close"));

    // A manager of store B sees B's shifts only, and A's shift is not found for her.
    let b = Browser::signed_in(&app, "b@shop.dz").await;
    let (_, mine) = b
        .get("/v1/portal/shifts?from=2026-10-20&to=2026-11-03")
        .await;
    let mine = mine["data"]["shifts"].as_array().unwrap();
    assert_eq!(mine.len() as i64, DAYS);
    assert!(mine.iter().all(|s| s["store_id"] == h.store_b.to_string()));
    let of_a = shifts
        .iter()
        .find(|s| s["store_id"] == h.store_a.to_string())
        .unwrap();
    let (status, _) = b
        .get(&format!(
            "/v1/portal/shifts/{}",
            of_a["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = b
        .get(&format!(
            "/v1/portal/shifts?from=2026-10-20&to=2026-11-03&stores={}",
            h.store_a
        ))
        .await;
    assert_eq!(status, 403);

    // The Z export: a row per shift, its over/short column summing to the report's.
    let (status, csv) = owner
        .text("/v1/portal/exports/z.csv?from=2026-10-20&to=2026-11-03&sep=semicolon")
        .await;
    assert_eq!(status, 200);
    let csv = csv.trim_start_matches('\u{feff}');
    let mut rows = csv.lines();
    let head: Vec<&str> = rows.next().unwrap().split(';').collect();
    let col = head.iter().position(|h| *h == "ecart").unwrap();
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), shifts.len());
    let centimes = |t: &str| -> i64 { t.replace(',', "").parse().unwrap() };
    let csv_sum: i64 = rows
        .iter()
        .map(|r| centimes(r.split(';').nth(col).unwrap()))
        .sum();
    let api_sum: i64 = shifts.iter().map(|s| c(&s["z"]["over_short"])).sum();
    assert_eq!(csv_sum, api_sum);
}
