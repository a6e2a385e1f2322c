//! Receipts: a list with keyset paging (newest first, by `(created_at, id)`, so page 1000 costs
//! what page 1 does) and filters, and one receipt's parts (header, lines, TVA, payments) with its
//! refunds linked. The receipt as it was printed, in the reader's language, is `printed.rs`.

use axum::extract::{Path, Query, State};
use axum::Json;
use pos_shared::api::Envelope;
use pos_shared::{pricing, Money, TaxRate};
use serde::{Deserialize, Serialize};
use sqlx::{Postgres, QueryBuilder};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::Portal;
use super::views::{parse_day, quantity_text, Amount, Rate};
use crate::error::AppError;
use crate::routes::AppState;

#[derive(Deserialize, IntoParams)]
pub struct ReceiptsQuery {
    /// First business day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// The day after the last one, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Store ids, comma-separated; all of the user's stores when absent.
    pub stores: Option<String>,
    /// A terminal (device) id.
    pub terminal: Option<Uuid>,
    pub cashier: Option<Uuid>,
    pub receipt_no: Option<i64>,
    /// Smallest total, in DA (`1250,50`).
    pub min: Option<String>,
    /// Largest total, in DA.
    pub max: Option<String>,
    /// A product's SKU, or part of its name on the receipt.
    pub product: Option<String>,
    /// `sale` or `refund`.
    pub kind: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Receipts per page, 1–200 (50).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptRow {
    pub id: Uuid,
    pub kind: String,
    pub store: String,
    pub terminal: String,
    pub receipt_no: i64,
    /// Local time of the store, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub at_ms: i64,
    pub cashier: String,
    pub total: Amount,
    pub refund_of: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptPage {
    pub receipts: Vec<ReceiptRow>,
    /// Pass as `after` for the next page; null on the last one.
    pub next: Option<String>,
}

/// The first instant of business day `day` in the zone of the stores (UTC, microseconds), the
/// earliest and the latest over their zones, and whether the zones differ.
pub async fn day_bounds(
    state: &AppState,
    stores: &[Uuid],
    day: i32,
) -> Result<(i64, i64, bool), AppError> {
    let row: (Option<i64>, Option<i64>, i64) = sqlx::query_as(
        "SELECT min(t)::int8, max(t)::int8, count(DISTINCT time_zone) FROM (
             SELECT time_zone, extract(epoch FROM ((date '1970-01-01' + $2)::timestamp AT TIME ZONE time_zone)) * 1000000 AS t
             FROM stores WHERE id = ANY($1)) z",
    )
    .bind(stores)
    .bind(day)
    .fetch_one(&state.pool)
    .await?;
    Ok((row.0.unwrap_or(0), row.1.unwrap_or(0), row.2 > 1))
}

fn amount(s: &str) -> Result<i64, AppError> {
    Money::parse(s)
        .map(Money::centimes)
        .map_err(|e| AppError::Malformed(e.to_string()))
}

fn cursor(s: &str) -> Result<(i64, Uuid), AppError> {
    let bad = || AppError::Malformed("`after` is not a cursor this server gave".into());
    let (t, id) = s.split_once('_').ok_or_else(bad)?;
    Ok((
        t.parse().map_err(|_| bad())?,
        Uuid::parse_str(id).map_err(|_| bad())?,
    ))
}

#[utoipa::path(get, path = "/v1/portal/receipts", tag = "portal", params(ReceiptsQuery),
    responses((status = 200, body = ReceiptPage), (status = 403)))]
