//! The catalog: product documents, their materialised rows, barcode and PLU lookup, and search.

pub mod doc;
pub mod fold;
pub mod import;

use pos_shared::{Money, Product, TaxRate, Unit};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::error::{PosError, Result};
use crate::store::change_log::{self, ChangeKind};

pub use doc::Conflict;

const PRODUCT_COLUMNS: &str =
    "id, sku, name_fr, name_ar, plu, price, tax_rate, category, unit, reorder_point, active";

fn product_from_row(r: &Row<'_>) -> rusqlite::Result<Product> {
    let id: String = r.get(0)?;
    let tax: i64 = r.get(6)?;
    let unit: String = r.get(8)?;
    Ok(Product {
        id: Uuid::parse_str(&id).unwrap_or_default(),
        sku: r.get(1)?,
        name_fr: r.get(2)?,
        name_ar: r.get(3)?,
        barcodes: Vec::new(),
        plu: r.get(4)?,
        price: Money::from_centimes(r.get(5)?),
        tax_rate: TaxRate::from_bp(u32::try_from(tax).unwrap_or(0)).unwrap_or(TaxRate::ZERO),
        category: r.get(7)?,
        unit: if unit == "kg" { Unit::Kg } else { Unit::Piece },
        reorder_point: r.get(9)?,
        active: r.get::<_, i64>(10)? != 0,
    })
}

fn with_barcodes(conn: &Connection, mut p: Product) -> Result<Product> {
    let mut stmt = conn
        .prepare_cached("SELECT gtin FROM product_barcodes WHERE product_id = ?1 ORDER BY gtin")?;
    p.barcodes = stmt
        .query_map([p.id.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(p)
}

/// The product a GTIN-14 belongs to.
pub fn by_gtin(conn: &Connection, gtin14: &str) -> Result<Option<Product>> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM products
         WHERE id = (SELECT product_id FROM product_barcodes WHERE gtin = ?1)"
    );
    let p = conn
        .prepare_cached(&sql)?
        .query_row([gtin14], product_from_row)
        .optional()?;
    Ok(p)
}

/// The weighed product a scale label's item code (PLU) belongs to.
pub fn by_plu(conn: &Connection, plu: &str) -> Result<Option<Product>> {
    // Scales print item codes zero-padded to their field width: "123" and "00123" are one PLU.
    let sql =
        format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE ltrim(plu, '0') = ltrim(?1, '0')");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([plu], product_from_row)
        .optional()?)
}

pub fn by_sku(conn: &Connection, sku: &str) -> Result<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE sku = ?1");
    let p = conn
        .prepare_cached(&sql)?
        .query_row([sku], product_from_row)
        .optional()?;
    p.map(|p| with_barcodes(conn, p)).transpose()
}

pub fn by_id(conn: &Connection, id: &Uuid) -> Result<Option<Product>> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1");
    let p = conn
        .prepare_cached(&sql)?
        .query_row([id.to_string()], product_from_row)
        .optional()?;
    p.map(|p| with_barcodes(conn, p)).transpose()
}

#[derive(Clone, Debug, Serialize)]
pub struct ProductHit {
    pub id: Uuid,
    pub sku: String,
    pub name_fr: String,
    pub name_ar: String,
    pub barcode: Option<String>,
    pub price: Money,
    pub unit: Unit,
    pub stock: i64,
}

/// Products whose names, SKU or barcodes start with every word typed, best matches first.
/// Ranking (bm25) is computed over the first 500 matches only: a two-letter query can match
/// thousands of products, ranking them all costs tens of milliseconds, and a cashier who sees
/// too much types one more letter.
pub fn find(conn: &Connection, text: &str, limit: usize) -> Result<Vec<ProductHit>> {
    let Some(query) = fold::fts_query(text) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.sku, p.name_fr, p.name_ar,
                (SELECT min(gtin) FROM product_barcodes b WHERE b.product_id = p.id),
                p.price, p.unit, coalesce(s.level, 0)
         FROM (SELECT rowid, rank FROM
                   (SELECT rowid, rank FROM product_fts WHERE product_fts MATCH ?1 LIMIT 500)
               ORDER BY rank LIMIT ?2) f
         JOIN products p ON p.rowid = f.rowid
         LEFT JOIN stock_levels s ON s.product_id = p.id
         WHERE p.active = 1
         ORDER BY f.rank",
    )?;
    let hits = stmt.query_map(params![query, limit as i64], hit)?;
    Ok(hits.collect::<rusqlite::Result<_>>()?)
}

/// The categories of active products with how many each holds, for the till's tabs.
/// The product's fields edited concurrently on two terminals, as its row keeps them.
pub fn conflicts(conn: &Connection, id: &Uuid) -> Result<Vec<Conflict>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT conflicts FROM products WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

