//! The stock ledger. A level is never stored as the truth: it is the latest COUNT (by HLC) plus
//! every delta after it, so terminals that see the same movements in any order agree.
//! `stock_levels` caches that value and is kept in the movement's own transaction.

use pos_shared::api::SnapshotMovement;
use pos_shared::{Hlc, LevelStep, MovementKind, StockMovement};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::Result;
use crate::store::change_log::{self, ChangeKind};

/// Where a movement comes from, which decides how it is known and logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Receive, adjust, count, transfer: known by its id, with a change-log entry of its own.
    Ledger,
    /// Line `n` of a sale or refund: known by (sale, line), carried by the sale's entry.
    SaleLine(u32),
    /// A ledger movement another terminal recorded, pulled from the server: known by its id,
    /// already in its author's change log.
    Pulled,
}

/// Records a movement and updates the cached level. Recording the same movement twice does
/// nothing the second time.
pub fn record(tx: &Connection, m: &StockMovement, origin: Origin) -> Result<()> {
    let product = m.product_id.to_string();
    let hlc = m.hlc.to_string();
    let (key, line_no) = match (origin, m.ref_id) {
        (Origin::SaleLine(n), Some(sale)) => (pos_shared::sale_line_key(&sale, n), Some(n)),
        _ => (m.id.to_string(), None),
    };
    let inserted = insert(
        tx,
        &Row {
            product: &product,
            hlc: &hlc,
            key: &key,
            kind: m.kind,
            qty: m.qty,
            reason: m.reason.as_deref(),
            ref_id: m.ref_id,
            line_no,
            user_id: m.user_id,
        },
    )?;
    if !inserted {
        return Ok(());
    }
    fold(tx, &product, &hlc, m.kind, m.qty)?;
    if origin == Origin::Ledger {
        let body = serde_json::to_vec(m).map_err(|e| crate::PosError::Invalid(e.to_string()))?;
        change_log::append(tx, ChangeKind::Movement, &m.id.to_string(), &body, &m.hlc)?;
    }
    Ok(())
}

/// A movement from the server's snapshot (see `sync::snapshot`): known by the ledger's key,
/// already in its author's change log.
pub fn record_snapshot(tx: &Connection, m: &SnapshotMovement) -> Result<()> {
    let product = m.product_id.to_string();
    let line_no = m
        .key
        .split_once('/')
        .and_then(|(_, n)| n.parse::<u32>().ok());
    let inserted = insert(
        tx,
        &Row {
            product: &product,
            hlc: &m.hlc,
            key: &m.key,
            kind: m.kind,
            qty: m.qty,
            reason: None,
            ref_id: m.ref_id,
            line_no,
            user_id: None,
        },
    )?;
    if inserted {
        fold(tx, &product, &m.hlc, m.kind, m.qty)?;
    }
    Ok(())
}

/// A ledger row as stored.
struct Row<'a> {
    product: &'a str,
    hlc: &'a str,
    key: &'a str,
    kind: MovementKind,
    qty: i64,
    reason: Option<&'a str>,
    ref_id: Option<Uuid>,
    line_no: Option<u32>,
    user_id: Option<Uuid>,
}

/// Inserts the row unless the ledger has it already; whether it was new.
fn insert(tx: &Connection, r: &Row) -> Result<bool> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO stock_movements
                 (product_id, hlc, key, kind, qty, reason, ref_id, line_no, user_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            r.product,
            r.hlc,
            r.key,
            r.kind.as_str(),
            r.qty,
            r.reason,
            r.ref_id.map(|id| id.to_string()),
            r.line_no,
            r.user_id.map(|u| u.to_string()),
        ])?;
    Ok(inserted > 0)
}

