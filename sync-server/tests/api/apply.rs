//! Pushed sales and movements land in the sales tables and the stock ledger exactly once, with
//! their totals checked against their lines; a tampered sale is refused alone.

use pos_shared::{
    pricing, Discount, Hlc, Money, MovementKind, Payment, PriceLine, Sale, SaleKind, SaleLine,
    StockMovement, TaxRate, Tender, Unit,
};
use uuid::Uuid;

use crate::helpers::{json_entry, spawn_app};

pub fn hlc(ms: i64) -> Hlc {
    Hlc {
        wall_ms: ms,
        counter: 0,
        node: 1,
    }
}

/// A sale of `items` (product, unit price in dinars, qty) at `rate`, with `order_discount`,
/// paid in full by `tender`, priced by the one pricing function as a till does.
pub fn priced_sale(
    items: &[(Uuid, i64, i64)],
    rate: TaxRate,
    order_discount: Option<Discount>,
    at_ms: i64,
    tender: Tender,
) -> Sale {
    let price_lines: Vec<PriceLine> = items
        .iter()
        .map(|(_, price, qty)| PriceLine {
            unit_price: Money::from_dinars(*price),
            qty: *qty,
            unit: Unit::Piece,
            tax_rate: rate,
            discount: None,
        })
        .collect();
    let totals = pricing::price(&price_lines, order_discount.as_ref()).unwrap();
    let lines = items
        .iter()
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, ((product, price, qty), t))| SaleLine {
            line_no: i as u32 + 1,
            product_id: *product,
            sku: format!("SKU-{i}"),
            name: format!("Article {i}"),
            barcode: None,
            unit: Unit::Piece,
            qty: *qty,
            unit_price: Money::from_dinars(*price),
            tax_rate: rate,
            discount: None,
            gross: t.gross,
            line_discount: t.line_discount,
            order_discount: t.order_discount,
            net: t.net,
        })
        .collect();
    Sale {
        id: Uuid::now_v7(),
        kind: SaleKind::Sale,
        refund_of: None,
        store_id: Uuid::nil(),
        terminal_id: Uuid::from_u128(1),
        receipt_no: 1,
        shift_id: Uuid::from_u128(2),
        cashier_id: Uuid::from_u128(3),
        hlc: Hlc::new(at_ms, 0, 1),
        created_at_ms: at_ms,
        lines,
        order_discount,
        subtotal: totals.subtotal,
        discount_total: totals.discount_total,
        total: totals.total,
        taxes: totals.taxes,
        payments: vec![Payment {
            tender,
            amount: totals.total,
            tendered: totals.total,
            reference: None,
        }],
        change: Money::ZERO,
    }
}

/// A sale of `qty` semolina at 110,00 DA (TVA 9 %), paid in cash.
pub fn sale(product: Uuid, qty: i64, at_ms: i64, receipt_no: i64) -> Sale {
    let mut sale = priced_sale(
        &[(product, 110, qty)],
        TaxRate::REDUCED,
        None,
        at_ms,
        Tender::Cash,
    );
    sale.receipt_no = receipt_no;
    sale
}

