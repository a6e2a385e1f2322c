//! Reading the materialised catalog back: one product (to rebuild its genesis document) or a
//! page of products for a new terminal's snapshot, with the stock ledger that still counts.

use pos_shared::api::SnapshotMovement;
use pos_shared::{Money, MovementKind, Product, TaxRate, Unit};
use sqlx::PgConnection;
use uuid::Uuid;

macro_rules! columns {
    () => {
        "p.id, p.sku, p.name_fr, p.name_ar, p.barcodes, p.plu, p.price, p.tax_rate, p.category,
         p.unit, p.reorder_point, p.active"
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    sku: String,
    name_fr: String,
    name_ar: String,
    barcodes: Vec<String>,
    plu: Option<String>,
    price: i64,
    tax_rate: i32,
    category: String,
    unit: String,
    reorder_point: i64,
    active: bool,
    #[sqlx(default)]
    doc: Option<Vec<u8>>,
}

impl Row {
    fn product(self) -> Option<(Product, Option<Vec<u8>>)> {
        let product = Product {
            id: self.id,
            sku: self.sku,
            name_fr: self.name_fr,
            name_ar: self.name_ar,
            barcodes: self.barcodes,
            plu: self.plu,
            price: Money::from_centimes(self.price),
            // Only rates a till sent are stored; anything else is a damaged row, left out.
            tax_rate: TaxRate::from_bp(u32::try_from(self.tax_rate).ok()?).ok()?,
            category: self.category,
            unit: if self.unit == "kg" {
                Unit::Kg
            } else {
                Unit::Piece
            },
            reorder_point: self.reorder_point,
            active: self.active,
        };
        Some((product, self.doc))
    }
}

/// The product's row, locked for the caller's transaction.
pub async fn product(
    conn: &mut PgConnection,
    store: Uuid,
    id: Uuid,
) -> Result<Option<Product>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM products p WHERE p.store_id = $1 AND p.id = $2 FOR UPDATE"
    ))
    .bind(store)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(Row::product).map(|(p, _)| p))
}

/// Up to `limit` products after `after` in id order, each with its document if it has one.
pub async fn page(
    conn: &mut PgConnection,
    store: Uuid,
    after: Uuid,
    limit: i64,
) -> Result<Vec<(Product, Option<Vec<u8>>)>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        ", d.doc FROM products p
         LEFT JOIN product_docs d ON d.store_id = p.store_id AND d.product_id = p.id
         WHERE p.store_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3"
    ))
    .bind(store)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().filter_map(Row::product).collect())
}

/// For each of `products`, its latest count and every movement after it (by HLC): all a replica
/// needs to keep the level by the ledger rule from here on.
pub async fn ledger_tail(
    conn: &mut PgConnection,
    store: Uuid,
    products: &[Uuid],
) -> Result<Vec<SnapshotMovement>, sqlx::Error> {
    let rows: Vec<(Uuid, String, String, String, i64, Option<Uuid>)> = sqlx::query_as(
        "SELECT m.product_id, m.hlc, m.key, m.kind, m.qty, m.ref_id
         FROM stock_movements m
         JOIN stock_levels l ON l.store_id = m.store_id AND l.product_id = m.product_id
         WHERE m.store_id = $1 AND m.product_id = ANY($2) AND m.hlc >= l.count_hlc
         ORDER BY m.product_id, m.hlc, m.key",
    )
    .bind(store)
    .bind(products)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(product_id, hlc, key, kind, qty, ref_id)| {
            Some(SnapshotMovement {
                product_id,
                hlc,
                key,
                kind: MovementKind::parse(&kind).ok()?,
                qty,
                ref_id,
            })
        })
        .collect())
}
