//! The whole route table, and the state every handler shares.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use sqlx::PgPool;
use tower_http::trace::TraceLayer;

use crate::handlers::{enroll, health, live, sync};
use crate::Settings;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    /// Days whose month partitions are known to exist.
    pub partitioned_days: Arc<std::sync::Mutex<std::collections::HashSet<i64>>>,
    /// Places for pushes being read and applied at once (`Settings::max_concurrent_pushes`).
    pub pushes: Arc<tokio::sync::Semaphore>,
    /// Feed notifications for the live connections.
    pub live: crate::live::Live,
}

pub fn router(state: AppState) -> Router {
    let limit = state.settings.max_body_bytes;
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/v1/devices/enroll", post(enroll::enroll))
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/sync/pull", get(sync::pull))
        .route("/v1/sync/live", get(live::live))
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
