//! `POST /v1/sync/push` and `GET /v1/sync/pull`.
//!
//! Push is idempotent: entries at or below the device's acknowledged mark are already safe and
//! skipped; the first new one must be the next number, or the answer is `SEQ_GAP` with the mark.
//! One transaction per batch, with the device row locked so two pushes of one device serialise.
//! An entry that cannot be applied is stored as rejected, reported back, and still acknowledged:
//! it is never silently dropped and never blocks the entries behind it.
//!
//! Feed cursors come from the store's head row, locked for the rest of the transaction, so they
//! are handed out in commit order and a pull can never skip an entry still in flight.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use base64::Engine;
use pos_shared::api::{
    codes, Envelope, PullEntry, PullResponse, PushEntry, PushRequest, PushResponse, RejectedEntry,
};
use serde::Deserialize;

use crate::apply;
use crate::auth::{ApiJson, Device};
use crate::error::{check_protocol, AppError};
use crate::routes::AppState;

const KINDS: &[&str] = &[
    "product_genesis",
    "product",
    "cart",
    "sale",
    "movement",
    "shift_event",
    "audit",
];
const MAX_ENTRY_BYTES: usize = 256 * 1024;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Checks one entry on its own; `Err` is its rejection.
fn check_entry(e: &PushEntry) -> Result<Vec<u8>, RejectedEntry> {
    let reject = |code: &str, message: String| RejectedEntry {
        seq: e.seq,
        code: code.to_owned(),
        message,
    };
    if !KINDS.contains(&e.kind.as_str()) {
        return Err(reject(
            codes::UNKNOWN_KIND,
            format!("unknown kind {:?}", e.kind),
        ));
    }
    if e.entity_id.is_empty() || e.entity_id.len() > 100 || e.hlc.len() > 64 {
        return Err(reject(
            codes::INVALID_ENTRY,
            "entity id or hlc missing or too long".into(),
        ));
    }
    let body = B64
        .decode(e.body.as_bytes())
        .map_err(|err| reject(codes::INVALID_ENTRY, format!("body is not base64: {err}")))?;
    if body.len() > MAX_ENTRY_BYTES {
        return Err(reject(
            codes::INVALID_ENTRY,
            format!("body of {} bytes is too large", body.len()),
        ));
    }
    Ok(body)
}