pub async fn receipts(
    State(state): State<AppState>,
    portal: Portal,
    Query(q): Query<ReceiptsQuery>,
) -> Result<Json<Envelope<ReceiptPage>>, AppError> {
    let stores = portal.scope(q.stores.as_deref())?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT s.id, s.kind, st.name, coalesce(d.name, ''), s.receipt_no,
                to_char(s.created_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI'),
                (extract(epoch FROM s.created_at) * 1000)::int8,
                (extract(epoch FROM s.created_at) * 1000000)::int8,
                coalesce(sf.name, ''), s.total, s.refund_of
         FROM sales s JOIN stores st ON st.id = s.store_id
         LEFT JOIN devices d ON d.id = s.device_id
         LEFT JOIN staff sf ON sf.store_id = s.store_id AND sf.id = s.cashier_id
         WHERE ",
    );
    if let [one] = stores.as_slice() {
        b.push("s.store_id = ").push_bind(*one);
    } else {
        b.push("s.store_id = ANY(")
            .push_bind(stores.clone())
            .push(")");
    }
    let mut zones_differ = false;
    for (bound, op, field) in [(&q.from, ">=", "from"), (&q.to, "<", "to")] {
        let Some(day) = bound.as_deref().filter(|s| !s.is_empty()) else {
            continue;
        };
        let day = parse_day(day)?;
        let (lo, hi, differ) = day_bounds(&state, &stores, day).await?;
        zones_differ |= differ;
        // The widest instant over the stores' zones bounds the index scan; the exact local day
        // is checked below when the zones differ.
        let edge = if field == "from" { lo } else { hi };
        b.push(format!(" AND s.created_at {op} timestamptz 'epoch' + "))
            .push_bind(edge)
            .push(" * interval '1 microsecond'");
        if zones_differ {
            b.push(format!(
                " AND (s.created_at AT TIME ZONE st.time_zone)::date {op} date '1970-01-01' + "
            ))
            .push_bind(day);
        }
    }
    if let Some(t) = q.terminal {
        b.push(" AND s.device_id = ").push_bind(t);
    }
    if let Some(c) = q.cashier {
        b.push(" AND s.cashier_id = ").push_bind(c);
    }
    if let Some(n) = q.receipt_no {
        b.push(" AND s.receipt_no = ").push_bind(n);
    }
    if let Some(k) = q.kind.as_deref().filter(|s| !s.is_empty()) {
        if k != "sale" && k != "refund" {
            return Err(AppError::Malformed("`kind` is sale or refund".into()));
        }
        b.push(" AND s.kind = ").push_bind(k.to_owned());
    }
    if let Some(m) = q.min.as_deref().filter(|s| !s.trim().is_empty()) {
        b.push(" AND s.total >= ").push_bind(amount(m)?);
    }
    if let Some(m) = q.max.as_deref().filter(|s| !s.trim().is_empty()) {
        b.push(" AND s.total <= ").push_bind(amount(m)?);
    }
    if let Some(p) = q
        .product
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let like = format!(
            "%{}%",
            p.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        b.push(" AND EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id AND l.created_at = s.created_at AND (l.sku = ")
            .push_bind(p.to_owned())
            .push(" OR l.name ILIKE ")
            .push_bind(like)
            .push("))");
    }
    if let Some(after) = q.after.as_deref().filter(|s| !s.is_empty()) {
        let (t, id) = cursor(after)?;
        b.push(" AND (s.created_at, s.id) < (timestamptz 'epoch' + ")
            .push_bind(t)
            .push(" * interval '1 microsecond', ")
            .push_bind(id)
            .push(")");
    }
    b.push(" ORDER BY s.created_at DESC, s.id DESC LIMIT ")
        .push_bind(limit + 1);
    type Row = (
        Uuid,
        String,
        String,
        String,
        i64,
        String,
        i64,
        i64,
        String,
        i64,
        Option<Uuid>,
    );
    let rows: Vec<Row> = b.build_query_as().fetch_all(&state.pool).await?;
    let more = rows.len() as i64 > limit;
    let mut next = None;
    let receipts = rows
        .into_iter()
        .take(limit as usize)
        .map(
            |(
                id,
                kind,
                store,
                terminal,
                receipt_no,
                at,
                at_ms,
                micros,
                cashier,
                total,
                refund_of,
            )| {
                next = Some(format!("{micros}_{id}"));
                ReceiptRow {
                    id,
                    kind,
                    store,
                    terminal,
                    receipt_no,
                    at,
                    at_ms,
                    cashier,
                    total: Amount::of(total),
                    refund_of,
                }
            },
        )
        .collect();
    Ok(Json(Envelope::ok(ReceiptPage {
        receipts,
        next: next.filter(|_| more),
    })))
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptLine {
    pub line_no: i32,
    pub sku: String,
    pub name: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: Amount,
    pub rate: Rate,
    pub gross: Amount,
    /// Line and order discount together.
    pub discount: Amount,
    pub net: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptTax {
    pub rate: Rate,
    pub base: Amount,
    pub tax: Amount,
    pub total: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptPayment {
    pub tender: String,
    pub amount: Amount,
    pub tendered: Amount,
    pub reference: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LinkedReceipt {
    pub id: Uuid,
    pub receipt_no: i64,
    pub at: String,
    pub total: Amount,
}

/// A receipt as the till printed it: header, lines, totals, TVA per rate, payments, change.
#[derive(Serialize, ToSchema)]
pub struct Receipt {
    pub id: Uuid,
    pub kind: String,
    pub store_id: Uuid,
    pub store: String,
    pub terminal: String,
    pub receipt_no: i64,
    pub at: String,
    pub cashier: String,
    pub lines: Vec<ReceiptLine>,
    pub subtotal: Amount,
    pub discount: Amount,
    pub total: Amount,
    pub taxes: Vec<ReceiptTax>,
    pub payments: Vec<ReceiptPayment>,
    pub change: Amount,
    /// The sale this refund gave back from.
    pub refund_of: Option<LinkedReceipt>,
    /// Refunds made from this sale.
    pub refunds: Vec<LinkedReceipt>,
}

async fn linked(
    state: &AppState,
    sql: &'static str,
    id: Uuid,
) -> Result<Vec<LinkedReceipt>, AppError> {
    let rows: Vec<(Uuid, i64, String, i64)> =
        sqlx::query_as(sql).bind(id).fetch_all(&state.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, receipt_no, at, total)| LinkedReceipt {
            id,
            receipt_no,
            at,
            total: Amount::of(total),
        })
        .collect())
}

#[utoipa::path(get, path = "/v1/portal/receipts/{id}", tag = "portal",
    params(("id" = Uuid, Path, description = "the sale's id")),
    responses((status = 200, body = Receipt), (status = 404)))]
