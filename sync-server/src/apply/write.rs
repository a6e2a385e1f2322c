//! A batch's records written with one statement per table (`INSERT … SELECT FROM UNNEST`):
//! sales once by id, their lines and payments, the stock movements (sales' and ledger entries)
//! once by (product, hlc, key), the levels, the day and product rollups of the new sales, and
//! the outbox events (`events::outbox`), in the batch's order.

use std::collections::HashSet;

use pos_shared::{MovementKind, Sale, SaleKind};
use sqlx::PgConnection;
use uuid::Uuid;

use super::levels::{self, Event, Movement};
use super::rollups;
use super::{Entry, Record};
use crate::auth::Device;
use crate::events::NewEvent;

/// What a batch wrote (for the metrics), and the entries the server adds to the feed after
/// the batch's own.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub sales: usize,
    pub movements: usize,
    pub events: usize,
    pub server_entries: Vec<ServerEntry>,
}

/// An entry of the server's own: (kind, entity id, body).
pub type ServerEntry = (&'static str, String, Vec<u8>);

/// Writes the records of the entries not rejected. Re-sent sales and movements are skipped by
/// their ids, so applying twice changes nothing.
pub async fn apply_batch(
    conn: &mut PgConnection,
    device: &Device,
    entries: &[Entry<'_>],
) -> Result<Applied, sqlx::Error> {
    let store = device.store_id;
    let mut once = HashSet::new();
    let sales: Vec<(usize, &Sale)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.rejected.is_none())
        .filter_map(|(i, e)| match &e.record {
            Record::Sale(s) if once.insert(s.id) => Some((i, &**s)),
            _ => None,
        })
        .collect();
    let new = insert_sales(conn, device, &sales).await?;
    let sales: Vec<(usize, &Sale)> = sales
        .into_iter()
        .filter(|(_, s)| new.contains(&s.id))
        .collect();
    insert_lines(conn, store, &sales).await?;
    insert_payments(conn, &sales).await?;
    let days = rollups::add_sales(conn, store, device.id, sales.iter().map(|(_, s)| *s)).await?;

    let mut events: Vec<Event> = Vec::new();
    for ((pos, s), day) in sales.iter().zip(days) {
        let day = rollups::civil_date(day);
        events.push(Event {
            pos: *pos,
            name: if s.kind == SaleKind::Refund {
                "sale.refunded"
            } else {
                "sale.completed"
            },
            payload: sale_data(s, device.id, &day),
        });
        if s.kind == SaleKind::Sale {
            events.extend(payments_captured(*pos, s, &day));
        }
    }

    let mut movements: Vec<Movement> = Vec::new();
    for (pos, s) in &sales {
        for (line_no, m) in s.stock_movements() {
            movements.push(Movement::of(
                *pos,
                &m,
                pos_shared::sale_line_key(&s.id, line_no),
            ));
        }
    }
    for (pos, e) in entries.iter().enumerate() {
        if let (None, Record::Movement(m)) = (&e.rejected, &e.record) {
            movements.push(Movement::of(pos, m, m.id.to_string()));
        }
    }
    movements.sort_by_key(|m| m.pos); // stable: a sale's lines stay in order
    let mut keys = HashSet::new();
    movements.retain(|m| keys.insert((m.product, m.hlc.clone(), m.key.clone())));
    // Products first: a product created in this batch has its reorder point for `stock.low`.
    let products = super::products::apply(conn, store, entries).await?;
    let movements = insert_movements(conn, store, movements).await?;
    events.extend(levels::keep(conn, store, &movements).await?);
    events.extend(products.events);
    events.extend(add_staff(conn, device, entries).await?);
    events.extend(crate::shifts::apply(conn, device, entries).await?);
    events.sort_by_key(|e| e.pos); // stable: a sale's event before its stock events
    let n = events.len();
    let events: Vec<NewEvent> = events.into_iter().map(new_event).collect();
    crate::events::outbox::insert(conn, store, device.id, &events).await?;
    Ok(Applied {
        sales: sales.len(),
        movements: movements.len(),
        events: n,
        server_entries: products.reverts,
    })
}

/// Records the members of staff the batch adds; their `staff.added` events (without the PIN).
async fn add_staff(
    conn: &mut PgConnection,
    device: &Device,
    entries: &[Entry<'_>],
) -> Result<Vec<Event>, sqlx::Error> {
    let mut added = Vec::new();
    let mut at = Vec::new();
    for (pos, e) in entries.iter().enumerate() {
        if let (None, Record::Staff { member, at_ms }) = (&e.rejected, &e.record) {
            added.push((*at_ms, &**member));
            at.push(pos);
        }
    }
    if added.is_empty() {
        return Ok(Vec::new());
    }
    let new = crate::staff::add(conn, device.store_id, device.id, &added).await?;
    Ok(at
        .into_iter()
        .zip(added)
        .filter(|(_, (_, m))| new.contains(&m.id))
        .map(|(pos, (_, m))| Event {
            pos,
            name: "staff.added",
            payload: serde_json::json!({ "staff_id": m.id, "name": m.name, "role": m.role }),
        })
        .collect())
}

/// Inserts the sales not already there; the ids of those inserted.
async fn insert_sales(
    conn: &mut PgConnection,
    device: &Device,
    sales: &[(usize, &Sale)],
) -> Result<HashSet<Uuid>, sqlx::Error> {
    if sales.is_empty() {
        return Ok(HashSet::new());
    }
    let col = |f: &dyn Fn(&Sale) -> i64| sales.iter().map(|(_, s)| f(s)).collect::<Vec<i64>>();
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO sales (id, store_id, device_id, kind, refund_of, terminal_id, receipt_no, shift_id,
                            cashier_id, hlc, created_at, subtotal, discount_total, total, change)
         SELECT id, $2, $3, k, rf, t, r, sh, c, h, to_timestamp(at / 1000.0), st, d, tt, ch
         FROM UNNEST($1::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::int8[], $8::uuid[], $9::uuid[],
                     $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::int8[])
              AS u(id, k, rf, t, r, sh, c, h, at, st, d, tt, ch)
         ON CONFLICT DO NOTHING
         RETURNING id",
    )
    .bind(sales.iter().map(|(_, s)| s.id).collect::<Vec<_>>())
    .bind(device.store_id)
    .bind(device.id)
    .bind(
        sales
            .iter()
            .map(|(_, s)| if s.kind == SaleKind::Refund { "refund" } else { "sale" })
            .collect::<Vec<_>>(),
    )
    .bind(sales.iter().map(|(_, s)| s.refund_of).collect::<Vec<_>>())
    .bind(sales.iter().map(|(_, s)| s.terminal_id).collect::<Vec<_>>())
    .bind(col(&|s| s.receipt_no))
    .bind(sales.iter().map(|(_, s)| s.shift_id).collect::<Vec<_>>())
    .bind(sales.iter().map(|(_, s)| s.cashier_id).collect::<Vec<_>>())
    .bind(sales.iter().map(|(_, s)| s.hlc.to_string()).collect::<Vec<_>>())
    .bind(col(&|s| s.created_at_ms))
    .bind(col(&|s| s.subtotal.centimes()))
    .bind(col(&|s| s.discount_total.centimes()))
    .bind(col(&|s| s.total.centimes()))
    .bind(col(&|s| s.change.centimes()))
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids.into_iter().collect())
}

