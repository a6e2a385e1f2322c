//! TVA per month and rate, for the monthly declaration (G50): the taxable base (HT), the TVA and
//! the TTC, from the TVA rollups (each sale's breakdown by the one pricing rule, refunds
//! subtracted in the month they were made): the range's whole months from `tax_month_rollups`,
//! the days of a month it holds only in part from `tax_day_rollups`.

use axum::extract::{Query, State};
use axum::Json;
use pos_shared::api::Envelope;
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::Portal;
use super::views::{Amount, DayRange, Days, RangeQuery, Rate};
use crate::error::AppError;
use crate::routes::AppState;

#[derive(Serialize, ToSchema)]
pub struct TvaRate {
    pub rate: Rate,
    pub base: Amount,
    pub tax: Amount,
    pub total: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct TvaMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub rates: Vec<TvaRate>,
    pub base: Amount,
    pub tax: Amount,
    pub total: Amount,
}

#[derive(Serialize, ToSchema)]
pub struct Tva {
    pub range: DayRange,
    pub months: Vec<TvaMonth>,
    pub rates: Vec<TvaRate>,
    pub base: Amount,
    pub tax: Amount,
    pub total: Amount,
}

fn rate_row(rate: i32, base: i64, tax: i64) -> TvaRate {
    TvaRate {
        rate: Rate::of(rate),
        base: Amount::of(base),
        tax: Amount::of(tax),
        total: Amount::of(base + tax),
    }
}

/// (month `YYYY-MM`, rate, base, tax), months in order, rates from the highest.
pub async fn tva_rows(
    pool: &PgPool,
    stores: &[Uuid],
    days: Days,
) -> Result<Vec<(String, i32, i64, i64)>, sqlx::Error> {
    let (whole_from, whole_to) = whole_months(days);
    sqlx::query_as(
        "SELECT to_char(m, 'YYYY-MM'), rate, sum(base)::int8, sum(tax)::int8 FROM (
             SELECT month AS m, rate, base, tax FROM tax_month_rollups
             WHERE store_id = ANY($1) AND month >= date '1970-01-01' + $4
               AND month < date '1970-01-01' + $5
             UNION ALL
             SELECT date_trunc('month', day)::date, rate, base, tax FROM tax_day_rollups
             WHERE store_id = ANY($1) AND day >= date '1970-01-01' + $2
               AND day < date '1970-01-01' + $4
             UNION ALL
             SELECT date_trunc('month', day)::date, rate, base, tax FROM tax_day_rollups
             WHERE store_id = ANY($1) AND day >= date '1970-01-01' + $5
               AND day < date '1970-01-01' + $3
         ) r
         GROUP BY 1, 2 ORDER BY 1, 2 DESC",
    )
    .bind(stores)
    .bind(days.from)
    .bind(days.to)
    .bind(whole_from)
    .bind(whole_to)
    .fetch_all(pool)
    .await
}

/// The whole calendar months of `days`, `[first day of the first, first day after the last)`;
/// the days before and after are the parts of months read day by day. A range inside one
/// month has no whole month: `(to, to)`, so every day is read from the day rows.
fn whole_months(days: Days) -> (i32, i32) {
    use crate::apply::rollups::{month_of, next_month};
    let from = if month_of(days.from) == days.from {
        days.from
    } else {
        next_month(days.from)
    };
    let to = month_of(days.to);
    if from < to {
        (from, to)
    } else {
        (days.to, days.to)
    }
}

#[cfg(test)]
mod tests {
    use super::{whole_months, Days};
    use crate::portal::views::parse_day;

    fn days(from: &str, to: &str) -> Days {
        Days {
            from: parse_day(from).unwrap(),
            to: parse_day(to).unwrap(),
        }
    }

    #[test]
    fn a_range_is_its_whole_months_and_the_days_around_them() {
        let day = |d| parse_day(d).unwrap();
        // March 5 to May 20: April whole; March 5–31 and May 1–19 day by day.
        assert_eq!(
            whole_months(days("2026-03-05", "2026-05-20")),
            (day("2026-04-01"), day("2026-05-01"))
        );
        // A year from January 1st: twelve whole months, no day row.
        assert_eq!(
            whole_months(days("2026-01-01", "2027-01-01")),
            (day("2026-01-01"), day("2027-01-01"))
        );
        // Inside one month, or across two partial ones: every day from the day rows.
        for (from, to) in [("2026-03-05", "2026-03-20"), ("2026-03-05", "2026-04-10")] {
            let to_day = day(to);
            assert_eq!(
                whole_months(days(from, to)),
                (to_day, to_day),
                "{from}–{to}"
            );
        }
    }
}

#[utoipa::path(get, path = "/v1/portal/tva", tag = "portal", params(RangeQuery),
    responses((status = 200, body = Tva), (status = 403)))]
pub async fn tva(
    State(state): State<AppState>,
    portal: Portal,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Envelope<Tva>>, AppError> {
    let stores = portal.scope(q.stores.as_deref())?;
    let days = q.days()?;
    let rows = tva_rows(&state.pool, &stores, days).await?;
    let mut months: Vec<TvaMonth> = Vec::new();
    let mut by_rate: std::collections::BTreeMap<i32, (i64, i64)> = Default::default();
    let (mut base, mut tax) = (0i64, 0i64);
    let mut current: Option<(String, Vec<TvaRate>, i64, i64)> = None;
    for (month, rate, b, t) in rows {
        if current.as_ref().is_some_and(|c| c.0 != month) {
            if let Some((m, rates, b, t)) = current.take() {
                months.push(TvaMonth {
                    month: m,
                    rates,
                    base: Amount::of(b),
                    tax: Amount::of(t),
                    total: Amount::of(b + t),
                });
            }
        }
        let c = current.get_or_insert_with(|| (month.clone(), Vec::new(), 0, 0));
        c.1.push(rate_row(rate, b, t));
        c.2 += b;
        c.3 += t;
        let r = by_rate.entry(rate).or_default();
        r.0 += b;
        r.1 += t;
        base += b;
        tax += t;
    }
    if let Some((m, rates, b, t)) = current {
        months.push(TvaMonth {
            month: m,
            rates,
            base: Amount::of(b),
            tax: Amount::of(t),
            total: Amount::of(b + t),
        });
    }
    Ok(Json(Envelope::ok(Tva {
        range: days.into(),
        months,
        rates: by_rate
            .into_iter()
            .rev()
            .map(|(r, (b, t))| rate_row(r, b, t))
            .collect(),
        base: Amount::of(base),
        tax: Amount::of(tax),
        total: Amount::of(base + tax),
    })))
}
