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
pub mod rollups;
mod write;

use base64::Engine;
use pos_shared::api::{codes, PushEntry, RejectedEntry};
use pos_shared::product_doc;
use pos_shared::staff::StaffMember;
use pos_shared::{Gtin, Hlc, MovementKind, Product, Sale, StockMovement};
use uuid::Uuid;

pub use authorise::authorise;
pub use levels::Event;
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
/// Records dated outside these years are refused: their months' partitions would be junk.
const FIRST_MS: i64 = 946_684_800_000; // 2000-01-01
const END_MS: i64 = 4_102_444_800_000; // 2100-01-01

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
            check_product(&p)?;
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
            check_sale(&sale)?;
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

fn check_time(ms: i64) -> Result<(), String> {
    if (FIRST_MS..END_MS).contains(&ms) {
        Ok(())
    } else {
        Err(format!(
            "dated {ms} ms since 1970, outside the years 2000 to 2099: check the till's clock"
        ))
    }
}

/// A product as a till creates it: named, priced, its barcodes real GTIN-14s.
fn check_product(p: &Product) -> Result<(), String> {
    if p.sku.trim().is_empty() || p.name_fr.trim().is_empty() {
        return Err("a product needs a SKU and a French name".into());
    }
    if p.price.is_negative() || p.reorder_point < 0 {
        return Err(format!(
            "price {} and reorder point {} cannot be negative",
            p.price, p.reorder_point
        ));
    }
    if let Some(bad) = p.barcodes.iter().find(|b| Gtin::from_gtin14(b).is_err()) {
        return Err(format!("{bad:?} is not a valid GTIN-14"));
    }
    let texts = [&p.sku, &p.name_fr, &p.name_ar, &p.category];
    if texts
        .into_iter()
        .chain(&p.barcodes)
        .chain(&p.plu)
        .any(|t| t.contains('\0'))
    {
        return Err("a text of the product holds a NUL character".into());
    }
    Ok(())
}

/// Checks a sale against itself: every amount must follow from its lines by the one pricing
/// rule. A till never sends anything else; a tampered or broken record is refused.
pub fn check_sale(sale: &Sale) -> Result<(), String> {
    check_time(sale.created_at_ms)?;
    check_time(sale.hlc.wall_ms)?;
    if sale.lines.is_empty() {
        return Err("a sale without lines".into());
    }
    if let Some(l) = sale
        .lines
        .iter()
        .find(|l| l.qty <= 0 || l.net.is_negative())
    {
        return Err(format!(
            "line {} has quantity {} and net {}",
            l.line_no, l.qty, l.net
        ));
    }
    let mut numbers: Vec<u32> = sale.lines.iter().map(|l| l.line_no).collect();
    numbers.sort_unstable();
    if numbers.windows(2).any(|w| w[0] == w[1]) || numbers.iter().any(|n| *n > i32::MAX as u32) {
        return Err("line numbers must be distinct".into());
    }
    let texts = sale.lines.iter().flat_map(|l| [&l.sku, &l.name]);
    let refs = sale.payments.iter().filter_map(|p| p.reference.as_ref());
    if texts.chain(refs).any(|t| t.contains('\0')) {
        return Err("a text of the sale holds a NUL character".into());
    }
    let nets = sale
        .lines
        .iter()
        .try_fold(pos_shared::Money::ZERO, |sum, l| sum.checked_add(l.net))
        .ok_or("the lines add up past what an amount can hold")?;
    if nets != sale.total {
        return Err(format!(
            "lines add up to {nets}, the sale says {}",
            sale.total
        ));
    }
    let nets: Vec<_> = sale.lines.iter().map(|l| (l.tax_rate, l.net)).collect();
    if pos_shared::pricing::taxes_of_nets(&nets).map_err(|e| e.to_string())? != sale.taxes {
        return Err("the TVA breakdown does not follow from the lines".into());
    }
    let paid = sale
        .payments
        .iter()
        .try_fold(pos_shared::Money::ZERO, |sum, p| sum.checked_add(p.amount))
        .ok_or("the payments add up past what an amount can hold")?;
    if paid != sale.total {
        return Err(format!("payments of {paid} for a total of {}", sale.total));
    }
    Ok(())
}
