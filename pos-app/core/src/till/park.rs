//! Parked carts: the customer forgot something, the next one is served. A parked cart is an
//! automerge document (a list of lines) so it can be recalled on another terminal once synced.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use rusqlite::params;
use uuid::Uuid;

use super::cart::{self, CartView, ParkedCart};
use super::Till;
use crate::catalog::doc::{actor, commit};
use crate::error::{PosError, Result};
use crate::store::change_log::{self, ChangeKind};
use crate::users::Session;

fn doc_err(id: &Uuid, e: impl std::fmt::Display) -> PosError {
    PosError::Document {
        product: format!("cart {id}"),
        detail: e.to_string(),
    }
}

impl Till {
    /// Parks the cart on screen under an optional label and leaves an empty one.
    pub fn park(&mut self, session: &Session, label: Option<&str>) -> Result<ParkedCart> {
        let id = cart::active_id(self.store.conn())?.ok_or(PosError::EmptyCart)?;
        let cart = cart::load(self.store.conn(), &id)?;
        if cart.lines.is_empty() {
            return Err(PosError::EmptyCart);
        }
        let total = cart.totals()?.total;
        let mut doc = AutoCommit::new().with_actor(actor(&self.ctx.terminal_id));
        let put = |doc: &mut AutoCommit| -> std::result::Result<(), automerge::AutomergeError> {
            doc.put(ROOT, "status", "parked")?;
            doc.put(ROOT, "label", label.unwrap_or_default())?;
            doc.put(ROOT, "user_id", session.user_id.to_string())?;
            let discount = serde_json::to_string(&cart.order_discount).unwrap_or_default();
            doc.put(ROOT, "order_discount", discount)?;
            let list = doc.put_object(ROOT, "lines", ObjType::List)?;
            for (i, line) in cart.lines.iter().enumerate() {
                let json = serde_json::to_string(line).unwrap_or_default();
                doc.insert(&list, i, json)?;
            }
            Ok(())
        };
        put(&mut doc).map_err(|e| doc_err(&id, e))?;
        let change = commit(&mut doc, self.ctx.now_ms()).unwrap_or_default();
        let bytes = doc.save_nocompress();
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            let hlc = ctx.tick(tx)?;
            tx.execute(
                "UPDATE carts SET status = 'parked', label = ?2, doc = ?3 WHERE id = ?1",
                params![id.to_string(), label, bytes],
            )?;
            change_log::append(tx, ChangeKind::Cart, &id.to_string(), &change, &hlc)?;
            Ok(())
        })?;
        Ok(ParkedCart {
            id,
            label: label.map(str::to_owned),
            lines: cart.lines.len(),
            total,
        })
    }

    pub fn parked(&self) -> Result<Vec<ParkedCart>> {
        let conn = self.store.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, label FROM carts WHERE status = 'parked' ORDER BY created_hlc",
        )?;
        let rows: Vec<(String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(id, label)| {
                let id = Uuid::parse_str(&id).map_err(|e| doc_err(&Uuid::nil(), e))?;
                let cart = cart::load(conn, &id)?;
                Ok(ParkedCart {
                    id,
                    label,
                    lines: cart.lines.len(),
                    total: cart.totals()?.total,
                })
            })
            .collect()
    }

    /// Brings a parked cart back on screen. The cart on screen must be empty.
    pub fn recall(&mut self, session: &Session, id: &Uuid) -> Result<CartView> {
        let _ = session;
        if let Some(active) = cart::active_id(self.store.conn())? {
            if !cart::load(self.store.conn(), &active)?.lines.is_empty() {
                return Err(PosError::CartNotEmpty);
            }
        }
        let bytes: Option<Vec<u8>> = self
            .store
            .conn()
            .query_row(
                "SELECT doc FROM carts WHERE id = ?1 AND status = 'parked'",
                [id.to_string()],
                |r| r.get(0),
            )
            .map_err(|_| PosError::UnknownCart(id.to_string()))?;
        let mut doc = AutoCommit::load(&bytes.unwrap_or_default()).map_err(|e| doc_err(id, e))?;
        doc.set_actor(actor(&self.ctx.terminal_id));
        doc.put(ROOT, "status", "recalled")
            .map_err(|e| doc_err(id, e))?;
        let change = commit(&mut doc, self.ctx.now_ms()).unwrap_or_default();
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            let hlc = ctx.tick(tx)?;
            tx.execute("DELETE FROM carts WHERE status = 'active'", [])?;
            tx.execute(
                "UPDATE carts SET status = 'active', doc = NULL WHERE id = ?1",
                [id.to_string()],
            )?;
            change_log::append(tx, ChangeKind::Cart, &id.to_string(), &change, &hlc)?;
            Ok(())
        })?;
        self.cart()
    }
}
