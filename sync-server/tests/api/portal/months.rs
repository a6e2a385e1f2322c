//! Ranges over months: the dashboard's breakdowns read month rows from the month rollups, with
//! the edge days from the day rollups added or taken back, and every figure still equals the
//! raw tables.
//! The history runs from July to early November at two stores; a sale synced weeks late lands
//! in an old whole month, another on an edge day, and a refund of a July sale made in
//! September is subtracted in September.

use pos_shared::api::PushEntry;
use sync_server::demo::{self, Rng, Till};
use sync_server::portal::breakdowns::Span;
use sync_server::portal::views::{parse_day, Days};
use uuid::Uuid;

use super::figures::{c, check_dashboard, pairs, LINES};
use super::history::DAY_MS;
use super::{user, Browser};
use crate::helpers::{json_entry, spawn_app, Terminal, TestApp};

/// 2026-07-01 00:00 in Algiers (UTC+1), in ms.
const JULY_1_MS: i64 = 1_782_860_400_000;
/// Every third day from July 1st to November 5th.
const DAYS: i64 = 128;

async fn push(app: &TestApp, t: &Terminal, next_seq: &mut i64, mut entries: Vec<PushEntry>) {
    for e in &mut entries {
        e.seq = *next_seq;
        *next_seq += 1;
    }
    for chunk in entries.chunks(400) {
        let (status, body) = app.push(t, chunk.to_vec()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["rejected"], serde_json::json!([]), "{body}");
    }
}

fn sale_entry(s: &pos_shared::Sale) -> PushEntry {
    json_entry(0, "sale", &s.id.to_string(), s)
}

/// Sales at both stores over four months; returns the stores.
async fn months_of_history(app: &TestApp) -> (Uuid, Uuid) {
    let mut rng = Rng::new(10);
    let store_a = app.store("Superette El Baraka").await;
    let store_b = app.store("Superette Ennour").await;
    for store in [store_a, store_b] {
        let products = demo::catalog(store);
        let t = app.enroll(store, "Caisse 1").await;
        let cashiers = vec![rng.uuid(), rng.uuid()];
        let mut till = Till::new(&mut rng, store, cashiers);
        let mut seq = 1;
        let mut entries: Vec<PushEntry> = products
            .iter()
            .map(|p| json_entry(0, "product_genesis", &p.id.to_string(), p))
            .collect();
        let mut july = None;
        for d in (0..DAYS).step_by(3) {
            for s in demo::day(&mut rng, &mut till, &products, JULY_1_MS + d * DAY_MS, 6) {
                july.get_or_insert_with(|| s.clone());
                entries.push(sale_entry(&s));
            }
        }
        push(app, &t, &mut seq, entries).await;
        // Synced weeks late: a sale of 2026-08-12 (a whole month of the range below), one of
        // 2026-07-20 (an edge day), and on 2026-09-10 a refund of the first July sale.
        let mut late = Vec::new();
        for (day, hour) in [(42, 11), (19, 15)] {
            let at = JULY_1_MS + day * DAY_MS + hour * 3_600_000;
            late.push(demo::sale(&mut rng, &mut till, &products, at).expect("a sale"));
        }
        let of = july.expect("a July sale");
        let at = JULY_1_MS + 71 * DAY_MS + 10 * 3_600_000;
        late.push(demo::refund(&mut rng, &mut till, &of, at).expect("a refund"));
        push(app, &t, &mut seq, late.iter().map(sale_entry).collect()).await;
    }
    (store_a, store_b)
}

/// The TVA report over a range: each month's TVA and base per rate equal the raw tables', by
/// the pricing rule per sale, in whatever mix of month and day rows the report read them.
async fn check_tva(app: &TestApp, b: &Browser, stores: &[Uuid], query: &str, from: &str, to: &str) {
    let (status, body) = b
        .get(&format!("/v1/portal/tva?from={from}&to={to}{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    let want = pairs(
        app,
        stores,
        from,
        to,
        &format!(
            "SELECT month || '/' || rate || '/' || what, v FROM (
             SELECT to_char(day, 'YYYY-MM') AS month, rate,
                    sum(sign * round(ttc::numeric * 10000 / (10000 + rate)))::int8 AS base,
                    sum(sign * (ttc - round(ttc::numeric * 10000 / (10000 + rate))))::int8 AS tax
             FROM (SELECT r.id, r.day, r.sign, l.tax_rate AS rate, sum(l.net) AS ttc {LINES}
                   GROUP BY r.id, r.day, r.sign, l.tax_rate) x
             GROUP BY 1, 2) m, LATERAL (VALUES ('base', base), ('tax', tax)) AS v(what, v)"
        ),
    )
    .await;
    let mut got = std::collections::BTreeMap::new();
    for m in body["data"]["months"].as_array().unwrap() {
        for r in m["rates"].as_array().unwrap() {
            let key = format!("{}/{}", m["month"].as_str().unwrap(), r["rate"]["bp"]);
            got.insert(format!("{key}/base"), c(&r["base"]));
            got.insert(format!("{key}/tax"), c(&r["tax"]));
        }
    }
    assert_eq!(got, want, "TVA {from} to {to}");
}

