//! The terminals of the user's stores and when each was last heard from (`devices.last_seen_at`,
//! kept by the `Device` extractor at most once a minute), and a one-time enrolment code for a new
//! terminal: a manager's or the owner's action, refused to an accountant.

use axum::extract::{Query, State};
use axum::Json;
use pos_shared::api::Envelope;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::Portal;
use crate::auth::ApiJson;
use crate::error::AppError;
use crate::routes::AppState;

/// A terminal silent for longer than this is shown as not syncing (a till syncs every few
/// seconds while it runs and is online).
pub const STALE_AFTER_MINUTES: i64 = 60;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TerminalView {
    pub id: Uuid,
    pub store_id: Uuid,
    pub store: String,
    pub name: String,
    /// Milliseconds since 1970, or null if it never synced since enrolment.
    pub last_seen_ms: Option<i64>,
    /// Local time of the store, `YYYY-MM-DD HH:MM`.
    pub last_seen: Option<String>,
    /// Not heard from for over an hour.
    pub stale: bool,
    pub revoked: bool,
}

pub async fn terminals_of(pool: &PgPool, stores: &[Uuid]) -> Result<Vec<TerminalView>, AppError> {
    type Row = (
        Uuid,
        Uuid,
        String,
        String,
        Option<i64>,
        Option<String>,
        bool,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.store_id, s.name, d.name,
                (extract(epoch FROM d.last_seen_at) * 1000)::int8,
                to_char(d.last_seen_at AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),
                coalesce(d.last_seen_at < now() - make_interval(mins => $2), true),
                d.revoked_at IS NOT NULL
         FROM devices d JOIN stores s ON s.id = d.store_id
         WHERE d.store_id = ANY($1)
         ORDER BY d.revoked_at IS NOT NULL, d.last_seen_at NULLS FIRST, s.name, d.name",
    )
    .bind(stores)
    .bind(STALE_AFTER_MINUTES as i32)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, store_id, store, name, ms, seen, stale, revoked)| TerminalView {
                id,
                store_id,
                store,
                name,
                last_seen_ms: ms,
                last_seen: seen,
                stale: stale && !revoked,
                revoked,
            },
        )
        .collect())
}

#[derive(Deserialize, IntoParams)]
pub struct StoresQuery {
    /// Store ids, comma-separated; all of the user's stores when absent.
    pub stores: Option<String>,
}

#[utoipa::path(get, path = "/v1/portal/terminals", tag = "portal", params(StoresQuery),
    responses((status = 200, body = Vec<TerminalView>)))]
pub async fn terminals(
    State(state): State<AppState>,
    portal: Portal,
    Query(q): Query<StoresQuery>,
) -> Result<Json<Envelope<Vec<TerminalView>>>, AppError> {
    let stores = portal.scope(q.stores.as_deref())?;
    Ok(Json(Envelope::ok(
        terminals_of(&state.pool, &stores).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    pub store_id: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct CodeView {
    /// One-time, valid 24 hours: type it into the new till.
    pub code: String,
}

#[utoipa::path(post, path = "/v1/portal/enrollment-codes", tag = "portal", request_body = CodeRequest,
    params(("x-csrf-token" = String, Header, description = "the session's CSRF proof")),
    responses((status = 200, body = CodeView), (status = 403)))]
pub async fn enrollment_code(
    State(state): State<AppState>,
    portal: Portal,
    ApiJson(req): ApiJson<CodeRequest>,
) -> Result<Json<Envelope<CodeView>>, AppError> {
    portal.may_manage(req.store_id)?;
    let code = crate::admin::enrollment_code(&state.pool, req.store_id).await?;
    let mut conn = state.pool.acquire().await?;
    crate::admin::audit(
        &mut conn,
        &format!("portal:{}", portal.email),
        "enrollment_code",
        serde_json::json!({ "store_id": req.store_id }),
    )
    .await?;
    Ok(Json(Envelope::ok(CodeView { code })))
}
