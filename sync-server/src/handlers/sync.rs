//! `POST /v1/sync/push` and `GET /v1/sync/pull`.
//!
//! Push is idempotent: entries at or below the device's acknowledged mark are already safe and
//! skipped; the first new one must be the next number, or the answer is `SEQ_GAP` with the mark.
//! One transaction per batch, with the device row locked so two pushes of one device serialise.
//! An entry that cannot be applied is stored as rejected, reported back, and still acknowledged:
//! it is never silently dropped and never blocks the entries behind it.
//!
//! Entries are decoded and checked once, then the whole batch is applied with one statement
//! per table inside a savepoint. If the database refuses it (a value it cannot hold), the batch
//! is applied again an entry at a time, each in its own savepoint, so only the bad entry is
//! rejected.
//!
//! Feed cursors come from the store's head row, locked from the start of the batch to its
//! commit, so they are handed out in commit order and a pull can never skip an entry still in
//! flight. Holding it for the whole batch also serialises a store's pushes, so two of them never
//! wait on each other's stock levels.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use base64::Engine;
use pos_shared::api::{codes, Envelope, PullEntry, PullResponse, PushRequest, PushResponse};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::apply::{self, Applied, Entry, Record};
use crate::auth::{ApiJson, Device, PushPermit};
use crate::error::{check_protocol, AppError};
use crate::routes::AppState;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[tracing::instrument(skip_all, fields(device = %device.id, entries = req.entries.len()), err)]
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", request_body = pos_shared::api::PushRequest,
    security(("bearer" = [])),
    responses((status = 200, body = pos_shared::api::PushResponse), (status = 409), (status = 429)))]
pub async fn push(
    State(state): State<AppState>,
    device: Device,
    _permit: PushPermit,
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
    if req
        .entries
        .windows(2)
        .any(|w| w[0].seq.checked_add(1) != Some(w[1].seq))
    {
        return Err(AppError::Malformed(
            "entries must have consecutive sequence numbers".into(),
        ));
    }
    let mut entries: Vec<Entry> = req.entries.iter().map(apply::prepare).collect();
    ensure_partitions(&state, &entries).await?;
    let mut tx = state.pool.begin().await?;
    let acked: i64 =
        sqlx::query_scalar("SELECT acked_through FROM devices WHERE id = $1 FOR UPDATE")
            .bind(device.id)
            .fetch_one(&mut *tx)
            .await?;
    if let Some(from) = reused_from(&mut tx, device.id, &entries, acked).await? {
        tracing::warn!(
            from,
            acked,
            "a terminal re-used sequence numbers: restored from a backup"
        );
        return Ok(Json(Envelope::ok(PushResponse {
            acked_through: acked,
            rejected: vec![],
            reused_from: Some(from),
        })));
    }
    entries.retain(|e| e.seq > acked);
    let Some(first) = entries.first() else {
        return Ok(Json(Envelope::ok(PushResponse {
            acked_through: acked,
            rejected: vec![],
            reused_from: None,
        })));
    };
    if first.seq != acked + 1 {
        return Err(AppError::SeqGap {
            acked_through: acked,
        });
    }
    let head: i64 =
        sqlx::query_scalar("SELECT head FROM store_heads WHERE store_id = $1 FOR UPDATE")
            .bind(device.store_id)
            .fetch_one(&mut *tx)
            .await?;
    apply::authorise(&mut tx, &device, &mut entries).await?;
    apply::check_refunds(&mut tx, device.store_id, &mut entries).await?;
    let applied = match apply_entries(&mut tx, &device, &mut entries).await {
        Err(AppError::Db(e)) if missing_partition(&e) => {
            // Nothing is acknowledged: the till keeps the entries and sends them again, and the
            // next push makes the month's tables anew.
            tracing::error!(error = %e, "a month's partition is missing; the push waits for it");
            if let Ok(mut known) = state.partitioned_days.lock() {
                known.clear();
            }
            return Err(AppError::NotReady);
        }
        applied => applied?,
    };
    let mut head = store_entries(&mut tx, &device, &entries, head).await?;
    if !applied.server_entries.is_empty() {
        head =
            crate::feed::append_server(&mut tx, device.store_id, &applied.server_entries).await?;
    }
    let last = entries.last().map(|e| e.seq).unwrap_or(acked);
    sqlx::query("UPDATE devices SET acked_through = $2 WHERE id = $1")
        .bind(device.id)
        .bind(last)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let new = entries.len();
    let rejected: Vec<_> = entries.iter().filter_map(Entry::refusal).collect();
    state.metrics.push(new, rejected.len());
    tracing::debug!(
        sales = applied.sales,
        movements = applied.movements,
        rejected = rejected.len(),
        head,
        "batch applied"
    );
    Ok(Json(Envelope::ok(PushResponse {
        acked_through: last,
        rejected,
        reused_from: None,
    })))
}

