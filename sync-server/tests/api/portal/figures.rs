//! Figures add up: every figure the portal's API shows equals the same figure recomputed here
//! from the raw tables (sales, sale_lines, payments) in SQL, the day taken in Postgres's own
//! Africa/Algiers zone; payments by type sum to what was collected, and TVA per rate to the TVA.

use std::collections::BTreeMap;

use serde_json::Value;
use uuid::Uuid;

use super::history::{generate, History};
use super::{user, Browser};
use crate::helpers::{spawn_app, TestApp};

/// The sales of `stores` whose local day is in [from, to), as a CTE.
const IN_RANGE: &str = "WITH r AS (
    SELECT s.*, (s.created_at AT TIME ZONE 'Africa/Algiers')::date AS day,
           extract(hour FROM s.created_at AT TIME ZONE 'Africa/Algiers')::int4 AS hour,
           CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END AS sign
    FROM sales s WHERE s.store_id = ANY($1)
      AND (s.created_at AT TIME ZONE 'Africa/Algiers')::date >= $2::date
      AND (s.created_at AT TIME ZONE 'Africa/Algiers')::date < $3::date)";

async fn one(app: &TestApp, stores: &[Uuid], from: &str, to: &str, select: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{IN_RANGE} {select}")))
        .bind(stores)
        .bind(from)
        .bind(to)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

pub(super) async fn pairs(
    app: &TestApp,
    stores: &[Uuid],
    from: &str,
    to: &str,
    select: &str,
) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{IN_RANGE} {select}")))
            .bind(stores)
            .bind(from)
            .bind(to)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    rows.into_iter().collect()
}

pub(super) const LINES: &str =
    "FROM r JOIN sale_lines l ON l.sale_id = r.id AND l.created_at = r.created_at";

