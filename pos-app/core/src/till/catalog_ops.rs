//! Catalog work at the till: import a supplier or demo file, search.

use std::path::Path;

use pos_shared::{MovementKind, Permission, StockMovement};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::Till;
use crate::catalog::{self, import, import::RowError, ProductHit};
use crate::error::{PosError, Result};
use crate::stock;
use crate::users::Session;

/// Rows written per transaction: large enough to be fast, small enough that progress shows.
const BATCH: usize = 2000;

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

/// The product already holding `key` in `table`, when it is not `own_id`.
fn held_by_other(tx: &Connection, sql: &str, key: &str, own_id: &str) -> Result<Option<String>> {
    let holder: Option<String> = tx
        .prepare_cached(sql)?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(holder.filter(|h| h != own_id))
}

impl Till {
    /// Imports a catalog file. Before the first user exists anyone may (setting the till up);
    /// afterwards it takes someone allowed to change prices.
    pub fn import_catalog(
        &mut self,
        session: Option<&Session>,
        path: &Path,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportReport> {
        match session {
            Some(s) => s.require(Permission::PriceOverride, "import the catalog")?,
            None if !self.users()?.is_empty() => {
                return Err(PosError::Forbidden {
                    who: "nobody logged in".into(),
                    role: "none",
                    action: "import the catalog",
                })
            }
            None => {}
        }
        let user_id = session.map(|s| s.user_id);
        let rows = import::read_rows(path)?;
        let mut report = ImportReport {
            rows: rows.len(),
            ..ImportReport::default()
        };
        let (good, bad) = import::validate_all(rows);
        report.errors = bad;
        let total = good.len();
        progress(0, total);
        for (n, chunk) in good.chunks(BATCH).enumerate() {
            let Till { store, ctx, .. } = self;
            let report = &mut report;
            store.write(|tx| {
                let mut search = catalog::SearchBatch::default();
                for row in chunk {
                    let mut product = row.product.clone();
                    let existing = catalog::by_sku(tx, &product.sku)?;
                    product.id = match &existing {
                        Some(e) => e.id,
                        None => ctx.new_id(),
                    };
                    let mut clash = None;
                    for gtin in &product.barcodes {
                        if let Some(other) = held_by_other(tx, "SELECT p.sku FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.gtin = ?1", gtin, &product.sku)? {
                            clash = Some(format!("barcode {gtin} already belongs to product {other}"));
                        }
                    }
                    if let Some(plu) = &product.plu {
                        if let Some(other) = held_by_other(tx, "SELECT sku FROM products WHERE ltrim(plu, '0') = ltrim(?1, '0')", plu, &product.sku)? {
                            clash = Some(format!("plu {plu} already belongs to product {other}"));
                        }
                    }
                    if let Some(message) = clash {
                        report.errors.push(RowError { line: row.line, sku: product.sku.clone(), message });
                        continue;
                    }
                    match existing {
                        // Re-importing what is already there touches nothing.
                        Some(e) if e == product => report.unchanged += 1,
                        Some(_) => {
                            if catalog::update(tx, ctx, &product, user_id)? {
                                report.updated += 1;
                            } else {
                                report.unchanged += 1;
                            }
                        }
                        None => {
                            catalog::create(tx, ctx, &product, &mut search)?;
                            if let Some(level) = row.stock {
                                let m = StockMovement {
                                    id: ctx.new_id(),
                                    product_id: product.id,
                                    kind: MovementKind::Count,
                                    qty: level.max(0),
                                    hlc: ctx.tick(tx)?,
                                    reason: Some("initial stock (catalog import)".into()),
                                    ref_id: None,
                                    user_id,
                                };
                                stock::record(tx, &m, stock::Origin::Ledger)?;
                            }
                            report.created += 1;
                        }
                    }
                }
                search.flush(tx)
            })?;
            progress((n * BATCH + chunk.len()).min(total), total);
        }
        self.store.checkpoint()?;
        report.errors.sort_by_key(|e| e.line);
        Ok(report)
    }

    /// Search as the cashier types: every word matches the start of a word in the names
    /// (French or Arabic, accents and letter forms folded), the SKU, a barcode or the category.
    pub fn find_products(&self, text: &str, limit: usize) -> Result<Vec<ProductHit>> {
        catalog::find(self.store.conn(), text, limit)
    }

    /// Categories of active products with their sizes (the till's tabs).
    pub fn categories(&self) -> Result<Vec<(String, i64)>> {
        catalog::categories(self.store.conn())
    }

    /// Active products of a category by name (the till's grid).
    pub fn products_in_category(&self, category: &str, limit: usize) -> Result<Vec<ProductHit>> {
        catalog::in_category(self.store.conn(), category, limit)
    }

    pub fn product(&self, code: &str) -> Result<pos_shared::Product> {
        let resolved = super::items::resolve(self.store.conn(), code, &self.settings.weighed)?;
        catalog::by_id(self.store.conn(), &resolved.product.id)?
            .ok_or_else(|| PosError::UnknownProduct(code.to_owned()))
    }

    /// The fields of a product edited concurrently on two terminals, with every value kept
    /// (the one shown first), until a later edit settles them.
    pub fn product_conflicts(&self, code: &str) -> Result<Vec<catalog::Conflict>> {
        catalog::conflicts(self.store.conn(), &self.product(code)?.id)
    }

    /// Barcodes of active products sold by the piece (demo data, soak tests, benchmarks).
    pub fn sellable_barcodes(&self, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.store.conn().prepare(
            "SELECT b.gtin FROM product_barcodes b JOIN products p ON p.id = b.product_id
             WHERE p.active = 1 AND p.unit = 'piece' ORDER BY p.rowid LIMIT ?1",
        )?;
        let codes = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(codes)
    }
}