/// Folds a newly recorded movement into the cached level by the ledger rule.
fn fold(tx: &Connection, product: &str, hlc: &str, kind: MovementKind, qty: i64) -> Result<()> {
    let (level, count_hlc): (i64, String) = tx
        .prepare_cached("SELECT level, count_hlc FROM stock_levels WHERE product_id = ?1")?
        .query_row([product], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, String::new()));
    let new = match pos_shared::level_step(level, &count_hlc, kind, qty, hlc) {
        LevelStep::Unchanged => None,
        LevelStep::Level(level) => Some((level, count_hlc)),
        LevelStep::Recount => {
            let after: i64 = tx
                .prepare_cached(
                    "SELECT coalesce(sum(qty), 0) FROM stock_movements
                     WHERE product_id = ?1 AND kind <> 'COUNT' AND hlc > ?2",
                )?
                .query_row([product, hlc], |r| r.get(0))?;
            Some((pos_shared::recounted(qty, after), hlc.to_owned()))
        }
    };
    if let Some((level, count_hlc)) = new {
        set_level(tx, product, level, &count_hlc)?;
    }
    Ok(())
}

/// Writes a product's cached level and the HLC of the count it starts from.
fn set_level(tx: &Connection, product: &str, level: i64, count_hlc: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO stock_levels (product_id, level, count_hlc) VALUES (?1, ?2, ?3)
         ON CONFLICT (product_id) DO UPDATE SET level = excluded.level,
             count_hlc = excluded.count_hlc",
    )?
    .execute(params![product, level, count_hlc])?;
    Ok(())
}

/// Takes a ledger movement back out (the server refused it): the row goes, and the cached level
/// is recomputed from what remains.
pub fn withdraw(tx: &Connection, m: &StockMovement) -> Result<()> {
    let product = m.product_id.to_string();
    tx.execute(
        "DELETE FROM stock_movements WHERE product_id = ?1 AND key = ?2",
        params![product, m.id.to_string()],
    )?;
    let level = level_from_ledger(tx, &m.product_id)?;
    let count_hlc: String = tx.query_row(
        "SELECT coalesce(max(hlc), '') FROM stock_movements WHERE product_id = ?1 AND kind = 'COUNT'",
        [&product],
        |r| r.get(0),
    )?;
    set_level(tx, &product, level, &count_hlc)
}

pub fn level(conn: &Connection, product_id: &Uuid) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT level FROM stock_levels WHERE product_id = ?1")?
        .query_row([product_id.to_string()], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Recomputes a level from the whole ledger (what the cache must always equal).
pub fn level_from_ledger(conn: &Connection, product_id: &Uuid) -> Result<i64> {
    let all = movements(conn, product_id, usize::MAX)?;
    Ok(pos_shared::stock_level(all.iter()))
}

/// A product's movements, newest first.
pub fn movements(conn: &Connection, product_id: &Uuid, limit: usize) -> Result<Vec<StockMovement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, kind, qty, hlc, reason, ref_id, user_id, line_no FROM stock_movements
         WHERE product_id = ?1 ORDER BY hlc DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(
        params![
            product_id.to_string(),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| {
            let key: String = r.get(0)?;
            let kind: String = r.get(1)?;
            let hlc: String = r.get(3)?;
            let ref_id: Option<String> = r.get(5)?;
            let user_id: Option<String> = r.get(6)?;
            let line_no: Option<u32> = r.get(7)?;
            let ref_id = ref_id.and_then(|s| Uuid::parse_str(&s).ok());
            let id = match (ref_id, line_no) {
                (Some(sale), Some(line)) => pos_shared::sale_line_movement_id(&sale, line),
                _ => Uuid::parse_str(&key).unwrap_or_default(),
            };
            Ok(StockMovement {
                id,
                product_id: *product_id,
                kind: MovementKind::parse(&kind).unwrap_or(MovementKind::Adjust),
                qty: r.get(2)?,
                hlc: hlc.parse::<Hlc>().unwrap_or(Hlc {
                    wall_ms: 0,
                    counter: 0,
                    node: 0,
                }),
                reason: r.get(4)?,
                ref_id,
                user_id: user_id.and_then(|s| Uuid::parse_str(&s).ok()),
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
