//! The dashboard's breakdowns (by hour, top products and categories, by cashier and terminal)
//! over a range read as month rows and a few day rows (`Span`): the months the range touches
//! come from the month rollups (`product_month_rollups`, `hour_month_rollups`,
//! `cashier_month_rollups`, `device_month_rollups`), and at each end the days of a partial month
//! from the day rollups, added when they are fewer than half the month, else the days outside
//! the range taken back from its month row; every part is a half-open range on its table's
//! primary key `(store_id, day | month, …)`. The month is the calendar month of the business day
//! the apply pipeline computed in the store's zone, so a month row is exactly the sum of its
//! days, and at most about half a month of day rows is read at each end. A product, cashier or
//! terminal whose sums over the range are all zero is not listed.

use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::Postgres;
use uuid::Uuid;

use super::dashboard::{CategoryRow, HourRow, PersonRow, Point, ProductRow};
use super::views::{quantity_text, Amount, Days};
use crate::apply::rollups::{month_of, next_month};
use crate::error::AppError;
use crate::routes::AppState;

/// Day rows added (`sign` 1) or taken back (-1): `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: i32,
    pub to: i32,
    pub sign: i64,
}

const NO_EDGE: Edge = Edge {
    from: 0,
    to: 0,
    sign: 1,
};

/// A half-open range of business days as the months `[months.0, months.1)` of the month
/// rollups (first days of months) plus or minus the day rows of `edges`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub months: (i32, i32),
    pub edges: [Edge; 2],
}

/// The days `[from, to)` of the month starting at `month`, which holds them and more: as day
/// rows when they are at most half of it, else as the month less the rest. Returns whether the
/// month row is used, and the day rows added or taken back.
fn part(month: i32, from: i32, to: i32) -> (bool, [Edge; 2]) {
    let end = next_month(month);
    if 2 * (to - from) <= end - month {
        return (false, [Edge { from, to, sign: 1 }, NO_EDGE]);
    }
    let before = Edge {
        from: month,
        to: from,
        sign: -1,
    };
    let after = Edge {
        from: to,
        to: end,
        sign: -1,
    };
    (true, [before, after])
}

impl Span {
    pub fn of(days: Days) -> Span {
        let (from, to) = (days.from, days.to);
        let first = month_of(from);
        let last = month_of(to - 1);
        let end = next_month(last);
        if first == last {
            if from == first && to == end {
                return Span {
                    months: (first, end),
                    edges: [NO_EDGE; 2],
                };
            }
            let (whole, edges) = part(first, from, to);
            let months = if whole { (first, end) } else { (first, first) };
            return Span { months, edges };
        }
        let (lo, start) = if from == first {
            (first, NO_EDGE)
        } else {
            match part(first, from, next_month(first)) {
                (true, [taken, _]) => (first, taken),
                (false, [added, _]) => (next_month(first), added),
            }
        };
        let (hi, finish) = if to == end {
            (end, NO_EDGE)
        } else {
            match part(last, last, to) {
                (true, [_, taken]) => (end, taken),
                (false, [added, _]) => (last, added),
            }
        };
        Span {
            months: (lo, hi),
            edges: [start, finish],
        }
    }

    /// How many month rows per key the month rollups give.
    pub fn months(self) -> usize {
        std::iter::successors(Some(self.months.0), |m| Some(next_month(*m)))
            .take_while(|m| *m < self.months.1)
            .count()
    }

    /// How many days of day rows are read.
    pub fn days(self) -> i32 {
        self.edges.iter().map(|e| (e.to - e.from).max(0)).sum()
    }
}

/// The rows of a breakdown over a span bound by `bind` ($1 stores, $2–$3 the months, $4–$9 the
/// two edges): the month rows of `month_table`, the edge days of `day_table`. `cols` gives the
/// selected columns with the sums multiplied by the part's sign; it must not name the day or
/// the month.
pub(super) fn rows_of(day_table: &str, month_table: &str, cols: impl Fn(&str) -> String) -> String {
    let (m, d1, d2) = (cols("1"), cols("$6"), cols("$9"));
    format!(
        "SELECT {m} FROM {month_table}
         WHERE store_id = ANY($1) AND month >= date '1970-01-01' + $2 AND month < date '1970-01-01' + $3
         UNION ALL
         SELECT {d1} FROM {day_table}
         WHERE store_id = ANY($1) AND day >= date '1970-01-01' + $4 AND day < date '1970-01-01' + $5
         UNION ALL
         SELECT {d2} FROM {day_table}
         WHERE store_id = ANY($1) AND day >= date '1970-01-01' + $7 AND day < date '1970-01-01' + $8"
    )
}

