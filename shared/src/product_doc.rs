//! A product is one automerge document (per-field last-writer-wins, concurrent values kept so a
//! conflict can be shown). This module turns a `Product` into document changes and back; the
//! till and the sync server both use it, so a product reads the same on every replica.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ReadDoc, ScalarValue, Value, ROOT};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Money, Product, TaxRate, Unit};

/// A product's document could not be built, read or merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the document of product {product} is unusable: {detail}")]
pub struct DocError {
    pub product: Uuid,
    pub detail: String,
}

pub type Result<T> = std::result::Result<T, DocError>;

/// A field edited concurrently on two terminals: the value shown and the others that lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    pub values: Vec<String>,
}

/// Fields written to the document, in a fixed order.
const FIELDS: &[&str] = &[
    "sku",
    "name_fr",
    "name_ar",
    "barcodes",
    "plu",
    "price",
    "tax_rate",
    "category",
    "unit",
    "reorder_point",
    "active",
];

fn field_values(p: &Product) -> Vec<(&'static str, ScalarValue)> {
    vec![
        ("sku", p.sku.as_str().into()),
        ("name_fr", p.name_fr.as_str().into()),
        ("name_ar", p.name_ar.as_str().into()),
        ("barcodes", sorted(&p.barcodes).join(" ").into()),
        ("plu", p.plu.clone().unwrap_or_default().into()),
        ("price", ScalarValue::Int(p.price.centimes())),
        ("tax_rate", ScalarValue::Int(i64::from(p.tax_rate.bp()))),
        ("category", p.category.as_str().into()),
        ("unit", unit_str(p.unit).into()),
        ("reorder_point", ScalarValue::Int(p.reorder_point)),
        ("active", ScalarValue::Boolean(p.active)),
    ]
}

/// Barcodes in a canonical order, so every replica writes the same value.
fn sorted(codes: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = codes.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

pub fn unit_str(u: Unit) -> &'static str {
    match u {
        Unit::Piece => "piece",
        Unit::Kg => "kg",
    }
}

/// The actor of a terminal: its id, so changes are attributable and deterministic.
pub fn actor(terminal: &Uuid) -> ActorId {
    ActorId::from(terminal.as_bytes().as_slice())
}

/// The first change of every product's document, built the same way by every replica from the
/// product as first recorded: actor = the product's id, time 0, fields in a fixed order. So the
/// genesis is never shipped as automerge bytes, and a product nobody edits never needs a document
/// at all (a 100k-product import builds none); edits are changes on top of it.
pub fn genesis(p: &Product) -> Result<(AutoCommit, Vec<u8>)> {
    let mut doc = AutoCommit::new().with_actor(actor(&p.id));
    for (key, value) in field_values(p) {
        doc.put(ROOT, key, value).map_err(|e| doc_err(&p.id, e))?;
    }
    let change = commit(&mut doc, 0).unwrap_or_default();
    Ok((doc, change))
}

/// Writes the fields of `p` that differ from the document; returns the change bytes, or `None`
/// when nothing changed (re-importing the same catalog writes nothing).
pub fn update(doc: &mut AutoCommit, p: &Product, now_ms: i64) -> Result<Option<Vec<u8>>> {
    update_by(doc, p, now_ms, None)
}

/// The same, naming the member of staff who made the edit in the change's message, which is
/// what the sync server checks their role by (see [`author`]).
pub fn update_by(
    doc: &mut AutoCommit,
    p: &Product,
    now_ms: i64,
    author: Option<Uuid>,
) -> Result<Option<Vec<u8>>> {
    let mut changed = false;
    for (key, value) in field_values(p) {
        let current = doc.get(ROOT, key).map_err(|e| doc_err(&p.id, e))?;
        let conflicted = doc.get_all(ROOT, key).map_err(|e| doc_err(&p.id, e))?.len() > 1;
        let same = matches!(&current, Some((Value::Scalar(s), _)) if s.as_ref() == &value);
        if !same || conflicted {
            doc.put(ROOT, key, value).map_err(|e| doc_err(&p.id, e))?;
            changed = true;
        }
    }
    if !changed {
        return Ok(None);
    }
    Ok(commit_by(doc, now_ms, author))
}

/// Commits pending operations and returns the change's bytes (what the change log carries).
pub fn commit(doc: &mut AutoCommit, now_ms: i64) -> Option<Vec<u8>> {
    commit_by(doc, now_ms, None)
}

