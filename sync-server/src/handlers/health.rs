//! `/health`: the process answers. `/ready`: the database answers and is fully migrated.

use axum::extract::State;
use axum::Json;
use pos_shared::api::Envelope;

use crate::error::AppError;
use crate::routes::AppState;

#[utoipa::path(get, path = "/health", tag = "sync", responses((status = 200)))]
pub async fn health() -> Json<Envelope<&'static str>> {
    Json(Envelope::ok("ok"))
}

#[utoipa::path(get, path = "/ready", tag = "sync", responses((status = 200), (status = 503)))]
pub async fn ready(
    State(state): State<AppState>,
) -> Result<Json<Envelope<&'static str>>, AppError> {
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&state.pool)
        .await
        .map_err(|_| AppError::NotReady)?;
    if applied < crate::MIGRATOR.iter().count() as i64 {
        return Err(AppError::NotReady);
    }
    Ok(Json(Envelope::ok("ready")))
}