#[tokio::test]
async fn sales_and_counts_make_the_stock_level_once() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let product = Uuid::now_v7();
    let t0 = 1_795_510_800_000; // 2026-11-24
    let count = StockMovement {
        id: Uuid::now_v7(),
        product_id: product,
        kind: MovementKind::Count,
        qty: 50,
        hlc: hlc(t0),
        reason: None,
        ref_id: None,
        user_id: None,
    };
    let first = sale(product, 3, t0 + 1_000, 1);
    // A sale from the month before (a terminal offline across the month's end): its partition
    // is made on the way in.
    let late = sale(product, 1, t0 - 40 * 86_400_000, 2);
    let mut tampered = sale(product, 2, t0 + 2_000, 3);
    tampered.total = Money::from_dinars(1);
    let entries = vec![
        json_entry(1, "movement", &count.id.to_string(), &count),
        json_entry(2, "sale", &first.id.to_string(), &first),
        json_entry(3, "sale", &late.id.to_string(), &late),
        json_entry(4, "sale", &tampered.id.to_string(), &tampered),
    ];
    let (status, body) = app.push(&till, entries.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["acked_through"], 4);
    assert_eq!(body["data"]["rejected"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"]["rejected"][0]["seq"], 4);
    assert!(body["data"]["rejected"][0]["message"]
        .as_str()
        .unwrap()
        .contains("lines add up to"));

    // The same sale again under new sequence numbers (a till restored from a backup) is not
    // counted twice.
    let again = vec![json_entry(5, "sale", &first.id.to_string(), &first)];
    assert_eq!(app.push(&till, again).await.0, 200);

    let level = app.level(store, product).await;
    // COUNT 50 at t0; the sale after it takes 3; the late sale is before the count.
    assert_eq!(level, 47);
    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales WHERE store_id = $1")
        .bind(store)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sales, 2);
    let months: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT tableoid) FROM sales WHERE store_id = $1")
            .bind(store)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(months, 2, "each sale sits in its month's partition");
    let (lines, paid): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sale_lines WHERE store_id = $1),
                (SELECT coalesce(sum(amount), 0)::bigint FROM payments p JOIN sales s ON s.id = p.sale_id WHERE s.store_id = $1)",
    )
    .bind(store)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (lines, paid),
        (2, first.total.centimes() + late.total.centimes())
    );

    // Selling 50 more than the 47 left: applied (the sale happened), and flagged.
    let over = sale(product, 50, t0 + 3_000, 4);
    let (_, body) = app
        .push(
            &till,
            vec![json_entry(6, "sale", &over.id.to_string(), &over)],
        )
        .await;
    assert_eq!(body["data"]["acked_through"], 6);
    let events: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT subject, payload FROM outbox WHERE store_id = $1 ORDER BY id")
            .bind(store)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let count = |suffix: &str| events.iter().filter(|(s, _)| s.ends_with(suffix)).count();
    assert_eq!(
        count(".sale.completed"),
        3,
        "one per sale applied, none for the re-sent one"
    );
    assert_eq!(
        count(".stock.changed"),
        3,
        "the count and the two sales after it"
    );
    assert_eq!(count(".stock.oversold"), 1);
    let oversold = events
        .iter()
        .find(|(s, _)| s.ends_with(".stock.oversold"))
        .unwrap();
    assert_eq!(oversold.0, format!("inventory.{store}.stock.oversold"));
    assert_eq!(oversold.1["level"], -3);
}

#[tokio::test]
async fn a_late_sale_for_a_month_dropped_on_the_server_waits_and_is_not_lost() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let product = Uuid::now_v7();
    let t0 = 1_795_510_800_000; // 2026-11-24
    let first = sale(product, 1, t0 - 40 * 86_400_000, 1); // October
    let (status, body) = app
        .push(
            &till,
            vec![json_entry(1, "sale", &first.id.to_string(), &first)],
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // An operator drops October (archived elsewhere); the server still believes it is there.
    for t in ["sales", "sale_lines", "payments", "stock_movements"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {t}_2026_10")))
            .execute(&app.pool)
            .await
            .unwrap();
    }
    // Later the same day: the server has that day's month on record as made.
    let late = sale(product, 2, t0 - 40 * 86_400_000 + 60_000, 2);
    let entries = vec![json_entry(2, "sale", &late.id.to_string(), &late)];
    let (status, body) = app.push(&till, entries.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "NOT_READY", "{body}");
    let acked: i64 = sqlx::query_scalar("SELECT acked_through FROM devices WHERE id = $1")
        .bind(till.device_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        acked, 1,
        "the late sale is not acknowledged, so the till keeps it"
    );

    // The till sends it again: the month is made anew and the sale lands.
    let (status, body) = app.push(&till, entries).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["acked_through"], 2);
    assert_eq!(body["data"]["rejected"], serde_json::json!([]));
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM sales WHERE id = $1")
        .bind(late.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kept, 1);
}