/// The first of the re-sent entries (at or below `acked`) that is not the entry the server
/// holds under its number: a terminal restored from a backup numbers its new entries again
/// from where the backup stopped. Skipped by number, they would be acknowledged and lost.
/// (An entry re-sent because its acknowledgement was lost is the same entry: kind, entity and
/// clock.)
async fn reused_from(
    conn: &mut PgConnection,
    device: uuid::Uuid,
    entries: &[Entry<'_>],
    acked: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let resent: Vec<&Entry> = entries.iter().filter(|e| e.seq <= acked).collect();
    if resent.is_empty() {
        return Ok(None);
    }
    let seqs: Vec<i64> = resent.iter().map(|e| e.seq).collect();
    let kinds: Vec<&str> = resent.iter().map(|e| e.kind).collect();
    let ids: Vec<&str> = resent.iter().map(|e| e.entity_id).collect();
    let hlcs: Vec<&str> = resent.iter().map(|e| e.hlc).collect();
    sqlx::query_scalar(
        "SELECT p.seq FROM unnest($2::int8[], $3::text[], $4::text[], $5::text[])
                AS p(seq, kind, entity_id, hlc)
         JOIN device_changes d ON d.device_id = $1 AND d.seq = p.seq
         WHERE (d.kind, d.entity_id, d.hlc) IS DISTINCT FROM (p.kind, p.entity_id, p.hlc)
         ORDER BY p.seq LIMIT 1",
    )
    .bind(device)
    .bind(&seqs)
    .bind(&kinds)
    .bind(&ids)
    .bind(&hlcs)
    .fetch_optional(conn)
    .await
}

/// The database refused a value (SQLSTATE classes 22 and 23): the entry is at fault, not the
/// server, so it is rejected rather than failing the batch. A row with no month partition to go
/// in is the server's fault (a month detached or dropped by hand): never the entry's.
fn refused(e: &sqlx::Error) -> Option<String> {
    if missing_partition(e) {
        return None;
    }
    let db = e.as_database_error()?;
    let code = db.code()?;
    (code.starts_with("22") || code.starts_with("23"))
        .then(|| format!("the server cannot store it ({code}: {})", db.message()))
}

/// Postgres found no partition for a row (SQLSTATE 23514, "no partition of relation …").
fn missing_partition(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|db| {
        db.code().as_deref() == Some("23514")
            && db.message().starts_with("no partition of relation")
    })
}

