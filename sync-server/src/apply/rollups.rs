//! The portal's rollups, kept in the push's transaction: `day_rollups` (with refunds apart),
//! `product_day_rollups`, and from migration 0007 TVA per rate, hour, cashier and terminal. The
//! newly recorded sales of a batch are summed in memory, then added with one
//! `INSERT … ON CONFLICT DO UPDATE` per table, rows in key order so two transactions touching
//! the same rows always lock them in the same order. A refund's lines carry positive amounts;
//! it is subtracted. The business day and hour are the sale's time in the store's zone
//! (`stores.time_zone`), asked of Postgres once per batch: a zone with daylight saving is right,
//! and the reports and the tests read days by the same rule.

use std::collections::BTreeMap;

use pos_shared::{Sale, SaleKind, Tender};
use sqlx::PgConnection;
use uuid::Uuid;

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
    refund_gross: i64,
    refund_net: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ProductDay {
    qty: i64,
    gross: i64,
    net: i64,
}

/// Sales, refunds and net takings of one slice (an hour, a cashier, a terminal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slice {
    sales: i64,
    refunds: i64,
    net: i64,
}

/// A batch's sums, in key order. Days are days since 1970-01-01 in the store's zone.
#[derive(Debug, Default)]
struct Sums {
    days: BTreeMap<i32, Day>,
    products: BTreeMap<(i32, Uuid), ProductDay>,
    taxes: BTreeMap<(i32, i32), (i64, i64)>,
    hours: BTreeMap<(i32, i16), Slice>,
    cashiers: BTreeMap<(i32, Uuid), Slice>,
    devices: BTreeMap<(i32, Uuid), Slice>,
}

fn add(a: &mut i64, sign: i64, v: i64) {
    *a = a.saturating_add(sign.saturating_mul(v));
}

impl Slice {
    fn count(&mut self, s: &Sale, sign: i64, net: i64) {
        match s.kind {
            SaleKind::Sale => self.sales += 1,
            SaleKind::Refund => self.refunds += 1,
        }
        add(&mut self.net, sign, net);
    }
}

impl Sums {
    /// `at` holds each sale's (business day, local hour).
    fn of(sales: &[&Sale], at: &[(i32, i16)], device: Uuid) -> Sums {
        let mut sums = Sums::default();
        for (s, &(day, hour)) in sales.iter().zip(at) {
            let sign = if s.kind == SaleKind::Refund { -1 } else { 1 };
            let d = sums.days.entry(day).or_default();
            match s.kind {
                SaleKind::Sale => d.sales += 1,
                SaleKind::Refund => d.refunds += 1,
            }
            let mut net = 0i64;
            for l in &s.lines {
                add(&mut d.gross, sign, l.gross.centimes());
                add(&mut d.net, sign, l.net.centimes());
                add(&mut d.discount, sign, (l.gross - l.net).centimes());
                if s.kind == SaleKind::Refund {
                    add(&mut d.refund_gross, 1, l.gross.centimes());
                    add(&mut d.refund_net, 1, l.net.centimes());
                }
                net = net.saturating_add(l.net.centimes());
                let p = sums.products.entry((day, l.product_id)).or_default();
                add(&mut p.qty, sign, l.qty);
                add(&mut p.gross, sign, l.gross.centimes());
                add(&mut p.net, sign, l.net.centimes());
            }
            for t in &s.taxes {
                add(&mut d.tax, sign, t.tax.centimes());
                let r = sums.taxes.entry((day, i32::from(t.rate.bp()))).or_default();
                add(&mut r.0, sign, t.base.centimes());
                add(&mut r.1, sign, t.tax.centimes());
            }
            for p in &s.payments {
                let into = match p.tender {
                    Tender::Cash => &mut d.cash,
                    Tender::Card => &mut d.card,
                };
                add(into, sign, p.amount.centimes());
            }
            sums.hours
                .entry((day, hour))
                .or_default()
                .count(s, sign, net);
            sums.cashiers
                .entry((day, s.cashier_id))
                .or_default()
                .count(s, sign, net);
            sums.devices
                .entry((day, device))
                .or_default()
                .count(s, sign, net);
        }
        sums
    }
}

