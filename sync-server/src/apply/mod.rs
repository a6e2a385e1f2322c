//! The apply pipeline for pushed entries. Each entry is decoded and checked once
//! ([`prepare`]); the records of a whole batch are then written with one statement per table
//! ([`write::apply_batch`]), the stock levels kept by the ledger rule in the same transaction
//! ([`levels`]), and the portal's day and product rollups of the newly recorded sales
//! ([`rollups`]). A refused entry is rejected alone: the checks run before anything is written,
//! and if the database still refuses a batch, the push retries it an entry at a time, each in
//! a savepoint (see `handlers::sync`).

mod authorise;
mod levels;
mod products;
mod refunds;
pub mod rollups;
mod write;

use base64::Engine;
use pos_shared::api::{codes, PushEntry, RejectedEntry};
use pos_shared::product_doc;
use pos_shared::staff::StaffMember;
use pos_shared::{Hlc, MovementKind, Product, Sale, StockMovement};
use uuid::Uuid;

pub use authorise::authorise;
pub use levels::Event;
pub use refunds::check_refunds;
pub use write::{apply_batch, Applied, ServerEntry};

/// The kinds of entry a till writes to its change log.
pub const KINDS: &[&str] = &[
    "product_genesis",
    "product",
    "cart",
    "sale",
    "movement",
    "shift_event",
    "audit",
    "staff",
];
const MAX_ENTRY_BYTES: usize = 256 * 1024;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// What an entry carries for the tables.
#[derive(Debug)]
pub enum Record {
    Sale(Box<Sale>),
    Movement(StockMovement),
    /// A product's first record: creates its row.
    Genesis(Box<Product>),
    /// An edit of a product (automerge change bytes in the entry's body), by the member of staff
    /// its change names, made at `at_ms` (see [`entry_time`]).
    ProductEdit {
        id: Uuid,
        author: Option<Uuid>,
        at_ms: i64,
    },
    /// A member of staff added at a till at `at_ms`.
    Staff {
        member: Box<StaffMember>,
        at_ms: i64,
    },
    /// A till's drawer event (open, cash in/out, close): materialised in `shifts`.
    Shift(Box<pos_shared::ShiftEvent>),
    /// Stored and fanned out, nothing to apply here (yet).
    Plain,
}

/// A pushed entry, decoded once.
#[derive(Debug)]
pub struct Entry<'a> {
    pub seq: i64,
    pub kind: &'a str,
    pub entity_id: &'a str,
    pub hlc: &'a str,
    /// The decoded body (empty when it was not base64).
    pub body: Vec<u8>,
    pub record: Record,
    pub rejected: Option<RejectedEntry>,
    /// A product edit whose author may not make it: merged (later edits of the same till build
    /// on it), then undone by a change of the server's, and reported to the till like a
    /// rejection.
    pub revert: Option<String>,
}

impl Entry<'_> {
    pub fn reject(&mut self, code: &str, message: String) {
        self.record = Record::Plain;
        self.rejected = Some(RejectedEntry {
            seq: self.seq,
            code: code.to_owned(),
            message,
        });
    }

    /// What the till is told when the entry was refused or undone.
    pub fn refusal(&self) -> Option<RejectedEntry> {
        self.rejected.clone().or_else(|| {
            self.revert.as_ref().map(|message| RejectedEntry {
                seq: self.seq,
                code: codes::FORBIDDEN.to_owned(),
                message: message.clone(),
            })
        })
    }

    /// The days (since 1970) of the entry's records, so their months' partitions can be made
    /// before the batch's transaction: a sale's rows go by its time, its movements by its HLC.
    pub fn days(&self) -> Vec<i64> {
        let day = |ms: i64| ms.div_euclid(86_400_000);
        match &self.record {
            Record::Sale(s) => vec![day(s.created_at_ms), day(s.hlc.wall_ms)],
            Record::Movement(m) => vec![day(m.hlc.wall_ms)],
            Record::Shift(_)
            | Record::Genesis(_)
            | Record::ProductEdit { .. }
            | Record::Staff { .. }
            | Record::Plain => vec![],
        }
    }
}

