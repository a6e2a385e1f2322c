//! The yardstick: the rows a push of sales makes (sale, lines, payment, movements, day and
//! product rollups, outbox events, the stored entry and its feed row) written straight into
//! Postgres, one transaction per batch, each table in one multi-row statement. No HTTP, no
//! JSON, no checks, no stock levels: what the server's work is measured against.

use std::time::Instant;

use rand::Rng;
use sqlx::PgPool;
use uuid::Uuid;

use crate::runs::{self, Ingest};
use crate::server::Server;

pub async fn insert_rate(
    server: &Server,
    terminals: usize,
    batches: usize,
    per_batch: usize,
    rng: &mut impl Rng,
) -> anyhow::Result<Ingest> {
    let work: Vec<_> = runs::workload(server, "Raw", terminals, batches, per_batch, rng)
        .await?
        .into_iter()
        .map(|(t, all)| (t.store_id, t.device_id, all))
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (store, device, all) in work {
        let pool = server.pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut cursor = 0;
            for (first, sales) in all {
                write_batch(&pool, store, device, first, cursor, &sales).await?;
                cursor += sales.len() as i64;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let sales = terminals * batches * per_batch;
    Ok(Ingest {
        sales,
        sales_per_s: sales as f64 / started.elapsed().as_secs_f64(),
    })
}

async fn write_batch(
    pool: &PgPool,
    store: Uuid,
    device: Uuid,
    first_seq: i64,
    cursor: i64,
    sales: &[pos_shared::Sale],
) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let ids: Vec<Uuid> = sales.iter().map(|s| s.id).collect();
    let at: Vec<f64> = sales
        .iter()
        .map(|s| s.created_at_ms as f64 / 1000.0)
        .collect();
    let hlcs: Vec<String> = sales.iter().map(|s| s.hlc.to_string()).collect();
    sqlx::query(
        "INSERT INTO sales (id, store_id, device_id, kind, refund_of, terminal_id, receipt_no, shift_id,
                            cashier_id, hlc, created_at, subtotal, discount_total, total, change)
         SELECT id, $2, $3, 'sale', NULL, t, r, sh, c, h, to_timestamp(at), st, d, tt, ch
         FROM UNNEST($1::uuid[], $4::uuid[], $5::int8[], $6::uuid[], $7::uuid[], $8::text[],
                     $9::float8[], $10::int8[], $11::int8[], $12::int8[], $13::int8[])
              AS u(id, t, r, sh, c, h, at, st, d, tt, ch)",
    )
    .bind(&ids)
    .bind(store)
    .bind(device)
    .bind(sales.iter().map(|s| s.terminal_id).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.receipt_no).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.shift_id).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.cashier_id).collect::<Vec<_>>())
    .bind(&hlcs)
    .bind(&at)
    .bind(sales.iter().map(|s| s.subtotal.centimes()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.discount_total.centimes()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.total.centimes()).collect::<Vec<_>>())
    .bind(sales.iter().map(|s| s.change.centimes()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    let lines: Vec<(&pos_shared::Sale, &pos_shared::SaleLine)> = sales
        .iter()
        .flat_map(|s| s.lines.iter().map(move |l| (s, l)))
        .collect();
    let line_at: Vec<f64> = lines
        .iter()
        .map(|(s, _)| s.created_at_ms as f64 / 1000.0)
        .collect();
    sqlx::query(
        "INSERT INTO sale_lines (sale_id, created_at, store_id, line_no, product_id, sku, name, unit,
                                 qty, unit_price, tax_rate, gross, net)
         SELECT s, to_timestamp(at), $3, n, p, sku, nm, 'piece', q, up, tr, g, nt
         FROM UNNEST($1::uuid[], $2::float8[], $4::int4[], $5::uuid[], $6::text[], $7::text[],
                     $8::int8[], $9::int8[], $10::int4[], $11::int8[], $12::int8[])
              AS u(s, at, n, p, sku, nm, q, up, tr, g, nt)",
    )
    .bind(lines.iter().map(|(s, _)| s.id).collect::<Vec<_>>())
    .bind(&line_at)
    .bind(store)
    .bind(lines.iter().map(|(_, l)| l.line_no as i32).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.product_id).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.sku.clone()).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.name.clone()).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.qty).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.unit_price.centimes()).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| i32::from(l.tax_rate.bp())).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.gross.centimes()).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.net.centimes()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    sqlx::query(
        "INSERT INTO stock_movements (store_id, product_id, hlc, key, kind, qty, ref_id, created_at)
         SELECT $1, p, h, k, 'SALE', -q, s, to_timestamp(at)
         FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int8[], $6::uuid[], $7::float8[])
              AS u(p, h, k, q, s, at)",
    )
    .bind(store)
    .bind(lines.iter().map(|(_, l)| l.product_id).collect::<Vec<_>>())
    .bind(lines.iter().map(|(s, _)| s.hlc.to_string()).collect::<Vec<_>>())
    .bind(
        lines
            .iter()
            .map(|(s, l)| pos_shared::sale_line_key(&s.id, l.line_no))
            .collect::<Vec<_>>(),
    )
    .bind(lines.iter().map(|(_, l)| l.qty).collect::<Vec<_>>())
    .bind(lines.iter().map(|(s, _)| s.id).collect::<Vec<_>>())
    .bind(&line_at)
    .execute(&mut *tx)
    .await?;

    sqlx::query(
        "INSERT INTO payments (sale_id, created_at, seq, tender, amount, tendered, reference)
         SELECT s, to_timestamp(at), 1, 'cash', a, a, NULL
         FROM UNNEST($1::uuid[], $2::float8[], $3::int8[]) AS u(s, at, a)",
    )
    .bind(&ids)
    .bind(&at)
    .bind(sales.iter().map(|s| s.total.centimes()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    // The day and product rollups, summed and written as the server does.
    sync_server::apply::rollups::add_sales(&mut tx, store, device, sales).await?;

    // The events, as the server's outbox writes them (numbered in the store's sequence).
    let mut events = Vec::new();
    for s in sales {
        events.push(sync_server::events::NewEvent {
            name: "sale.completed",
            entity: s.id.to_string(),
            at_ms: None,
            data: serde_json::json!({"sale_id": s.id, "total": s.total.centimes()}),
        });
        for l in &s.lines {
            events.push(sync_server::events::NewEvent {
                name: "stock.changed",
                entity: l.product_id.to_string(),
                at_ms: None,
                data: serde_json::json!({"product_id": l.product_id, "level": -l.qty, "movement": "SALE"}),
            });
        }
    }
    sync_server::events::outbox::insert(&mut tx, store, device, &events).await?;

    let bodies: Vec<Vec<u8>> = sales
        .iter()
        .map(|s| serde_json::to_vec(s).unwrap_or_default())
        .collect();
    let seqs: Vec<i64> = (0..sales.len() as i64).map(|i| first_seq + i).collect();
    let entity: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    sqlx::query(
        "INSERT INTO device_changes (device_id, seq, kind, entity_id, hlc, body, status)
         SELECT $1, s, 'sale', e, h, b, 'applied'
         FROM UNNEST($2::int8[], $3::text[], $4::text[], $5::bytea[]) AS u(s, e, h, b)",
    )
    .bind(device)
    .bind(&seqs)
    .bind(&entity)
    .bind(&hlcs)
    .bind(&bodies)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO feed (store_id, cursor, kind, entity_id, origin, seq)
         SELECT $1, $2 + o, 'sale', e, $3, s
         FROM UNNEST($4::text[], $5::int8[]) WITH ORDINALITY AS u(e, s, o)",
    )
    .bind(store)
    .bind(cursor)
    .bind(device)
    .bind(&entity)
    .bind(&seqs)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
