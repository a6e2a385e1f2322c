//! The portal's rollups (`day_rollups`, `product_day_rollups`), kept in the push's transaction:
//! the newly recorded sales of a batch are summed in memory per business day and per (day,
//! product), then added with one `INSERT … ON CONFLICT DO UPDATE` per table, rows in key order
//! so two transactions touching the same rows always lock them in the same order. A refund's
//! lines carry positive amounts; it is subtracted.

use std::collections::BTreeMap;

use pos_shared::{Sale, SaleKind, Tender};
use sqlx::PgConnection;
use uuid::Uuid;

/// The stores' local time, as an offset from UTC: Africa/Algiers is UTC+1 all year (no
/// daylight saving since 1981). The one place that knows it; a store in another zone would
/// bring its offset on the store row.
pub const STORE_UTC_OFFSET_MS: i64 = 3_600_000;

const DAY_MS: i64 = 86_400_000;

/// The business day (days since 1970-01-01, local time) of a sale made at `at_ms` (UTC).
pub fn business_day(at_ms: i64) -> i32 {
    // Sale times are checked to lie in 2000–2099, so the day fits.
    (at_ms.saturating_add(STORE_UTC_OFFSET_MS)).div_euclid(DAY_MS) as i32
}

/// The business day of a sale made at `at_ms`, as `YYYY-MM-DD` (what events carry).
pub fn business_date(at_ms: i64) -> String {
    // Days since 1970 to a civil date (Howard Hinnant's algorithm, proleptic Gregorian).
    let z = i64::from(business_day(at_ms)) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Day {
    sales: i64,
    refunds: i64,
    gross: i64,
    discount: i64,
    net: i64,
    tax: i64,
    cash: i64,
    card: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ProductDay {
    qty: i64,
    gross: i64,
    net: i64,
}

/// A batch's sums, in key order.
#[derive(Debug, Default)]
struct Sums {
    days: BTreeMap<i32, Day>,
    products: BTreeMap<(i32, Uuid), ProductDay>,
}

fn add(a: &mut i64, sign: i64, v: i64) {
    *a = a.saturating_add(sign.saturating_mul(v));
}

impl Sums {
    fn of<'a>(sales: impl IntoIterator<Item = &'a Sale>) -> Sums {
        let mut sums = Sums::default();
        for s in sales {
            let day = business_day(s.created_at_ms);
            let sign = if s.kind == SaleKind::Refund { -1 } else { 1 };
            let d = sums.days.entry(day).or_default();
            match s.kind {
                SaleKind::Sale => d.sales += 1,
                SaleKind::Refund => d.refunds += 1,
            }
            for l in &s.lines {
                add(&mut d.gross, sign, l.gross.centimes());
                add(&mut d.net, sign, l.net.centimes());
                add(&mut d.discount, sign, (l.gross - l.net).centimes());
                let p = sums.products.entry((day, l.product_id)).or_default();
                add(&mut p.qty, sign, l.qty);
                add(&mut p.gross, sign, l.gross.centimes());
                add(&mut p.net, sign, l.net.centimes());
            }
            for t in &s.taxes {
                add(&mut d.tax, sign, t.tax.centimes());
            }
            for p in &s.payments {
                let into = match p.tender {
                    Tender::Cash => &mut d.cash,
                    Tender::Card => &mut d.card,
                };
                add(into, sign, p.amount.centimes());
            }
        }
        sums
    }
}

/// Adds newly recorded sales (never one already counted) to the store's rollups.
pub async fn add_sales<'a>(
    conn: &mut PgConnection,
    store: Uuid,
    sales: impl IntoIterator<Item = &'a Sale>,
) -> Result<(), sqlx::Error> {
    let sums = Sums::of(sales);
    if sums.days.is_empty() {
        return Ok(());
    }
    let days: Vec<(&i32, &Day)> = sums.days.iter().collect();
    let col = |f: &dyn Fn(&Day) -> i64| days.iter().map(|(_, d)| f(d)).collect::<Vec<i64>>();
    sqlx::query(
        "INSERT INTO day_rollups AS r (store_id, day, sales, refunds, gross, discount, net, tax, cash, card)
         SELECT $1, date '1970-01-01' + d, s, rf, g, dc, n, t, ca, cd
         FROM UNNEST($2::int4[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[],
                     $8::int8[], $9::int8[], $10::int8[]) AS u(d, s, rf, g, dc, n, t, ca, cd)
         ON CONFLICT (store_id, day) DO UPDATE SET
             sales = r.sales + EXCLUDED.sales, refunds = r.refunds + EXCLUDED.refunds,
             gross = r.gross + EXCLUDED.gross, discount = r.discount + EXCLUDED.discount,
             net = r.net + EXCLUDED.net, tax = r.tax + EXCLUDED.tax,
             cash = r.cash + EXCLUDED.cash, card = r.card + EXCLUDED.card",
    )
    .bind(store)
    .bind(days.iter().map(|(d, _)| **d).collect::<Vec<i32>>())
    .bind(col(&|d| d.sales))
    .bind(col(&|d| d.refunds))
    .bind(col(&|d| d.gross))
    .bind(col(&|d| d.discount))
    .bind(col(&|d| d.net))
    .bind(col(&|d| d.tax))
    .bind(col(&|d| d.cash))
    .bind(col(&|d| d.card))
    .execute(&mut *conn)
    .await?;
    let products: Vec<(&(i32, Uuid), &ProductDay)> = sums.products.iter().collect();
    let col =
        |f: &dyn Fn(&ProductDay) -> i64| products.iter().map(|(_, p)| f(p)).collect::<Vec<i64>>();
    sqlx::query(
        "INSERT INTO product_day_rollups AS r (store_id, day, product_id, qty, gross, net)
         SELECT $1, date '1970-01-01' + d, p, q, g, n
         FROM UNNEST($2::int4[], $3::uuid[], $4::int8[], $5::int8[], $6::int8[]) AS u(d, p, q, g, n)
         ON CONFLICT (store_id, day, product_id) DO UPDATE SET
             qty = r.qty + EXCLUDED.qty, gross = r.gross + EXCLUDED.gross,
             net = r.net + EXCLUDED.net",
    )
    .bind(store)
    .bind(products.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
    .bind(products.iter().map(|((_, p), _)| *p).collect::<Vec<Uuid>>())
    .bind(col(&|p| p.qty))
    .bind(col(&|p| p.gross))
    .bind(col(&|p| p.net))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_day_is_algiers_local_time() {
        // 2026-11-23 23:30 UTC is 00:30 on the 24th in Algiers.
        let midnight_utc = 1_795_478_400_000; // 2026-11-24 00:00 UTC, day 20781
        assert_eq!(business_day(midnight_utc - 1_800_000), 20_781);
        assert_eq!(business_day(midnight_utc), 20_781);
        // The day starts at 23:00 UTC the evening before.
        assert_eq!(business_day(midnight_utc - 3_600_000), 20_781);
        assert_eq!(business_day(midnight_utc - 3_600_001), 20_780);
        // and ends at 23:00 UTC.
        assert_eq!(business_day(midnight_utc + 23 * 3_600_000 - 1), 20_781);
        assert_eq!(business_day(midnight_utc + 23 * 3_600_000), 20_782);
        assert_eq!(business_date(midnight_utc - 1_800_000), "2026-11-24");
        assert_eq!(business_date(midnight_utc - 3_600_001), "2026-11-23");
        assert_eq!(business_date(951_782_400_000 + 3_600_000), "2000-02-29");
    }
}
