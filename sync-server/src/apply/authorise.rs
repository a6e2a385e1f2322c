//! Who may do what, checked again on the server. A change to stock or to a product is checked
//! against the role its author held when they made it (by the entry's clock), as the back
//! office last recorded it: a till that was offline when a manager was demoted lets them carry
//! on, the server does not. A member of staff may be added by an admin, or by a manager when
//! the newcomer is a cashier.
//!
//! What a till did before it was enrolled (its set-up: the first user, the first catalog
//! import) names nobody and is accepted: whoever held the one-time enrolment code vouched for
//! it. Set-up is what the till held as it enrolled (its change log up to the number it gave
//! then), dated before the enrolment; an entry written later is not set-up whatever time it
//! claims. So is what names nobody while the store has no staff at all (a first till enrolled
//! before its team was entered). Otherwise an unsigned change to stock or products is refused.
//!
//! An entry is judged at its own time, but never earlier than the entries the same till wrote
//! before it (a till's clock only moves forward): a backdated entry is judged when its till
//! had got to, so a demoted manager cannot act "before" the demotion by turning a clock back.

use std::collections::{HashMap, HashSet};

use pos_shared::api::codes;
use pos_shared::staff::{self, StaffMember};
use pos_shared::Permission;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{entry_time, Entry, Record};
use crate::auth::Device;
use crate::staff::{history, History};

/// What the check of one entry concluded.
enum Verdict {
    Allowed,
    Refused(String),
}

/// Members looked up once per batch, with those the batch itself adds.
struct Staff<'c> {
    conn: &'c mut PgConnection,
    store: Uuid,
    known: HashMap<Uuid, Option<History>>,
    /// When the device was enrolled, and the last entry of its set-up.
    enrolment: Option<(i64, i64)>,
    /// Whether the store has any staff yet (looked up once, then kept by [`Staff::learn`]).
    staffed: Option<bool>,
    /// Cashiers of sales already found on the staff.
    sellers: HashSet<Uuid>,
    device: Uuid,
}

impl Staff<'_> {
    async fn member(&mut self, id: Uuid) -> Result<Option<&History>, sqlx::Error> {
        if !self.known.contains_key(&id) {
            let found = history(self.conn, self.store, id).await?;
            self.known.insert(id, found);
        }
        Ok(self.known.get(&id).and_then(Option::as_ref))
    }

    /// When the device was enrolled, and how far its set-up goes.
    async fn enrolment(&mut self) -> Result<(i64, i64), sqlx::Error> {
        if let Some(e) = self.enrolment {
            return Ok(e);
        }
        let e: (i64, i64) = sqlx::query_as(
            "SELECT (extract(epoch FROM enrolled_at) * 1000)::int8, setup_through
             FROM devices WHERE id = $1",
        )
        .bind(self.device)
        .fetch_one(&mut *self.conn)
        .await?;
        self.enrolment = Some(e);
        Ok(e)
    }

    /// May entry `seq`, which names nobody, made at `at_ms`, be accepted? Only as part of
    /// setting things up: what the till held when it enrolled, or while the store has no staff.
    async fn unsigned_ok(&mut self, seq: i64, at_ms: i64) -> Result<bool, sqlx::Error> {
        let (enrolled_ms, setup_through) = self.enrolment().await?;
        if seq <= setup_through && at_ms <= enrolled_ms {
            return Ok(true);
        }
        Ok(!self.staffed().await?)
    }

    /// Whether the store has any staff yet.
    async fn staffed(&mut self) -> Result<bool, sqlx::Error> {
        if self.staffed.is_none() {
            let staffed: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM staff WHERE store_id = $1)")
                    .bind(self.store)
                    .fetch_one(&mut *self.conn)
                    .await?;
            self.staffed = Some(staffed);
        }
        Ok(self.staffed == Some(true))
    }

    /// May a sale name `cashier`? Once the store has staff, only one of them: a till logs in
    /// nobody else. (Their role is not checked: the money changed hands.)
    async fn may_sell(&mut self, cashier: Uuid) -> Result<bool, sqlx::Error> {
        if self.sellers.contains(&cashier)
            || self.known.get(&cashier).is_some_and(Option::is_some)
            || !self.staffed().await?
        {
            return Ok(true);
        }
        let member: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM staff WHERE store_id = $1 AND id = $2)",
        )
        .bind(self.store)
        .bind(cashier)
        .fetch_one(&mut *self.conn)
        .await?;
        if member {
            self.sellers.insert(cashier);
        }
        Ok(member)
    }

    /// May `who` do what needs `permission` at `at_ms`? `action` names it in the refusal.
    async fn check(
        &mut self,
        who: Option<Uuid>,
        (seq, at_ms): (i64, i64),
        permission: Permission,
        action: &str,
    ) -> Result<Verdict, sqlx::Error> {
        let Some(who) = who else {
            return Ok(if self.unsigned_ok(seq, at_ms).await? {
                Verdict::Allowed
            } else {
                Verdict::Refused(format!(
                    "{action} names nobody: log in at the till and do it again"
                ))
            });
        };
        let Some(member) = self.member(who).await? else {
            return Ok(Verdict::Refused(format!(
                "{action} was done by someone this store's staff does not include ({who})"
            )));
        };
        Ok(match member.at(at_ms) {
            Some((_, false)) => {
                Verdict::Refused(format!("{} no longer works at this store", member.name))
            }
            Some((role, true)) if role.can(permission) => Verdict::Allowed,
            Some((role, true)) => Verdict::Refused(staff::refusal(&member.name, role, action)),
            None => Verdict::Refused(format!("{} has no role at this store", member.name)),
        })
    }

    /// Whether the store already has `m` (or the batch added them): the feed would carry a
    /// second `staff` entry for them to every till, which would take it as the member's new
    /// role, PIN and standing (an admin's account taken, someone let go brought back, by a
    /// hostile till or a re-enrolled one sending its history again). A member is changed in
    /// the back office.
    async fn already_has(&mut self, m: &StaffMember) -> Result<Option<String>, sqlx::Error> {
        Ok(self.member(m.id).await?.map(|existing| {
            format!(
                "this store's staff already has {} under the id of {:?}: a member is changed in the back office, not added again",
                existing.name, m.name
            )
        }))
    }

    /// May the till add `m` in entry `seq`, at `at_ms`?
    async fn may_add(
        &mut self,
        m: &StaffMember,
        (seq, at_ms): (i64, i64),
    ) -> Result<Verdict, sqlx::Error> {
        let Some(by) = m.added_by else {
            return Ok(if self.unsigned_ok(seq, at_ms).await? {
                Verdict::Allowed
            } else {
                Verdict::Refused(format!(
                    "{} was added with nobody logged in; this store's staff is managed by its admins",
                    m.name
                ))
            });
        };
        let Some(author) = self.member(by).await? else {
            return Ok(Verdict::Refused(format!(
                "{} was added by someone this store's staff does not include",
                m.name
            )));
        };
        Ok(match author.at(at_ms) {
            Some((role, true)) if role.may_add(m.role) => Verdict::Allowed,
            _ => Verdict::Refused(format!(
                "{} may not add {} as {}",
                author.name,
                m.name,
                m.role.as_str()
            )),
        })
    }

    /// A member the batch adds counts for the entries after it.
    fn learn(&mut self, m: &StaffMember, at_ms: i64) {
        self.staffed = Some(true);
        self.known.insert(
            m.id,
            Some(History {
                name: m.name.clone(),
                roles: vec![(at_ms, m.role, m.active)],
            }),
        );
    }
}