pub(super) fn bind<'q, O>(
    q: QueryAs<'q, Postgres, O, PgArguments>,
    stores: &'q [Uuid],
    s: Span,
) -> QueryAs<'q, Postgres, O, PgArguments> {
    let [a, b] = s.edges;
    q.bind(stores)
        .bind(s.months.0)
        .bind(s.months.1)
        .bind(a.from)
        .bind(a.to)
        .bind(a.sign)
        .bind(b.from)
        .bind(b.to)
        .bind(b.sign)
}

const TOP: i64 = 10;

/// Sales and net per local hour (0–23) over a span.
async fn hour_points(state: &AppState, stores: &[Uuid], s: Span) -> Result<[Point; 24], AppError> {
    let rows = rows_of("hour_rollups", "hour_month_rollups", |k| {
        format!("hour, {k} * sales AS sales, {k} * net AS net")
    });
    // Table and column names are constants, never input.
    let sql = format!("SELECT hour, sum(sales)::int8, sum(net)::int8 FROM ({rows}) r GROUP BY 1");
    let rows: Vec<(i16, i64, i64)> = bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)), stores, s)
        .fetch_all(&state.pool)
        .await?;
    let mut points: [Point; 24] = std::array::from_fn(|_| Point {
        sales: 0,
        net: Amount::of(0),
    });
    for (hour, sales, net) in rows {
        if let Some(p) = usize::try_from(hour).ok().and_then(|h| points.get_mut(h)) {
            *p = Point {
                sales,
                net: Amount::of(net),
            };
        }
    }
    Ok(points)
}

/// Each hour of the range beside the same hour over the previous period.
pub async fn hours(
    state: &AppState,
    stores: &[Uuid],
    days: Days,
) -> Result<Vec<HourRow>, AppError> {
    let (current, previous) = tokio::try_join!(
        hour_points(state, stores, Span::of(days)),
        hour_points(state, stores, Span::of(days.previous())),
    )?;
    Ok(current
        .into_iter()
        .zip(previous)
        .zip(0i16..)
        .map(|((current, previous), hour)| HourRow {
            hour,
            current,
            previous,
        })
        .collect())
}

pub async fn top_products(
    state: &AppState,
    stores: &[Uuid],
    days: Days,
) -> Result<Vec<ProductRow>, AppError> {
    type Row = (
        Uuid,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
        i64,
    );
    let s = Span::of(days);
    let rows = rows_of("product_day_rollups", "product_month_rollups", |k| {
        format!("product_id, {k} * qty AS qty, {k} * net AS net")
    });
    // Table and column names are constants, never input.
    let sql = format!(
        "WITH t AS (
             SELECT product_id, sum(qty)::int8 AS q, sum(net)::int8 AS n FROM ({rows}) r
             GROUP BY product_id HAVING sum(qty) <> 0 OR sum(net) <> 0
             ORDER BY n DESC, product_id LIMIT $10)
         SELECT t.product_id, p.sku, p.name_fr, p.name_ar, p.unit, t.q, t.n FROM t
         LEFT JOIN LATERAL (SELECT sku, name_fr, name_ar, unit FROM products
                            WHERE store_id = ANY($1) AND id = t.product_id LIMIT 1) p ON true
         ORDER BY t.n DESC, t.product_id"
    );
    let rows: Vec<Row> = bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)), stores, s)
        .bind(TOP)
        .fetch_all(&state.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sku, fr, ar, unit, q, n)| ProductRow {
            product_id: id,
            sku: sku.unwrap_or_default(),
            name_fr: fr.unwrap_or_default(),
            name_ar: ar.unwrap_or_default(),
            quantity: quantity_text(q, unit.as_deref().unwrap_or("piece")),
            net: Amount::of(n),
        })
        .collect())
}

/// By the product's category as the catalog has it now: each store's products summed first,
/// then looked up once each.
pub async fn top_categories(
    state: &AppState,
    stores: &[Uuid],
    days: Days,
) -> Result<Vec<CategoryRow>, AppError> {
    let s = Span::of(days);
    let rows = rows_of("product_day_rollups", "product_month_rollups", |k| {
        format!("store_id, product_id, {k} * qty AS qty, {k} * net AS net")
    });
    // Table and column names are constants, never input.
    let sql = format!(
        "WITH t AS (SELECT store_id, product_id, sum(net) AS n FROM ({rows}) r
                    GROUP BY 1, 2 HAVING sum(qty) <> 0 OR sum(net) <> 0)
         SELECT coalesce(p.category, ''), sum(t.n)::int8 FROM t
         LEFT JOIN products p ON p.store_id = t.store_id AND p.id = t.product_id
         GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $10"
    );
    let rows: Vec<(String, i64)> = bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)), stores, s)
        .bind(TOP)
        .fetch_all(&state.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(category, n)| CategoryRow {
            category,
            net: Amount::of(n),
        })
        .collect())
}

