//! People at the till: PIN login (argon2 hashes, a PIN identifies its holder), roles, the
//! lock-out after repeated wrong PINs, and manager approval of actions a cashier may not do.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use pos_shared::staff::StaffMember;
use pos_shared::{Hlc, Permission, Role};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{PosError, Result};
use crate::store::change_log::{self, ChangeKind};

/// Wrong PINs in a row before the till locks, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_MS: i64 = 5 * 60 * 1000;

/// Who is acting at the till.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
}

impl Session {
    /// Refuses, with a message naming the person and the action, when the role lacks `permission`.
    pub fn require(&self, permission: Permission, action: &'static str) -> Result<()> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(PosError::Forbidden {
                who: self.name.clone(),
                role: self.role.as_str(),
                action,
            })
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct UserInfo {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

fn hasher() -> Argon2<'static> {
    // 8 MiB, 2 passes: a PIN check stays well under the time a cashier notices.
    let params = Params::new(8 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn check_pin_format(pin: &str) -> Result<()> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PosError::BadPin)
    }
}

/// Every active user with their PIN hash.
fn all_hashes(conn: &Connection) -> Result<Vec<(Uuid, String, Role, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, name, role, pin_hash FROM users WHERE active = 1")?;
    let rows = stmt.query_map([], |r| {
        let id: String = r.get(0)?;
        let role: String = r.get(2)?;
        Ok((
            Uuid::parse_str(&id).unwrap_or_default(),
            r.get(1)?,
            Role::parse(&role).unwrap_or(Role::Cashier),
            r.get(3)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| hasher().verify_password(pin.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// The user holding this PIN, without touching the lock-out counter.
fn find_by_pin(conn: &Connection, pin: &str) -> Result<Option<Session>> {
    Ok(all_hashes(conn)?
        .into_iter()
        .find(|(_, _, _, hash)| matches(pin, hash))
        .map(|(user_id, name, role, _)| Session {
            user_id,
            name,
            role,
        }))
}

/// Adds a member here; `added_by` is who added them (`None` while setting the till up).
pub fn add(
    conn: &Connection,
    id: Uuid,
    name: &str,
    role: Role,
    pin: &str,
    added_by: Option<Uuid>,
) -> Result<StaffMember> {
    check_pin_format(pin)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(PosError::Invalid("a user needs a name".into()));
    }
    if find_by_pin(conn, pin)?.is_some() {
        return Err(PosError::PinTaken);
    }
    let salt_bytes: [u8; 16] = *id.as_bytes();
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| PosError::Invalid(format!("salt: {e}")))?;
    let hash = hasher()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| PosError::Invalid(format!("hashing the PIN: {e}")))?
        .to_string();
    conn.execute(
        "INSERT INTO users (id, name, role, pin_hash) VALUES (?1, ?2, ?3, ?4)",
        params![id.to_string(), name, role.as_str(), hash],
    )?;
    Ok(StaffMember {
        id,
        name: name.to_owned(),
        role,
        pin_hash: hash,
        active: true,
        added_by,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<UserInfo>> {
    Ok(all_hashes(conn)?
        .into_iter()
        .map(|(id, name, role, _)| UserInfo { id, name, role })
        .collect())
}

/// Logs in by PIN. Five wrong PINs in a row lock the till for five minutes; the count is kept
/// in the database so restarting the program does not reset it.
pub fn login(conn: &Connection, pin: &str, now_ms: i64) -> Result<Session> {
    let (failures, locked_until): (i64, i64) = conn.query_row(
        "SELECT failures, locked_until_ms FROM login_guard WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if locked_until > now_ms {
        return Err(PosError::PinLocked {
            seconds: (locked_until - now_ms + 999) / 1000,
        });
    }
    let found = if check_pin_format(pin).is_ok() {
        find_by_pin(conn, pin)?
    } else {
        None
    };
    match found {
        Some(session) => {
            conn.execute(
                "UPDATE login_guard SET failures = 0, locked_until_ms = 0 WHERE id = 1",
                [],
            )?;
            Ok(session)
        }
        None => {
            let failures = failures + 1;
            let (failures, locked_until) = if failures >= MAX_FAILURES {
                (0, now_ms + LOCKOUT_MS)
            } else {
                (failures, 0)
            };
            conn.execute(
                "UPDATE login_guard SET failures = ?1, locked_until_ms = ?2 WHERE id = 1",
                params![failures, locked_until],
            )?;
            if locked_until > 0 {
                Err(PosError::PinLocked {
                    seconds: LOCKOUT_MS / 1000,
                })
            } else {
                Err(PosError::WrongPin)
            }
        }
    }
}

/// What became of a manager's PIN typed to approve something.
pub enum Approval {
    /// Not needed: the acting user may do it.
    NotNeeded,
    /// The holder of the PIN approves.
    Approved(Session),
    /// Refused (wrong PIN, or its holder may not either); `locked` when this failure locked
    /// approvals. The failure is counted: the caller records it.
    Failed { error: PosError, locked: bool },
}

/// Resolves who authorises `permission`: the acting user if their role allows it, otherwise
/// the holder of `approver_pin`, who must be allowed. Wrong PINs count towards a lock-out of
/// approvals like the one of logins (`MAX_FAILURES` in a row lock approvals for `LOCKOUT_MS`,
/// kept in the database); a right PIN of someone who may not approve counts too, since it is a
/// PIN being tried for what it can do. Call it inside a transaction that also records a failure.
pub fn authorise(
    conn: &Connection,
    session: &Session,
    permission: Permission,
    action: &'static str,
    approver_pin: Option<&str>,
    now_ms: i64,
) -> Result<Approval> {
    if session.role.can(permission) {
        return Ok(Approval::NotNeeded);
    }
    let Some(pin) = approver_pin else {
        return Err(PosError::Forbidden {
            who: session.name.clone(),
            role: session.role.as_str(),
            action,
        });
    };
    let (failures, locked_until): (i64, i64) = conn.query_row(
        "SELECT failures, locked_until_ms FROM approval_guard WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if locked_until > now_ms {
        return Err(PosError::PinLocked {
            seconds: (locked_until - now_ms + 999) / 1000,
        });
    }
    let found = if check_pin_format(pin).is_ok() {
        find_by_pin(conn, pin)?
    } else {
        None
    };
    let refusal = match found {
        Some(approver) => match approver.require(permission, action) {
            Ok(()) => {
                conn.execute(
                    "UPDATE approval_guard SET failures = 0, locked_until_ms = 0 WHERE id = 1",
                    [],
                )?;
                return Ok(Approval::Approved(approver));
            }
            Err(e) => e,
        },
        None => PosError::WrongPin,
    };
    let failures = failures + 1;
    let locked = failures >= MAX_FAILURES;
    let (failures, locked_until) = if locked {
        (0, now_ms + LOCKOUT_MS)
    } else {
        (failures, 0)
    };
    conn.execute(
        "UPDATE approval_guard SET failures = ?1, locked_until_ms = ?2 WHERE id = 1",
        params![failures, locked_until],
    )?;
    Ok(Approval::Failed {
        error: refusal,
        locked,
    })
}

/// Tells the server (and through it the store's other tills) about a member just added here:
/// a `staff` entry carrying their PIN's hash, so they can log in at any till of the store.
pub fn log_added(tx: &Connection, member: &StaffMember, hlc: &Hlc) -> Result<()> {
    let body = serde_json::to_vec(member).map_err(|e| PosError::Invalid(e.to_string()))?;
    change_log::append(tx, ChangeKind::Staff, &member.id.to_string(), &body, hlc)?;
    Ok(())
}

/// A member as the server knows them (pulled, or from the snapshot): added, or their role and
/// whether they still work here brought up to date. No log: the server told us.
pub fn apply_member(tx: &Connection, m: &StaffMember) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO users (id, name, role, pin_hash, active) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
             pin_hash = excluded.pin_hash, active = excluded.active",
    )?
    .execute(params![
        m.id.to_string(),
        m.name,
        m.role.as_str(),
        m.pin_hash,
        m.active
    ])?;
    Ok(())
}

/// `session`'s holder as the till knows them now (role brought up to date), or `None` when they
/// no longer work here.
pub fn current(conn: &Connection, session: &Session) -> Result<Option<Session>> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT name, role FROM users WHERE id = ?1 AND active = 1")?
        .query_row([session.user_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(row.map(|(name, role)| Session {
        user_id: session.user_id,
        name,
        role: Role::parse(&role).unwrap_or(Role::Cashier),
    }))
}

/// The server refused a member added here (whoever added them may not): they cannot log in.
pub fn withdraw(tx: &Connection, id: &str) -> Result<()> {
    tx.execute("UPDATE users SET active = 0 WHERE id = ?1", [id])?;
    Ok(())
}
