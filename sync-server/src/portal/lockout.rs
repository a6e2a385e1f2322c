//! Lock-out after repeated failed sign-ins, per account and per address, kept in Postgres
//! (`portal_lockouts`) so every server behind one address counts the same failures. Failures
//! are counted in a window as long as the lock-out; reaching the limit locks the key for that
//! long. A locked account answers the same whether the password is right or not.

use sqlx::PgPool;

use crate::Settings;

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn address_key(ip: Option<std::net::IpAddr>) -> Option<String> {
    ip.map(|ip| format!("address:{ip}"))
}

/// Seconds left on the longest lock among `keys`, if any is locked.
pub async fn locked(pool: &PgPool, keys: &[String]) -> Result<Option<u64>, sqlx::Error> {
    let left: Option<i64> = sqlx::query_scalar(
        "SELECT max(ceil(extract(epoch FROM locked_until - now())))::int8 FROM portal_lockouts
         WHERE key = ANY($1) AND locked_until > now()",
    )
    .bind(keys)
    .fetch_one(pool)
    .await?;
    Ok(left.map(|s| u64::try_from(s.max(1)).unwrap_or(1)))
}

/// Counts a failure against each key; true if one of them is now locked.
pub async fn fail(
    pool: &PgPool,
    settings: &Settings,
    account: &str,
    address: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let keys: Vec<&str> = std::iter::once(account).chain(address).collect();
    let limits: Vec<i32> = std::iter::once(settings.portal_account_attempts)
        .chain(address.map(|_| settings.portal_address_attempts))
        .collect();
    let locked: Vec<bool> = sqlx::query_scalar(
        "INSERT INTO portal_lockouts AS l (key, failures, first_at, locked_until)
         SELECT k, 1, now(), CASE WHEN m <= 1 THEN now() + make_interval(secs => $3) END
         FROM UNNEST($1::text[], $2::int4[]) AS u(k, m)
         ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN l.first_at < now() - make_interval(secs => $3) THEN 1
                             ELSE l.failures + 1 END,
             first_at = CASE WHEN l.first_at < now() - make_interval(secs => $3) THEN now()
                             ELSE l.first_at END,
             locked_until = CASE
                 WHEN l.first_at >= now() - make_interval(secs => $3)
                      AND l.failures + 1 >= (SELECT m FROM UNNEST($1::text[], $2::int4[]) AS v(k, m) WHERE v.k = l.key)
                 THEN now() + make_interval(secs => $3)
                 ELSE l.locked_until END
         RETURNING coalesce(locked_until > now(), false)",
    )
    .bind(&keys)
    .bind(&limits)
    .bind(settings.portal_lockout_secs as f64)
    .fetch_all(pool)
    .await?;
    Ok(locked.into_iter().any(|l| l))
}

/// A successful sign-in clears the account's count (not the address's: one good password must
/// not let an address go on guessing others).
pub async fn succeeded(pool: &PgPool, account: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM portal_lockouts WHERE key = $1")
        .bind(account)
        .execute(pool)
        .await?;
    Ok(())
}