/// Decodes and checks one entry; a refusal is recorded on it, never raised.
pub fn prepare(e: &PushEntry) -> Entry<'_> {
    let mut entry = Entry {
        seq: e.seq,
        kind: &e.kind,
        entity_id: &e.entity_id,
        hlc: &e.hlc,
        body: Vec::new(),
        record: Record::Plain,
        rejected: None,
        revert: None,
    };
    if !KINDS.contains(&e.kind.as_str()) {
        // Stored with the rejection, so it must be storable as text.
        if e.kind.contains('\0') || e.kind.len() > 64 {
            entry.kind = "?";
        }
        entry.reject(codes::UNKNOWN_KIND, format!("unknown kind {:?}", e.kind));
        return entry;
    }
    if e.entity_id.is_empty() || e.entity_id.len() > 100 || e.hlc.len() > 64 {
        entry.reject(
            codes::INVALID_ENTRY,
            "entity id or hlc missing or too long".into(),
        );
    }
    if e.entity_id.contains('\0') || e.hlc.contains('\0') {
        entry.entity_id = "";
        entry.hlc = "";
        entry.reject(
            codes::INVALID_ENTRY,
            "entity id or hlc holds a NUL character".into(),
        );
    }
    if entry.rejected.is_some() {
        return entry;
    }
    match B64.decode(e.body.as_bytes()) {
        Ok(body) => entry.body = body,
        Err(err) => {
            entry.reject(codes::INVALID_ENTRY, format!("body is not base64: {err}"));
            return entry;
        }
    }
    if entry.body.len() > MAX_ENTRY_BYTES {
        let n = entry.body.len();
        entry.body.clear();
        entry.reject(
            codes::INVALID_ENTRY,
            format!("body of {n} bytes is too large"),
        );
        return entry;
    }
    match read_record(&e.kind, &e.entity_id, &e.hlc, &entry.body) {
        Ok(record) => entry.record = record,
        Err(why) => entry.reject(codes::INVALID_ENTRY, why),
    }
    entry
}

/// When an entry was made, by its HLC, never later than now (a till's clock may run ahead).
fn entry_time(hlc: &str) -> i64 {
    let now = crate::now_ms();
    hlc.parse::<Hlc>().map_or(now, |h| h.wall_ms.min(now))
}

fn read_record(kind: &str, entity_id: &str, hlc: &str, body: &[u8]) -> Result<Record, String> {
    match kind {
        "product_genesis" => {
            let p: Product = serde_json::from_slice(body)
                .map_err(|e| format!("the product is not readable: {e}"))?;
            p.check().map_err(|e| e.to_string())?;
            if p.id.to_string() != entity_id {
                return Err(format!(
                    "the entry is for {entity_id}, the product is {}",
                    p.id
                ));
            }
            Ok(Record::Genesis(Box::new(p)))
        }
        "product" => {
            let id = Uuid::parse_str(entity_id)
                .map_err(|_| format!("{entity_id:?} is not a product id"))?;
            let change = automerge::Change::try_from(body)
                .map_err(|e| format!("the product edit is not an automerge change: {e}"))?;
            Ok(Record::ProductEdit {
                id,
                author: product_doc::author(&change),
                at_ms: entry_time(hlc),
            })
        }
        "sale" => {
            let sale: Sale = serde_json::from_slice(body)
                .map_err(|e| format!("the sale is not readable: {e}"))?;
            pos_shared::check_sale(&sale).map_err(|e| e.to_string())?;
            Ok(Record::Sale(Box::new(sale)))
        }
        "movement" => {
            let m: StockMovement = serde_json::from_slice(body)
                .map_err(|e| format!("the movement is not readable: {e}"))?;
            if matches!(m.kind, MovementKind::Sale | MovementKind::Refund) {
                return Err("sale movements travel inside their sale".into());
            }
            check_time(m.hlc.wall_ms)?;
            if m.reason.as_deref().is_some_and(|r| r.contains('\0')) {
                return Err("the movement's reason holds a NUL character".into());
            }
            Ok(Record::Movement(m))
        }
        "staff" => {
            let m: StaffMember = serde_json::from_slice(body)
                .map_err(|e| format!("the staff member is not readable: {e}"))?;
            if m.id.to_string() != entity_id {
                return Err(format!(
                    "the entry is for {entity_id}, the member is {}",
                    m.id
                ));
            }
            if m.name.trim().is_empty() || m.name.contains('\0') || m.name.len() > 100 {
                return Err("a member of staff needs a name of at most 100 characters".into());
            }
            if !m.pin_hash.starts_with("$argon2") || m.pin_hash.len() > 200 {
                return Err("the PIN must travel as an argon2 hash".into());
            }
            Ok(Record::Staff {
                member: Box::new(m),
                at_ms: entry_time(hlc),
            })
        }
        "shift_event" => {
            let e: pos_shared::ShiftEvent = serde_json::from_slice(body)
                .map_err(|e| format!("the drawer event is not readable: {e}"))?;
            check_time(e.hlc.wall_ms)?;
            crate::shifts::check(&e)?;
            Ok(Record::Shift(Box::new(e)))
        }
        _ => Ok(Record::Plain),
    }
}

/// A record's time, checked by the rule the tills check their own sales by.
fn check_time(ms: i64) -> Result<(), String> {
    pos_shared::check_time(ms).map_err(|e| e.to_string())
}
