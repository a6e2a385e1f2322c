//! Every failure leaves the server as the protocol's envelope with a stable code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pos_shared::api::{codes, Envelope};

/// The portal's own refusals (the sync protocol's codes are in `pos_shared::api::codes`).
pub const CSRF_REJECTED: &str = "CSRF_REJECTED";
pub const BAD_CREDENTIALS: &str = "BAD_CREDENTIALS";
pub const LOCKED_OUT: &str = "LOCKED_OUT";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("this terminal speaks protocol {found}; the server needs {needed}: update the till")]
    ProtocolUpgrade { found: u32, needed: u32 },
    #[error("{0}")]
    Malformed(String),
    #[error("the request is larger than the {limit} bytes allowed: send smaller batches")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("this enrolment code is unknown, used or expired: ask a manager for a new one")]
    InvalidEnrollmentCode,
    #[error("this till belongs to another store, and its sales would be filed in this one: enrol it with a code of its own store, or set it up anew (a new data folder) to move it")]
    EnrolledElsewhere,
    #[error("entries must continue after {acked_through}; resend from {}", acked_through + 1)]
    SeqGap { acked_through: i64 },
    #[error("too many requests from this terminal: try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("the database is not reachable or not migrated")]
    NotReady,
    #[error("{0}")]
    NotFound(String),
    #[error("this request lacks the portal's CSRF proof: reload the page and try again")]
    CsrfRejected,
    #[error("the email or the password is wrong")]
    BadCredentials,
    #[error("too many failed sign-ins: try again in {} minutes", retry_after.div_ceil(60))]
    LockedOut { retry_after: u64 },
    #[error("something went wrong on the server: {0}")]
    Internal(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::ProtocolUpgrade { .. } => codes::PROTOCOL_UPGRADE_REQUIRED,
            AppError::Malformed(_) => codes::MALFORMED_REQUEST,
            AppError::PayloadTooLarge { .. } => codes::PAYLOAD_TOO_LARGE,
            AppError::Unauthorized(_) => codes::UNAUTHORIZED,
            AppError::Forbidden(_) => codes::FORBIDDEN,
            AppError::InvalidEnrollmentCode => codes::INVALID_ENROLLMENT_CODE,
            AppError::EnrolledElsewhere => codes::ENROLLED_ELSEWHERE,
            AppError::SeqGap { .. } => codes::SEQ_GAP,
            AppError::RateLimited { .. } => codes::RATE_LIMITED,
            AppError::NotReady => codes::NOT_READY,
            AppError::NotFound(_) => codes::NOT_FOUND,
            AppError::CsrfRejected => CSRF_REJECTED,
            AppError::BadCredentials => BAD_CREDENTIALS,
            AppError::LockedOut { .. } => LOCKED_OUT,
            AppError::Internal(_) => codes::INTERNAL,
            AppError::Db(e) if unavailable(e) => codes::NOT_READY,
            AppError::Db(_) => codes::INTERNAL,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::ProtocolUpgrade { .. } => StatusCode::UPGRADE_REQUIRED,
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unauthorized(_) | AppError::InvalidEnrollmentCode => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::SeqGap { .. } | AppError::EnrolledElsewhere => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Db(e) if unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Db(e) = &self {
            tracing::error!(error = %e, "database error");
        }
        if let AppError::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        let message = match &self {
            // Never hand database internals to a terminal.
            AppError::Db(e) if unavailable(e) => {
                "the database is not reachable at the moment; try again shortly".to_owned()
            }
            AppError::Db(_) | AppError::Internal(_) => {
                "the server could not complete this; try again".to_owned()
            }
            other => other.to_string(),
        };
        let body = Envelope::<()>::err(self.code(), message);
        if let AppError::RateLimited { retry_after } | AppError::LockedOut { retry_after } = self {
            let header = [(axum::http::header::RETRY_AFTER, retry_after.to_string())];
            return (StatusCode::TOO_MANY_REQUESTS, header, Json(body)).into_response();
        }
        (self.status(), Json(body)).into_response()
    }
}

/// The database is down or restarting (not this request's fault): `503 NOT_READY`, so a
/// terminal knows to try again rather than report a failure.
fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        // Class 08: connection exceptions; 57P01-03: shutdown, crash shutdown, cannot connect now.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// The request-decompression layer refuses an encoding other than gzip with a bare `415`; it
/// leaves in the envelope like every other refusal.
pub async fn envelope_bare_415(resp: Response) -> Response {
    let bare = resp.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE
        && resp
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_none();
    if !bare {
        return resp;
    }
    let body = Envelope::<()>::err(
        codes::MALFORMED_REQUEST,
        "this content encoding is not accepted: send the body plain or gzipped",
    );
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(body)).into_response()
}

/// Refuses a request from an older protocol.
pub fn check_protocol(found: u32) -> Result<(), AppError> {
    let needed = pos_shared::api::PROTOCOL_VERSION;
    if found < needed {
        Err(AppError::ProtocolUpgrade { found, needed })
    } else {
        Ok(())
    }
}
