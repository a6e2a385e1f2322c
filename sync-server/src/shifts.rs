//! Shifts on the server: the tills' drawer events (`shift_event` entries, `pos_shared::ShiftEvent`)
//! materialised in `shift_events` and `shifts`, and at a close the shift's Z summary, computed
//! from the sales and drawer events the server holds by the same rule as the till's Z report
//! (`pos-app/src/till/shift.rs`): expected cash = float + cash taken − cash refunded + cash in −
//! cash out; over/short = counted − expected. [`ZInputs::summary`] is that rule, pure; it
//! belongs in `pos-shared` once the till and the server can share it.
//!
//! A till's log is in order, so a shift's sales and its open are applied before its close (in
//! an earlier push, or earlier in the same batch: sales are written before drawer events).

use pos_shared::{Money, ShiftEvent, ShiftEventKind, TaxLine, TaxRate};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::apply::{Entry, Event, Record};
use crate::auth::Device;

/// What the Z rule needs, summed from the shift's records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZInputs {
    pub float: Money,
    pub cash_sales: Money,
    pub cash_refunds: Money,
    pub card_sales: Money,
    pub card_refunds: Money,
    pub cash_in: Money,
    pub cash_out: Money,
    pub counted_cash: Money,
}

/// The cash side of a Z report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZCash {
    pub expected_cash: Money,
    pub counted_cash: Money,
    /// Counted − expected: negative when cash is missing.
    pub over_short: Money,
}

impl ZInputs {
    pub fn summary(&self) -> ZCash {
        let cash_net = self.cash_sales - self.cash_refunds;
        let expected_cash = self.float + cash_net + self.cash_in - self.cash_out;
        ZCash {
            expected_cash,
            counted_cash: self.counted_cash,
            over_short: self.counted_cash - expected_cash,
        }
    }
}

fn kind_name(k: &ShiftEventKind) -> &'static str {
    match k {
        ShiftEventKind::Open { .. } => "open",
        ShiftEventKind::CashIn { .. } => "cash_in",
        ShiftEventKind::CashOut { .. } => "cash_out",
        ShiftEventKind::DrawerOpened { .. } => "drawer_opened",
        ShiftEventKind::Close { .. } => "close",
    }
}

/// Checks a drawer event as a till makes it.
pub fn check(e: &ShiftEvent) -> Result<(), String> {
    let (amount, reason) = match &e.kind {
        ShiftEventKind::Open { float } => (*float, ""),
        ShiftEventKind::CashIn { amount, reason } | ShiftEventKind::CashOut { amount, reason } => {
            (*amount, reason.as_str())
        }
        ShiftEventKind::DrawerOpened { reason } => (Money::ZERO, reason.as_str()),
        ShiftEventKind::Close { counted_cash, .. } => (*counted_cash, ""),
    };
    if amount.is_negative() {
        return Err(format!("a drawer amount of {amount} cannot be negative"));
    }
    if reason.contains('\0') || reason.len() > 500 {
        return Err("the reason holds a NUL character or is too long".into());
    }
    Ok(())
}

/// Records the batch's new drawer events; the `shift.closed` events of the shifts they close.
pub async fn apply(
    conn: &mut PgConnection,
    device: &Device,
    entries: &[Entry<'_>],
) -> Result<Vec<Event>, sqlx::Error> {
    let shift_events: Vec<(usize, &ShiftEvent)> = entries
        .iter()
        .enumerate()
        .filter_map(|(pos, e)| match (&e.rejected, &e.record) {
            (None, Record::Shift(s)) => Some((pos, &**s)),
            _ => None,
        })
        .collect();
    let mut closed = Vec::new();
    for (pos, e) in shift_events {
        let (amount, reason) = match &e.kind {
            ShiftEventKind::Open { float } => (Some(*float), None),
            ShiftEventKind::CashIn { amount, reason }
            | ShiftEventKind::CashOut { amount, reason } => (Some(*amount), Some(reason.as_str())),
            ShiftEventKind::DrawerOpened { reason } => (None, Some(reason.as_str())),
            ShiftEventKind::Close { counted_cash, .. } => (Some(*counted_cash), None),
        };
        let new = sqlx::query(
            "INSERT INTO shift_events (id, store_id, shift_id, terminal_id, device_id, user_id, hlc,
                                       kind, amount, reason, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11 / 1000.0))
             ON CONFLICT DO NOTHING",
        )
        .bind(e.id)
        .bind(device.store_id)
        .bind(e.shift_id)
        .bind(e.terminal_id)
        .bind(device.id)
        .bind(e.user_id)
        .bind(e.hlc.to_string())
        .bind(kind_name(&e.kind))
        .bind(amount.map(|a| a.centimes()))
        .bind(reason)
        .bind(e.hlc.wall_ms)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1;
        if !new {
            continue;
        }
        match &e.kind {
            ShiftEventKind::Open { float } => {
                sqlx::query(
                    "INSERT INTO shifts (id, store_id, terminal_id, opened_by, opened_at, float)
                     VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6)
                     ON CONFLICT (id) DO UPDATE SET opened_by = $4, opened_at = to_timestamp($5 / 1000.0),
                                                    float = $6",
                )
                .bind(e.shift_id)
                .bind(device.store_id)
                .bind(e.terminal_id)
                .bind(e.user_id)
                .bind(e.hlc.wall_ms)
                .bind(float.centimes())
                .execute(&mut *conn)
                .await?;
            }
            ShiftEventKind::Close {
                counted_cash,
                expected_cash,
            } => {
                let data = close(conn, device.store_id, e, *counted_cash, *expected_cash).await?;
                closed.push(Event {
                    pos,
                    name: "shift.closed",
                    payload: data,
                });
            }
            _ => {}
        }
    }
    Ok(closed)
}