/// Checks every entry that changes stock, products or staff: a refused stock change or new
/// member is rejected; a refused product edit is marked to be undone (see [`Entry::revert`]).
pub async fn authorise(
    conn: &mut PgConnection,
    device: &Device,
    entries: &mut [Entry<'_>],
) -> Result<(), sqlx::Error> {
    let mut clock = device_clock(conn, device.id).await?;
    let mut staff = Staff {
        conn,
        store: device.store_id,
        known: HashMap::new(),
        enrolment: None,
        staffed: None,
        sellers: HashSet::new(),
        device: device.id,
    };
    let now = crate::now_ms();
    for entry in entries.iter_mut() {
        // An entry's time as it is judged: its own, never before its till's earlier entries.
        let (seq, floor) = (entry.seq, clock);
        let judged = move |t: i64| (seq, t.min(now).max(floor));
        clock = clock.max(entry_time(entry.hlc));
        if entry.rejected.is_some() {
            continue;
        }
        match &entry.record {
            Record::Movement(m) => {
                let Some(needs) = staff::movement_needs(m.kind) else {
                    continue;
                };
                if let Verdict::Refused(why) = staff
                    .check(m.user_id, judged(m.hlc.wall_ms), needs, "changing stock")
                    .await?
                {
                    entry.reject(codes::FORBIDDEN, why);
                }
            }
            Record::ProductEdit { author, at_ms, .. } => {
                let at = judged(*at_ms);
                if let Verdict::Refused(why) = staff
                    .check(*author, at, staff::EDIT_PRODUCTS, "changing a product")
                    .await?
                {
                    entry.revert = Some(format!("{why}; the change was undone"));
                }
            }
            Record::Sale(sale) => {
                let (cashier, receipt) = (sale.cashier_id, sale.receipt_no);
                if staff.may_sell(cashier).await? {
                    continue;
                }
                let why = format!(
                    "sale {receipt} names a cashier this store's staff does not include ({cashier})"
                );
                entry.reject(codes::FORBIDDEN, why);
            }
            Record::Staff { member, at_ms } => {
                if let Some(why) = staff.already_has(member).await? {
                    entry.reject(codes::STAFF_EXISTS, why);
                    continue;
                }
                let at = judged(*at_ms);
                match staff.may_add(member, at).await? {
                    Verdict::Allowed => staff.learn(member, at.1),
                    Verdict::Refused(why) => entry.reject(codes::FORBIDDEN, why),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The time of the last entry `device` sent before this push (0 before its first).
async fn device_clock(conn: &mut PgConnection, device: Uuid) -> Result<i64, sqlx::Error> {
    let hlc: Option<String> = sqlx::query_scalar(
        "SELECT hlc FROM device_changes WHERE device_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(device)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(hlc.map_or(0, |h| entry_time(&h)))
}