pub fn categories(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT category, count(*) FROM products WHERE active = 1
         GROUP BY category ORDER BY category",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Active products of one category by French name, for the till's product grid.
pub fn in_category(conn: &Connection, category: &str, limit: usize) -> Result<Vec<ProductHit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.sku, p.name_fr, p.name_ar,
                (SELECT min(gtin) FROM product_barcodes b WHERE b.product_id = p.id),
                p.price, p.unit, coalesce(s.level, 0)
         FROM products p
         LEFT JOIN stock_levels s ON s.product_id = p.id
         WHERE p.active = 1 AND p.category = ?1
         ORDER BY p.name_fr LIMIT ?2",
    )?;
    let hits = stmt.query_map(params![category, limit as i64], hit)?;
    Ok(hits.collect::<rusqlite::Result<_>>()?)
}

fn hit(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProductHit> {
    let id: String = r.get(0)?;
    let unit: String = r.get(6)?;
    Ok(ProductHit {
        id: Uuid::parse_str(&id).unwrap_or_default(),
        sku: r.get(1)?,
        name_fr: r.get(2)?,
        name_ar: r.get(3)?,
        barcode: r.get(4)?,
        price: Money::from_centimes(r.get(5)?),
        unit: if unit == "kg" { Unit::Kg } else { Unit::Piece },
        stock: r.get(7)?,
    })
}

/// Creates a product: its row, its search entry and its genesis change-log entry, in the
/// caller's transaction. No automerge document is built (see `doc::genesis`).
/// Its search entry goes into `search`, which the caller flushes before committing.
pub fn create(
    tx: &Connection,
    ctx: &mut Ctx,
    product: &Product,
    search: &mut SearchBatch,
) -> Result<()> {
    let hlc = ctx.tick(tx)?;
    materialise(tx, product, &[], true, search)?;
    let body = serde_json::to_vec(product).map_err(|e| PosError::Invalid(e.to_string()))?;
    change_log::append(
        tx,
        ChangeKind::ProductGenesis,
        &product.id.to_string(),
        &body,
        &hlc,
    )?;
    Ok(())
}

/// A product another terminal created (its genesis entry, pulled): the row and search entry,
/// no log. Returns false when it is already here.
pub fn apply_genesis(tx: &Connection, product: &Product) -> Result<bool> {
    if by_id(tx, &product.id)?.is_some() {
        return Ok(false);
    }
    let mut search = SearchBatch::default();
    materialise(tx, product, &[], true, &mut search)?;
    search.flush(tx)?;
    Ok(true)
}

/// An edit another terminal made (automerge change bytes, pulled): merged into the document,
/// the row re-materialised with any conflict, no log.
pub fn apply_change(tx: &Connection, product_id: &Uuid, change: &[u8]) -> Result<()> {
    let mut doc = load_doc(tx, product_id)?;
    doc.load_incremental(change)
        .map_err(|e| PosError::Document {
            product: product_id.to_string(),
            detail: e.to_string(),
        })?;
    let (merged, conflicts) = doc::read(&doc, *product_id)?;
    tx.prepare_cached(
        "INSERT INTO product_docs (product_id, doc) VALUES (?1, ?2)
         ON CONFLICT (product_id) DO UPDATE SET doc = excluded.doc",
    )?
    .execute(params![product_id.to_string(), doc.save_nocompress()])?;
    let mut search = SearchBatch::default();
    materialise(tx, &merged, &conflicts, false, &mut search)?;
    search.flush(tx)
}

/// A product from the server's snapshot (see `sync::snapshot`): its genesis row, or its
/// document merged with whatever this terminal already has, the row re-materialised. No log.
pub fn apply_snapshot(
    tx: &Connection,
    product: &Product,
    theirs: Option<&[u8]>,
    search: &mut SearchBatch,
) -> Result<()> {
    let known = by_id(tx, &product.id)?.is_some();
    let Some(theirs) = theirs else {
        if !known {
            materialise(tx, product, &[], true, search)?;
        }
        return Ok(());
    };
    let mut theirs = doc::load(theirs, &product.id)?;
    let doc = if known {
        let mut ours = load_doc(tx, &product.id)?;
        ours.merge(&mut theirs).map_err(|e| PosError::Document {
            product: product.id.to_string(),
            detail: e.to_string(),
        })?;
        ours
    } else {
        theirs
    };
    let (merged, conflicts) = doc::read(&doc, product.id)?;
    materialise(tx, &merged, &conflicts, !known, search)?;
    let mut doc = doc;
    tx.prepare_cached(
        "INSERT INTO product_docs (product_id, doc) VALUES (?1, ?2)
         ON CONFLICT (product_id) DO UPDATE SET doc = excluded.doc",
    )?
    .execute(params![product.id.to_string(), doc.save_nocompress()])?;
    Ok(())
}

/// The product's document: the stored one, or the genesis when nobody has edited it yet (its
/// row is then exactly what it was created with).
fn load_doc(tx: &Connection, id: &Uuid) -> Result<automerge::AutoCommit> {
    let bytes: Option<Vec<u8>> = tx
        .prepare_cached("SELECT doc FROM product_docs WHERE product_id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    match bytes {
        Some(bytes) => Ok(doc::load(&bytes, id)?),
        None => {
            let current = by_id(tx, id)?.ok_or_else(|| PosError::UnknownProduct(id.to_string()))?;
            Ok(doc::genesis(&current)?.0)
        }
    }
}

/// Applies an edit by `author` (the member of staff, named in the change) to a product's
/// document; writes nothing when no field changed. Returns whether anything changed.
pub fn update(
    tx: &Connection,
    ctx: &mut Ctx,
    product: &Product,
    author: Option<Uuid>,
) -> Result<bool> {
    let id = product.id.to_string();
    let mut doc = load_doc(tx, &product.id)?;
    doc.set_actor(doc::actor(&ctx.terminal_id));
    let Some(change) = doc::update_by(&mut doc, product, ctx.now_ms(), author)? else {
        return Ok(false);
    };
    let hlc = ctx.tick(tx)?;
    let (merged, conflicts) = doc::read(&doc, product.id)?;
    tx.prepare_cached(
        "INSERT INTO product_docs (product_id, doc) VALUES (?1, ?2)
         ON CONFLICT (product_id) DO UPDATE SET doc = excluded.doc",
    )?
    .execute(params![id, doc.save_nocompress()])?;
    let mut search = SearchBatch::default();
    materialise(tx, &merged, &conflicts, false, &mut search)?;
    search.flush(tx)?;
    change_log::append(tx, ChangeKind::Product, &id, &change, &hlc)?;
    Ok(true)
}

/// Writes the row, barcodes and search text that the document says (`new`: nothing to replace).
fn materialise(
    tx: &Connection,
    p: &Product,
    conflicts: &[Conflict],
    new: bool,
    search: &mut SearchBatch,
) -> Result<()> {
    let id = p.id.to_string();
    let conflicts = if conflicts.is_empty() {
        None
    } else {
        serde_json::to_string(conflicts).ok()
    };
    let rowid: i64 = tx
        .prepare_cached(
            "INSERT INTO products (id, sku, name_fr, name_ar, plu, price, tax_rate, category, unit,
                               reorder_point, active, conflicts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name_fr = excluded.name_fr,
             name_ar = excluded.name_ar, plu = excluded.plu, price = excluded.price,
             tax_rate = excluded.tax_rate, category = excluded.category, unit = excluded.unit,
             reorder_point = excluded.reorder_point, active = excluded.active,
             conflicts = excluded.conflicts
         RETURNING rowid",
        )?
        .query_row(
            params![
                id,
                p.sku,
                p.name_fr,
                p.name_ar,
                p.plu,
                p.price.centimes(),
                p.tax_rate.bp(),
                p.category,
                doc::unit_str(p.unit),
                p.reorder_point,
                p.active,
                conflicts,
            ],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| conflict_error(e, p))?;
    if !new {
        tx.prepare_cached("DELETE FROM product_barcodes WHERE product_id = ?1")?
            .execute([&id])?;
        tx.prepare_cached("DELETE FROM product_fts WHERE rowid = ?1")?
            .execute([rowid])?;
    }
    for gtin in &p.barcodes {
        tx.prepare_cached("INSERT INTO product_barcodes (gtin, product_id) VALUES (?1, ?2)")?
            .execute([gtin, &id])
            .map_err(|e| conflict_error(e, p))?;
    }
    let text = fold::fold(&format!(
        "{} {} {} {} {}",
        p.name_fr,
        p.name_ar,
        p.sku,
        p.barcodes.join(" "),
        p.category
    ));
    search.rows.push((rowid, text));
    Ok(())
}

/// Search entries waiting to be written at the end of a transaction. FTS5 flushes its pending
/// terms to disk whenever another statement opens a savepoint, so entries interleaved with other
/// writes cost a segment each; written together they cost one (a 100k import: 12 s → 9 s).
#[derive(Default)]
pub struct SearchBatch {
    rows: Vec<(i64, String)>,
}

impl SearchBatch {
    pub fn flush(&mut self, tx: &Connection) -> Result<()> {
        let mut stmt =
            tx.prepare_cached("INSERT INTO product_fts (rowid, text) VALUES (?1, ?2)")?;
        for (rowid, text) in self.rows.drain(..) {
            stmt.execute(params![rowid, text])?;
        }
        Ok(())
    }
}

/// A uniqueness failure means another product already has this SKU, barcode or PLU.
fn conflict_error(e: rusqlite::Error, p: &Product) -> PosError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let what = msg.as_deref().unwrap_or("a unique field");
            PosError::Invalid(format!(
                "product {} clashes with another product ({what})",
                p.sku
            ))
        }
        _ => PosError::Db(e),
    }
}
