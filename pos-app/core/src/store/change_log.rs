//! The change log: what this terminal must tell the others, in order. Written only inside the
//! transaction that writes the domain rows it describes.

use pos_shared::Hlc;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new product, as JSON: every replica builds the same genesis document from it.
    ProductGenesis,
    /// An edit of a product: automerge change bytes (on top of the genesis).
    Product,
    Cart,
    Sale,
    Movement,
    ShiftEvent,
    Audit,
    /// A member of staff added at this till (see `pos_shared::staff::StaffMember`).
    Staff,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::ProductGenesis => "product_genesis",
            ChangeKind::Product => "product",
            ChangeKind::Cart => "cart",
            ChangeKind::Sale => "sale",
            ChangeKind::Movement => "movement",
            ChangeKind::ShiftEvent => "shift_event",
            ChangeKind::Audit => "audit",
            ChangeKind::Staff => "staff",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ChangeEntry {
    pub seq: i64,
    pub kind: String,
    pub entity_id: String,
    pub hlc: String,
    pub bytes: usize,
    pub acked: bool,
}

/// Appends an entry; `seq` is the next integer (dense, because only this connection writes and
/// entries are never deleted).
pub fn append(
    conn: &Connection,
    kind: ChangeKind,
    entity_id: &str,
    body: &[u8],
    hlc: &Hlc,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO change_log (seq, kind, entity_id, body, hlc)
         VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM change_log), ?1, ?2, ?3, ?4)",
    )?
    .execute(params![kind.as_str(), entity_id, body, hlc.to_string()])?;
    Ok(conn.last_insert_rowid())
}

/// Numbers the entries from `from` on again, in the same order, after `after` (the server
/// holds other entries under `from..=after`: this terminal was restored from a backup).
pub fn renumber_from(conn: &Connection, from: i64, after: i64) -> Result<()> {
    let offset = after + 1 - from;
    if offset <= 0 {
        return Ok(());
    }
    // Through negative numbers, so no row takes a number another still holds.
    conn.execute(
        "UPDATE change_log SET seq = -(seq + ?2) WHERE seq >= ?1",
        params![from, offset],
    )?;
    conn.execute("UPDATE change_log SET seq = -seq WHERE seq < 0", [])?;
    conn.execute(
        "UPDATE change_log SET acked = 1 WHERE seq < ?1 AND acked = 0",
        [from],
    )?;
    Ok(())
}

/// The kind, entity id and body of entry `seq`.
pub fn entry(conn: &Connection, seq: i64) -> Result<Option<(String, String, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT kind, entity_id, body FROM change_log WHERE seq = ?1")?
        .query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The last sequence number the server has acknowledged (entries up to it are safe there).
pub fn acked_through(conn: &Connection) -> Result<i64> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'acked_through'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Entries the server has not acknowledged yet, oldest first.
pub fn pending(conn: &Connection, limit: usize) -> Result<Vec<ChangeEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, entity_id, hlc, length(body), acked FROM change_log
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![acked_through(conn)?, limit as i64], |r| {
        Ok(ChangeEntry {
            seq: r.get(0)?,
            kind: r.get(1)?,
            entity_id: r.get(2)?,
            hlc: r.get(3)?,
            bytes: r.get::<_, i64>(4)? as usize,
            acked: r.get::<_, i64>(5)? != 0,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The number of the last entry written (0 before the first).
pub fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
            r.get(0)
        })?,
    )
}

/// How many entries wait for the server (`seq` is dense, so it is a subtraction).
pub fn pending_count(conn: &Connection) -> Result<i64> {
    Ok(last_seq(conn)? - acked_through(conn)?)
}

/// The latest HLC this terminal wrote, so the clock resumes past it after a restart.
pub fn last_hlc(conn: &Connection) -> Result<Option<Hlc>> {
    // This terminal's clock only moves forward, so its last entry carries its latest HLC.
    let s: Option<String> = conn
        .prepare_cached("SELECT hlc FROM change_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(s.and_then(|s| s.parse().ok()))
}

/// The latest timestamp this database has written or taken in from another terminal, by any
/// connection: the counter's and the window's sync thread each have their own, and one clock
/// is what they must share.
pub fn high_water(conn: &Connection) -> Result<Option<Hlc>> {
    let seen: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'hlc_seen'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let seen = seen.and_then(|s| s.parse::<Hlc>().ok());
    Ok(last_hlc(conn)?.max(seen))
}

/// Keeps `hlc` as seen (never moving the mark back), in the caller's transaction: the
/// timestamps of pulled entries are not in this terminal's change log, yet everything it does
/// next must sort after them, after a restart too.
pub fn note_seen(tx: &Connection, hlc: &Hlc) -> Result<()> {
    // The fixed-width text form sorts as the timestamps do.
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('hlc_seen', ?1)
         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
    )?
    .execute([hlc.to_string()])?;
    Ok(())
}
