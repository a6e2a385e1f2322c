//! Audit events: what a manager wants to see afterwards (voids, removed lines, drawer opened,
//! overrides, approvals). Each is a row and a change-log entry, written in the caller's
//! transaction.

use rusqlite::{params, Connection};

use crate::ctx::Ctx;
use crate::error::Result;
use crate::store::change_log::{self, ChangeKind};
use crate::users::Session;

pub fn write(
    tx: &Connection,
    ctx: &mut Ctx,
    kind: &str,
    user: &Session,
    approver: Option<&Session>,
    body: &serde_json::Value,
) -> Result<()> {
    let id = ctx.new_id();
    let hlc = ctx.tick(tx)?;
    let record = serde_json::json!({
        "id": id,
        "kind": kind,
        "terminal_id": ctx.terminal_id,
        "user_id": user.user_id,
        "approver_id": approver.map(|a| a.user_id),
        "hlc": hlc,
        "body": body,
    });
    tx.prepare_cached(
        "INSERT INTO audit (id, kind, user_id, approver_id, hlc, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id.to_string(),
        kind,
        user.user_id.to_string(),
        approver.map(|a| a.user_id.to_string()),
        hlc.to_string(),
        body.to_string(),
    ])?;
    change_log::append(
        tx,
        ChangeKind::Audit,
        &id.to_string(),
        record.to_string().as_bytes(),
        &hlc,
    )?;
    Ok(())
}
