//! What the core takes from outside instead of reaching for it: time, ids, and the hybrid
//! logical clock that orders this terminal's events among everyone else's.

use std::sync::Arc;

use pos_shared::{Clock, Hlc, HlcState, IdGen};
use rusqlite::Connection;
use uuid::Uuid;

use crate::error::Result;
use crate::store::change_log;

pub struct Ctx {
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGen>,
    hlc: HlcState,
    pub store_id: Uuid,
    pub terminal_id: Uuid,
}

impl Ctx {
    pub fn new(
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
        store_id: Uuid,
        terminal_id: Uuid,
        last_hlc: Option<Hlc>,
    ) -> Ctx {
        let node = pos_shared::hlc::node_from_uuid(&terminal_id);
        let hlc = match last_hlc {
            Some(last) if last.node == node => HlcState::from_last(last),
            _ => HlcState::new(node),
        };
        Ctx {
            clock,
            ids,
            hlc,
            store_id,
            terminal_id,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn new_id(&self) -> Uuid {
        self.ids.new_id(self.clock.now_ms())
    }

    /// Takes in another terminal's timestamp, so what this terminal does next sorts after it.
    /// The caller keeps the mark in the database (`change_log::note_seen`) in the same
    /// transaction as what it applied; `observed` is the mark to keep.
    pub fn observe(&mut self, remote: &Hlc) {
        let now = self.clock.now_ms();
        self.hlc.observe(remote, now);
    }

    /// The latest timestamp this clock issued or took in.
    pub fn observed(&self) -> Hlc {
        self.hlc.last()
    }

    /// The timestamp of a new local event: after everything `db` has written or taken in,
    /// through this connection or any other on the same database, and never behind the
    /// previous one.
    pub fn tick(&mut self, db: &Connection) -> Result<Hlc> {
        if let Some(high) = change_log::high_water(db)? {
            if high > self.hlc.last() {
                self.observe(&high);
            }
        }
        let now = self.clock.now_ms();
        Ok(self.hlc.tick(now))
    }
}