pub async fn receipt(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<Uuid>,
) -> Result<Json<Envelope<Receipt>>, AppError> {
    type Head = (
        String,
        Uuid,
        String,
        String,
        i64,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        Option<Uuid>,
        i64,
    );
    // Another store's receipt is not found, exactly as a receipt that does not exist.
    let head: Option<Head> = sqlx::query_as(
        "SELECT s.kind, s.store_id, st.name, coalesce(d.name, ''), s.receipt_no,
                to_char(s.created_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI'),
                coalesce(sf.name, ''), s.subtotal, s.discount_total, s.total, s.change, s.refund_of,
                (extract(epoch FROM s.created_at) * 1000000)::int8
         FROM sales s JOIN stores st ON st.id = s.store_id
         LEFT JOIN devices d ON d.id = s.device_id
         LEFT JOIN staff sf ON sf.store_id = s.store_id AND sf.id = s.cashier_id
         WHERE s.id = $1 AND s.store_id = ANY($2)",
    )
    .bind(id)
    .bind(&portal.stores)
    .fetch_optional(&state.pool)
    .await?;
    let Some((
        kind,
        store_id,
        store,
        terminal,
        receipt_no,
        at,
        cashier,
        subtotal,
        discount,
        total,
        change,
        refund_of,
        micros,
    )) = head
    else {
        return Err(AppError::NotFound(format!(
            "no receipt {id} in your stores"
        )));
    };
    let at_sql = "timestamptz 'epoch' + $2 * interval '1 microsecond'";
    type Line = (i32, String, String, String, i64, i64, i32, i64, i64);
    let lines: Vec<Line> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT line_no, sku, name, unit, qty, unit_price, tax_rate, gross, net FROM sale_lines
         WHERE sale_id = $1 AND created_at = {at_sql} ORDER BY line_no"
    )))
    .bind(id)
    .bind(micros)
    .fetch_all(&state.pool)
    .await?;
    let payments: Vec<(String, i64, i64, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT tender, amount, tendered, reference FROM payments
         WHERE sale_id = $1 AND created_at = {at_sql} ORDER BY seq"
        )))
        .bind(id)
        .bind(micros)
        .fetch_all(&state.pool)
        .await?;
    // TVA per rate by the one pricing rule, from the lines as recorded.
    let mut nets = Vec::new();
    for l in &lines {
        let rate = u32::try_from(l.6)
            .ok()
            .and_then(|bp| TaxRate::from_bp(bp).ok())
            .ok_or_else(|| AppError::Internal(format!("tax rate {} on a recorded line", l.6)))?;
        nets.push((rate, Money::from_centimes(l.8)));
    }
    let taxes = pricing::taxes_of_nets(&nets)
        .map_err(|e| AppError::Internal(format!("TVA of a recorded receipt: {e}")))?;
    let refund_of = match refund_of {
        Some(of) => linked(&state, LINKED_BY_ID, of).await?.into_iter().next(),
        None => None,
    };
    let receipt = Receipt {
        id,
        kind,
        store_id,
        store,
        terminal,
        receipt_no,
        at,
        cashier,
        lines: lines
            .into_iter()
            .map(
                |(line_no, sku, name, unit, qty, unit_price, rate, gross, net)| ReceiptLine {
                    line_no,
                    sku,
                    name,
                    quantity: quantity_text(qty, &unit),
                    unit,
                    unit_price: Amount::of(unit_price),
                    rate: Rate::of(rate),
                    gross: Amount::of(gross),
                    discount: Amount::of(gross - net),
                    net: Amount::of(net),
                },
            )
            .collect(),
        subtotal: Amount::of(subtotal),
        discount: Amount::of(discount),
        total: Amount::of(total),
        taxes: taxes
            .iter()
            .map(|t| ReceiptTax {
                rate: Rate::of(i32::from(t.rate.bp())),
                base: Amount::of(t.base.centimes()),
                tax: Amount::of(t.tax.centimes()),
                total: Amount::of(t.total.centimes()),
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|(tender, amount, tendered, reference)| ReceiptPayment {
                tender,
                amount: Amount::of(amount),
                tendered: Amount::of(tendered),
                reference,
            })
            .collect(),
        change: Amount::of(change),
        refund_of,
        refunds: linked(&state, LINKED_REFUNDS, id).await?,
    };
    Ok(Json(Envelope::ok(receipt)))
}

const LINKED_BY_ID: &str = "SELECT s.id, s.receipt_no, to_char(s.created_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI'), s.total
     FROM sales s JOIN stores st ON st.id = s.store_id WHERE s.id = $1";
const LINKED_REFUNDS: &str = "SELECT s.id, s.receipt_no, to_char(s.created_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI'), s.total
     FROM sales s JOIN stores st ON st.id = s.store_id WHERE s.refund_of = $1 ORDER BY s.created_at";