/// Sums a closing shift's records, stores its Z summary and returns the event's data.
async fn close(
    conn: &mut PgConnection,
    store: Uuid,
    e: &ShiftEvent,
    counted: Money,
    till_expected: Money,
) -> Result<serde_json::Value, sqlx::Error> {
    let float: Option<i64> = sqlx::query_scalar("SELECT float FROM shifts WHERE id = $1")
        .bind(e.shift_id)
        .fetch_optional(&mut *conn)
        .await?;
    let (sales_count, refunds_count, sales_total, refunds_total, discounts): (
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'sale'), count(*) FILTER (WHERE kind = 'refund'),
                    coalesce(sum(total) FILTER (WHERE kind = 'sale'), 0)::int8,
                    coalesce(sum(total) FILTER (WHERE kind = 'refund'), 0)::int8,
                    coalesce(sum(discount_total) FILTER (WHERE kind = 'sale'), 0)::int8
             FROM sales WHERE store_id = $1 AND shift_id = $2",
    )
    .bind(store)
    .bind(e.shift_id)
    .fetch_one(&mut *conn)
    .await?;
    let tenders: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT s.kind, p.tender, coalesce(sum(p.amount), 0)::int8
         FROM payments p JOIN sales s ON s.id = p.sale_id AND s.created_at = p.created_at
         WHERE s.store_id = $1 AND s.shift_id = $2 GROUP BY s.kind, p.tender",
    )
    .bind(store)
    .bind(e.shift_id)
    .fetch_all(&mut *conn)
    .await?;
    let tender = |kind: &str, t: &str| {
        Money::from_centimes(
            tenders
                .iter()
                .find(|(k, tt, _)| k == kind && tt == t)
                .map_or(0, |r| r.2),
        )
    };
    let (cash_in, cash_out): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(amount) FILTER (WHERE kind = 'cash_in'), 0)::int8,
                coalesce(sum(amount) FILTER (WHERE kind = 'cash_out'), 0)::int8
         FROM shift_events WHERE shift_id = $1",
    )
    .bind(e.shift_id)
    .fetch_one(&mut *conn)
    .await?;
    let inputs = ZInputs {
        float: Money::from_centimes(float.unwrap_or(0)),
        cash_sales: tender("sale", "cash"),
        cash_refunds: tender("refund", "cash"),
        card_sales: tender("sale", "card"),
        card_refunds: tender("refund", "card"),
        cash_in: Money::from_centimes(cash_in),
        cash_out: Money::from_centimes(cash_out),
        counted_cash: counted,
    };
    let z = inputs.summary();
    let taxes = shift_taxes(conn, store, e.shift_id).await?;
    let taxes_json = serde_json::to_value(&taxes).unwrap_or_default();
    sqlx::query(
        "INSERT INTO shifts (id, store_id, terminal_id, closed_by, closed_at, sales_count, refunds_count,
             sales_total, refunds_total, discounts, cash_sales, cash_refunds, card_sales, card_refunds,
             cash_in, cash_out, expected_cash, counted_cash, over_short, till_expected_cash, taxes)
         VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6, $7, $8, $9, $10, $11, $12, $13, $14,
                 $15, $16, $17, $18, $19, $20, $21)
         ON CONFLICT (id) DO UPDATE SET closed_by = $4, closed_at = to_timestamp($5 / 1000.0),
             sales_count = $6, refunds_count = $7, sales_total = $8, refunds_total = $9, discounts = $10,
             cash_sales = $11, cash_refunds = $12, card_sales = $13, card_refunds = $14, cash_in = $15,
             cash_out = $16, expected_cash = $17, counted_cash = $18, over_short = $19,
             till_expected_cash = $20, taxes = $21",
    )
    .bind(e.shift_id)
    .bind(store)
    .bind(e.terminal_id)
    .bind(e.user_id)
    .bind(e.hlc.wall_ms)
    .bind(sales_count)
    .bind(refunds_count)
    .bind(sales_total)
    .bind(refunds_total)
    .bind(discounts)
    .bind(inputs.cash_sales.centimes())
    .bind(inputs.cash_refunds.centimes())
    .bind(inputs.card_sales.centimes())
    .bind(inputs.card_refunds.centimes())
    .bind(cash_in)
    .bind(cash_out)
    .bind(z.expected_cash.centimes())
    .bind(counted.centimes())
    .bind(z.over_short.centimes())
    .bind(till_expected.centimes())
    .bind(&taxes_json)
    .execute(&mut *conn)
    .await?;
    let by_tender = |t: &str, sales: Money, refunds: Money| serde_json::json!({ "tender": t, "sales": sales, "refunds": refunds, "net": sales - refunds });
    Ok(serde_json::json!({
        "shift_id": e.shift_id, "terminal_id": e.terminal_id, "closed_by": e.user_id,
        "at_ms": e.hlc.wall_ms, "float": inputs.float,
        "sales_count": sales_count, "refunds_count": refunds_count,
        "sales_total": sales_total, "refunds_total": refunds_total,
        "net_total": sales_total - refunds_total, "discounts": discounts,
        "by_tender": [
            by_tender("cash", inputs.cash_sales, inputs.cash_refunds),
            by_tender("card", inputs.card_sales, inputs.card_refunds),
        ],
        "taxes": taxes_json, "cash_in": cash_in, "cash_out": cash_out,
        "expected_cash": z.expected_cash, "counted_cash": z.counted_cash,
        "over_short": z.over_short, "till_expected_cash": till_expected,
    }))
}

