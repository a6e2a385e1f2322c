//! A receipt as the till printed it: the sale rebuilt from what the server recorded and laid out
//! by the till's own receipt document (`pos_shared::receipt::sale_receipt`) in the reader's
//! language, so the portal shows the blocks the paper had. The server does not hold the store's
//! printed details (address, NIF, RC, phone, footer): the header carries the store's and the
//! terminal's names, and the time is the sale's in the store's zone.

use axum::extract::{Path, Query, State};
use axum::Json;
use pos_shared::api::Envelope;
use pos_shared::receipt::{sale_receipt, Receipt, SaleNames, StoreHeader};
use pos_shared::{pricing, Hlc, Lang, Money, Paper, Payment, Sale, SaleKind, SaleLine, TaxRate};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::extract::Portal;
use crate::error::AppError;
use crate::routes::AppState;

#[derive(Deserialize, IntoParams)]
pub struct PrintedQuery {
    /// `fr` (default), `ar` or `en`.
    pub lang: Option<String>,
}

type Head = (
    String,
    Uuid,
    String,
    String,
    Uuid,
    i64,
    Uuid,
    Uuid,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<Uuid>,
    i32,
);
type Line = (
    i32,
    Uuid,
    String,
    String,
    String,
    i64,
    i64,
    i32,
    i64,
    i64,
    Option<i64>,
    String,
);

fn bad(what: &str) -> AppError {
    AppError::Internal(format!("a recorded receipt holds {what}"))
}

#[utoipa::path(get, path = "/v1/portal/receipts/{id}/printed", tag = "portal",
    params(("id" = Uuid, Path, description = "the sale's id"), PrintedQuery),
    responses((status = 200, body = Receipt), (status = 404)))]
pub async fn printed(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<Uuid>,
    Query(q): Query<PrintedQuery>,
) -> Result<Json<Envelope<Receipt>>, AppError> {
    let lang = match q.lang.as_deref() {
        None | Some("") => Lang::Fr,
        Some(l) => Lang::parse(l).map_err(|e| AppError::Malformed(e.to_string()))?,
    };
    // Another store's receipt is not found, exactly as a receipt that does not exist.
    let head: Option<Head> = sqlx::query_as(
        "SELECT s.kind, s.store_id, st.name, coalesce(d.name, ''), s.terminal_id, s.receipt_no,
                s.shift_id, s.cashier_id, s.hlc, (extract(epoch FROM s.created_at) * 1000)::int8,
                s.subtotal, s.discount_total, s.total, s.change, s.refund_of,
                (extract(epoch FROM (s.created_at AT TIME ZONE st.time_zone)
                                  - (s.created_at AT TIME ZONE 'UTC')) / 60)::int4
         FROM sales s JOIN stores st ON st.id = s.store_id
         LEFT JOIN devices d ON d.id = s.device_id
         WHERE s.id = $1 AND s.store_id = ANY($2)",
    )
    .bind(id)
    .bind(&portal.stores)
    .fetch_optional(&state.pool)
    .await?;
    let Some(head) = head else {
        return Err(AppError::NotFound(format!(
            "no receipt {id} in your stores"
        )));
    };
    let (kind, store_id, store, terminal, terminal_id, receipt_no, shift_id, cashier_id) = (
        head.0, head.1, head.2, head.3, head.4, head.5, head.6, head.7,
    );
    let at_ms = head.9;
    let lines: Vec<Line> = sqlx::query_as(
        "SELECT l.line_no, l.product_id, l.sku, l.name, l.unit, l.qty, l.unit_price, l.tax_rate,
                l.gross, l.net, l.line_discount, coalesce(p.name_ar, '')
         FROM sale_lines l LEFT JOIN products p ON p.store_id = l.store_id AND p.id = l.product_id
         WHERE l.sale_id = $1 AND l.created_at = to_timestamp($2 / 1000.0) ORDER BY l.line_no",
    )
    .bind(id)
    .bind(at_ms)
    .fetch_all(&state.pool)
    .await?;
    let payments: Vec<(String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT tender, amount, tendered, reference FROM payments
         WHERE sale_id = $1 AND created_at = to_timestamp($2 / 1000.0) ORDER BY seq",
    )
    .bind(id)
    .bind(at_ms)
    .fetch_all(&state.pool)
    .await?;
    let cashier: String =
        sqlx::query_scalar("SELECT name FROM staff WHERE store_id = $1 AND id = $2")
            .bind(store_id)
            .bind(cashier_id)
            .fetch_optional(&state.pool)
            .await?
            .unwrap_or_default();

    let mut names = SaleNames {
        cashier,
        terminal: terminal.clone(),
        ..SaleNames::default()
    };
    let mut sale_lines = Vec::with_capacity(lines.len());
    for (no, product_id, sku, name, unit, qty, unit_price, rate, gross, net, line_discount, ar) in
        lines
    {
        if !ar.is_empty() {
            names.arabic.insert(product_id, ar);
        }
        let line_discount = line_discount.unwrap_or(gross - net);
        sale_lines.push(SaleLine {
            line_no: u32::try_from(no).map_err(|_| bad("a negative line number"))?,
            product_id,
            sku,
            name,
            barcode: None,
            unit: pos_shared::Unit::parse(&unit).map_err(|_| bad("an unknown unit"))?,
            qty,
            unit_price: Money::from_centimes(unit_price),
            tax_rate: u32::try_from(rate)
                .ok()
                .and_then(|bp| TaxRate::from_bp(bp).ok())
                .ok_or_else(|| bad("an unknown TVA rate"))?,
            discount: None,
            gross: Money::from_centimes(gross),
            line_discount: Money::from_centimes(line_discount),
            order_discount: Money::from_centimes(gross - line_discount - net),
            net: Money::from_centimes(net),
        });
    }
    let nets: Vec<(TaxRate, Money)> = sale_lines.iter().map(|l| (l.tax_rate, l.net)).collect();
    let taxes =
        pricing::taxes_of_nets(&nets).map_err(|_| bad("lines whose TVA cannot be summed"))?;
    let payments = payments
        .into_iter()
        .map(|(tender, amount, tendered, reference)| {
            Ok(Payment {
                tender: pos_shared::Tender::parse(&tender).map_err(|_| bad("an unknown tender"))?,
                amount: Money::from_centimes(amount),
                tendered: Money::from_centimes(tendered),
                reference,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let sale = Sale {
        id,
        kind: if kind == "refund" {
            SaleKind::Refund
        } else {
            SaleKind::Sale
        },
        refund_of: head.14,
        store_id,
        terminal_id,
        receipt_no,
        shift_id,
        cashier_id,
        hlc: head
            .8
            .parse::<Hlc>()
            .map_err(|_| bad("an unreadable time stamp"))?,
        created_at_ms: at_ms,
        lines: sale_lines,
        order_discount: None,
        subtotal: Money::from_centimes(head.10),
        discount_total: Money::from_centimes(head.11),
        total: Money::from_centimes(head.12),
        taxes,
        payments,
        change: Money::from_centimes(head.13),
    };
    let header = StoreHeader {
        name: store,
        terminal,
        utc_offset_min: head.15,
        ..StoreHeader::default()
    };
    Ok(Json(Envelope::ok(sale_receipt(
        &sale,
        &header,
        &names,
        Paper::Mm80,
        lang,
        false,
    ))))
}
