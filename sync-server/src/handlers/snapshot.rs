//! `GET /v1/sync/snapshot`: a new terminal's catalog and stock, a page of products at a time,
//! instead of replaying the store's whole feed (see `SnapshotResponse`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use base64::Engine;
use pos_shared::api::{Envelope, SnapshotProduct, SnapshotResponse};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::Device;
use crate::catalog;
use crate::error::AppError;
use crate::routes::AppState;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SnapshotQuery {
    after: Option<Uuid>,
    limit: Option<i64>,
}

#[tracing::instrument(skip_all, fields(device = %device.id), err)]
#[utoipa::path(get, path = "/v1/sync/snapshot", tag = "sync", params(SnapshotQuery),
    responses((status = 200, body = pos_shared::api::SnapshotResponse)))]
pub async fn snapshot(
    State(state): State<AppState>,
    device: Device,
    query: Result<Query<SnapshotQuery>, QueryRejection>,
) -> Result<Json<Envelope<SnapshotResponse>>, AppError> {
    let Query(q) = query.map_err(|r| AppError::Malformed(r.body_text()))?;
    let limit = q.limit.unwrap_or(2000).clamp(1, 5000);
    let mut conn = state.pool.acquire().await?;
    // The head first: whatever the page misses was committed after it, and the terminal pulls
    // from the first page's head.
    let as_of: i64 = sqlx::query_scalar("SELECT head FROM store_heads WHERE store_id = $1")
        .bind(device.store_id)
        .fetch_one(&mut *conn)
        .await?;
    let staff = match q.after {
        None => crate::staff::members(&mut conn, device.store_id).await?,
        Some(_) => Vec::new(),
    };
    let mut rows = catalog::page(
        &mut conn,
        device.store_id,
        q.after.unwrap_or(Uuid::nil()),
        limit + 1,
    )
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<Uuid> = rows.iter().map(|(p, _)| p.id).collect();
    let movements = catalog::ledger_tail(&mut conn, device.store_id, &ids).await?;
    let products: Vec<SnapshotProduct> = rows
        .into_iter()
        .map(|(product, doc)| SnapshotProduct {
            product,
            doc: doc.map(|d| B64.encode(d)),
        })
        .collect();
    Ok(Json(Envelope::ok(SnapshotResponse {
        as_of,
        next: more.then(|| ids.last().copied()).flatten(),
        products,
        movements,
        staff,
        more,
    })))
}