#[derive(Clone, Copy)]
pub enum Slice {
    Cashier,
    Terminal,
}

/// By cashier (named from the store's staff) or by terminal (named as enrolled).
pub async fn people(
    state: &AppState,
    stores: &[Uuid],
    days: Days,
    slice: Slice,
) -> Result<Vec<PersonRow>, AppError> {
    let s = Span::of(days);
    let (day_table, month_table, key, names) = match slice {
        Slice::Cashier => (
            "cashier_day_rollups",
            "cashier_month_rollups",
            "cashier_id",
            "staff n ON n.store_id = t.store_id AND n.id = t.k",
        ),
        Slice::Terminal => (
            "device_day_rollups",
            "device_month_rollups",
            "device_id",
            "devices n ON n.id = t.k",
        ),
    };
    let rows = rows_of(day_table, month_table, |k| {
        format!("store_id, {key} AS k, {k} * sales AS sales, {k} * refunds AS refunds, {k} * net AS net")
    });
    // Table and column names are the constants above, never input.
    let sql = format!(
        "WITH t AS (SELECT store_id, k, sum(sales) AS s, sum(refunds) AS rf, sum(net) AS n
                    FROM ({rows}) r GROUP BY 1, 2 HAVING sum(sales) <> 0 OR sum(refunds) <> 0)
         SELECT t.k, coalesce(max(n.name), ''), sum(t.s)::int8, sum(t.rf)::int8, sum(t.n)::int8
         FROM t LEFT JOIN {names}
         GROUP BY t.k ORDER BY 5 DESC, 1"
    );
    let rows: Vec<(Uuid, String, i64, i64, i64)> =
        bind(sqlx::query_as(sqlx::AssertSqlSafe(sql)), stores, s)
            .fetch_all(&state.pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, sales, refunds, net)| PersonRow {
            id,
            name,
            sales,
            refunds,
            net: Amount::of(net),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::views::parse_day;

    fn span(from: &str, to: &str) -> Span {
        let days = Days {
            from: parse_day(from).unwrap_or_default(),
            to: parse_day(to).unwrap_or_default(),
        };
        Span::of(days)
    }

    #[test]
    fn a_range_reads_month_rows_and_at_most_half_a_month_of_days_at_each_end() {
        let d = |t: &str| parse_day(t).unwrap_or_default();
        // Most of July and of October: their month rows less the days outside.
        let s = span("2026-07-15", "2026-10-20");
        assert_eq!(s.months, (d("2026-07-01"), d("2026-11-01")));
        assert_eq!(
            s.edges[0],
            Edge {
                from: d("2026-07-01"),
                to: d("2026-07-15"),
                sign: -1
            }
        );
        assert_eq!(
            s.edges[1],
            Edge {
                from: d("2026-10-20"),
                to: d("2026-11-01"),
                sign: -1
            }
        );
        assert_eq!((s.months(), s.days()), (4, 26));
        // A week of July and four days of September: their days added to August.
        let s = span("2026-07-25", "2026-09-05");
        assert_eq!(s.months, (d("2026-08-01"), d("2026-09-01")));
        assert_eq!(
            s.edges[0],
            Edge {
                from: d("2026-07-25"),
                to: d("2026-08-01"),
                sign: 1
            }
        );
        assert_eq!(
            s.edges[1],
            Edge {
                from: d("2026-09-01"),
                to: d("2026-09-05"),
                sign: 1
            }
        );
        // A calendar year is its twelve months.
        let s = span("2026-01-01", "2027-01-01");
        assert_eq!((s.months(), s.days()), (12, 0));
        // Within one month: a few days as days, most of it as the month less the rest.
        let s = span("2026-11-10", "2026-11-14");
        assert_eq!((s.months(), s.days()), (0, 4));
        let s = span("2026-11-03", "2026-11-28");
        assert_eq!((s.months(), s.days()), (1, 5));
        assert_eq!(s.edges[0].sign, -1);
        // The bench's month (31 days over two months) and year.
        let s = span("2026-11-03", "2026-12-04");
        assert_eq!((s.months(), s.days()), (1, 5), "{s:?}");
        let s = span("2025-12-03", "2026-12-04");
        assert_eq!((s.months(), s.days()), (12, 5), "{s:?}");
    }
}
