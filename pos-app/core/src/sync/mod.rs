//! Sync: push what the server has not acknowledged, pull what the other terminals wrote, apply.
//! The till never waits for it: selling works the same with the server gone.

mod apply;
mod backoff;
mod endpoint;
mod snapshot;
mod transport;

pub use backoff::Backoff;
pub use endpoint::{Endpoint, ServerTrust};
pub use transport::{Credentials, Enrolment, Network, Transport};

use base64::Engine;
use pos_shared::api::PushEntry;
use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{PosError, Result};
use crate::store::{self, change_log};
use crate::till::Till;
use crate::users::Session;

const PUSH_BATCH: i64 = 500;
const PULL_PAGE: i64 = 500;

#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    pub pushed: i64,
    pub rejected: usize,
    /// This terminal had been restored from a backup: its entries were numbered again after
    /// what the server holds.
    pub renumbered: bool,
    pub pulled: usize,
    pub applied: usize,
    /// Products read from the server's snapshot (a new terminal's first sync).
    pub snapshot: usize,
    pub pending: i64,
}

/// Something sync could not do, kept for a person to look at.
#[derive(Clone, Debug, Serialize)]
pub struct SyncProblem {
    pub direction: String,
    pub reference: i64,
    pub code: String,
    pub message: String,
    pub at_ms: i64,
}

/// Where sync stands, for `pos log` and the UI's badge.
#[derive(Clone, Debug, Serialize)]
pub struct SyncStatus {
    pub server: Option<String>,
    pub device_id: Option<String>,
    pub acked_through: i64,
    pub pull_cursor: i64,
    pub pending: i64,
    pub problems: Vec<SyncProblem>,
    /// How the server is reached: a shop's own CA file, plain http allowed.
    pub trust: ServerTrust,
}