/// The whole batch in one go; if the database refuses it, an entry at a time.
async fn apply_entries(
    tx: &mut PgConnection,
    device: &Device,
    entries: &mut [Entry<'_>],
) -> Result<Applied, AppError> {
    sqlx::query("SAVEPOINT batch").execute(&mut *tx).await?;
    let err = match apply::apply_batch(tx, device, entries).await {
        Ok(applied) => {
            sqlx::query("RELEASE SAVEPOINT batch")
                .execute(&mut *tx)
                .await?;
            return Ok(applied);
        }
        Err(e) => e,
    };
    if refused(&err).is_none() {
        return Err(err.into());
    }
    sqlx::query("ROLLBACK TO SAVEPOINT batch")
        .execute(&mut *tx)
        .await?;
    tracing::warn!(error = %err, "batch refused by the database; applying entry by entry");
    let mut total = Applied::default();
    for entry in entries.iter_mut() {
        if entry.rejected.is_some() || matches!(entry.record, Record::Plain) {
            continue;
        }
        sqlx::query("SAVEPOINT entry").execute(&mut *tx).await?;
        match apply::apply_batch(tx, device, std::slice::from_ref(entry)).await {
            Ok(a) => {
                sqlx::query("RELEASE SAVEPOINT entry")
                    .execute(&mut *tx)
                    .await?;
                total.sales += a.sales;
                total.movements += a.movements;
                total.events += a.events;
                total.server_entries.extend(a.server_entries);
            }
            Err(e) => {
                let Some(why) = refused(&e) else {
                    return Err(e.into());
                };
                sqlx::query("ROLLBACK TO SAVEPOINT entry")
                    .execute(&mut *tx)
                    .await?;
                entry.reject(codes::INVALID_ENTRY, why);
            }
        }
    }
    Ok(total)
}

/// Stores every entry with what became of it, and appends the applied ones to the store's feed
/// after `head` (a feed row refers to its stored entry for the body); the new head. A product
/// edit that was undone is stored as refused but still goes to the feed: the server's change
/// undoing it builds on it.
async fn store_entries(
    tx: &mut PgConnection,
    device: &Device,
    entries: &[Entry<'_>],
    head: i64,
) -> Result<i64, AppError> {
    let refusals: Vec<_> = entries.iter().map(Entry::refusal).collect();
    sqlx::query(
        "INSERT INTO device_changes
             (device_id, seq, kind, entity_id, hlc, body, status, error_code, error_message)
         SELECT $1, s, k, e, h, b, st, c, m
         FROM UNNEST($2::int8[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::text[],
                     $8::text[], $9::text[]) AS u(s, k, e, h, b, st, c, m)",
    )
    .bind(device.id)
    .bind(entries.iter().map(|e| e.seq).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.kind).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.entity_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.hlc).collect::<Vec<_>>())
    .bind(
        entries
            .iter()
            .map(|e| e.body.as_slice())
            .collect::<Vec<_>>(),
    )
    .bind(
        refusals
            .iter()
            .map(|r| if r.is_some() { "rejected" } else { "applied" })
            .collect::<Vec<_>>(),
    )
    .bind(
        refusals
            .iter()
            .map(|r| r.as_ref().map(|r| r.code.as_str()))
            .collect::<Vec<_>>(),
    )
    .bind(
        refusals
            .iter()
            .map(|r| r.as_ref().map(|r| r.message.as_str()))
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    let feed: Vec<&Entry> = entries.iter().filter(|e| e.rejected.is_none()).collect();
    if feed.is_empty() {
        return Ok(head);
    }
    // The feed row points at the stored entry: the body is written once.
    sqlx::query(
        "INSERT INTO feed (store_id, cursor, kind, entity_id, origin, seq)
         SELECT $1, $2 + o, k, e, $3, s
         FROM UNNEST($4::text[], $5::text[], $6::int8[]) WITH ORDINALITY AS u(k, e, s, o)",
    )
    .bind(device.store_id)
    .bind(head)
    .bind(device.id)
    .bind(feed.iter().map(|e| e.kind).collect::<Vec<_>>())
    .bind(feed.iter().map(|e| e.entity_id).collect::<Vec<_>>())
    .bind(feed.iter().map(|e| e.seq).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    let head = head + feed.len() as i64;
    sqlx::query("UPDATE store_heads SET head = $2 WHERE store_id = $1")
        .bind(device.store_id)
        .bind(head)
        .execute(&mut *tx)
        .await?;
    // Live connections hear of it when the transaction commits, and only if it does.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(crate::live::CHANNEL)
        .bind(crate::live::payload(device.store_id, head, device.id))
        .execute(&mut *tx)
        .await?;
    Ok(head)
}

/// Makes the month partitions the batch's records fall in, outside the batch's transaction (a
/// partition is created under a lock on its parent table, which must not be held by a push).
async fn ensure_partitions(state: &AppState, entries: &[Entry<'_>]) -> Result<(), AppError> {
    let days: std::collections::BTreeSet<i64> = entries
        .iter()
        .flat_map(|e| e.days())
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PullQuery {
    since: Option<i64>,
    limit: Option<i64>,
}

#[tracing::instrument(skip_all, fields(device = %device.id), err)]
#[utoipa::path(get, path = "/v1/sync/pull", tag = "sync", params(PullQuery),
    responses((status = 200, body = pos_shared::api::PullResponse)))]
pub async fn pull(
    State(state): State<AppState>,
    device: Device,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<Envelope<PullResponse>>, AppError> {
    let Query(q) = query.map_err(|r| AppError::Malformed(r.body_text()))?;
    let since = q.since.unwrap_or(0).max(0);
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
    let rows: Vec<(i64, String, String, Vec<u8>, uuid::Uuid)> = sqlx::query_as(
        "SELECT f.cursor, f.kind, f.entity_id, coalesce(f.body, d.body), f.origin FROM feed f
         LEFT JOIN device_changes d ON d.device_id = f.origin AND d.seq = f.seq
         WHERE f.store_id = $1 AND f.cursor > $2 ORDER BY f.cursor LIMIT $3",
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
    state.metrics.feed.pulled(
        device.id,
        device.store_id,
        next,
        more,
        std::time::Instant::now(),
    );
    Ok(Json(Envelope::ok(PullResponse {
        entries,
        next,
        more,
    })))
}
