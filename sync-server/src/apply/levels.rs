//! Stock levels kept by the ledger rule — the latest COUNT by HLC plus the deltas after it, the
//! same rule as on the tills — for a batch of newly recorded movements at once: the levels of
//! the products touched are locked in one statement, walked in the batch's order in memory, and
//! written back in one statement. Each movement that changes a level is a `stock.changed`
//! event, and a level below zero is also `stock.oversold`.

use std::collections::HashMap;

use pos_shared::{MovementKind, StockMovement};
use sqlx::PgConnection;
use uuid::Uuid;

/// A movement as the ledger stores it; `pos` is its entry's place in the batch.
#[derive(Clone, Debug)]
pub struct Movement {
    pub pos: usize,
    pub product: Uuid,
    pub hlc: String,
    pub key: String,
    pub kind: MovementKind,
    pub qty: i64,
    pub ref_id: Option<Uuid>,
    pub at_ms: i64,
}

impl Movement {
    pub fn of(pos: usize, m: &StockMovement, key: String) -> Movement {
        Movement {
            pos,
            product: m.product_id,
            hlc: m.hlc.to_string(),
            key,
            kind: m.kind,
            qty: m.qty,
            ref_id: m.ref_id,
            at_ms: m.hlc.wall_ms,
        }
    }
}

/// An outbox event; `pos` orders it with its entry.
#[derive(Clone, Debug)]
pub struct Event {
    pub pos: usize,
    pub name: &'static str,
    pub payload: serde_json::Value,
}

/// Updates the levels for `movements` (all newly recorded, in the batch's order).
pub async fn keep(
    conn: &mut PgConnection,
    store: Uuid,
    movements: &[Movement],
) -> Result<Vec<Event>, sqlx::Error> {
    if movements.is_empty() {
        return Ok(Vec::new());
    }
    let mut products: Vec<Uuid> = movements.iter().map(|m| m.product).collect();
    products.sort_unstable();
    products.dedup();
    sqlx::query(
        "INSERT INTO stock_levels (store_id, product_id, level)
         SELECT $1, p, 0 FROM UNNEST($2::uuid[]) AS p ON CONFLICT DO NOTHING",
    )
    .bind(store)
    .bind(&products)
    .execute(&mut *conn)
    .await?;
    // Locked in product order: two batches of a store can never wait on each other in a ring.
    let rows: Vec<(Uuid, i64, String)> = sqlx::query_as(
        "SELECT product_id, level, count_hlc FROM stock_levels
         WHERE store_id = $1 AND product_id = ANY($2) ORDER BY product_id FOR UPDATE",
    )
    .bind(store)
    .bind(&products)
    .fetch_all(&mut *conn)
    .await?;
    let mut levels: HashMap<Uuid, (i64, String, bool)> = rows
        .into_iter()
        .map(|(p, level, hlc)| (p, (level, hlc, false)))
        .collect();
    let mut events = Vec::new();
    for (i, m) in movements.iter().enumerate() {
        let Some((level, count_hlc, changed)) = levels.get_mut(&m.product) else {
            continue;
        };
        let next = if m.kind.is_absolute() {
            if m.hlc <= *count_hlc {
                continue;
            }
            // The deltas after the count, as the ledger holds them before this movement: the
            // batch's later movements are in the table already but are counted when reached.
            let after: i64 = sqlx::query_scalar(
                "SELECT coalesce(sum(qty), 0)::bigint FROM stock_movements
                 WHERE store_id = $1 AND product_id = $2 AND kind <> 'COUNT' AND hlc > $3",
            )
            .bind(store)
            .bind(m.product)
            .bind(&m.hlc)
            .fetch_one(&mut *conn)
            .await?;
            let later: i64 = movements[i + 1..]
                .iter()
                .filter(|o| o.product == m.product && !o.kind.is_absolute() && o.hlc > m.hlc)
                .fold(0i64, |sum, o| sum.saturating_add(o.qty));
            *count_hlc = m.hlc.clone();
            m.qty.saturating_add(after).saturating_sub(later)
        } else if m.hlc > *count_hlc {
            level.saturating_add(m.qty)
        } else {
            continue;
        };
        *level = next;
        *changed = true;
        let payload = serde_json::json!({
            "product_id": m.product, "level": next, "movement": m.kind.as_str(),
        });
        if next < 0 {
            // Sold more than the ledger says was there: a miscount or a missed delivery to chase.
            events.push(Event {
                pos: m.pos,
                name: "stock.changed",
                payload: payload.clone(),
            });
            events.push(Event {
                pos: m.pos,
                name: "stock.oversold",
                payload,
            });
        } else {
            events.push(Event {
                pos: m.pos,
                name: "stock.changed",
                payload,
            });
        }
    }
    let changed: Vec<(&Uuid, &(i64, String, bool))> =
        levels.iter().filter(|(_, (_, _, c))| *c).collect();
    sqlx::query(
        "UPDATE stock_levels AS s SET level = u.level, count_hlc = u.count_hlc
         FROM UNNEST($2::uuid[], $3::int8[], $4::text[]) AS u(product_id, level, count_hlc)
         WHERE s.store_id = $1 AND s.product_id = u.product_id",
    )
    .bind(store)
    .bind(changed.iter().map(|(p, _)| **p).collect::<Vec<_>>())
    .bind(changed.iter().map(|(_, (l, _, _))| *l).collect::<Vec<_>>())
    .bind(
        changed
            .iter()
            .map(|(_, (_, h, _))| h.as_str())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    Ok(events)
}