/// TVA per rate over the shift, sales minus refunds: each sale's breakdown by the one pricing
/// rule from its lines (as the till stores it), then summed, highest rate first.
async fn shift_taxes(
    conn: &mut PgConnection,
    store: Uuid,
    shift: Uuid,
) -> Result<Vec<TaxLine>, sqlx::Error> {
    let lines: Vec<(Uuid, String, i32, i64)> = sqlx::query_as(
        "SELECT s.id, s.kind, l.tax_rate, l.net FROM sale_lines l
         JOIN sales s ON s.id = l.sale_id AND s.created_at = l.created_at
         WHERE s.store_id = $1 AND s.shift_id = $2 ORDER BY s.id, l.line_no",
    )
    .bind(store)
    .bind(shift)
    .fetch_all(&mut *conn)
    .await?;
    let mut sums: std::collections::BTreeMap<TaxRate, TaxLine> = Default::default();
    for sale in lines.chunk_by(|a, b| a.0 == b.0) {
        let sign = if sale[0].1 == "refund" { -1 } else { 1 };
        let nets: Vec<(TaxRate, Money)> = sale
            .iter()
            .map(|(_, _, rate, net)| {
                let rate =
                    TaxRate::from_bp(u32::try_from(*rate).unwrap_or(0)).unwrap_or(TaxRate::ZERO);
                (rate, Money::from_centimes(*net))
            })
            .collect();
        // The sale was checked against this rule when it was applied; it cannot fail here.
        for t in pos_shared::pricing::taxes_of_nets(&nets).unwrap_or_default() {
            let sum = sums.entry(t.rate).or_insert(TaxLine {
                rate: t.rate,
                base: Money::ZERO,
                tax: Money::ZERO,
                total: Money::ZERO,
            });
            sum.base += Money::from_centimes(sign * t.base.centimes());
            sum.tax += Money::from_centimes(sign * t.tax.centimes());
            sum.total += Money::from_centimes(sign * t.total.centimes());
        }
    }
    Ok(sums.into_values().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_cash_follows_the_tills_z_rule() {
        let d = Money::from_dinars;
        let z = ZInputs {
            float: d(5000),
            cash_sales: d(1200),
            cash_refunds: d(200),
            card_sales: d(900),
            card_refunds: d(0),
            cash_in: d(300),
            cash_out: d(500),
            counted_cash: d(5750),
        }
        .summary();
        // 5000 + (1200 − 200) + 300 − 500; card takings never reach the drawer.
        assert_eq!(z.expected_cash, d(5800));
        assert_eq!(z.over_short, d(-50));
    }
}
