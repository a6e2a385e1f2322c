//! Shifts and their Z reports: every shift of the user's stores opened in a range of business
//! days, with the Z summary the server computed at its close (`crate::shifts`, by the till's
//! rule) beside the expected cash the till itself computed, so a disagreement shows; and one
//! shift with its TVA per rate and its drawer events (float, cash in and out with their reasons,
//! drawer opened without a sale, close).

use axum::extract::{Path, Query, State};
use axum::Json;
use pos_shared::api::Envelope;
use pos_shared::TaxLine;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::Portal;
use super::views::{Amount, DayRange, Days, RangeQuery, Rate};
use crate::error::AppError;
use crate::routes::AppState;

#[derive(Deserialize, IntoParams)]
pub struct ShiftsQuery {
    /// First business day, `YYYY-MM-DD` (a shift counts on the day it was opened).
    pub from: String,
    /// The day after the last one (half-open range), `YYYY-MM-DD`.
    pub to: String,
    /// Store ids, comma-separated; all of the user's stores when absent.
    pub stores: Option<String>,
    /// Only the shifts of this terminal (the till's terminal id).
    pub terminal: Option<Uuid>,
}

/// One shift: who opened and closed it, and its Z figures once closed (`None` while open).
#[derive(Serialize, ToSchema)]
pub struct Shift {
    pub id: Uuid,
    pub store_id: Uuid,
    pub store: String,
    pub terminal_id: Uuid,
    /// The enrolled device's name.
    pub terminal: String,
    pub opened_by: String,
    /// Local time in the store's zone, `YYYY-MM-DD HH:MM`.
    pub opened_at: Option<String>,
    pub closed_by: String,
    pub closed_at: Option<String>,
    pub closed: bool,
    pub float: Amount,
    pub z: Option<ZFigures>,
}