fn commit_by(doc: &mut AutoCommit, now_ms: i64, author: Option<Uuid>) -> Option<Vec<u8>> {
    let mut options = CommitOptions::default().with_time(now_ms / 1000);
    if let Some(author) = author {
        options = options.with_message(author.to_string());
    }
    doc.commit_with(options)?;
    doc.get_last_local_change().map(|c| c.raw_bytes().to_vec())
}

/// Who made an edit: the member of staff its change names, if any.
pub fn author(change: &automerge::Change) -> Option<Uuid> {
    change.message().and_then(|m| Uuid::parse_str(m).ok())
}

/// Undoes what merging an edit did: puts back, as a change by `actor`, every field whose value
/// differs from `before` (the product as read just before the merge) or that the edit left in
/// a conflict it was not in. Returns the change's bytes, or `None` when the edit changed
/// nothing visible.
pub fn restore(
    doc: &mut AutoCommit,
    before: &(Product, Vec<Conflict>),
    actor: ActorId,
    now_ms: i64,
) -> Result<Option<Vec<u8>>> {
    let (product, conflicts) = before;
    let (after, _) = read(doc, product.id)?;
    let was_conflicted = |key: &str| conflicts.iter().any(|c| c.field == key);
    doc.set_actor(actor);
    let mut changed = false;
    for ((key, old), (_, new)) in field_values(product).into_iter().zip(field_values(&after)) {
        let conflicted = doc
            .get_all(ROOT, key)
            .map_err(|e| doc_err(&product.id, e))?
            .len()
            > 1;
        if old != new || (conflicted && !was_conflicted(key)) {
            doc.put(ROOT, key, old)
                .map_err(|e| doc_err(&product.id, e))?;
            changed = true;
        }
    }
    if !changed {
        return Ok(None);
    }
    Ok(commit(doc, now_ms))
}

/// Reads the product the document currently says, with the fields that have concurrent values.
pub fn read(doc: &AutoCommit, id: Uuid) -> Result<(Product, Vec<Conflict>)> {
    let text = |key: &str| -> Result<String> {
        Ok(match doc.get(ROOT, key).map_err(|e| doc_err(&id, e))? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(s) => s.to_string(),
                other => other.to_string(),
            },
            _ => String::new(),
        })
    };
    let int = |key: &str| -> Result<i64> {
        Ok(match doc.get(ROOT, key).map_err(|e| doc_err(&id, e))? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Int(i) => *i,
                ScalarValue::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
                _ => 0,
            },
            _ => 0,
        })
    };
    let active = matches!(
        doc.get(ROOT, "active").map_err(|e| doc_err(&id, e))?,
        Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Boolean(true))
    );
    let plu = text("plu")?;
    let tax_bp = u32::try_from(int("tax_rate")?).unwrap_or(u32::MAX);
    let product = Product {
        id,
        sku: text("sku")?,
        name_fr: text("name_fr")?,
        name_ar: text("name_ar")?,
        barcodes: text("barcodes")?
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        plu: (!plu.is_empty()).then_some(plu),
        price: Money::from_centimes(int("price")?),
        tax_rate: TaxRate::from_bp(tax_bp).map_err(|e| doc_err(&id, e))?,
        category: text("category")?,
        unit: if text("unit")? == "kg" {
            Unit::Kg
        } else {
            Unit::Piece
        },
        reorder_point: int("reorder_point")?,
        active,
    };
    let mut conflicts = Vec::new();
    for key in FIELDS {
        let all = doc.get_all(ROOT, *key).map_err(|e| doc_err(&id, e))?;
        if all.len() > 1 {
            conflicts.push(Conflict {
                field: (*key).to_owned(),
                values: all
                    .iter()
                    .map(|(v, _)| match v {
                        Value::Scalar(s) => match s.as_ref() {
                            ScalarValue::Str(s) => s.to_string(),
                            other => other.to_string(),
                        },
                        Value::Object(_) => String::from("(object)"),
                    })
                    .collect(),
            });
        }
    }
    Ok((product, conflicts))
}

pub fn load(bytes: &[u8], id: &Uuid) -> Result<AutoCommit> {
    AutoCommit::load(bytes).map_err(|e| doc_err(id, e))
}

fn doc_err(id: &Uuid, e: impl std::fmt::Display) -> DocError {
    DocError {
        product: *id,
        detail: e.to_string(),
    }
}