#[tracing::instrument(skip_all, fields(device = %device.id, entries = req.entries.len()), err)]
pub async fn push(
    State(state): State<AppState>,
    device: Device,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<Envelope<PushResponse>>, AppError> {
    check_protocol(req.protocol)?;
    if req.device_id != device.id {
        return Err(AppError::Forbidden(
            "this token belongs to another terminal".into(),
        ));
    }
    if req.entries.len() > state.settings.max_batch {
        return Err(AppError::Malformed(format!(
            "{} entries in one push; send at most {}",
            req.entries.len(),
            state.settings.max_batch
        )));
    }
    if req.entries.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
        return Err(AppError::Malformed(
            "entries must have consecutive sequence numbers".into(),
        ));
    }
    ensure_partitions(&state, &req.entries).await?;
    let mut tx = state.pool.begin().await?;
    let acked: i64 =
        sqlx::query_scalar("SELECT acked_through FROM devices WHERE id = $1 FOR UPDATE")
            .bind(device.id)
            .fetch_one(&mut *tx)
            .await?;
    let new: Vec<&PushEntry> = req.entries.iter().filter(|e| e.seq > acked).collect();
    let Some(first) = new.first() else {
        return Ok(Json(Envelope::ok(PushResponse {
            acked_through: acked,
            rejected: vec![],
        })));
    };
    if first.seq != acked + 1 {
        return Err(AppError::SeqGap {
            acked_through: acked,
        });
    }
    let mut rejected = Vec::new();
    let mut last = acked;
    for e in new {
        let checked = match check_entry(e) {
            Ok(body) => match apply::apply(&mut tx, &device, &e.kind, &body).await? {
                Ok(()) => Ok(body),
                Err((code, message)) => Err((
                    body,
                    RejectedEntry {
                        seq: e.seq,
                        code: code.to_owned(),
                        message,
                    },
                )),
            },
            Err(r) => Err((Vec::new(), r)),
        };
        let (body, status, error) = match checked {
            Ok(body) => (body, "applied", None),
            Err((body, r)) => (body, "rejected", Some(r)),
        };
        sqlx::query(
            "INSERT INTO device_changes
                 (device_id, seq, kind, entity_id, hlc, body, status, error_code, error_message)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(device.id)
        .bind(e.seq)
        .bind(&e.kind)
        .bind(&e.entity_id)
        .bind(&e.hlc)
        .bind(&body)
        .bind(status)
        .bind(error.as_ref().map(|r| r.code.clone()))
        .bind(error.as_ref().map(|r| r.message.clone()))
        .execute(&mut *tx)
        .await?;
        match error {
            Some(r) => rejected.push(r),
            None => {
                let cursor: i64 = sqlx::query_scalar(
                    "UPDATE store_heads SET head = head + 1 WHERE store_id = $1 RETURNING head",
                )
                .bind(device.store_id)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO feed (store_id, cursor, kind, entity_id, body, origin)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(device.store_id)
                .bind(cursor)
                .bind(&e.kind)
                .bind(&e.entity_id)
                .bind(&body)
                .bind(device.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        last = e.seq;
    }
    sqlx::query("UPDATE devices SET acked_through = $2 WHERE id = $1")
        .bind(device.id)
        .bind(last)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(Envelope::ok(PushResponse {
        acked_through: last,
        rejected,
    })))
}

/// Makes the month partitions the batch's records fall in, outside the batch's transaction (a
/// partition is created under a lock on its parent table, which must not be held by a push).
async fn ensure_partitions(state: &AppState, entries: &[PushEntry]) -> Result<(), AppError> {
    let days: std::collections::BTreeSet<i64> = entries
        .iter()
        .filter(|e| e.kind == "sale" || e.kind == "movement")
        .filter_map(|e| {
            B64.decode(e.body.as_bytes())
                .ok()
                .and_then(|b| apply::record_day(&e.kind, &b))
        })
        .filter(|d| {
            !state
                .partitioned_days
                .lock()
                .map(|s| s.contains(d))
                .unwrap_or(false)
        })
        .collect();
    for day in days {
        sqlx::query("SELECT pos_ensure_month(date '1970-01-01' + $1::int)")
            .bind(day as i32)
            .execute(&state.pool)
            .await?;
        if let Ok(mut known) = state.partitioned_days.lock() {
            known.insert(day);
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    since: Option<i64>,
    limit: Option<i64>,
}

#[tracing::instrument(skip_all, fields(device = %device.id), err)]
pub async fn pull(
    State(state): State<AppState>,
    device: Device,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<Envelope<PullResponse>>, AppError> {
    let Query(q) = query.map_err(|r| AppError::Malformed(r.body_text()))?;
    let since = q.since.unwrap_or(0).max(0);
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
    let rows: Vec<(i64, String, String, Vec<u8>, uuid::Uuid)> = sqlx::query_as(
        "SELECT cursor, kind, entity_id, body, origin FROM feed
         WHERE store_id = $1 AND cursor > $2 ORDER BY cursor LIMIT $3",
    )
    .bind(device.store_id)
    .bind(since)
    .bind(limit + 1)
    .fetch_all(&state.pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<PullEntry> = rows
        .into_iter()
        .take(limit as usize)
        .map(|(cursor, kind, entity_id, body, origin)| PullEntry {
            cursor,
            kind,
            entity_id,
            body: B64.encode(body),
            origin,
        })
        .collect();
    let next = entries.last().map(|e| e.cursor).unwrap_or(since);
    Ok(Json(Envelope::ok(PullResponse {
        entries,
        next,
        more,
    })))
}