impl Till {
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let conn = self.store().conn();
        let mut stmt = conn.prepare_cached(
            "SELECT direction, ref, code, message, at_ms FROM sync_problems ORDER BY id DESC LIMIT 50",
        )?;
        let problems = stmt
            .query_map([], |r| {
                Ok(SyncProblem {
                    direction: r.get(0)?,
                    reference: r.get(1)?,
                    code: r.get(2)?,
                    message: r.get(3)?,
                    at_ms: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(SyncStatus {
            server: self.store().meta("sync_server")?,
            device_id: self.store().meta("device_id")?,
            acked_through: change_log::acked_through(conn)?,
            pull_cursor: self
                .store()
                .meta("pull_cursor")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            pending: self.pending_count()?,
            problems,
            trust: self.server_trust()?,
        })
    }

    /// Enrols this terminal with a sync server using a one-time code from the back office: a
    /// manager's job, or anyone's while the till has nobody on it yet (a new terminal takes the
    /// store's team from the server on its first sync; the one-time code vouches for it).
    pub fn enroll(
        &mut self,
        session: Option<&Session>,
        net: &dyn Network,
        server: &str,
        code: &str,
    ) -> Result<Uuid> {
        let terminal = self.may_enroll(session)?;
        let (server, code) = (server.trim(), code.trim());
        let enrolled = net.enroll(&self.endpoint(server)?, code, &terminal)?;
        self.record_enrolment(session, server, &enrolled)
    }

    /// Whether `session` may enrol this terminal (see `enroll`); answers what the terminal
    /// enrols as (its name, and its set-up: the change log so far). A caller that must not hold a lock across the network (the window) asks
    /// this, enrols, then records the answer with `record_enrolment`.
    pub fn may_enroll(&self, session: Option<&Session>) -> Result<Enrolment> {
        match session {
            Some(s) => self.current(s)?.require(
                pos_shared::Permission::StockEdit,
                "connect the till to a sync server",
            )?,
            None if !self.users()?.is_empty() => return Err(PosError::LoggedOut),
            None => {}
        }
        let enrolled_as = self
            .store()
            .meta("device_id")?
            .and_then(|d| Uuid::parse_str(&d).ok())
            .map(|device_id| pos_shared::api::EnrolledAs {
                store_id: self.info().store_id,
                device_id,
            });
        Ok(Enrolment {
            name: self.info().terminal_name.clone(),
            setup_through: change_log::last_seq(self.store.conn())?,
            enrolled_as,
        })
    }

    /// Keeps what the server answered to an enrolment (checked again: the lock may have been let
    /// go meanwhile).
    pub fn record_enrolment(
        &mut self,
        session: Option<&Session>,
        server: &str,
        enrolled: &pos_shared::api::EnrollResponse,
    ) -> Result<Uuid> {
        self.may_enroll(session)?;
        let server = server.trim();
        let Till { store, info, .. } = self;
        store.write(|tx| {
            store::set_meta(tx, "sync_server", server)?;
            store::set_meta(tx, "device_id", &enrolled.device_id.to_string())?;
            store::set_meta(tx, "device_token", &enrolled.token)?;
            store::set_meta(tx, "store_id", &enrolled.store_id.to_string())?;
            store::set_meta(tx, "pull_cursor", "0")?;
            store::set_meta(tx, "snapshot_done", "0")?;
            store::set_meta(tx, "snapshot_after", "")?;
            store::set_meta(tx, "snapshot_as_of", "")
        })?;
        info.store_id = enrolled.store_id;
        self.ctx.store_id = enrolled.store_id;
        Ok(enrolled.device_id)
    }

    /// The server this terminal is enrolled with and what it presents there.
    pub fn credentials(&self) -> Result<Credentials> {
        let meta = |k: &str| self.store().meta(k);
        let (Some(server), Some(device), Some(token)) = (
            meta("sync_server")?,
            meta("device_id")?,
            meta("device_token")?,
        ) else {
            return Err(PosError::NotEnrolled);
        };
        let device_id = Uuid::parse_str(&device).map_err(|_| PosError::NotEnrolled)?;
        Ok(Credentials {
            server,
            device_id,
            token,
        })
    }

    /// One round: push everything pending (in batches), then pull and apply every page.
    pub fn sync_once(&mut self, net: &dyn Network) -> Result<SyncReport> {
        let credentials = self.credentials()?;
        let device = credentials.device_id;
        let server = self.endpoint(&credentials.server)?;
        let client = net.connect(&server, device, &credentials.token)?;
        let client = client.as_ref();
        let mut report = SyncReport::default();
        loop {
            let acked = change_log::acked_through(self.store().conn())?;
            let entries = self.unacked(acked)?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                break;
            };
            let answer = match client.push(entries) {
                Err(PosError::Sync { code, .. }) if code == pos_shared::api::codes::SEQ_GAP => {
                    // The server has less than we thought (restored from a backup): resend all;
                    // it skips what it already has.
                    self.store
                        .write(|tx| store::set_meta(tx, "acked_through", "0"))?;
                    continue;
                }
                other => other?,
            };
            if let Some(from) = answer.reused_from {
                // Restored from a backup: the server holds other entries under these numbers
                // (ours before `from` are the same as its own). Ours go after them, in the
                // same order, and are pushed again. Once: a server that asks again is wrong.
                if report.renumbered || from <= acked || from > answer.acked_through {
                    return Err(PosError::Sync {
                        code: "SEQ_REUSED".into(),
                        message: format!("the server keeps refusing this terminal's numbers from {from}: contact support before selling on"),
                    });
                }
                self.store.write(|tx| {
                    change_log::renumber_from(tx, from, answer.acked_through)?;
                    store::set_meta(tx, "acked_through", &answer.acked_through.to_string())
                })?;
                report.renumbered = true;
                continue;
            }
            let now = self.ctx.now_ms();
            // Only what was pushed is known safe: the server's mark may be further on when
            // its entries there are not ours (see `reused_from`), checked with the next batch.
            let through = answer.acked_through.min(last);
            self.store.write(|tx| {
                tx.execute("UPDATE change_log SET acked = 1 WHERE seq <= ?1 AND acked = 0", [through])?;
                store::set_meta(tx, "acked_through", &through.to_string())?;
                for r in &answer.rejected {
                    tx.execute(
                        "INSERT INTO sync_problems (direction, ref, code, message, at_ms) VALUES ('push', ?1, ?2, ?3, ?4)",
                        params![r.seq, r.code, r.message, now],
                    )?;
                    if r.code == pos_shared::api::codes::FORBIDDEN {
                        take_back(tx, r.seq)?;
                    }
                }
                Ok(())
            })?;
            report.pushed += through - acked;
            report.rejected += answer.rejected.len();
            if through < last {
                break;
            }
        }
        report.snapshot = self.snapshot(client)?;
        loop {
            let since: i64 = self
                .store()
                .meta("pull_cursor")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let page = client.pull(since, PULL_PAGE)?;
            let Till { store, ctx, .. } = self;
            let applied = store.write(|tx| {
                let applied = apply::apply_page(tx, ctx, device, &page.entries)?;
                store::set_meta(tx, "pull_cursor", &page.next.to_string())?;
                Ok(applied)
            })?;
            report.pulled += page.entries.len();
            report.applied += applied;
            if !page.more {
                break;
            }
        }
        report.pending = self.pending_count()?;
        Ok(report)
    }

    fn unacked(&self, acked: i64) -> Result<Vec<PushEntry>> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut stmt = self.store().conn().prepare_cached(
            "SELECT seq, kind, entity_id, hlc, body FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![acked, PUSH_BATCH], |r| {
            Ok(PushEntry {
                seq: r.get(0)?,
                kind: r.get(1)?,
                entity_id: r.get(2)?,
                hlc: r.get(3)?,
                body: b64.encode(r.get::<_, Vec<u8>>(4)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Takes back what this till did that the server refused because its author may not do it: a
/// stock movement leaves the ledger, a member of staff can no longer log in. (A refused
/// product edit is undone by the server's own change, which arrives with the next pull.)
fn take_back(tx: &rusqlite::Connection, seq: i64) -> Result<()> {
    let Some((kind, entity_id, body)) = change_log::entry(tx, seq)? else {
        return Ok(());
    };
    match kind.as_str() {
        "movement" => {
            let m: pos_shared::StockMovement = serde_json::from_slice(&body)
                .map_err(|_| PosError::Invalid(format!("movement {entity_id} is not readable")))?;
            crate::stock::withdraw(tx, &m)
        }
        "staff" => crate::users::withdraw(tx, &entity_id),
        _ => Ok(()),
    }
}