/// Each time's (business day, local hour) in the store's zone.
async fn business_times(
    conn: &mut PgConnection,
    store: Uuid,
    at_ms: &[i64],
) -> Result<Vec<(i32, i16)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT ((l AT TIME ZONE z)::date - date '1970-01-01')::int4,
                extract(hour FROM l AT TIME ZONE z)::int2
         FROM UNNEST($2::int8[]) WITH ORDINALITY AS u(ms, i)
         CROSS JOIN LATERAL (SELECT to_timestamp(ms / 1000.0) AS l) t
         CROSS JOIN (SELECT coalesce((SELECT time_zone FROM stores WHERE id = $1), 'Africa/Algiers') AS z) s
         ORDER BY i",
    )
    .bind(store)
    .bind(at_ms)
    .fetch_all(&mut *conn)
    .await
}

/// Adds newly recorded sales (never one already counted) from `device` to the store's rollups;
/// returns each sale's business day (days since 1970-01-01), in order, for its events.
pub async fn add_sales<'a>(
    conn: &mut PgConnection,
    store: Uuid,
    device: Uuid,
    sales: impl IntoIterator<Item = &'a Sale>,
) -> Result<Vec<i32>, sqlx::Error> {
    let sales: Vec<&Sale> = sales.into_iter().collect();
    if sales.is_empty() {
        return Ok(Vec::new());
    }
    let at: Vec<i64> = sales.iter().map(|s| s.created_at_ms).collect();
    let times = business_times(conn, store, &at).await?;
    let sums = Sums::of(&sales, &times, device);
    write_days(conn, store, &sums).await?;
    write_products(conn, store, &sums).await?;
    write_taxes(conn, store, &sums).await?;
    write_slices(conn, store, &sums).await?;
    Ok(times.into_iter().map(|(day, _)| day).collect())
}

