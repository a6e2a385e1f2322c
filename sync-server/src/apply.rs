//! The apply pipeline for pushed entries: validate, then write the records they carry — sales
//! (totals recomputed from their lines), their stock movements, ledger movements — with the
//! stock level kept in the same transaction. Each entry runs in a savepoint, so one that cannot
//! be applied is rejected alone and the batch goes on.

use pos_shared::{MovementKind, Sale, SaleKind, StockMovement, Unit};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::auth::Device;
use crate::error::AppError;

/// Why an entry was refused (its code and a message for the manager).
pub type Refusal = (&'static str, String);

/// The day (days since 1970) of an entry's records, so its month's partitions can be made first.
pub fn record_day(kind: &str, body: &[u8]) -> Option<i64> {
    let ms = match kind {
        "sale" => serde_json::from_slice::<Sale>(body).ok()?.created_at_ms,
        "movement" => {
            serde_json::from_slice::<StockMovement>(body)
                .ok()?
                .hlc
                .wall_ms
        }
        _ => return None,
    };
    Some(ms.div_euclid(86_400_000))
}

/// Checks a sale against itself: every amount must follow from its lines by the one pricing
/// rule. A till never sends anything else; a tampered or broken record is refused.
pub fn check_sale(sale: &Sale) -> Result<(), String> {
    if sale.lines.is_empty() {
        return Err("a sale without lines".into());
    }
    if let Some(l) = sale
        .lines
        .iter()
        .find(|l| l.qty <= 0 || l.net.is_negative())
    {
        return Err(format!(
            "line {} has quantity {} and net {}",
            l.line_no, l.qty, l.net
        ));
    }
    let nets: pos_shared::Money = sale.lines.iter().map(|l| l.net).sum();
    if nets != sale.total {
        return Err(format!(
            "lines add up to {nets}, the sale says {}",
            sale.total
        ));
    }
    let nets: Vec<_> = sale.lines.iter().map(|l| (l.tax_rate, l.net)).collect();
    if pos_shared::pricing::taxes_of_nets(&nets).map_err(|e| e.to_string())? != sale.taxes {
        return Err("the TVA breakdown does not follow from the lines".into());
    }
    let paid: pos_shared::Money = sale.payments.iter().map(|p| p.amount).sum();
    if paid != sale.total {
        return Err(format!("payments of {paid} for a total of {}", sale.total));
    }
    Ok(())
}

/// Applies one entry. `Ok(Err(..))` is a refusal; `Err` is the database failing.
pub async fn apply(
    conn: &mut PgConnection,
    device: &Device,
    kind: &str,
    body: &[u8],
) -> Result<Result<(), Refusal>, AppError> {
    match kind {
        "sale" => {
            let Ok(sale) = serde_json::from_slice::<Sale>(body) else {
                return Ok(Err(("INVALID_ENTRY", "the sale is not readable".into())));
            };
            if let Err(why) = check_sale(&sale) {
                return Ok(Err(("INVALID_ENTRY", why)));
            }
            insert_sale(conn, device, &sale).await?;
        }
        "movement" => {
            let Ok(m) = serde_json::from_slice::<StockMovement>(body) else {
                return Ok(Err((
                    "INVALID_ENTRY",
                    "the movement is not readable".into(),
                )));
            };
            if matches!(m.kind, MovementKind::Sale | MovementKind::Refund) {
                return Ok(Err((
                    "INVALID_ENTRY",
                    "sale movements travel inside their sale".into(),
                )));
            }
            record_movement(conn, device.store_id, &m, &m.id.to_string()).await?;
        }
        _ => {}
    }
    Ok(Ok(()))
}

async fn insert_sale(
    conn: &mut PgConnection,
    device: &Device,
    sale: &Sale,
) -> Result<(), AppError> {
    let at = sale.created_at_ms as f64 / 1000.0;
    let inserted = sqlx::query(
        "INSERT INTO sales (id, store_id, device_id, kind, refund_of, terminal_id, receipt_no, shift_id,
                            cashier_id, hlc, created_at, subtotal, discount_total, total, change)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11), $12, $13, $14, $15)
         ON CONFLICT DO NOTHING",
    )
    .bind(sale.id)
    .bind(device.store_id)
    .bind(device.id)
    .bind(if sale.kind == SaleKind::Refund { "refund" } else { "sale" })
    .bind(sale.refund_of)
    .bind(sale.terminal_id)
    .bind(sale.receipt_no)
    .bind(sale.shift_id)
    .bind(sale.cashier_id)
    .bind(sale.hlc.to_string())
    .bind(at)
    .bind(sale.subtotal.centimes())
    .bind(sale.discount_total.centimes())
    .bind(sale.total.centimes())
    .bind(sale.change.centimes())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(()); // already applied: ids make sales exactly-once
    }
    let event = if sale.kind == SaleKind::Refund {
        "sale.refunded"
    } else {
        "sale.completed"
    };
    let payload = serde_json::json!({
        "sale_id": sale.id, "refund_of": sale.refund_of, "terminal_id": sale.terminal_id,
        "receipt_no": sale.receipt_no, "total": sale.total.centimes(), "at_ms": sale.created_at_ms,
    });
    outbox(conn, device.store_id, event, payload).await?;
    for l in &sale.lines {
        sqlx::query(
            "INSERT INTO sale_lines (sale_id, created_at, store_id, line_no, product_id, sku, name, unit,
                                     qty, unit_price, tax_rate, gross, net)
             VALUES ($1, to_timestamp($2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(sale.id)
        .bind(at)
        .bind(device.store_id)
        .bind(l.line_no as i32)
        .bind(l.product_id)
        .bind(&l.sku)
        .bind(&l.name)
        .bind(if l.unit == Unit::Kg { "kg" } else { "piece" })
        .bind(l.qty)
        .bind(l.unit_price.centimes())
        .bind(i32::from(l.tax_rate.bp()))
        .bind(l.gross.centimes())
        .bind(l.net.centimes())
        .execute(&mut *conn)
        .await?;
    }
    for (line_no, m) in sale.stock_movements() {
        record_movement(
            conn,
            device.store_id,
            &m,
            &pos_shared::sale_line_key(&sale.id, line_no),
        )
        .await?;
    }
    for (i, p) in sale.payments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO payments (sale_id, created_at, seq, tender, amount, tendered, reference)
             VALUES ($1, to_timestamp($2), $3, $4, $5, $6, $7)",
        )
        .bind(sale.id)
        .bind(at)
        .bind(i as i32 + 1)
        .bind(p.tender.as_str())
        .bind(p.amount.centimes())
        .bind(p.tendered.centimes())
        .bind(&p.reference)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Records a movement once and keeps the store's level: the latest COUNT by HLC plus the deltas
/// after it, the same rule as on the tills.
async fn record_movement(
    conn: &mut PgConnection,
    store: Uuid,
    m: &StockMovement,
    key: &str,
) -> Result<(), AppError> {
    let hlc = m.hlc.to_string();
    let inserted = sqlx::query(
        "INSERT INTO stock_movements (store_id, product_id, hlc, key, kind, qty, ref_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8)) ON CONFLICT DO NOTHING",
    )
    .bind(store)
    .bind(m.product_id)
    .bind(&hlc)
    .bind(key)
    .bind(m.kind.as_str())
    .bind(m.qty)
    .bind(m.ref_id)
    .bind(m.hlc.wall_ms as f64 / 1000.0)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(());
    }
    sqlx::query("INSERT INTO stock_levels (store_id, product_id, level) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
        .bind(store)
        .bind(m.product_id)
        .execute(&mut *conn)
        .await?;
    let (level, count_hlc): (i64, String) = sqlx::query_as(
        "SELECT level, count_hlc FROM stock_levels WHERE store_id = $1 AND product_id = $2 FOR UPDATE",
    )
    .bind(store)
    .bind(m.product_id)
    .fetch_one(&mut *conn)
    .await?;
    let next = if m.kind.is_absolute() {
        if hlc <= count_hlc {
            return Ok(());
        }
        let after: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(qty), 0)::bigint FROM stock_movements
             WHERE store_id = $1 AND product_id = $2 AND kind <> 'COUNT' AND hlc > $3",
        )
        .bind(store)
        .bind(m.product_id)
        .bind(&hlc)
        .fetch_one(&mut *conn)
        .await?;
        (m.qty + after, hlc)
    } else if hlc > count_hlc {
        (level + m.qty, count_hlc)
    } else {
        return Ok(());
    };
    sqlx::query("UPDATE stock_levels SET level = $3, count_hlc = $4 WHERE store_id = $1 AND product_id = $2")
        .bind(store)
        .bind(m.product_id)
        .bind(next.0)
        .bind(next.1)
        .execute(&mut *conn)
        .await?;
    let payload = serde_json::json!({ "product_id": m.product_id, "level": next.0, "movement": m.kind.as_str() });
    outbox(conn, store, "stock.changed", payload.clone()).await?;
    if next.0 < 0 {
        // Sold more than the ledger says was there: a miscount or a missed delivery to chase.
        outbox(conn, store, "stock.oversold", payload).await?;
    }
    Ok(())
}

/// An event for the rest of the platform, in the transaction that caused it; the relay
/// publishes it as `pos.<store>.<event>`.
async fn outbox(
    conn: &mut PgConnection,
    store: Uuid,
    event: &str,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO outbox (id, store_id, subject, payload) VALUES ($1, $2, $3, $4)")
        .bind(Uuid::now_v7())
        .bind(store)
        .bind(format!("pos.{store}.{event}"))
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}