/// A closed shift's Z report.
#[derive(Serialize, ToSchema)]
pub struct ZFigures {
    pub sales_count: i64,
    pub refunds_count: i64,
    pub sales_total: Amount,
    pub refunds_total: Amount,
    /// Sales minus refunds.
    pub net_total: Amount,
    pub discounts: Amount,
    pub cash_sales: Amount,
    pub cash_refunds: Amount,
    pub card_sales: Amount,
    pub card_refunds: Amount,
    pub cash_in: Amount,
    pub cash_out: Amount,
    /// Float + cash sales − cash refunds + cash in − cash out.
    pub expected_cash: Amount,
    pub counted_cash: Amount,
    /// Counted − expected: negative when cash is missing.
    pub over_short: Amount,
    /// What the till computed as expected at the close.
    pub till_expected_cash: Amount,
    /// The server's expected cash is the till's: false means a sale or drawer event of the
    /// shift has not reached the server, or the till computed differently.
    pub agrees: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Shifts {
    pub range: DayRange,
    pub shifts: Vec<Shift>,
}

#[derive(Serialize, ToSchema)]
pub struct DrawerEvent {
    /// Local time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// `open`, `cash_in`, `cash_out`, `drawer_opened` or `close`.
    pub kind: String,
    pub amount: Option<Amount>,
    pub reason: String,
    pub by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ZTax {
    pub rate: Rate,
    pub base: Amount,
    pub tax: Amount,
    pub total: Amount,
}

/// One shift with its TVA per rate (sales minus refunds) and its drawer events in order.
#[derive(Serialize, ToSchema)]
pub struct ShiftDetail {
    pub shift: Shift,
    pub taxes: Vec<ZTax>,
    pub events: Vec<DrawerEvent>,
}

/// A `shifts` row with its names, as [`SELECT`] reads it.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub store_id: Uuid,
    pub store: String,
    pub terminal_id: Uuid,
    pub terminal: String,
    pub opened_by: String,
    pub opened_at: Option<String>,
    pub closed_by: String,
    pub closed_at: Option<String>,
    pub float: i64,
    pub sales_count: Option<i64>,
    pub refunds_count: Option<i64>,
    pub sales_total: Option<i64>,
    pub refunds_total: Option<i64>,
    pub discounts: Option<i64>,
    pub cash_sales: Option<i64>,
    pub cash_refunds: Option<i64>,
    pub card_sales: Option<i64>,
    pub card_refunds: Option<i64>,
    pub cash_in: Option<i64>,
    pub cash_out: Option<i64>,
    pub expected_cash: Option<i64>,
    pub counted_cash: Option<i64>,
    pub over_short: Option<i64>,
    pub till_expected_cash: Option<i64>,
    pub taxes: Option<serde_json::Value>,
}

/// The shifts of stores `$1` opened on business days `$2` (inclusive) to `$3` (exclusive) of
/// their store's zone, oldest first; `$4` a terminal or null.
pub const SELECT: &str = "SELECT sh.id, sh.store_id, st.name AS store, sh.terminal_id,
        coalesce(d.name, '') AS terminal, coalesce(o.name, '') AS opened_by,
        to_char(sh.opened_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI') AS opened_at,
        coalesce(c.name, '') AS closed_by,
        to_char(sh.closed_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI') AS closed_at,
        sh.float, sh.sales_count, sh.refunds_count, sh.sales_total, sh.refunds_total, sh.discounts,
        sh.cash_sales, sh.cash_refunds, sh.card_sales, sh.card_refunds, sh.cash_in, sh.cash_out,
        sh.expected_cash, sh.counted_cash, sh.over_short, sh.till_expected_cash, sh.taxes
    FROM shifts sh JOIN stores st ON st.id = sh.store_id
    LEFT JOIN staff o ON o.store_id = sh.store_id AND o.id = sh.opened_by
    LEFT JOIN staff c ON c.store_id = sh.store_id AND c.id = sh.closed_by
    LEFT JOIN LATERAL (SELECT device_id FROM shift_events e WHERE e.shift_id = sh.id
                       ORDER BY e.at LIMIT 1) ev ON true
    LEFT JOIN devices d ON d.id = ev.device_id";

const IN_RANGE: &str = " WHERE sh.store_id = ANY($1)
      AND (coalesce(sh.opened_at, sh.closed_at) AT TIME ZONE st.time_zone)::date >= date '1970-01-01' + $2
      AND (coalesce(sh.opened_at, sh.closed_at) AT TIME ZONE st.time_zone)::date < date '1970-01-01' + $3
      AND ($4::uuid IS NULL OR sh.terminal_id = $4)
    ORDER BY coalesce(sh.opened_at, sh.closed_at), sh.id";

/// The rows of the shifts in range, for the report and the Z export.
pub async fn rows(
    pool: &PgPool,
    stores: &[Uuid],
    days: Days,
    terminal: Option<Uuid>,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT}{IN_RANGE}")))
        .bind(stores)
        .bind(days.from)
        .bind(days.to)
        .bind(terminal)
        .fetch_all(pool)
        .await
}

impl Row {
    /// The Z figures, when the shift is closed.
    pub fn z(&self) -> Option<ZFigures> {
        let expected = self.expected_cash?;
        let sales = self.sales_total.unwrap_or(0);
        let refunds = self.refunds_total.unwrap_or(0);
        let till_expected = self.till_expected_cash.unwrap_or(expected);
        let a = |v: Option<i64>| Amount::of(v.unwrap_or(0));
        Some(ZFigures {
            sales_count: self.sales_count.unwrap_or(0),
            refunds_count: self.refunds_count.unwrap_or(0),
            sales_total: Amount::of(sales),
            refunds_total: Amount::of(refunds),
            net_total: Amount::of(sales.saturating_sub(refunds)),
            discounts: a(self.discounts),
            cash_sales: a(self.cash_sales),
            cash_refunds: a(self.cash_refunds),
            card_sales: a(self.card_sales),
            card_refunds: a(self.card_refunds),
            cash_in: a(self.cash_in),
            cash_out: a(self.cash_out),
            expected_cash: Amount::of(expected),
            counted_cash: a(self.counted_cash),
            over_short: a(self.over_short),
            till_expected_cash: Amount::of(till_expected),
            agrees: till_expected == expected,
        })
    }

    fn shift(&self) -> Shift {
        Shift {
            id: self.id,
            store_id: self.store_id,
            store: self.store.clone(),
            terminal_id: self.terminal_id,
            terminal: self.terminal.clone(),
            opened_by: self.opened_by.clone(),
            opened_at: self.opened_at.clone(),
            closed_by: self.closed_by.clone(),
            closed_at: self.closed_at.clone(),
            closed: self.expected_cash.is_some(),
            float: Amount::of(self.float),
            z: self.z(),
        }
    }

    /// TVA per rate as the close stored it, from the highest rate.
    pub fn taxes(&self) -> Result<Vec<TaxLine>, AppError> {
        let Some(t) = &self.taxes else {
            return Ok(Vec::new());
        };
        let mut taxes: Vec<TaxLine> = serde_json::from_value(t.clone())
            .map_err(|e| AppError::Internal(format!("shift {}: stored TVA: {e}", self.id)))?;
        taxes.sort_by_key(|t| std::cmp::Reverse(t.rate));
        Ok(taxes)
    }
}

#[utoipa::path(get, path = "/v1/portal/shifts", tag = "portal", params(ShiftsQuery),
    responses((status = 200, body = Shifts), (status = 403)))]
