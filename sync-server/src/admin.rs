//! What an administrator does from the command line (and tests do directly): create stores,
//! make one-time enrolment codes, create back-office users, revoke devices.

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

/// The roles a back-office user can have: an owner sees every store, a manager and an
/// accountant (read-only) the stores they are given.
pub const ROLES: [&str; 3] = ["owner", "manager", "accountant"];
const MIN_PASSWORD: usize = crate::portal::sign_in::MIN_PASSWORD;

/// Sets a store's time zone (a name Postgres knows, e.g. `Africa/Algiers`): its business day.
/// Sales already recorded keep the day they were counted on.
pub async fn set_time_zone(pool: &PgPool, store: Uuid, zone: &str) -> Result<(), AppError> {
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(zone)
            .fetch_one(pool)
            .await?;
    if !known {
        return Err(AppError::Malformed(format!(
            "{zone:?} is not a time zone: use e.g. Africa/Algiers"
        )));
    }
    let done = sqlx::query("UPDATE stores SET time_zone = $2 WHERE id = $1")
        .bind(store)
        .bind(zone)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Malformed(format!("no store {store}")));
    }
    Ok(())
}

/// Creates a back-office user whose password is stored as an argon2id hash; the user's id.
/// A manager or an accountant is given `stores` (at least one); an owner sees every store.
pub async fn create_user(
    pool: &PgPool,
    email: &str,
    role: &str,
    password: &str,
    stores: &[Uuid],
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
    if role != "owner" && stores.is_empty() {
        return Err(AppError::Malformed(format!(
            "a {role} needs at least one store (--store STORE_ID)"
        )));
    }
    if role == "owner" && !stores.is_empty() {
        return Err(AppError::Malformed(
            "an owner sees every store: give no --store".into(),
        ));
    }
    let hash = crate::portal::sign_in::hash_password(password)?;
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
    let given = sqlx::query(
        "INSERT INTO user_stores (user_id, store_id) SELECT $1, id FROM stores WHERE id = ANY($2)",
    )
    .bind(id)
    .bind(stores)
    .execute(&mut *tx)
    .await?;
    if given.rows_affected() as usize != stores.len() {
        return Err(AppError::Malformed(
            "one of the stores given does not exist".into(),
        ));
    }
    audit(
        &mut tx,
        "admin",
        "create_user",
        serde_json::json!({ "user_id": id, "email": email, "role": role, "stores": stores }),
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
