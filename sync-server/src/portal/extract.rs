//! Who is signed in to the portal and which stores they may see: the [`Portal`] extractor is the
//! only way a handler learns it. The user and their stores are read afresh at every request, so
//! a role or a store taken away applies at once; a session older than the account's last
//! password change is signed out. [`require_csrf`] guards every route that changes something.

use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;
use crate::routes::AppState;

/// Session keys.
pub const USER_ID: &str = "user_id";
pub const CSRF: &str = "csrf";
/// When the password was last changed (seconds), as it was at sign-in.
pub const AUTH_EPOCH: &str = "auth_epoch";
/// The header a mutating request carries the session's CSRF proof in.
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortalRole {
    /// Every store.
    Owner,
    /// Their stores.
    Manager,
    /// Their stores, read-only.
    Accountant,
}

impl PortalRole {
    pub fn parse(s: &str) -> Option<PortalRole> {
        match s {
            "owner" => Some(PortalRole::Owner),
            "manager" => Some(PortalRole::Manager),
            "accountant" => Some(PortalRole::Accountant),
            _ => None,
        }
    }
}

/// The signed-in user, with the stores they may see (every store for an owner).
#[derive(Clone, Debug)]
pub struct Portal {
    pub user_id: Uuid,
    pub email: String,
    pub role: PortalRole,
    pub stores: Vec<Uuid>,
    pub session: Session,
}

pub fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(format!("session: {e}"))
}

/// The session tower-sessions put on the request (the portal's routes all have the layer).
pub fn session_of(parts: &Parts) -> Result<Session, AppError> {
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal("no session layer on this route".into()))
}

impl<S> FromRequestParts<S> for Portal
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Portal, AppError> {
        let state = AppState::from_ref(state);
        let session = session_of(parts)?;
        Portal::load(&state, session).await
    }
}

impl Portal {
    /// The user signed in to `session`, or `UNAUTHORIZED`.
    pub async fn load(state: &AppState, session: Session) -> Result<Portal, AppError> {
        let signed_out = || AppError::Unauthorized("sign in to the portal first".into());
        let user_id: Uuid = session
            .get(USER_ID)
            .await
            .map_err(session_error)?
            .ok_or_else(signed_out)?;
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT email, role, coalesce(extract(epoch FROM password_changed_at)::int8, 0)
             FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&state.pool)
        .await?;
        let Some((email, role, epoch)) = row else {
            session.flush().await.map_err(session_error)?;
            return Err(signed_out());
        };
        let at_sign_in: i64 = session
            .get(AUTH_EPOCH)
            .await
            .map_err(session_error)?
            .unwrap_or(0);
        if at_sign_in != epoch {
            // The password changed since: every other session of the account ends.
            session.flush().await.map_err(session_error)?;
            return Err(signed_out());
        }
        let role = PortalRole::parse(&role)
            .ok_or_else(|| AppError::Internal(format!("unknown role {role:?} in users")))?;
        let stores = stores_of(&state.pool, user_id, role).await?;
        Ok(Portal {
            user_id,
            email,
            role,
            stores,
            session,
        })
    }
}

/// The stores a user may see, in name order.
pub async fn stores_of(
    pool: &sqlx::PgPool,
    user: Uuid,
    role: PortalRole,
) -> Result<Vec<Uuid>, AppError> {
    let stores = if role == PortalRole::Owner {
        sqlx::query_scalar("SELECT id FROM stores ORDER BY name, id")
            .fetch_all(pool)
            .await?
    } else {
        sqlx::query_scalar(
            "SELECT s.id FROM user_stores u JOIN stores s ON s.id = u.store_id
             WHERE u.user_id = $1 ORDER BY s.name, s.id",
        )
        .bind(user)
        .fetch_all(pool)
        .await?
    };
    Ok(stores)
}

impl Portal {
    /// The stores a report covers: those asked for (comma-separated ids), each of which the
    /// user must be allowed, or all of theirs.
    pub fn scope(&self, asked: Option<&str>) -> Result<Vec<Uuid>, AppError> {
        let asked = asked.map(str::trim).filter(|s| !s.is_empty());
        let Some(asked) = asked else {
            return Ok(self.stores.clone());
        };
        let mut out = Vec::new();
        for part in asked.split(',') {
            let id = Uuid::parse_str(part.trim())
                .map_err(|_| AppError::Malformed(format!("{part:?} is not a store id")))?;
            if !self.stores.contains(&id) {
                return Err(AppError::Forbidden(format!(
                    "store {id} is not one of yours"
                )));
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Refuses a read-only accountant, and anyone without `store`.
    pub fn may_manage(&self, store: Uuid) -> Result<(), AppError> {
        if self.role == PortalRole::Accountant {
            return Err(AppError::Forbidden(
                "an accountant's access is read-only: ask a manager".into(),
            ));
        }
        if !self.stores.contains(&store) {
            return Err(AppError::Forbidden(format!(
                "store {store} is not one of yours"
            )));
        }
        Ok(())
    }
}

/// A fresh CSRF proof for a session.
pub fn new_csrf() -> String {
    crate::auth::new_token()
}

/// Every route that changes something goes through this: the request must carry the session's
/// CSRF proof in `x-csrf-token`. The session cookie is SameSite=Strict already; the proof also
/// holds where a browser does not honour that, and a JSON body is required too, which a
/// cross-site form cannot send.
pub async fn require_csrf(session: Session, req: Request, next: Next) -> Response {
    let expected: Option<String> = session.get(CSRF).await.ok().flatten();
    let given = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ok =
        expected.is_some_and(|e| !e.is_empty() && bool::from(e.as_bytes().ct_eq(given.as_bytes())));
    if !ok {
        return AppError::CsrfRejected.into_response();
    }
    next.run(req).await
}