async fn insert_lines(
    conn: &mut PgConnection,
    store: Uuid,
    sales: &[(usize, &Sale)],
) -> Result<(), sqlx::Error> {
    let lines: Vec<_> = sales
        .iter()
        .flat_map(|(_, s)| s.lines.iter().map(move |l| (*s, l)))
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let money = |f: &dyn Fn(&pos_shared::SaleLine) -> i64| {
        lines.iter().map(|(_, l)| f(l)).collect::<Vec<i64>>()
    };
    sqlx::query(
        "INSERT INTO sale_lines (sale_id, created_at, store_id, line_no, product_id, sku, name, unit,
                                 qty, unit_price, tax_rate, gross, net, line_discount)
         SELECT s, to_timestamp(at / 1000.0), $3, n, p, sku, nm, un, q, up, tr, g, nt, ld
         FROM UNNEST($1::uuid[], $2::int8[], $4::int4[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                     $9::int8[], $10::int8[], $11::int4[], $12::int8[], $13::int8[], $14::int8[])
              AS u(s, at, n, p, sku, nm, un, q, up, tr, g, nt, ld)",
    )
    .bind(lines.iter().map(|(s, _)| s.id).collect::<Vec<_>>())
    .bind(lines.iter().map(|(s, _)| s.created_at_ms).collect::<Vec<_>>())
    .bind(store)
    .bind(lines.iter().map(|(_, l)| l.line_no as i32).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.product_id).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.sku.as_str()).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.name.as_str()).collect::<Vec<_>>())
    .bind(lines.iter().map(|(_, l)| l.unit.as_str()).collect::<Vec<_>>())
    .bind(money(&|l| l.qty))
    .bind(money(&|l| l.unit_price.centimes()))
    .bind(lines.iter().map(|(_, l)| i32::from(l.tax_rate.bp())).collect::<Vec<_>>())
    .bind(money(&|l| l.gross.centimes()))
    .bind(money(&|l| l.net.centimes()))
    .bind(money(&|l| l.line_discount.centimes()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_payments(
    conn: &mut PgConnection,
    sales: &[(usize, &Sale)],
) -> Result<(), sqlx::Error> {
    let paid: Vec<_> = sales
        .iter()
        .flat_map(|(_, s)| s.payments.iter().enumerate().map(move |(i, p)| (*s, i, p)))
        .collect();
    if paid.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO payments (sale_id, created_at, seq, tender, amount, tendered, reference)
         SELECT s, to_timestamp(at / 1000.0), n, t, a, td, r
         FROM UNNEST($1::uuid[], $2::int8[], $3::int4[], $4::text[], $5::int8[], $6::int8[], $7::text[])
              AS u(s, at, n, t, a, td, r)",
    )
    .bind(paid.iter().map(|(s, _, _)| s.id).collect::<Vec<_>>())
    .bind(paid.iter().map(|(s, _, _)| s.created_at_ms).collect::<Vec<_>>())
    .bind(paid.iter().map(|(_, i, _)| *i as i32 + 1).collect::<Vec<_>>())
    .bind(paid.iter().map(|(_, _, p)| p.tender.as_str()).collect::<Vec<_>>())
    .bind(paid.iter().map(|(_, _, p)| p.amount.centimes()).collect::<Vec<_>>())
    .bind(paid.iter().map(|(_, _, p)| p.tendered.centimes()).collect::<Vec<_>>())
    .bind(paid.iter().map(|(_, _, p)| p.reference.as_deref()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the movements not already in the ledger; those inserted, in the batch's order. A new
/// sale's movements are new too (their keys hold the sale's id), so they are simply inserted;
/// ledger movements may come again and are inserted unless already there.
async fn insert_movements(
    conn: &mut PgConnection,
    store: Uuid,
    mut movements: Vec<Movement>,
) -> Result<Vec<Movement>, sqlx::Error> {
    let of_sale = |m: &Movement| matches!(m.kind, MovementKind::Sale | MovementKind::Refund);
    let (sold, ledger): (Vec<&Movement>, Vec<&Movement>) =
        movements.iter().partition(|m| of_sale(m));
    if !sold.is_empty() {
        sqlx::query(
            "INSERT INTO stock_movements (store_id, product_id, hlc, key, kind, qty, ref_id, created_at)
             SELECT $1, p, h, k, kd, q, r, to_timestamp(at / 1000.0)
             FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::uuid[], $8::int8[])
                  AS u(p, h, k, kd, q, r, at)",
        )
        .bind(store)
        .bind(sold.iter().map(|m| m.product).collect::<Vec<_>>())
        .bind(sold.iter().map(|m| m.hlc.as_str()).collect::<Vec<_>>())
        .bind(sold.iter().map(|m| m.key.as_str()).collect::<Vec<_>>())
        .bind(sold.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>())
        .bind(sold.iter().map(|m| m.qty).collect::<Vec<_>>())
        .bind(sold.iter().map(|m| m.ref_id).collect::<Vec<_>>())
        .bind(sold.iter().map(|m| m.at_ms).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await?;
    }
    if ledger.is_empty() {
        return Ok(movements);
    }
    let inserted: Vec<(Uuid, String, String)> = sqlx::query_as(
        "INSERT INTO stock_movements (store_id, product_id, hlc, key, kind, qty, ref_id, created_at)
         SELECT $1, p, h, k, kd, q, r, to_timestamp(at / 1000.0)
         FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::uuid[], $8::int8[])
              AS u(p, h, k, kd, q, r, at)
         ON CONFLICT DO NOTHING
         RETURNING product_id, hlc, key",
    )
    .bind(store)
    .bind(ledger.iter().map(|m| m.product).collect::<Vec<_>>())
    .bind(ledger.iter().map(|m| m.hlc.as_str()).collect::<Vec<_>>())
    .bind(ledger.iter().map(|m| m.key.as_str()).collect::<Vec<_>>())
    .bind(ledger.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>())
    .bind(ledger.iter().map(|m| m.qty).collect::<Vec<_>>())
    .bind(ledger.iter().map(|m| m.ref_id).collect::<Vec<_>>())
    .bind(ledger.iter().map(|m| m.at_ms).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    if inserted.len() == ledger.len() {
        return Ok(movements);
    }
    let inserted: HashSet<(Uuid, String, String)> = inserted.into_iter().collect();
    movements
        .retain(|m| of_sale(m) || inserted.contains(&(m.product, m.hlc.clone(), m.key.clone())));
    Ok(movements)
}

/// A sale as its event carries it: everything a consumer needs without calling back (lines,
/// payments, TVA per rate, amounts in centimes), with the business day it counts in.
fn sale_data(s: &Sale, device: Uuid, business_day: &str) -> serde_json::Value {
    let mut data = serde_json::to_value(s).unwrap_or_default();
    if let Some(o) = data.as_object_mut() {
        if let Some(id) = o.remove("id") {
            o.insert("sale_id".into(), id);
        }
        o.insert("device_id".into(), serde_json::json!(device));
        o.insert("at_ms".into(), serde_json::json!(s.created_at_ms));
        o.insert("business_day".into(), serde_json::json!(business_day));
    }
    data
}

/// One `payment.captured` per tender of a sale (refunds give money back; they are in
/// `sale.refunded`).
fn payments_captured<'a>(
    pos: usize,
    s: &'a Sale,
    business_day: &'a str,
) -> impl Iterator<Item = Event> + 'a {
    s.payments.iter().enumerate().map(move |(i, p)| Event {
        pos,
        name: "payment.captured",
        payload: serde_json::json!({
            "payment_id": format!("{}/{}", s.id, i + 1), "sale_id": s.id, "seq": i + 1,
            "tender": p.tender, "amount": p.amount, "tendered": p.tendered,
            "reference": p.reference, "terminal_id": s.terminal_id, "at_ms": s.created_at_ms,
            "business_day": business_day,
        }),
    })
}

/// An event of the batch as the outbox records it: what it is about (its entity) and when it
/// happened are read from its data.
fn new_event(e: Event) -> NewEvent {
    let p = &e.payload;
    let entity = [
        "payment_id",
        "sale_id",
        "shift_id",
        "staff_id",
        "product_id",
    ]
    .iter()
    .find_map(|k| p.get(*k))
    .or_else(|| p.pointer("/product/id"))
    .and_then(|v| v.as_str())
    .unwrap_or_default()
    .to_owned();
    NewEvent {
        name: e.name,
        entity,
        at_ms: p.get("at_ms").and_then(|v| v.as_i64()),
        data: e.payload,
    }
}
