//! The portal's rollups, kept in the push's transaction: `day_rollups` (with refunds apart),
//! `product_day_rollups`, and from migration 0007 TVA per rate, hour, cashier and terminal; from
//! migration 0010 the product, hour, cashier and terminal sums also per calendar month of the
//! business day (`*_month_rollups`, keyed by the month's first day), so a long range reads
//! whole months instead of every day. The newly recorded sales of a batch are summed in memory,
//! then added with one `INSERT … ON CONFLICT DO UPDATE` per table, tables always in the same
//! order (days, products by day then by month, TVA, hours, cashiers, terminals, each by day
//! then by month) and rows in key order, so two transactions touching the same rows always
//! lock them in the same order. A refund's lines carry positive amounts;
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

impl std::ops::AddAssign for ProductDay {
    fn add_assign(&mut self, o: ProductDay) {
        add(&mut self.qty, 1, o.qty);
        add(&mut self.gross, 1, o.gross);
        add(&mut self.net, 1, o.net);
    }
}

/// HT base and TVA of one rate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TaxDay {
    base: i64,
    tax: i64,
}

impl std::ops::AddAssign for TaxDay {
    fn add_assign(&mut self, o: TaxDay) {
        add(&mut self.base, 1, o.base);
        add(&mut self.tax, 1, o.tax);
    }
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
    taxes: BTreeMap<(i32, i32), TaxDay>,
    hours: BTreeMap<(i32, i16), Slice>,
    cashiers: BTreeMap<(i32, Uuid), Slice>,
    devices: BTreeMap<(i32, Uuid), Slice>,
}

fn add(a: &mut i64, sign: i64, v: i64) {
    *a = a.saturating_add(sign.saturating_mul(v));
}

impl std::ops::AddAssign for Slice {
    fn add_assign(&mut self, o: Slice) {
        add(&mut self.sales, 1, o.sales);
        add(&mut self.refunds, 1, o.refunds);
        add(&mut self.net, 1, o.net);
    }
}

