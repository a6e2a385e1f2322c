//! Pulled entries applied with the same code paths as local actions, minus the change-log entry
//! (they are already in their author's log). Each entry is applied inside a savepoint: one that
//! cannot be applied is recorded as a problem and skipped, never blocking the feed behind it.

use base64::Engine;
use pos_shared::api::PullEntry;
use pos_shared::staff::StaffMember;
use pos_shared::{Product, Sale, StockMovement};
use rusqlite::{params, Connection};
use uuid::Uuid;

use crate::catalog;
use crate::ctx::Ctx;
use crate::error::{PosError, Result};
use crate::stock;
use crate::store::change_log;
use crate::till::insert_sale;
use crate::users;

/// Applies one pulled entry; `Ok(false)` when it changed nothing here (already applied, or a
/// kind this terminal keeps no copy of).
fn apply(tx: &Connection, ctx: &mut Ctx, kind: &str, entity_id: &str, body: &[u8]) -> Result<bool> {
    let json = |what: &str| PosError::Invalid(format!("{what} {entity_id} is not readable"));
    match kind {
        "sale" => {
            let sale: Sale = serde_json::from_slice(body).map_err(|_| json("sale"))?;
            ctx.observe(&sale.hlc);
            insert_sale(tx, &sale)
        }
        "movement" => {
            let m: StockMovement = serde_json::from_slice(body).map_err(|_| json("movement"))?;
            ctx.observe(&m.hlc);
            stock::record(tx, &m, stock::Origin::Pulled)?;
            Ok(true)
        }
        "product_genesis" => {
            let p: Product = serde_json::from_slice(body).map_err(|_| json("product"))?;
            catalog::apply_genesis(tx, &p)
        }
        "product" => {
            let id = Uuid::parse_str(entity_id).map_err(|_| json("product"))?;
            catalog::apply_change(tx, &id, body)?;
            Ok(true)
        }
        "staff" => {
            let m: StaffMember = serde_json::from_slice(body).map_err(|_| json("staff member"))?;
            users::apply_member(tx, &m)?;
            Ok(true)
        }
        // Parked carts, shift events and audit records of other terminals are the server's and
        // the back office's business; the till keeps no copy.
        _ => Ok(false),
    }
}

/// Applies a page of the feed, skipping this terminal's own entries. Returns how many changed
/// something here.
pub fn apply_page(
    tx: &Connection,
    ctx: &mut Ctx,
    own: Uuid,
    entries: &[PullEntry],
) -> Result<usize> {
    let mut applied = 0;
    for e in entries.iter().filter(|e| e.origin != own) {
        let outcome = base64::engine::general_purpose::STANDARD
            .decode(e.body.as_bytes())
            .map_err(|_| PosError::Invalid(format!("entry {} is not base64", e.cursor)))
            .and_then(|body| {
                tx.execute_batch("SAVEPOINT pulled")?;
                let r = apply(tx, ctx, &e.kind, &e.entity_id, &body);
                tx.execute_batch(if r.is_ok() {
                    "RELEASE pulled"
                } else {
                    "ROLLBACK TO pulled; RELEASE pulled"
                })?;
                r
            });
        match outcome {
            Ok(true) => applied += 1,
            Ok(false) => {}
            Err(err) => {
                tx.prepare_cached(
                    "INSERT INTO sync_problems (direction, ref, code, message, at_ms)
                     VALUES ('pull', ?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    e.cursor,
                    err.code(),
                    err.to_string(),
                    ctx.now_ms()
                ])?;
            }
        }
    }
    if applied > 0 {
        change_log::note_seen(tx, &ctx.observed())?;
    }
    Ok(applied)
}
