//! A big history written straight into Postgres with `generate_series` (the push path's speed is
//! `make bench-sync`'s business; here only the reports are timed): `lines` sale lines over
//! `stores` stores and two years ending today, 1–7 lines a sale, TVA 19/9/0 %, some weighed,
//! 3 % refunds, cash, card and split payments; then every rollup computed from those rows by
//! the same rules as migration 0007's backfill, and the month rollups by migration 0010's own
//! backfill.

use sqlx::PgPool;

async fn run(pool: &PgPool, label: &str, sql: String) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(pool)
        .await?;
    eprintln!("  {label}: {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

pub async fn generate(pool: &PgPool, stores: i64, lines: i64) -> anyhow::Result<()> {
    // A sale has 1 + (i % 7) lines: 4 on average.
    let sales = lines / 4;
    run(pool, "partitions", "SELECT pos_ensure_month((current_date - make_interval(months => m))::date) FROM generate_series(-1, 25) m".into()).await?;
    run(pool, "stores", format!(
        "INSERT INTO stores (id, name) SELECT md5('store' || s)::uuid, 'Magasin ' || lpad(s::text, 2, '0') FROM generate_series(1, {stores}) s;
         INSERT INTO store_heads (store_id) SELECT id FROM stores;
         INSERT INTO devices (id, store_id, name, token_hash, last_seen_at)
         SELECT md5('dev' || s || '-' || d)::uuid, md5('store' || s)::uuid, 'Caisse ' || d, decode(md5('t' || s || d), 'hex'), now()
         FROM generate_series(1, {stores}) s, generate_series(1, 3) d;
         INSERT INTO products (store_id, id, sku, name_fr, name_ar, barcodes, price, tax_rate, category, unit, reorder_point, active)
         SELECT md5('store' || s)::uuid, md5('p' || p)::uuid, 'SKU-' || p, 'Article ' || p, 'منتج ' || p, '{{}}',
                (100 + p * 37 % 900) * 100, (ARRAY[1900, 900, 0])[1 + p % 3], 'Rayon ' || (p % 12), CASE WHEN p % 10 = 0 THEN 'kg' ELSE 'piece' END, 0, true
         FROM generate_series(1, {stores}) s, generate_series(1, 400) p")).await?;
    // Sale i: its store, terminal, cashier and time spread over two years (08:00–21:00 local).
    let sale = format!(
        "SELECT i, md5('sale' || i)::uuid AS id, md5('store' || (1 + i % {stores}))::uuid AS store_id,
                md5('dev' || (1 + i % {stores}) || '-' || (1 + (i / {stores}) % 3))::uuid AS device_id,
                md5('cashier' || (1 + i % {stores}) || '-' || (i / 7 % 4))::uuid AS cashier_id,
                CASE WHEN i % 33 = 0 THEN 'refund' ELSE 'sale' END AS kind,
                date_trunc('day', now() - interval '730 days') - interval '1 hour'
                  + make_interval(days => (i * 730 / {sales})::int)
                  + make_interval(secs => 8 * 3600 + (i * 7919 % 46800)) AS at
         FROM generate_series(1::int8, {sales}) i");
    run(pool, "sale lines", format!(
        "INSERT INTO sale_lines (sale_id, created_at, store_id, line_no, product_id, sku, name, unit, qty, unit_price, tax_rate, gross, net)
         SELECT s.id, s.at, s.store_id, l, md5('p' || p)::uuid, 'SKU-' || p, 'Article ' || p,
                CASE WHEN p % 10 = 0 THEN 'kg' ELSE 'piece' END,
                CASE WHEN p % 10 = 0 THEN 250 + (s.i * l) % 1500 ELSE 1 + (s.i + l) % 3 END,
                (100 + p * 37 % 900) * 100, (ARRAY[1900, 900, 0])[1 + p % 3], g, g - CASE WHEN (s.i + l) % 13 = 0 THEN g / 10 ELSE 0 END
         FROM ({sale}) s, generate_series(1, 1 + (s.i % 7)::int) l,
              LATERAL (SELECT 1 + (s.i * 13 + l * 101) % 400 AS p) pp,
              LATERAL (SELECT CASE WHEN p % 10 = 0 THEN ((100 + p * 37 % 900) * 100) * (250 + (s.i * l) % 1500) / 1000
                                   ELSE (100 + p * 37 % 900) * 100 * (1 + (s.i + l) % 3) END AS g) gg")).await?;
    run(pool, "sales", format!(
        "INSERT INTO sales (id, store_id, device_id, kind, refund_of, terminal_id, receipt_no, shift_id, cashier_id, hlc, created_at, subtotal, discount_total, total, change)
         SELECT s.id, s.store_id, s.device_id, s.kind, NULL, s.device_id, s.i, s.device_id, s.cashier_id, lpad(s.i::text, 15, '0'), s.at,
                t.g, t.g - t.n, t.n, 0
         FROM ({sale}) s JOIN LATERAL (SELECT sum(gross) AS g, sum(net) AS n FROM sale_lines l WHERE l.sale_id = s.id AND l.created_at = s.at) t ON true")).await?;
    run(pool, "payments", "INSERT INTO payments (sale_id, created_at, seq, tender, amount, tendered)
         SELECT id, created_at, 1, CASE WHEN receipt_no % 3 = 0 THEN 'card' ELSE 'cash' END, total, total FROM sales".into()).await?;
    run(pool, "rollups", ROLLUPS.into()).await?;
    let months = MONTHS
        .find("-- Backfill")
        .map(|at| &MONTHS[at..])
        .ok_or_else(|| anyhow::anyhow!("migration 0010 has no backfill"))?;
    run(pool, "month rollups", months.into()).await?;
    let taxes = TAX_MONTHS
        .find("-- Backfill")
        .map(|at| &TAX_MONTHS[at..])
        .ok_or_else(|| anyhow::anyhow!("migration 0013 has no backfill"))?;
    run(pool, "TVA month rollups", taxes.into()).await?;
    run(pool, "analyze", "ANALYZE".into()).await?;
    Ok(())
}

/// The month rollups' migration, whose backfill sums the day rollups by month.
const MONTHS: &str = include_str!("../../../migrations/server/0010_month_rollups.sql");
/// The same for TVA.
const TAX_MONTHS: &str = include_str!("../../../migrations/server/0013_tax_month_rollups.sql");

/// Every rollup from the raw rows (the apply pipeline keeps them as sales arrive), written day
/// after day as the pipeline writes them, so a day's rows sit together as they do in a real
/// database rather than scattered in hash order.
const ROLLUPS: &str = "
WITH s AS (
    SELECT s.id, s.store_id, s.kind, s.device_id, s.cashier_id, s.total,
           (s.created_at AT TIME ZONE st.time_zone)::date AS day,
           extract(hour FROM s.created_at AT TIME ZONE st.time_zone)::smallint AS hour,
           CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END AS sign
    FROM sales s JOIN stores st ON st.id = s.store_id
), d AS (
    INSERT INTO day_rollups (store_id, day, sales, refunds, gross, discount, net, tax, cash, card, refund_gross, refund_net)
    SELECT store_id, day, count(*) FILTER (WHERE kind = 'sale'), count(*) FILTER (WHERE kind = 'refund'), 0, 0,
           sum(sign * total), 0, 0, 0, 0, 0 FROM s GROUP BY 1, 2 ORDER BY 2, 1
), h AS (
    INSERT INTO hour_rollups SELECT store_id, day, hour, count(*) FILTER (WHERE kind = 'sale'),
           count(*) FILTER (WHERE kind = 'refund'), sum(sign * total) FROM s GROUP BY 1, 2, 3 ORDER BY 2, 1, 3
), c AS (
    INSERT INTO cashier_day_rollups SELECT store_id, day, cashier_id, count(*) FILTER (WHERE kind = 'sale'),
           count(*) FILTER (WHERE kind = 'refund'), sum(sign * total) FROM s GROUP BY 1, 2, 3 ORDER BY 2, 1, 3
)
INSERT INTO device_day_rollups SELECT store_id, day, device_id, count(*) FILTER (WHERE kind = 'sale'),
       count(*) FILTER (WHERE kind = 'refund'), sum(sign * total) FROM s GROUP BY 1, 2, 3 ORDER BY 2, 1, 3;

WITH l AS (
    SELECT s.store_id, (s.created_at AT TIME ZONE 'Africa/Algiers')::date AS day, s.kind,
           CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END AS sign, l.product_id, l.qty, l.gross, l.net
    FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.created_at = s.created_at
), p AS (
    INSERT INTO product_day_rollups SELECT store_id, day, product_id, sum(sign * qty), sum(sign * gross), sum(sign * net)
    FROM l GROUP BY 1, 2, 3 ORDER BY 2, 1, 3
)
UPDATE day_rollups d SET gross = x.g, discount = x.dc, refund_gross = x.rg, refund_net = x.rn
FROM (SELECT store_id, day, sum(sign * gross) g, sum(sign * (gross - net)) dc,
             coalesce(sum(gross) FILTER (WHERE kind = 'refund'), 0) rg, coalesce(sum(net) FILTER (WHERE kind = 'refund'), 0) rn
      FROM l GROUP BY 1, 2) x
WHERE d.store_id = x.store_id AND d.day = x.day;

WITH r AS (
    SELECT s.store_id, (s.created_at AT TIME ZONE 'Africa/Algiers')::date AS day, l.tax_rate AS rate,
           CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END AS sign, sum(l.net) AS ttc
    FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.created_at = s.created_at
    GROUP BY s.id, 1, 2, 3, 4
), t AS (SELECT *, round(ttc::numeric * 10000 / (10000 + rate))::bigint AS ht FROM r),
x AS (
    INSERT INTO tax_day_rollups SELECT store_id, day, rate, sum(sign * ht), sum(sign * (ttc - ht)) FROM t GROUP BY 1, 2, 3 ORDER BY 2, 1, 3
    RETURNING store_id, day, tax
)
UPDATE day_rollups d SET tax = y.tax FROM (SELECT store_id, day, sum(tax) tax FROM x GROUP BY 1, 2) y
WHERE d.store_id = y.store_id AND d.day = y.day;

UPDATE day_rollups d SET cash = y.cash, card = y.card
FROM (SELECT s.store_id, (s.created_at AT TIME ZONE 'Africa/Algiers')::date AS day,
             coalesce(sum(CASE s.kind WHEN 'refund' THEN -p.amount ELSE p.amount END) FILTER (WHERE p.tender = 'cash'), 0) cash,
             coalesce(sum(CASE s.kind WHEN 'refund' THEN -p.amount ELSE p.amount END) FILTER (WHERE p.tender = 'card'), 0) card
      FROM sales s JOIN payments p ON p.sale_id = s.id AND p.created_at = s.created_at GROUP BY 1, 2) y
WHERE d.store_id = y.store_id AND d.day = y.day;
";
