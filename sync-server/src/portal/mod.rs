//! The back-office portal: its JSON API under `/v1/portal/…` (same envelope as the sync API)
//! and its pages at `/`. Reads and changes are two route tables: every route in [`writes`]
//! needs the session's CSRF proof (`extract::require_csrf`). Sessions are tower-sessions over
//! Postgres; the cookie is HttpOnly and SameSite=Strict, and Secure when the server is reached
//! through TLS (`POS_PORTAL_SECURE_COOKIE`). Who is signed in, and which stores they see, is
//! only ever learnt through the `extract::Portal` extractor, and every query is limited to those
//! stores.

pub mod assets;
pub mod breakdowns;
pub mod dashboard;
pub mod exports;
pub mod extract;
pub mod lockout;
pub mod printed;
pub mod receipts;
pub mod session_store;
pub mod shifts;
pub mod sign_in;
pub mod terminals;
pub mod tva;
pub mod views;

use axum::routing::{get, post};
use axum::{middleware, Router};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::routes::AppState;

/// A session ends after this long without a request.
const IDLE_HOURS: i64 = 8;

/// The portal's cookie.
pub const COOKIE: &str = "pos_portal";

/// Routes that only read.
fn reads() -> Router<AppState> {
    Router::new()
        .route("/v1/portal/session", get(sign_in::session))
        .route("/v1/portal/dashboard", get(dashboard::dashboard))
        .route("/v1/portal/receipts", get(receipts::receipts))
        .route("/v1/portal/receipts/{id}", get(receipts::receipt))
        .route("/v1/portal/receipts/{id}/printed", get(printed::printed))
        .route("/v1/portal/tva", get(tva::tva))
        .route("/v1/portal/shifts", get(shifts::shifts))
        .route("/v1/portal/shifts/{id}", get(shifts::shift))
        .route("/v1/portal/terminals", get(terminals::terminals))
        .route("/v1/portal/exports/{what}", get(exports::export))
}

/// Routes that change something: each needs the CSRF proof.
fn writes() -> Router<AppState> {
    Router::new()
        .route("/v1/portal/sign-in", post(sign_in::sign_in))
        .route("/v1/portal/sign-out", post(sign_in::sign_out))
        .route("/v1/portal/password", post(sign_in::change_password))
        .route(
            "/v1/portal/enrollment-codes",
            post(terminals::enrollment_code),
        )
        .route_layer(middleware::from_fn(extract::require_csrf))
}

/// The portal's API routes with their session layer.
pub fn router(state: &AppState) -> Router<AppState> {
    let store = session_store::PgSessionStore::new(state.pool.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(state.settings.portal_secure_cookie)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(IDLE_HOURS)));
    reads().merge(writes()).layer(sessions)
}

/// Deletes expired sessions every hour.
pub async fn sweep_sessions(pool: sqlx::PgPool) {
    let store = session_store::PgSessionStore::new(pool);
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "expired portal sessions not deleted");
        }
    }
}
