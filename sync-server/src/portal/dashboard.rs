//! The dashboard: a range of business days over one, several or all of the user's stores, read
//! from the rollups the apply pipeline keeps, each with a half-open range on its primary key
//! `(store_id, day, …)`: totals, payments and the chart by day from `day_rollups`, and TVA and
//! the breakdowns (hours, products, categories, cashiers, terminals) from their month rollups for the range's whole months and their day rollups for the edge days
//! (`breakdowns`). The previous period of the same length comes beside the charts. The parts
//! are independent reads and run side by side.

use axum::extract::{Query, State};
use axum::Json;
use pos_shared::api::Envelope;
use pos_shared::pricing::round_div;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::breakdowns::{self, Slice};
use super::extract::Portal;
use super::terminals::{terminals_of, TerminalView};
use super::views::{day_text, Amount, DayRange, Days, RangeQuery, Rate};
use crate::error::AppError;
use crate::routes::AppState;

#[derive(Serialize, ToSchema)]
pub struct Totals {
    /// Sales before discounts (refunds not subtracted).
    pub gross: Amount,
    /// Line and order discounts of the sales.
    pub discounts: Amount,
    /// What refunds gave back (TTC).
    pub refunds: Amount,
    /// gross − discounts − refunds: the takings.
    pub net: Amount,
    /// TVA of the takings (refunds subtracted).
    pub tax: Amount,
    pub sales: i64,
    pub refund_count: i64,
    /// Sales' net before refunds divided by the number of sales, rounded half away from zero.
    pub average_basket: Amount,
    /// Payments received minus refunds paid back; equals `net`.
    pub collected: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct TaxRow {
    pub rate: Rate,
    /// HT.
    pub base: Amount,
    pub tax: Amount,
    /// TTC.
    pub total: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct TenderRow {
    /// `cash` or `card`.
    pub tender: String,
    pub amount: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct Point {
    pub sales: i64,
    pub net: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct HourRow {
    /// Local hour of the day, 0–23.
    pub hour: i16,
    pub current: Point,
    pub previous: Point,
}

#[derive(Serialize, ToSchema)]
pub struct DayRow {
    pub day: String,
    pub current: Point,
    /// The day at the same place in the previous period.
    pub previous_day: String,
    pub previous: Point,
}

#[derive(Serialize, ToSchema)]
pub struct ProductRow {
    pub product_id: Uuid,
    pub sku: String,
    pub name_fr: String,
    pub name_ar: String,
    pub quantity: String,
    pub net: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryRow {
    pub category: String,
    pub net: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub sales: i64,
    pub refunds: i64,
    pub net: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    pub range: DayRange,
    pub previous_range: DayRange,
    pub stores: Vec<Uuid>,
    pub totals: Totals,
    pub previous_totals: Totals,
    pub taxes: Vec<TaxRow>,
    pub payments: Vec<TenderRow>,
    pub by_hour: Vec<HourRow>,
    pub by_day: Vec<DayRow>,
    pub top_products: Vec<ProductRow>,
    pub top_categories: Vec<CategoryRow>,
    pub by_cashier: Vec<PersonRow>,
    pub by_terminal: Vec<PersonRow>,
    /// Every terminal of these stores with when it was last heard from.
    pub terminals: Vec<TerminalView>,
}

/// One row of `day_rollups`' sums.
#[derive(Clone, Copy, Default, sqlx::FromRow)]
struct Sums {
    sales: i64,
    refunds: i64,
    gross: i64,
    discount: i64,
    net: i64,
    tax: i64,
    cash: i64,
    card: i64,
    refund_gross: i64,
    refund_net: i64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.sales += o.sales;
        self.refunds += o.refunds;
        self.gross += o.gross;
        self.discount += o.discount;
        self.net += o.net;
        self.tax += o.tax;
        self.cash += o.cash;
        self.card += o.card;
        self.refund_gross += o.refund_gross;
        self.refund_net += o.refund_net;
    }

    /// The rollup keeps sales minus refunds; the dashboard shows them apart.
    fn totals(&self) -> Totals {
        let sales_gross = self.gross + self.refund_gross;
        let sales_discount = self.discount + (self.refund_gross - self.refund_net);
        let sales_net = self.net + self.refund_net;
        let average = if self.sales > 0 {
            round_div(i128::from(sales_net), i128::from(self.sales)) as i64
        } else {
            0
        };
        Totals {
            gross: Amount::of(sales_gross),
            discounts: Amount::of(sales_discount),
            refunds: Amount::of(self.refund_net),
            net: Amount::of(self.net),
            tax: Amount::of(self.tax),
            sales: self.sales,
            refund_count: self.refunds,
            average_basket: Amount::of(average),
            collected: Amount::of(self.cash + self.card),
        }
    }
}

#[utoipa::path(get, path = "/v1/portal/dashboard", tag = "portal", params(RangeQuery),
    responses((status = 200, body = Dashboard), (status = 403)))]
pub async fn dashboard(
    State(state): State<AppState>,
    portal: Portal,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Envelope<Dashboard>>, AppError> {
    let stores = portal.scope(q.stores.as_deref())?;
    let days = q.days()?;
    let prev = days.previous();
    let pool = &state.pool;

    let (by_day, taxes, by_hour, top_products, top_categories, by_cashier, by_terminal, terminals) =
        tokio::try_join!(
            day_sums(
                &state,
                &stores,
                Days {
                    from: prev.from,
                    to: days.to
                }
            ),
            taxes(&state, &stores, days),
            breakdowns::hours(&state, &stores, days),
            breakdowns::top_products(&state, &stores, days),
            breakdowns::top_categories(&state, &stores, days),
            breakdowns::people(&state, &stores, days, Slice::Cashier),
            breakdowns::people(&state, &stores, days, Slice::Terminal),
            terminals_of(pool, &stores),
        )?;
    let (mut cur, mut before) = (Sums::default(), Sums::default());
    for (d, s) in &by_day {
        if *d >= days.from {
            cur.add(s)
        } else {
            before.add(s)
        }
    }
    let point = |s: Option<&Sums>| Point {
        sales: s.map_or(0, |s| s.sales),
        net: Amount::of(s.map_or(0, |s| s.net)),
    };
    let day_rows = (days.from..days.to)
        .map(|d| {
            let p = d - days.from + prev.from;
            DayRow {
                day: day_text(d),
                current: point(by_day.get(&d)),
                previous_day: day_text(p),
                previous: point(by_day.get(&p)),
            }
        })
        .collect();

    let dashboard = Dashboard {
        range: days.into(),
        previous_range: prev.into(),
        totals: cur.totals(),
        previous_totals: before.totals(),
        taxes,
        payments: vec![
            TenderRow {
                tender: "cash".into(),
                amount: Amount::of(cur.cash),
            },
            TenderRow {
                tender: "card".into(),
                amount: Amount::of(cur.card),
            },
        ],
        by_hour,
        by_day: day_rows,
        top_products,
        top_categories,
        by_cashier,
        by_terminal,
        terminals,
        stores,
    };
    Ok(Json(Envelope::ok(dashboard)))
}

/// `day_rollups` summed over the stores, per day of `days`.
async fn day_sums(
    state: &AppState,
    stores: &[Uuid],
    days: Days,
) -> Result<std::collections::HashMap<i32, Sums>, AppError> {
    type Row = (i32, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT (day - date '1970-01-01')::int4, sum(sales)::int8, sum(refunds)::int8, sum(gross)::int8,
                sum(discount)::int8, sum(net)::int8, sum(tax)::int8, sum(cash)::int8, sum(card)::int8,
                sum(refund_gross)::int8, sum(refund_net)::int8
         FROM day_rollups
         WHERE store_id = ANY($1) AND day >= date '1970-01-01' + $2 AND day < date '1970-01-01' + $3
         GROUP BY day ORDER BY day",
    )
    .bind(stores)
    .bind(days.from)
    .bind(days.to)
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(d, sales, refunds, gross, discount, net, tax, cash, card, rg, rn)| {
                let s = Sums {
                    sales,
                    refunds,
                    gross,
                    discount,
                    net,
                    tax,
                    cash,
                    card,
                    refund_gross: rg,
                    refund_net: rn,
                };
                (d, s)
            },
        )
        .collect())
}

/// TVA per rate over the range: its whole months from `tax_month_rollups`, the days at its ends
/// from `tax_day_rollups` (`breakdowns::Span`).
async fn taxes(state: &AppState, stores: &[Uuid], days: Days) -> Result<Vec<TaxRow>, AppError> {
    let rows = breakdowns::rows_of("tax_day_rollups", "tax_month_rollups", |k| {
        format!("rate, {k} * base AS base, {k} * tax AS tax")
    });
    // Table and column names are constants, never input.
    let sql = format!(
        "SELECT rate, sum(base)::int8, sum(tax)::int8 FROM ({rows}) r
         GROUP BY rate HAVING sum(base) <> 0 OR sum(tax) <> 0 ORDER BY rate DESC"
    );
    let rows: Vec<(i32, i64, i64)> = breakdowns::bind(
        sqlx::query_as(sqlx::AssertSqlSafe(sql)),
        stores,
        breakdowns::Span::of(days),
    )
    .fetch_all(&state.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(rate, base, tax)| TaxRow {
            rate: Rate::of(rate),
            base: Amount::of(base),
            tax: Amount::of(tax),
            total: Amount::of(base + tax),
        })
        .collect())
}
