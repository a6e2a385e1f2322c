//! Who is calling: a device, by the bearer token it got at enrolment. Tokens are random and
//! long, so a plain SHA-256 is enough to store them; a revoked device is refused, and a device
//! over its request rate (`rate.rs`) is answered `429 RATE_LIMITED`.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use base64::Engine;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::AppError;
use crate::routes::AppState;

/// The device making the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub store_id: Uuid,
}

pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A fresh random secret, URL-safe.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl<S> FromRequestParts<S> for Device
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Device, AppError> {
        let state = AppState::from_ref(state);
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| AppError::Unauthorized("no device token: enrol this terminal".into()))?;
        let device = device_by_token(&state.pool, token).await?;
        if let Err(wait) = state.rate.take(device.id, std::time::Instant::now()) {
            state.metrics.rate_limited();
            // Whole seconds, rounded up: a client waiting that long finds a token.
            let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(AppError::RateLimited { retry_after });
        }
        Ok(device)
    }
}

async fn device_by_token(pool: &PgPool, token: &str) -> Result<Device, AppError> {
    // Also notes when the terminal was last heard from (the portal shows terminals that have
    // not synced), written at most once a minute so a busy till does not rewrite its row.
    let row: Option<(Uuid, Uuid, Option<i64>)> = sqlx::query_as(
        "WITH d AS (SELECT id, store_id, revoked_at, last_seen_at FROM devices WHERE token_hash = $1),
              seen AS (UPDATE devices SET last_seen_at = now() FROM d
                       WHERE devices.id = d.id AND d.revoked_at IS NULL
                         AND (d.last_seen_at IS NULL OR d.last_seen_at < now() - interval '1 minute'))
         SELECT id, store_id, CAST(extract(epoch FROM revoked_at) AS bigint) FROM d",
    )
    .bind(hash_secret(token))
    .fetch_optional(pool)
    .await?;
    match row {
        Some((id, store_id, None)) => Ok(Device { id, store_id }),
        Some((_, _, Some(_))) => Err(AppError::Unauthorized(
            "this terminal was revoked: ask a manager to enrol it again".into(),
        )),
        None => Err(AppError::Unauthorized(
            "unknown device token: enrol this terminal".into(),
        )),
    }
}

/// A place among the pushes being read and applied at once. Taken before the body is read, so
/// a reconnect storm waits as unread connections instead of as parsed batches in memory, and
/// the database works on a few batches at a time instead of all of them.
pub struct PushPermit(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl<S> FromRequestParts<S> for PushPermit
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<PushPermit, AppError> {
        let pushes = AppState::from_ref(state).pushes;
        pushes
            .acquire_owned()
            .await
            .map(PushPermit)
            .map_err(|_| AppError::NotReady)
    }
}

/// JSON body whose failures answer in the protocol's envelope (axum's own are plain text).
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<ApiJson<T>, AppError> {
        let limit = AppState::from_ref(state).settings.max_body_bytes;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(r) if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge { limit })
            }
            Err(r) => Err(AppError::Malformed(r.body_text())),
        }
    }
}
