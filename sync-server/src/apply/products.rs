//! The catalog, materialised: a product's genesis entry creates its row; each edit (automerge
//! change bytes) is merged into the product's document, which is then read back into the row
//! with the fields edited concurrently listed as conflicts — the same rules the tills use
//! (`pos_shared::product_doc`), so the server's row and every till's row agree.

use std::collections::HashMap;

use automerge::AutoCommit;
use pos_shared::product_doc::{self, Conflict};
use pos_shared::Product;
use sqlx::PgConnection;
use uuid::Uuid;

use super::levels::Event;
use super::write::ServerEntry;
use super::{Entry, Record};

/// What applying the batch's products did: the `product.created` / `product.updated` events,
/// and the server's changes undoing edits their authors were not allowed to make.
#[derive(Default)]
pub struct Products {
    pub events: Vec<Event>,
    pub reverts: Vec<ServerEntry>,
}

/// An edit in the batch: its position, its change, and whether to undo it.
type Edit<'a> = (usize, &'a [u8], bool);

/// Creates the products of new genesis entries and merges the edits, in the batch's order. An
/// edit marked to be undone is merged (the till's later edits build on it) and then undone by
/// a change of the server's own, which the feed carries to every till after the edit.
pub async fn apply(
    conn: &mut PgConnection,
    store: Uuid,
    entries: &[Entry<'_>],
) -> Result<Products, sqlx::Error> {
    let mut events = create(conn, store, entries).await?;
    let mut reverts = Vec::new();
    // One document load and save per product, whatever the number of its edits.
    let mut by_product: HashMap<Uuid, Vec<Edit>> = HashMap::new();
    for (pos, e) in entries.iter().enumerate() {
        if let (None, Record::ProductEdit { id, .. }) = (&e.rejected, &e.record) {
            by_product
                .entry(*id)
                .or_default()
                .push((pos, &e.body, e.revert.is_some()));
        }
    }
    let mut products: Vec<Uuid> = by_product.keys().copied().collect();
    products.sort_unstable(); // locked in id order, like the stock levels
    for id in products {
        let changes = by_product.remove(&id).unwrap_or_default();
        let pos = changes.last().map(|(p, _, _)| *p).unwrap_or_default();
        let Some(mut doc) = load(conn, store, id).await? else {
            return Err(refuse(
                conn,
                "23503",
                format!("product {id} is not known here: its creation must be synced first"),
            )
            .await);
        };
        for (_, change, undo) in &changes {
            let before = undo.then(|| product_doc::read(&doc, id).ok()).flatten();
            // `prepare` checked each change is one; a change that still does not merge leaves
            // the document as it was.
            if let Err(e) = doc.load_incremental(change) {
                tracing::warn!(product = %id, error = %e, "edit not merged");
            }
            if let Some(before) = before {
                let actor = product_doc::actor(&store);
                match product_doc::restore(&mut doc, &before, actor, crate::now_ms()) {
                    Ok(Some(undo)) => reverts.push(("product", id.to_string(), undo)),
                    Ok(None) => {}
                    Err(e) => return Err(refuse(conn, "22023", e.to_string()).await),
                }
            }
        }
        let (product, conflicts) = match product_doc::read(&doc, id) {
            Ok(read) => read,
            Err(e) => return Err(refuse(conn, "22023", e.to_string()).await),
        };
        save(conn, store, &product, &conflicts, doc.save_nocompress()).await?;
        events.push(Event {
            pos,
            name: "product.updated",
            payload: serde_json::json!({ "product": product, "conflicts": conflicts }),
        });
    }
    Ok(Products { events, reverts })
}

async fn create(
    conn: &mut PgConnection,
    store: Uuid,
    entries: &[Entry<'_>],
) -> Result<Vec<Event>, sqlx::Error> {
    let new: Vec<(usize, &Product)> = entries
        .iter()
        .enumerate()
        .filter_map(|(pos, e)| match (&e.rejected, &e.record) {
            (None, Record::Genesis(p)) => Some((pos, &**p)),
            _ => None,
        })
        .collect();
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let text = |f: &dyn Fn(&Product) -> String| new.iter().map(|(_, p)| f(p)).collect::<Vec<_>>();
    let int = |f: &dyn Fn(&Product) -> i64| new.iter().map(|(_, p)| f(p)).collect::<Vec<_>>();
    let created: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO products (store_id, id, sku, name_fr, name_ar, barcodes, plu, price, tax_rate,
                               category, unit, reorder_point, active)
         SELECT $1, id, sku, nf, na, string_to_array(bc, ' '), nullif(plu, ''), pr, tr, cat, u, rp, a
         FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::int8[], $9::int8[], $10::text[], $11::text[], $12::int8[], $13::bool[])
              AS t(id, sku, nf, na, bc, plu, pr, tr, cat, u, rp, a)
         ON CONFLICT DO NOTHING
         RETURNING id",
    )
    .bind(store)
    .bind(new.iter().map(|(_, p)| p.id).collect::<Vec<_>>())
    .bind(text(&|p| p.sku.clone()))
    .bind(text(&|p| p.name_fr.clone()))
    .bind(text(&|p| p.name_ar.clone()))
    .bind(text(&|p| p.barcodes.join(" ")))
    .bind(text(&|p| p.plu.clone().unwrap_or_default()))
    .bind(int(&|p| p.price.centimes()))
    .bind(int(&|p| i64::from(p.tax_rate.bp())))
    .bind(text(&|p| p.category.clone()))
    .bind(text(&|p| product_doc::unit_str(p.unit).to_owned()))
    .bind(int(&|p| p.reorder_point))
    .bind(new.iter().map(|(_, p)| p.active).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    let created: std::collections::HashSet<Uuid> = created.into_iter().collect();
    Ok(new
        .into_iter()
        .filter(|(_, p)| created.contains(&p.id))
        .map(|(pos, p)| Event {
            pos,
            name: "product.created",
            payload: serde_json::json!({ "product": p }),
        })
        .collect())
}

/// Fails the statement with `code` and `message`, so the entry being applied is rejected with
/// that message (see `pos_refuse` in the migrations); the error to return.
async fn refuse(conn: &mut PgConnection, code: &str, message: String) -> sqlx::Error {
    match sqlx::query("SELECT pos_refuse($1, $2)")
        .bind(code)
        .bind(message)
        .execute(&mut *conn)
        .await
    {
        Err(e) => e,
        Ok(_) => sqlx::Error::Protocol("pos_refuse did not refuse".into()),
    }
}

/// The product's document: the stored one, or its genesis when nobody has edited it yet (the
/// row is then exactly what it was created with); `None` for a product the server has never
/// seen.
async fn load(
    conn: &mut PgConnection,
    store: Uuid,
    id: Uuid,
) -> Result<Option<AutoCommit>, sqlx::Error> {
    let stored: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT doc FROM product_docs WHERE store_id = $1 AND product_id = $2 FOR UPDATE",
    )
    .bind(store)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(doc) = stored.and_then(|bytes| product_doc::load(&bytes, &id).ok()) {
        return Ok(Some(doc));
    }
    let row = crate::catalog::product(conn, store, id).await?;
    Ok(row
        .and_then(|p| product_doc::genesis(&p).ok())
        .map(|(doc, _)| doc))
}

async fn save(
    conn: &mut PgConnection,
    store: Uuid,
    p: &Product,
    conflicts: &[Conflict],
    doc: Vec<u8>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO product_docs (store_id, product_id, doc) VALUES ($1, $2, $3)
         ON CONFLICT (store_id, product_id) DO UPDATE SET doc = excluded.doc",
    )
    .bind(store)
    .bind(p.id)
    .bind(doc)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE products SET sku = $3, name_fr = $4, name_ar = $5, barcodes = $6, plu = $7,
                price = $8, tax_rate = $9, category = $10, unit = $11, reorder_point = $12,
                active = $13, conflicts = $14, updated_at = now()
         WHERE store_id = $1 AND id = $2",
    )
    .bind(store)
    .bind(p.id)
    .bind(&p.sku)
    .bind(&p.name_fr)
    .bind(&p.name_ar)
    .bind(&p.barcodes)
    .bind(p.plu.as_deref())
    .bind(p.price.centimes())
    .bind(i64::from(p.tax_rate.bp()))
    .bind(&p.category)
    .bind(product_doc::unit_str(p.unit))
    .bind(p.reorder_point)
    .bind(p.active)
    .bind(sqlx::types::Json(conflicts))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