/// Rows keyed by (day, …) summed by (month, …): the month is its first day, in key order.
fn by_month<K: Ord + Copy, V: Copy + Default + std::ops::AddAssign>(
    rows: &BTreeMap<(i32, K), V>,
) -> BTreeMap<(i32, K), V> {
    let mut out: BTreeMap<(i32, K), V> = BTreeMap::new();
    for (&(day, k), &v) in rows {
        *out.entry((month_of(day), k)).or_default() += v;
    }
    out
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
                add(&mut r.base, sign, t.base.centimes());
                add(&mut r.tax, sign, t.tax.centimes());
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

/// Days since 1970-01-01 as the civil (year, month, day), by Howard Hinnant's algorithm
/// (proleptic Gregorian).
fn civil(day: i32) -> (i64, i64, i64) {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The civil date as days since 1970-01-01, the inverse of `civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).unwrap_or(i32::MAX)
}

/// Days since 1970-01-01 as the civil date `YYYY-MM-DD` (what events carry).
pub fn civil_date(day: i32) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The first day of the month of `day` (both days since 1970-01-01): the key of the month
/// rollups.
pub fn month_of(day: i32) -> i32 {
    let (y, m, _) = civil(day);
    days_from_civil(y, m, 1)
}

/// The first day of the month after the one `day` is in.
pub fn next_month(day: i32) -> i32 {
    match civil(day) {
        (y, 12, _) => days_from_civil(y + 1, 1, 1),
        (y, m, _) => days_from_civil(y, m + 1, 1),
    }
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

/// `product_day_rollups`, then the same sums by month into `product_month_rollups`.
async fn write_products(
    conn: &mut PgConnection,
    store: Uuid,
    sums: &Sums,
) -> Result<(), sqlx::Error> {
    let months = by_month(&sums.products);
    for (table, at, rows) in [
        ("product_day_rollups", "day", &sums.products),
        ("product_month_rollups", "month", &months),
    ] {
        let rows: Vec<(&(i32, Uuid), &ProductDay)> = rows.iter().collect();
        let col =
            |f: &dyn Fn(&ProductDay) -> i64| rows.iter().map(|(_, p)| f(p)).collect::<Vec<i64>>();
        // Table and column names are the constants above, never input.
        let sql = format!(
            "INSERT INTO {table} AS r (store_id, {at}, product_id, qty, gross, net)
             SELECT $1, date '1970-01-01' + d, p, q, g, n
             FROM UNNEST($2::int4[], $3::uuid[], $4::int8[], $5::int8[], $6::int8[]) AS u(d, p, q, g, n)
             ON CONFLICT (store_id, {at}, product_id) DO UPDATE SET
                 qty = r.qty + EXCLUDED.qty, gross = r.gross + EXCLUDED.gross,
                 net = r.net + EXCLUDED.net"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(store)
            .bind(rows.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
            .bind(rows.iter().map(|((_, p), _)| *p).collect::<Vec<Uuid>>())
            .bind(col(&|p| p.qty))
            .bind(col(&|p| p.gross))
            .bind(col(&|p| p.net))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn write_taxes(conn: &mut PgConnection, store: Uuid, sums: &Sums) -> Result<(), sqlx::Error> {
    if sums.taxes.is_empty() {
        return Ok(());
    }
    type Row<'a> = (&'a (i32, i32), &'a TaxDay);
    let months = by_month(&sums.taxes);
    for (table, at, rows) in [
        ("tax_day_rollups", "day", &sums.taxes),
        ("tax_month_rollups", "month", &months),
    ] {
        let rows: Vec<Row> = rows.iter().collect();
        // Table and column names are the constants above, never input.
        let sql = format!(
            "INSERT INTO {table} AS r (store_id, {at}, rate, base, tax)
             SELECT $1, date '1970-01-01' + d, rt, b, t
             FROM UNNEST($2::int4[], $3::int4[], $4::int8[], $5::int8[]) AS u(d, rt, b, t)
             ON CONFLICT (store_id, {at}, rate) DO UPDATE SET
                 base = r.base + EXCLUDED.base, tax = r.tax + EXCLUDED.tax"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(store)
            .bind(rows.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
            .bind(rows.iter().map(|((_, r), _)| *r).collect::<Vec<i32>>())
            .bind(rows.iter().map(|(_, t)| t.base).collect::<Vec<i64>>())
            .bind(rows.iter().map(|(_, t)| t.tax).collect::<Vec<i64>>())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The hour, cashier and terminal rollups: the same three sums under different keys, each by
/// day and then by month.
async fn write_slices(
    conn: &mut PgConnection,
    store: Uuid,
    sums: &Sums,
) -> Result<(), sqlx::Error> {
    let hour_months = by_month(&sums.hours);
    for (table, at, rows) in [
        ("hour_rollups", "day", &sums.hours),
        ("hour_month_rollups", "month", &hour_months),
    ] {
        let rows: Vec<(&(i32, i16), &Slice)> = rows.iter().collect();
        // Table and column names are the constants above, never input.
        let sql = format!(
            "INSERT INTO {table} AS r (store_id, {at}, hour, sales, refunds, net)
             SELECT $1, date '1970-01-01' + d, h, s, rf, n
             FROM UNNEST($2::int4[], $3::int2[], $4::int8[], $5::int8[], $6::int8[]) AS u(d, h, s, rf, n)
             ON CONFLICT (store_id, {at}, hour) DO UPDATE SET
                 sales = r.sales + EXCLUDED.sales, refunds = r.refunds + EXCLUDED.refunds,
                 net = r.net + EXCLUDED.net"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(store)
            .bind(rows.iter().map(|((d, _), _)| *d).collect::<Vec<i32>>())
            .bind(rows.iter().map(|((_, h), _)| *h).collect::<Vec<i16>>())
            .bind(rows.iter().map(|(_, s)| s.sales).collect::<Vec<i64>>())
            .bind(rows.iter().map(|(_, s)| s.refunds).collect::<Vec<i64>>())
            .bind(rows.iter().map(|(_, s)| s.net).collect::<Vec<i64>>())
            .execute(&mut *conn)
            .await?;
    }
    let (cashier_months, device_months) = (by_month(&sums.cashiers), by_month(&sums.devices));
    for (table, at, key, rows) in [
        ("cashier_day_rollups", "day", "cashier_id", &sums.cashiers),
        (
            "cashier_month_rollups",
            "month",
            "cashier_id",
            &cashier_months,
        ),
        ("device_day_rollups", "day", "device_id", &sums.devices),
        ("device_month_rollups", "month", "device_id", &device_months),
    ] {
        let rows: Vec<(&(i32, Uuid), &Slice)> = rows.iter().collect();
        // Table and column names are the constants above, never input.
        let sql = format!(
            "INSERT INTO {table} AS r (store_id, {at}, {key}, sales, refunds, net)
             SELECT $1, date '1970-01-01' + d, k, s, rf, n
             FROM UNNEST($2::int4[], $3::uuid[], $4::int8[], $5::int8[], $6::int8[]) AS u(d, k, s, rf, n)
             ON CONFLICT (store_id, {at}, {key}) DO UPDATE SET
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
    use super::{civil_date, month_of, next_month};

    #[test]
    fn days_since_1970_are_civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_781), "2026-11-24");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(11_017), "2000-03-01");
        assert_eq!(civil_date(-1), "1969-12-31");
    }

    #[test]
    fn a_day_falls_in_its_calendar_month() {
        for day in -800..25_000 {
            let m = month_of(day);
            assert!(m <= day && day < next_month(m), "{}", civil_date(day));
            assert!(civil_date(m).ends_with("-01"), "{}", civil_date(m));
            assert_eq!(month_of(next_month(m)), next_month(m));
            assert_eq!(month_of(next_month(m) - 1), m);
        }
        assert_eq!(civil_date(next_month(20_781)), "2026-12-01");
        assert_eq!(civil_date(next_month(month_of(20_800))), "2027-01-01");
        assert_eq!(civil_date(month_of(11_016)), "2000-02-01");
    }
}