/// The dashboard and the TVA report over a range, each figure against the raw tables.
async fn check_range(
    app: &TestApp,
    b: &Browser,
    stores: &[Uuid],
    query: &str,
    from: &str,
    to: &str,
) {
    check_dashboard(app, b, stores, query, from, to).await;
    check_tva(app, b, stores, query, from, to).await;
}

fn span(from: &str, to: &str) -> Span {
    Span::of(Days {
        from: parse_day(from).unwrap(),
        to: parse_day(to).unwrap(),
    })
}

/// The month tables' rows, in order, as text.
async fn month_rows(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for (table, key) in [
        (
            "product_month_rollups",
            "product_id::text || qty || '/' || gross || '/' || net",
        ),
        (
            "hour_month_rollups",
            "hour::text || '/' || sales || '/' || refunds || '/' || net",
        ),
        (
            "cashier_month_rollups",
            "cashier_id::text || sales || '/' || refunds || '/' || net",
        ),
        (
            "device_month_rollups",
            "device_id::text || sales || '/' || refunds || '/' || net",
        ),
        (
            "tax_month_rollups",
            "rate::text || '/' || base || '/' || tax",
        ),
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT '{table} ' || store_id || ' ' || month || ' ' || {key}
             FROM {table} ORDER BY 1"
        )))
        .fetch_all(&app.pool)
        .await
        .unwrap();
        out.extend(rows);
    }
    out
}

#[tokio::test]
async fn ranges_over_whole_months_and_edge_days_equal_the_raw_tables() {
    let app = spawn_app().await;
    let (store_a, store_b) = months_of_history(&app).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    let b = Browser::signed_in(&app, "owner@shop.dz").await;

    // Most of July, August and September, most of October: four month rows less the days
    // outside at both ends.
    let s = span("2026-07-15", "2026-10-20");
    assert_eq!(s.months(), 4, "{s:?}");
    assert!(
        s.edges.iter().all(|e| e.sign == -1 && e.to > e.from),
        "{s:?}"
    );
    check_range(
        &app,
        &b,
        &[store_a, store_b],
        "",
        "2026-07-15",
        "2026-10-20",
    )
    .await;
    // A week of July, August, four days of September: days added to a month row.
    let s = span("2026-07-25", "2026-09-05");
    assert_eq!(s.months(), 1, "{s:?}");
    assert!(
        s.edges.iter().all(|e| e.sign == 1 && e.to > e.from),
        "{s:?}"
    );
    check_range(
        &app,
        &b,
        &[store_a, store_b],
        "",
        "2026-07-25",
        "2026-09-05",
    )
    .await;
    // One store, July to October exactly: month rows only.
    let s = span("2026-07-01", "2026-11-01");
    assert_eq!((s.months(), s.days()), (4, 0));
    check_range(
        &app,
        &b,
        &[store_b],
        &format!("&stores={store_b}"),
        "2026-07-01",
        "2026-11-01",
    )
    .await;
    // Within August, most of it: its month row less the days outside.
    let s = span("2026-08-03", "2026-08-29");
    assert_eq!((s.months(), s.days()), (1, 5));
    check_range(
        &app,
        &b,
        &[store_a, store_b],
        "",
        "2026-08-03",
        "2026-08-29",
    )
    .await;
    // Across two months, neither whole: every day from the day rows, grouped by month.
    check_tva(
        &app,
        &b,
        &[store_a, store_b],
        "",
        "2026-08-20",
        "2026-09-10",
    )
    .await;

    // The late sale is in August's month rows: August from the month table equals the raw
    // tables for August.
    let (month_net, raw_net): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT sum(net)::int8 FROM device_month_rollups WHERE month = '2026-08-01'),
                (SELECT sum(CASE kind WHEN 'refund' THEN -total ELSE total END)::int8 FROM sales
                 WHERE (created_at AT TIME ZONE 'Africa/Algiers')::date >= '2026-08-01'
                   AND (created_at AT TIME ZONE 'Africa/Algiers')::date < '2026-09-01')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(month_net, raw_net);

    // Migrations 0010's and 0013's backfills, run again over the day rows, give the same month
    // rows the pushes kept: an existing database is right after the upgrade.
    let kept = month_rows(&app).await;
    assert!(kept.len() > 100, "{}", kept.len());
    assert!(kept.iter().any(|r| r.starts_with("tax_month_rollups")));
    let backfill = |migration: &'static str| &migration[migration.find("-- Backfill").unwrap()..];
    let months = backfill(include_str!(
        "../../../../migrations/server/0010_month_rollups.sql"
    ));
    let taxes = backfill(include_str!(
        "../../../../migrations/server/0013_tax_month_rollups.sql"
    ));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "TRUNCATE product_month_rollups, hour_month_rollups, cashier_month_rollups,
                  device_month_rollups, tax_month_rollups;
         {months}
         {taxes}"
    )))
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(month_rows(&app).await, kept);
}
