//! Stock at the till: receive a delivery, adjust (breakage, theft), count (absolute), look up.

use pos_shared::{MovementKind, Permission, Product, StockMovement, Unit};
use serde::Serialize;
use uuid::Uuid;

use super::{items, Till};
use crate::error::{PosError, Result};
use crate::stock;
use crate::users::Session;

#[derive(Clone, Debug, Serialize)]
pub struct StockView {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    pub level: i64,
    pub reorder_point: i64,
    pub below_reorder: bool,
    pub movements: Vec<StockMovement>,
}

impl Till {
    pub fn stock_show(&self, code: &str) -> Result<StockView> {
        let product = items::resolve(self.store.conn(), code, &self.settings.weighed)?.product;
        self.stock_view(product)
    }

    /// Where `product` stands, from the product itself: a movement just saved is never
    /// followed by an error from reading its code again.
    fn stock_view(&self, product: Product) -> Result<StockView> {
        let level = stock::level(self.store.conn(), &product.id)?;
        Ok(StockView {
            product_id: product.id,
            sku: product.sku,
            name: product.name_fr,
            unit: product.unit,
            level,
            reorder_point: product.reorder_point,
            below_reorder: level <= product.reorder_point,
            movements: stock::movements(self.store.conn(), &product.id, 20)?,
        })
    }

    /// A delivery arrived: `qty` more on the shelf.
    pub fn stock_receive(
        &mut self,
        session: &Session,
        code: &str,
        qty: i64,
        reason: Option<&str>,
    ) -> Result<StockView> {
        if qty <= 0 {
            return Err(PosError::InvalidQuantity(qty));
        }
        self.stock_move(session, code, MovementKind::Receive, qty, reason)
    }

    /// A correction (breakage, theft, gift): `delta` may be negative; a reason is required.
    pub fn stock_adjust(
        &mut self,
        session: &Session,
        code: &str,
        delta: i64,
        reason: &str,
    ) -> Result<StockView> {
        if delta == 0 {
            return Err(PosError::InvalidQuantity(delta));
        }
        if reason.trim().is_empty() {
            return Err(PosError::Invalid(
                "say why the stock is adjusted (--reason)".into(),
            ));
        }
        self.stock_move(session, code, MovementKind::Adjust, delta, Some(reason))
    }

    /// A count: what is really on the shelf now, whatever the ledger said.
    pub fn stock_count(
        &mut self,
        session: &Session,
        code: &str,
        counted: i64,
    ) -> Result<StockView> {
        if counted < 0 {
            return Err(PosError::InvalidQuantity(counted));
        }
        self.stock_move(session, code, MovementKind::Count, counted, None)
    }

    fn stock_move(
        &mut self,
        session: &Session,
        code: &str,
        kind: MovementKind,
        qty: i64,
        reason: Option<&str>,
    ) -> Result<StockView> {
        session.require(Permission::StockEdit, "change stock")?;
        let product = items::resolve(self.store.conn(), code, &self.settings.weighed)?.product;
        let movement = StockMovement {
            id: self.ctx.new_id(),
            product_id: product.id,
            kind,
            qty,
            hlc: self.ctx.tick(self.store.conn())?,
            reason: reason.map(str::to_owned),
            ref_id: None,
            user_id: Some(session.user_id),
        };
        self.store
            .write(|tx| stock::record(tx, &movement, stock::Origin::Ledger))?;
        self.stock_view(product)
    }
}
