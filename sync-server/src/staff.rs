//! A store's staff on the server: who they are, the role each held and since when, the members
//! tills add (`staff` entries), and role changes made in the back office, which reach the tills
//! through the feed like any other entry.

use pos_shared::staff::StaffMember;
use pos_shared::Role;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::admin::audit;
use crate::error::AppError;

/// A member and every role they held, oldest first.
#[derive(Clone, Debug)]
pub struct History {
    pub name: String,
    /// (from ms since 1970, role, still working here)
    pub roles: Vec<(i64, Role, bool)>,
}

impl History {
    /// The role held at `ms` (the first one for a time before it: a till's clock may run a
    /// little behind the one that recorded the member).
    pub fn at(&self, ms: i64) -> Option<(Role, bool)> {
        self.roles
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= ms)
            .or(self.roles.first())
            .map(|(_, role, active)| (*role, *active))
    }
}

/// A member's roles over time, or `None` when the store has no such member.
pub async fn history(
    conn: &mut PgConnection,
    store: Uuid,
    member: Uuid,
) -> Result<Option<History>, sqlx::Error> {
    let rows: Vec<(String, String, bool, i64)> = sqlx::query_as(
        "SELECT s.name, r.role, r.active, r.from_ms FROM staff s
         JOIN staff_roles r ON r.store_id = s.store_id AND r.staff_id = s.id
         WHERE s.store_id = $1 AND s.id = $2 ORDER BY r.from_ms, r.id",
    )
    .bind(store)
    .bind(member)
    .fetch_all(&mut *conn)
    .await?;
    let Some(name) = rows.first().map(|r| r.0.clone()) else {
        return Ok(None);
    };
    let roles = rows
        .into_iter()
        .filter_map(|(_, role, active, from)| Some((from, Role::parse(&role).ok()?, active)))
        .collect();
    Ok(Some(History { name, roles }))
}

/// Records members added at a till: each with their first role, from when they were added.
pub async fn add(
    conn: &mut PgConnection,
    store: Uuid,
    device: Uuid,
    added: &[(i64, &StaffMember)],
) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut new = Vec::new();
    for (from_ms, m) in added {
        let inserted = sqlx::query(
            "INSERT INTO staff (store_id, id, name, role, pin_hash, active, added_by, device_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(store)
        .bind(m.id)
        .bind(&m.name)
        .bind(m.role.as_str())
        .bind(&m.pin_hash)
        .bind(m.active)
        .bind(m.added_by)
        .bind(device)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            continue;
        }
        let set_by = match m.added_by {
            Some(by) => format!("staff {by} at device {device}"),
            None => format!("set-up of device {device}"),
        };
        record_role(conn, store, m.id, m.role, m.active, *from_ms, &set_by).await?;
        new.push(m.id);
    }
    Ok(new)
}

async fn record_role(
    conn: &mut PgConnection,
    store: Uuid,
    member: Uuid,
    role: Role,
    active: bool,
    from_ms: i64,
    set_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO staff_roles (store_id, staff_id, role, active, from_ms, set_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(store)
    .bind(member)
    .bind(role.as_str())
    .bind(active)
    .bind(from_ms)
    .bind(set_by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every member of the store as the tills need them (for the snapshot).
pub async fn members(
    conn: &mut PgConnection,
    store: Uuid,
) -> Result<Vec<StaffMember>, sqlx::Error> {
    let rows: Vec<(Uuid, String, String, String, bool, Option<Uuid>)> = sqlx::query_as(
        "SELECT id, name, role, pin_hash, active, added_by FROM staff
         WHERE store_id = $1 ORDER BY created_at, id",
    )
    .bind(store)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, role, pin_hash, active, added_by)| {
            Some(StaffMember {
                id,
                name,
                role: Role::parse(&role).ok()?,
                pin_hash,
                active,
                added_by,
            })
        })
        .collect())
}

/// The back office changes a member's role, or lets them go (`active` false), from `at_ms`:
/// whatever they do at any till from then on is checked against it, and every till of the
/// store learns it through the feed. The member is found by name (any case).
pub async fn set_role(
    pool: &PgPool,
    store: Uuid,
    name: &str,
    role: Role,
    active: bool,
    at_ms: i64,
) -> Result<StaffMember, AppError> {
    let found: Vec<(Uuid,)> =
        sqlx::query_as("SELECT id FROM staff WHERE store_id = $1 AND lower(name) = lower($2)")
            .bind(store)
            .bind(name.trim())
            .fetch_all(pool)
            .await?;
    match found.as_slice() {
        [(id,)] => set_role_of(pool, store, *id, role, active, at_ms).await,
        [] => Err(AppError::Malformed(format!(
            "store {store} has nobody called {name:?} on its staff"
        ))),
        _ => Err(AppError::Malformed(format!(
            "store {store} has several members called {name:?}: give the one you mean by --id"
        ))),
    }
}

/// The same for the member with this id.
pub async fn set_role_of(
    pool: &PgPool,
    store: Uuid,
    id: Uuid,
    role: Role,
    active: bool,
    at_ms: i64,
) -> Result<StaffMember, AppError> {
    let mut tx = pool.begin().await?;
    let member = change(&mut tx, store, id, role, active, at_ms).await?;
    tx.commit().await?;
    Ok(member)
}

async fn change(
    tx: &mut PgConnection,
    store: Uuid,
    id: Uuid,
    role: Role,
    active: bool,
    at_ms: i64,
) -> Result<StaffMember, AppError> {
    let row: Option<(String, String, Option<Uuid>)> = sqlx::query_as(
        "UPDATE staff SET role = $3, active = $4 WHERE store_id = $1 AND id = $2
         RETURNING name, pin_hash, added_by",
    )
    .bind(store)
    .bind(id)
    .bind(role.as_str())
    .bind(active)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, pin_hash, added_by)) = row else {
        return Err(AppError::Malformed(format!(
            "store {store} has no member {id} on its staff"
        )));
    };
    record_role(tx, store, id, role, active, at_ms, "back office").await?;
    let member = StaffMember {
        id,
        name,
        role,
        pin_hash,
        active,
        added_by,
    };
    let body = serde_json::to_vec(&member).map_err(|e| AppError::Malformed(e.to_string()))?;
    crate::feed::append_server(tx, store, &[("staff", id.to_string(), body)]).await?;
    let event = crate::events::NewEvent {
        name: "staff.changed",
        entity: id.to_string(),
        at_ms: Some(at_ms),
        data: serde_json::json!({ "staff_id": id, "name": member.name, "role": role, "active": active }),
    };
    crate::events::outbox::insert(tx, store, Uuid::nil(), &[event]).await?;
    audit(
        tx,
        "admin",
        "set_role",
        serde_json::json!({ "store_id": store, "staff_id": id, "role": role, "active": active }),
    )
    .await?;
    Ok(member)
}
