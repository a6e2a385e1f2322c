//! Signing in and out, the session's CSRF proof, and changing one's password. Every sign-in,
//! failure, lock-out, sign-out and change is written to `audit_log`.

use std::net::SocketAddr;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::Json;
use pos_shared::api::Envelope;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{
    new_csrf, session_error, stores_of, Portal, PortalRole, AUTH_EPOCH, CSRF, USER_ID,
};
use super::lockout;
use crate::auth::ApiJson;
use crate::error::AppError;
use crate::routes::AppState;

/// A store as the portal lists it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StoreView {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub role: PortalRole,
    pub stores: Vec<StoreView>,
}

/// The session as the page needs it: the CSRF proof to send with every change, and who is
/// signed in (nobody yet: `user` is null).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub csrf: String,
    pub user: Option<UserView>,
}

#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current: String,
    pub new: String,
}

pub const MIN_PASSWORD: usize = 10;

/// Hashes a password with argon2id (the crate's defaults: m = 19 MiB, t = 2, p = 1).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AppError::Internal(format!("cannot salt the password: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash the password: {e}")))
}

/// Checks a password off the async threads (argon2 takes tens of milliseconds on purpose).
/// Without a stored hash, a dummy one is checked, so an unknown email takes as long.
async fn verify(password: String, hash: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let dummy;
        let stored = match &hash {
            Some(h) => h.as_str(),
            None => {
                dummy = hash_password("not anyone's password")?;
                dummy.as_str()
            }
        };
        let parsed = PasswordHash::new(stored)
            .map_err(|e| AppError::Internal(format!("a stored hash is unreadable: {e}")))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && hash.is_some())
    })
    .await
    .map_err(|e| AppError::Internal(format!("password check: {e}")))?
}

async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let mut conn = state.pool.acquire().await?;
    crate::admin::audit(&mut conn, actor, action, detail).await
}

fn address(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The caller's address, when the server was started with connection info.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(address(parts)))
    }
}

/// The session's CSRF proof, made on first use.
async fn csrf_of(session: &Session) -> Result<String, AppError> {
    if let Some(c) = session.get::<String>(CSRF).await.map_err(session_error)? {
        return Ok(c);
    }
    let c = new_csrf();
    session.insert(CSRF, &c).await.map_err(session_error)?;
    Ok(c)
}

async fn user_view(
    state: &AppState,
    id: Uuid,
    email: String,
    role: PortalRole,
) -> Result<UserView, AppError> {
    let ids = stores_of(&state.pool, id, role).await?;
    let stores: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT id, name, time_zone FROM stores WHERE id = ANY($1) ORDER BY name, id",
    )
    .bind(&ids)
    .fetch_all(&state.pool)
    .await?;
    Ok(UserView {
        id,
        email,
        role,
        stores: stores
            .into_iter()
            .map(|(id, name, time_zone)| StoreView {
                id,
                name,
                time_zone,
            })
            .collect(),
    })
}

/// Who is signed in, and the CSRF proof (made now for a new visitor, who needs it to sign in).
#[utoipa::path(get, path = "/v1/portal/session", tag = "portal",
    responses((status = 200, body = SessionView)))]
