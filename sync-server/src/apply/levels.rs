//! Stock levels kept by the ledger rule — the latest COUNT by HLC plus the deltas after it, the
//! same rule as on the tills — for a batch of newly recorded movements at once: the levels of
//! the products touched are read in one statement, walked in the batch's order in memory, and
//! written back in one statement (and one more for products without a level yet). Each movement
//! that changes a level is a `stock.changed` event; a level that falls to or below the product's
//! reorder point from above it is also `stock.low`, and a level below zero `stock.oversold`.

use std::collections::HashMap;

use pos_shared::{LevelStep, MovementKind, StockMovement};
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

/// A product's level as the batch walks its movements.
struct Level {
    level: i64,
    count_hlc: String,
    changed: bool,
    /// It has a row in `stock_levels` already.
    stored: bool,
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
    // No row lock: the push holds the store's head row from the start of its batch to its
    // commit, so no other transaction writes this store's levels meanwhile.
    let rows: Vec<(Uuid, i64, String)> = sqlx::query_as(
        "SELECT product_id, level, count_hlc FROM stock_levels
         WHERE store_id = $1 AND product_id = ANY($2)",
    )
    .bind(store)
    .bind(&products)
    .fetch_all(&mut *conn)
    .await?;
    let mut levels: HashMap<Uuid, Level> = rows
        .into_iter()
        .map(|(p, level, count_hlc)| {
            let stored = true;
            (
                p,
                Level {
                    level,
                    count_hlc,
                    changed: false,
                    stored,
                },
            )
        })
        .collect();
    for p in products {
        levels.entry(p).or_insert(Level {
            level: 0,
            count_hlc: String::new(),
            changed: false,
            stored: false,
        });
    }
    let reorder: HashMap<Uuid, i64> = sqlx::query_as(
        "SELECT id, reorder_point FROM products
         WHERE store_id = $1 AND id = ANY($2) AND reorder_point > 0",
    )
    .bind(store)
    .bind(levels.keys().copied().collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut events = Vec::new();
    for (i, m) in movements.iter().enumerate() {
        let Some(Level {
            level,
            count_hlc,
            changed,
            ..
        }) = levels.get_mut(&m.product)
        else {
            continue;
        };
        let next = match pos_shared::level_step(*level, count_hlc, m.kind, m.qty, &m.hlc) {
            LevelStep::Unchanged => continue,
            LevelStep::Level(next) => next,
            LevelStep::Recount => {
                // The deltas after the count, as the ledger holds them before this movement:
                // the batch's later movements are in the table already but are counted when
                // reached.
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
                pos_shared::recounted(m.qty, after.saturating_sub(later))
            }
        };
        let before = *level;
        *level = next;
        *changed = true;
        let payload = serde_json::json!({
            "product_id": m.product, "level": next, "previous": before, "movement": m.kind.as_str(),
            "at_ms": m.at_ms,
        });
        let event = |name, payload| Event {
            pos: m.pos,
            name,
            payload,
        };
        events.push(event("stock.changed", payload.clone()));
        if let Some(&point) = reorder.get(&m.product) {
            if before > point && next <= point {
                let mut low = payload.clone();
                low["reorder_point"] = serde_json::json!(point);
                events.push(event("stock.low", low));
            }
        }
        if next < 0 {
            // Sold more than the ledger says was there: a miscount or a missed delivery to chase.
            events.push(event("stock.oversold", payload));
        }
    }
    let mut changed: Vec<(&Uuid, &Level)> = levels.iter().filter(|(_, l)| l.changed).collect();
    changed.sort_unstable_by_key(|(p, _)| **p);
    for existing in [true, false] {
        let rows: Vec<_> = changed
            .iter()
            .filter(|(_, l)| l.stored == existing)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let sql = if existing {
            "UPDATE stock_levels AS s SET level = u.level, count_hlc = u.count_hlc
             FROM UNNEST($2::uuid[], $3::int8[], $4::text[]) AS u(product_id, level, count_hlc)
             WHERE s.store_id = $1 AND s.product_id = u.product_id"
        } else {
            "INSERT INTO stock_levels (store_id, product_id, level, count_hlc)
             SELECT $1, p, l, h FROM UNNEST($2::uuid[], $3::int8[], $4::text[]) AS u(p, l, h)"
        };
        sqlx::query(sql)
            .bind(store)
            .bind(rows.iter().map(|(p, _)| **p).collect::<Vec<_>>())
            .bind(rows.iter().map(|(_, l)| l.level).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|(_, l)| l.count_hlc.as_str())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *conn)
            .await?;
    }
    Ok(events)
}