pub(super) fn c(v: &Value) -> i64 {
    v["c"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an amount: {v}"))
}

pub(super) async fn check_dashboard(
    app: &TestApp,
    b: &Browser,
    stores: &[Uuid],
    query: &str,
    from: &str,
    to: &str,
) {
    let (status, body) = b
        .get(&format!("/v1/portal/dashboard?from={from}&to={to}{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    let t = &d["totals"];
    let gross = one(
        app,
        stores,
        from,
        to,
        &format!("SELECT coalesce(sum(l.gross), 0)::int8 {LINES} WHERE r.kind = 'sale'"),
    )
    .await;
    let discounts = one(
        app,
        stores,
        from,
        to,
        &format!("SELECT coalesce(sum(l.gross - l.net), 0)::int8 {LINES} WHERE r.kind = 'sale'"),
    )
    .await;
    let refunds = one(
        app,
        stores,
        from,
        to,
        &format!("SELECT coalesce(sum(l.net), 0)::int8 {LINES} WHERE r.kind = 'refund'"),
    )
    .await;
    let totals = one(
        app,
        stores,
        from,
        to,
        "SELECT coalesce(sum(sign * total), 0)::int8 FROM r",
    )
    .await;
    let sales = one(
        app,
        stores,
        from,
        to,
        "SELECT count(*) FILTER (WHERE kind = 'sale') FROM r",
    )
    .await;
    let refund_count = one(
        app,
        stores,
        from,
        to,
        "SELECT count(*) FILTER (WHERE kind = 'refund') FROM r",
    )
    .await;
    assert!(
        sales > 0 && refund_count > 0 && discounts > 0,
        "the history has sales, refunds and discounts"
    );
    assert_eq!(c(&t["gross"]), gross);
    assert_eq!(c(&t["discounts"]), discounts);
    assert_eq!(c(&t["refunds"]), refunds);
    assert_eq!(c(&t["net"]), gross - discounts - refunds);
    assert_eq!(
        c(&t["net"]),
        totals,
        "net is what the receipts' totals add up to"
    );
    assert_eq!(t["sales"].as_i64(), Some(sales));
    assert_eq!(t["refund_count"].as_i64(), Some(refund_count));
    let sales_net = one(
        app,
        stores,
        from,
        to,
        "SELECT coalesce(sum(total), 0)::int8 FROM r WHERE kind = 'sale'",
    )
    .await;
    let avg = (sales_net as f64 / sales as f64).round() as i64;
    assert_eq!(c(&t["average_basket"]), avg);
    assert_eq!(
        t["net"]["t"],
        pos_shared::Money::from_centimes(totals).to_string()
    );

    // Payments by type, from the payments table, add up to what was collected: the net.
    let tenders = pairs(app, stores, from, to,
        "SELECT p.tender, sum(r.sign * p.amount)::int8 FROM r JOIN payments p ON p.sale_id = r.id AND p.created_at = r.created_at GROUP BY 1").await;
    let mut paid = 0;
    for p in d["payments"].as_array().unwrap() {
        let tender = p["tender"].as_str().unwrap();
        assert_eq!(
            c(&p["amount"]),
            tenders.get(tender).copied().unwrap_or(0),
            "{tender}"
        );
        paid += c(&p["amount"]);
    }
    assert_eq!(paid, c(&t["collected"]));
    assert_eq!(paid, c(&t["net"]));

    // TVA per rate, recomputed per sale by the pricing rule (HT = round(TTC × 10000 / (10000 +
    // rate)), halves away from zero), adds up to the TVA total.
    let taxes = pairs(app, stores, from, to, &format!(
        "SELECT rate::text, sum(sign * (ttc - round(ttc::numeric * 10000 / (10000 + rate))))::int8 FROM (
             SELECT r.id, r.sign, l.tax_rate AS rate, sum(l.net) AS ttc {LINES} GROUP BY r.id, r.sign, l.tax_rate) x
         GROUP BY rate")).await;
    let mut tax = 0;
    for row in d["taxes"].as_array().unwrap() {
        let rate = row["rate"]["bp"].as_i64().unwrap().to_string();
        assert_eq!(c(&row["tax"]), taxes[&rate], "TVA at {rate}");
        assert_eq!(c(&row["base"]) + c(&row["tax"]), c(&row["total"]));
        tax += c(&row["tax"]);
    }
    assert_eq!(d["taxes"].as_array().unwrap().len(), taxes.len());
    assert_eq!(tax, c(&t["tax"]));
    assert_eq!(tax, taxes.values().sum::<i64>());

    // By day and by hour.
    let days = pairs(
        app,
        stores,
        from,
        to,
        "SELECT day::text, sum(sign * total)::int8 FROM r GROUP BY 1",
    )
    .await;
    for row in d["by_day"].as_array().unwrap() {
        let day = row["day"].as_str().unwrap();
        assert_eq!(
            c(&row["current"]["net"]),
            days.get(day).copied().unwrap_or(0),
            "{day}"
        );
    }
    let hours = pairs(
        app,
        stores,
        from,
        to,
        "SELECT hour::text, sum(sign * total)::int8 FROM r GROUP BY 1",
    )
    .await;
    for row in d["by_hour"].as_array().unwrap() {
        let h = row["hour"].as_i64().unwrap().to_string();
        assert_eq!(
            c(&row["current"]["net"]),
            hours.get(&h).copied().unwrap_or(0),
            "hour {h}"
        );
    }
    // By cashier and by terminal.
    for (key, column) in [("by_cashier", "cashier_id"), ("by_terminal", "device_id")] {
        let want = pairs(
            app,
            stores,
            from,
            to,
            &format!("SELECT {column}::text, sum(sign * total)::int8 FROM r GROUP BY 1"),
        )
        .await;
        let got: BTreeMap<String, i64> = d[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_owned(), c(&r["net"])))
            .collect();
        assert_eq!(got, want, "{key}");
    }
    // Top products, by net.
    let products = pairs(
        app,
        stores,
        from,
        to,
        &format!("SELECT l.product_id::text, sum(r.sign * l.net)::int8 {LINES} GROUP BY 1"),
    )
    .await;
    let top = d["top_products"].as_array().unwrap();
    assert!(!top.is_empty());
    for p in top {
        assert_eq!(c(&p["net"]), products[p["product_id"].as_str().unwrap()]);
        assert!(
            !p["name_fr"].as_str().unwrap().is_empty(),
            "named from the catalog"
        );
    }
    let best = products.values().max().copied().unwrap();
    assert_eq!(c(&top[0]["net"]), best);
}

#[tokio::test]
async fn every_dashboard_figure_equals_the_raw_tables() {
    let app = spawn_app().await;
    let History {
        store_a, store_b, ..
    } = generate(&app).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    let b = Browser::signed_in(&app, "owner@shop.dz").await;
    // All stores, one store, and a range cutting the history in two.
    check_dashboard(
        &app,
        &b,
        &[store_a, store_b],
        "",
        "2026-10-20",
        "2026-11-01",
    )
    .await;
    check_dashboard(
        &app,
        &b,
        &[store_b],
        &format!("&stores={store_b}"),
        "2026-10-20",
        "2026-11-01",
    )
    .await;
    check_dashboard(
        &app,
        &b,
        &[store_a, store_b],
        &format!("&stores={store_a},{store_b}"),
        "2026-10-24",
        "2026-10-29",
    )
    .await;
}

#[tokio::test]
async fn a_sale_late_in_the_evening_utc_lands_on_its_algiers_day_and_tva_adds_up() {
    let app = spawn_app().await;
    let h = generate(&app).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    let b = Browser::signed_in(&app, "owner@shop.dz").await;
    let (_, body) = b
        .get(&format!("/v1/portal/receipts/{}", h.late_evening))
        .await;
    assert_eq!(
        body["data"]["at"].as_str().unwrap(),
        "2026-10-26 00:30",
        "{body}"
    );
    let total = c(&body["data"]["total"]);
    let (_, d26) = b
        .get(&format!(
            "/v1/portal/dashboard?from=2026-10-26&to=2026-10-27&stores={}",
            h.store_b
        ))
        .await;
    let (_, d25) = b
        .get(&format!(
            "/v1/portal/dashboard?from=2026-10-25&to=2026-10-26&stores={}",
            h.store_b
        ))
        .await;
    let hour0 = &d26["data"]["by_hour"][0]["current"];
    assert_eq!(
        hour0["sales"].as_i64(),
        Some(1),
        "the only sale between midnight and 1 am"
    );
    assert_eq!(c(&hour0["net"]), total);
    assert_eq!(
        d25["data"]["by_hour"][23]["current"]["sales"].as_i64(),
        Some(0)
    );

    // TVA per month and rate adds up, and equals the dashboard's.
    let (status, tva) = b.get("/v1/portal/tva?from=2026-10-01&to=2026-12-01").await;
    assert_eq!(status, 200, "{tva}");
    let (_, dash) = b
        .get("/v1/portal/dashboard?from=2026-10-01&to=2026-12-01")
        .await;
    let t = &tva["data"];
    let months = t["months"].as_array().unwrap();
    assert_eq!(months.len(), 2, "October and November");
    let sum: i64 = months.iter().map(|m| c(&m["tax"])).sum();
    assert_eq!(sum, c(&t["tax"]));
    assert_eq!(c(&t["tax"]), c(&dash["data"]["totals"]["tax"]));
    for m in months {
        let rates: i64 = m["rates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| c(&r["tax"]))
            .sum();
        assert_eq!(rates, c(&m["tax"]));
    }
    assert_eq!(
        c(&t["base"]) + c(&t["tax"]),
        c(&dash["data"]["totals"]["net"]),
        "HT + TVA = TTC"
    );
}

#[tokio::test]
async fn receipts_page_through_every_sale_once_and_the_exports_add_up() {
    let app = spawn_app().await;
    let h = generate(&app).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    let b = Browser::signed_in(&app, "owner@shop.dz").await;
    let stores = [h.store_a, h.store_b];
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (status, body) = b
            .get(&format!(
                "/v1/portal/receipts?from=2026-10-20&to=2026-11-01&limit=37&after={after}"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        for r in body["data"]["receipts"].as_array().unwrap() {
            seen.push(r["id"].as_str().unwrap().to_owned());
        }
        match body["data"]["next"].as_str() {
            Some(n) => after = n.to_owned(),
            None => break,
        }
    }
    let want: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "{IN_RANGE} SELECT id::text FROM r ORDER BY created_at DESC, id DESC"
    )))
    .bind(&stores[..])
    .bind("2026-10-20")
    .bind("2026-11-01")
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(seen, want, "newest first, each once");

    // Filters: a terminal, a receipt number, an amount, a product.
    let t = h.terminals[2].device_id;
    let (_, body) = b
        .get(&format!("/v1/portal/receipts?terminal={t}&receipt_no=3"))
        .await;
    let rows = body["data"]["receipts"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["receipt_no"].as_i64(), Some(3));
    let (_, body) = b
        .get("/v1/portal/receipts?min=1000&kind=sale&limit=200")
        .await;
    let rows = body["data"]["receipts"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| c(&r["total"]) >= 100_000));
    let (_, body) = b.get("/v1/portal/receipts?product=VIA-KG&limit=5").await;
    let first = body["data"]["receipts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, receipt) = b.get(&format!("/v1/portal/receipts/{first}")).await;
    let lines = receipt["data"]["lines"].as_array().unwrap();
    assert!(lines
        .iter()
        .any(|l| l["sku"] == "VIA-KG" && l["quantity"].as_str().unwrap().ends_with(" kg")));
    let line_net: i64 = lines.iter().map(|l| c(&l["net"])).sum();
    assert_eq!(line_net, c(&receipt["data"]["total"]));
    let tax_total: i64 = receipt["data"]["taxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| c(&t["total"]))
        .sum();
    assert_eq!(tax_total, c(&receipt["data"]["total"]));

    // A refund links back to its sale, and the sale to its refunds.
    let (_, body) = b.get("/v1/portal/receipts?kind=refund&limit=1").await;
    let refund = body["data"]["receipts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, r) = b.get(&format!("/v1/portal/receipts/{refund}")).await;
    let sale = r["data"]["refund_of"]["id"].as_str().unwrap().to_owned();
    let (_, s) = b.get(&format!("/v1/portal/receipts/{sale}")).await;
    assert!(s["data"]["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == refund.as_str()));

    // The lines export: BOM, `;` and decimal commas, one row per line, nets summing to the net.
    let (status, csv) = b
        .text("/v1/portal/exports/lines.csv?from=2026-10-20&to=2026-11-01&sep=semicolon")
        .await;
    assert_eq!(status, 200);
    assert!(csv.starts_with('\u{feff}'));
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(rows[0].starts_with("date;magasin;caisse;ticket"));
    let lines_in_range = one(
        &app,
        &stores,
        "2026-10-20",
        "2026-11-01",
        &format!("SELECT count(*) {LINES}"),
    )
    .await;
    assert_eq!(rows.len() as i64 - 1, lines_in_range);
    let net: i64 = rows[1..]
        .iter()
        .map(|r| {
            let cell = r.rsplit(';').next().unwrap();
            let (whole, cents) = cell.split_once(',').unwrap();
            let sign = if whole.starts_with('-') { -1 } else { 1 };
            sign * (whole.trim_start_matches('-').parse::<i64>().unwrap() * 100
                + cents.parse::<i64>().unwrap())
        })
        .sum();
    let (_, dash) = b
        .get("/v1/portal/dashboard?from=2026-10-20&to=2026-11-01")
        .await;
    assert_eq!(net, c(&dash["data"]["totals"]["net"]));
    let (status, csv) = b
        .text("/v1/portal/exports/receipts.csv?from=2026-10-20&to=2026-11-01")
        .await;
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), seen.len() + 1);
    let (status, csv) = b
        .text("/v1/portal/exports/tva.csv?from=2026-10-20&to=2026-11-01")
        .await;
    assert_eq!(status, 200);
    assert!(csv.contains("2026-10,1900,"), "{csv}");
}
