//! The whole route table, and the state every handler shares.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::routing::{get, post};
use axum::{middleware, Router};
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::handlers::{enroll, health, live, snapshot, sync};
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
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Requests per device (`Settings::rate_per_second`, `rate_burst`).
    pub rate: Arc<crate::rate::RateLimiter>,
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
        .route("/v1/sync/snapshot", get(snapshot::snapshot))
        .route("/metrics", get(crate::metrics::metrics))
        .route("/v1/openapi.json", get(crate::openapi::openapi))
        .merge(crate::portal::router(&state))
        .fallback(crate::portal::assets::serve)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        // The limit counts the body as the handler reads it, after gzip is undone, so a small
        // compressed body that inflates past it is refused like a large one.
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestDecompressionLayer::new())
        .layer(middleware::map_response(crate::error::envelope_bare_415))
        // gzip when the client accepts it; never for the live channel's event stream.
        .layer(CompressionLayer::new())
        // Every log line of a request carries its id, which is also sent back as x-request-id
        // (a caller's own id is kept).
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<axum::body::Body>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", request_id = %id, method = %req.method(), uri = %req.uri())
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(crate::portal::assets::security_headers))
        .with_state(state)
}