pub async fn session(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Envelope<SessionView>>, AppError> {
    let user = match Portal::load(&state, session.clone()).await {
        Ok(p) => Some(user_view(&state, p.user_id, p.email, p.role).await?),
        Err(AppError::Unauthorized(_)) => None,
        Err(e) => return Err(e),
    };
    let csrf = csrf_of(&session).await?;
    Ok(Json(Envelope::ok(SessionView { csrf, user })))
}

/// Signs in with email and password. Wrong ones count towards the lock-out of the account and
/// of the address; a locked one is refused without looking at the password.
#[utoipa::path(post, path = "/v1/portal/sign-in", tag = "portal", request_body = SignIn,
    params(("x-csrf-token" = String, Header, description = "the session's CSRF proof")),
    responses((status = 200, body = SessionView), (status = 401), (status = 429)))]
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(ip): ClientAddr,
    ApiJson(req): ApiJson<SignIn>,
) -> Result<Json<Envelope<SessionView>>, AppError> {
    let email = req.email.trim().to_lowercase();
    let account = lockout::account_key(&email);
    let addr = lockout::address_key(ip);
    let keys: Vec<String> = std::iter::once(account.clone())
        .chain(addr.clone())
        .collect();
    let detail = serde_json::json!({ "email": email, "address": ip.map(|i| i.to_string()) });
    if let Some(retry_after) = lockout::locked(&state.pool, &keys).await? {
        audit(&state, "portal", "sign_in_locked", detail).await?;
        return Err(AppError::LockedOut { retry_after });
    }
    let row: Option<(Uuid, String, String, i64)> = sqlx::query_as(
        "SELECT id, role, password_hash, coalesce(extract(epoch FROM password_changed_at)::int8, 0)
         FROM users WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(&state.pool)
    .await?;
    let ok = verify(req.password, row.as_ref().map(|r| r.2.clone())).await?;
    let (id, role, epoch) = match row {
        Some((id, role, _, epoch)) if ok => (id, role, epoch),
        _ => {
            let now_locked =
                lockout::fail(&state.pool, &state.settings, &account, addr.as_deref()).await?;
            audit(&state, "portal", "sign_in_failed", detail).await?;
            if now_locked {
                if let Some(retry_after) = lockout::locked(&state.pool, &keys).await? {
                    return Err(AppError::LockedOut { retry_after });
                }
            }
            return Err(AppError::BadCredentials);
        }
    };
    let role = PortalRole::parse(&role)
        .ok_or_else(|| AppError::Internal(format!("unknown role {role:?} in users")))?;
    lockout::succeeded(&state.pool, &account).await?;
    // A new session id at sign-in, so an id planted before it is worth nothing after.
    session.cycle_id().await.map_err(session_error)?;
    let csrf = new_csrf();
    session.insert(USER_ID, id).await.map_err(session_error)?;
    session
        .insert(AUTH_EPOCH, epoch)
        .await
        .map_err(session_error)?;
    session.insert(CSRF, &csrf).await.map_err(session_error)?;
    audit(&state, &format!("portal:{email}"), "sign_in", detail).await?;
    let user = user_view(&state, id, email, role).await?;
    Ok(Json(Envelope::ok(SessionView {
        csrf,
        user: Some(user),
    })))
}

/// Signs out: the session is deleted on the server, not only forgotten by the browser.
#[utoipa::path(post, path = "/v1/portal/sign-out", tag = "portal",
    params(("x-csrf-token" = String, Header, description = "the session's CSRF proof")),
    responses((status = 200)))]
pub async fn sign_out(
    State(state): State<AppState>,
    portal: Portal,
) -> Result<Json<Envelope<()>>, AppError> {
    portal.session.flush().await.map_err(session_error)?;
    audit(
        &state,
        &format!("portal:{}", portal.email),
        "sign_out",
        serde_json::json!({ "user_id": portal.user_id }),
    )
    .await?;
    Ok(Json(Envelope::ok(())))
}

/// Changes one's own password; every other session of the account is signed out.
#[utoipa::path(post, path = "/v1/portal/password", tag = "portal", request_body = ChangePassword,
    params(("x-csrf-token" = String, Header, description = "the session's CSRF proof")),
    responses((status = 200), (status = 401)))]
pub async fn change_password(
    State(state): State<AppState>,
    portal: Portal,
    ClientAddr(ip): ClientAddr,
    ApiJson(req): ApiJson<ChangePassword>,
) -> Result<Json<Envelope<()>>, AppError> {
    let actor = format!("portal:{}", portal.email);
    let account = lockout::account_key(&portal.email);
    let addr = lockout::address_key(ip);
    let keys: Vec<String> = std::iter::once(account.clone())
        .chain(addr.clone())
        .collect();
    if let Some(retry_after) = lockout::locked(&state.pool, &keys).await? {
        return Err(AppError::LockedOut { retry_after });
    }
    if req.new.chars().count() < MIN_PASSWORD {
        return Err(AppError::Malformed(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(portal.user_id)
        .fetch_one(&state.pool)
        .await?;
    if !verify(req.current, Some(hash)).await? {
        lockout::fail(&state.pool, &state.settings, &account, addr.as_deref()).await?;
        audit(
            &state,
            &actor,
            "change_password_failed",
            serde_json::json!({ "user_id": portal.user_id }),
        )
        .await?;
        return Err(AppError::BadCredentials);
    }
    let new = req.new;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| AppError::Internal(format!("password hash: {e}")))??;
    let mut tx = state.pool.begin().await?;
    // Whole seconds, as the sessions keep it.
    let epoch: i64 = sqlx::query_scalar(
        "UPDATE users SET password_hash = $2,
             password_changed_at = date_trunc('second', greatest(now(), coalesce(password_changed_at, now()) + interval '1 second'))
         WHERE id = $1 RETURNING extract(epoch FROM password_changed_at)::int8",
    )
    .bind(portal.user_id)
    .bind(hash)
    .fetch_one(&mut *tx)
    .await?;
    crate::admin::audit(
        &mut tx,
        &actor,
        "change_password",
        serde_json::json!({ "user_id": portal.user_id }),
    )
    .await?;
    tx.commit().await?;
    portal.session.cycle_id().await.map_err(session_error)?;
    portal
        .session
        .insert(AUTH_EPOCH, epoch)
        .await
        .map_err(session_error)?;
    Ok(Json(Envelope::ok(())))
}