/// Days since 1970-01-01 as the civil date `YYYY-MM-DD` (what events carry), by Howard
/// Hinnant's algorithm (proleptic Gregorian).
pub fn civil_date(day: i32) -> String {
    let z = i64::from(day) + 719_468;
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

async fn write_days(conn: &mut PgConnection, store: Uuid, sums: &Sums) -> Result<(), sqlx::Error> {
    let days: Vec<(&i32, &Day)> = sums.days.iter().collect();
    let col = |f: &dyn Fn(&Day) -> i64| days.iter().map(|(_, d)| f(d)).collect::<Vec<i64>>();
    sqlx::query(
        "INSERT INTO day_rollups AS r (store_id, day, sales, refunds, gross, discount, net, tax, cash, card,
                                     refund_gross, refund_net)
         SELECT $1, date '1970-01-01' + d, s, rf, g, dc, n, t, ca, cd, rg, rn
         FROM UNNEST($2::int4[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[],
                     $8::int8[], $9::int8[], $10::int8[], $11::int8[], $12::int8[])
              AS u(d, s, rf, g, dc, n, t, ca, cd, rg, rn)
         ON CONFLICT (store_id, day) DO UPDATE SET
             sales = r.sales + EXCLUDED.sales, refunds = r.refunds + EXCLUDED.refunds,
             gross = r.gross + EXCLUDED.gross, discount = r.discount + EXCLUDED.discount,
             net = r.net + EXCLUDED.net, tax = r.tax + EXCLUDED.tax,
             cash = r.cash + EXCLUDED.cash, card = r.card + EXCLUDED.card,
             refund_gross = r.refund_gross + EXCLUDED.refund_gross,
             refund_net = r.refund_net + EXCLUDED.refund_net",
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
    .bind(col(&|d| d.refund_gross))
    .bind(col(&|d| d.refund_net))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn write_products(
    conn: &mut PgConnection,
    store: Uuid,
    sums: &Sums,
) -> Result<(), sqlx::Error> {
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

async fn write_taxes(conn: &mut PgConnection, store: Uuid, sums: &Sums) -> Result<(), sqlx::Error> {
    if sums.taxes.is_empty() {
        return Ok(());
    }
    type Row<'a> = (&'a (i32, i32), &'a (i64, i64));
    let rows: Vec<Row> = sums.taxes.iter().collect();
    sqlx::query(
        "INSERT INTO tax_day_rollups AS r (store_id, day, rate, base, tax)
         SELECT $1, date '1970-01-01' + d, rt, b, t
         FROM UNNEST($2::int4[], $3::int4[], $4::int8[], $5::int8[]) AS u(d, rt, b, t)
         ON CONFLICT (store_id, day, rate) DO UPDATE SET
             base = r.base + EXCLUDED.base, tax = r.tax + EXCLUDED.tax",
    )
    .bind(store)
    .bind(rows.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
    .bind(rows.iter().map(|((_, r), _)| *r).collect::<Vec<i32>>())
    .bind(rows.iter().map(|(_, (b, _))| *b).collect::<Vec<i64>>())
    .bind(rows.iter().map(|(_, (_, t))| *t).collect::<Vec<i64>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The hour, cashier and terminal rollups: the same three sums under different keys.
async fn write_slices(
    conn: &mut PgConnection,
    store: Uuid,
    sums: &Sums,
) -> Result<(), sqlx::Error> {
    let hours: Vec<(&(i32, i16), &Slice)> = sums.hours.iter().collect();
    sqlx::query(
        "INSERT INTO hour_rollups AS r (store_id, day, hour, sales, refunds, net)
         SELECT $1, date '1970-01-01' + d, h, s, rf, n
         FROM UNNEST($2::int4[], $3::int2[], $4::int8[], $5::int8[], $6::int8[]) AS u(d, h, s, rf, n)
         ON CONFLICT (store_id, day, hour) DO UPDATE SET
             sales = r.sales + EXCLUDED.sales, refunds = r.refunds + EXCLUDED.refunds,
             net = r.net + EXCLUDED.net",
    )
    .bind(store)
    .bind(hours.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
    .bind(hours.iter().map(|((_, h), _)| *h).collect::<Vec<i16>>())
    .bind(hours.iter().map(|(_, s)| s.sales).collect::<Vec<i64>>())
    .bind(hours.iter().map(|(_, s)| s.refunds).collect::<Vec<i64>>())
    .bind(hours.iter().map(|(_, s)| s.net).collect::<Vec<i64>>())
    .execute(&mut *conn)
    .await?;
    for (table, key, rows) in [
        ("cashier_day_rollups", "cashier_id", &sums.cashiers),
        ("device_day_rollups", "device_id", &sums.devices),
    ] {
        let rows: Vec<(&(i32, Uuid), &Slice)> = rows.iter().collect();
        // Table and column names are the two constants above, never input.
        let sql = format!(
            "INSERT INTO {table} AS r (store_id, day, {key}, sales, refunds, net)
             SELECT $1, date '1970-01-01' + d, k, s, rf, n
             FROM UNNEST($2::int4[], $3::uuid[], $4::int8[], $5::int8[], $6::int8[]) AS u(d, k, s, rf, n)
             ON CONFLICT (store_id, day, {key}) DO UPDATE SET
                 sales = r.sales + EXCLUDED.sales, refunds = r.refunds + EXCLUDED.refunds,
                 net = r.net + EXCLUDED.net"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(store)
            .bind(rows.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
            .bind(rows.iter().map(|((_, k), _)| *k).collect::<Vec<Uuid>>())
            .bind(rows.iter().map(|(_, s)| s.sales).collect::<Vec<i64>>())
            .bind(rows.iter().map(|(_, s)| s.refunds).collect::<Vec<i64>>())
            .bind(rows.iter().map(|(_, s)| s.net).collect::<Vec<i64>>())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn days_since_1970_are_civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_781), "2026-11-24");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(11_017), "2000-03-01");
        assert_eq!(civil_date(-1), "1969-12-31");
    }
}