pub async fn shifts(
    State(state): State<AppState>,
    portal: Portal,
    Query(q): Query<ShiftsQuery>,
) -> Result<Json<Envelope<Shifts>>, AppError> {
    let stores = portal.scope(q.stores.as_deref())?;
    let days = RangeQuery {
        from: q.from,
        to: q.to,
        stores: None,
    }
    .days()?;
    let rows = rows(&state.pool, &stores, days, q.terminal).await?;
    Ok(Json(Envelope::ok(Shifts {
        range: days.into(),
        shifts: rows.iter().map(Row::shift).collect(),
    })))
}

#[utoipa::path(get, path = "/v1/portal/shifts/{id}", tag = "portal",
    params(("id" = Uuid, Path, description = "the shift's id")),
    responses((status = 200, body = ShiftDetail), (status = 404)))]
pub async fn shift(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<Uuid>,
) -> Result<Json<Envelope<ShiftDetail>>, AppError> {
    // Another store's shift is not found, exactly as a shift that does not exist.
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE sh.id = $1 AND sh.store_id = ANY($2)"
    )))
    .bind(id)
    .bind(&portal.stores)
    .fetch_optional(&state.pool)
    .await?;
    let Some(row) = row else {
        return Err(AppError::NotFound(format!("no shift {id} in your stores")));
    };
    type Event = (String, String, Option<i64>, Option<String>, String);
    let events: Vec<Event> = sqlx::query_as(
        "SELECT to_char(e.at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI'), e.kind, e.amount,
                e.reason, coalesce(sf.name, '')
         FROM shift_events e JOIN stores st ON st.id = e.store_id
         LEFT JOIN staff sf ON sf.store_id = e.store_id AND sf.id = e.user_id
         WHERE e.shift_id = $1 AND e.store_id = $2 ORDER BY e.at, e.hlc",
    )
    .bind(id)
    .bind(row.store_id)
    .fetch_all(&state.pool)
    .await?;
    let taxes = row
        .taxes()?
        .into_iter()
        .map(|t| ZTax {
            rate: Rate::of(i32::from(t.rate.bp())),
            base: Amount::of(t.base.centimes()),
            tax: Amount::of(t.tax.centimes()),
            total: Amount::of(t.total.centimes()),
        })
        .collect();
    Ok(Json(Envelope::ok(ShiftDetail {
        shift: row.shift(),
        taxes,
        events: events
            .into_iter()
            .map(|(at, kind, amount, reason, by)| DrawerEvent {
                at,
                kind,
                amount: amount.map(Amount::of),
                reason: reason.unwrap_or_default(),
                by,
            })
            .collect(),
    })))
}
