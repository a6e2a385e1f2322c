//! What an administrator does from the command line (and tests do directly): create stores,
//! make one-time enrolment codes, create back-office users, revoke devices.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::hash_secret;
use crate::error::AppError;

/// Letters and digits nobody confuses when reading them out over the phone.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 10;
const CODE_VALID_HOURS: i32 = 24;

pub async fn create_store(pool: &PgPool, name: &str) -> Result<Uuid, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Malformed("a store needs a name".into()));
    }
    let id = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO stores (id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO store_heads (store_id) VALUES ($1)")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        "admin",
        "create_store",
        serde_json::json!({ "store_id": id, "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A one-time code, valid for a day, that enrols one terminal into `store`.
pub async fn enrollment_code(pool: &PgPool, store: Uuid) -> Result<String, AppError> {
    let code: String = (0..CODE_LEN)
        .map(|_| char::from(CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())]))
        .collect();
    let inserted = sqlx::query(
        "INSERT INTO enrollment_codes (code_hash, store_id, expires_at)
         SELECT $1, id, now() + make_interval(hours => $3) FROM stores WHERE id = $2",
    )
    .bind(hash_secret(&code))
    .bind(store)
    .bind(CODE_VALID_HOURS)
    .execute(pool)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::Malformed(format!("no store {store}")));
    }
    Ok(code)
}

/// The roles a back-office user can have (the same names as the tills').
pub const ROLES: [&str; 3] = ["cashier", "manager", "admin"];
const MIN_PASSWORD: usize = 10;

/// Creates a back-office user whose password is stored as an argon2 hash; the user's id.
pub async fn create_user(
    pool: &PgPool,
    email: &str,
    role: &str,
    password: &str,
) -> Result<Uuid, AppError> {
    let email = email.trim().to_lowercase();
    let well_formed = email
        .split_once('@')
        .is_some_and(|(name, host)| !name.is_empty() && host.contains('.') && !host.ends_with('.'));
    if !well_formed || email.chars().any(char::is_whitespace) {
        return Err(AppError::Malformed(format!(
            "{email:?} is not an email address"
        )));
    }
    if !ROLES.contains(&role) {
        return Err(AppError::Malformed(format!(
            "unknown role {role:?}: use one of {}",
            ROLES.join(", ")
        )));
    }
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::Malformed(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AppError::Malformed(format!("cannot salt the password: {e}")))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::Malformed(format!("cannot hash the password: {e}")))?
        .to_string();
    let id = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, role, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(id)
    .bind(&email)
    .bind(role)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::Malformed(format!(
            "{email} already has an account"
        )));
    }
    audit(
        &mut tx,
        "admin",
        "create_user",
        serde_json::json!({ "user_id": id, "email": email, "role": role }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Revokes a device: its token stops working at once, and the platform hears of it
/// (`device.revoked`, in the same transaction).
pub async fn revoke_device(pool: &PgPool, device: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let store: Option<Uuid> = sqlx::query_scalar(
        "UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
         RETURNING store_id",
    )
    .bind(device)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(store) = store else {
        return Err(AppError::Malformed(format!("no active device {device}")));
    };
    let detail = serde_json::json!({ "device_id": device, "store_id": store });
    audit(&mut tx, "admin", "revoke_device", detail.clone()).await?;
    let event = crate::events::NewEvent {
        name: "device.revoked",
        entity: device.to_string(),
        at_ms: None,
        data: detail,
    };
    crate::events::outbox::insert(&mut tx, store, device, &[event]).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn audit(
    tx: &mut sqlx::PgConnection,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3)")
        .bind(actor)
        .bind(action)
        .bind(detail)
        .execute(tx)
        .await?;
    Ok(())
}
