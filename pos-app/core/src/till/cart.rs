//! The cart being rung up. It lives in SQLite from the first scan, so a crash or a power cut
//! loses no scan; a parked cart becomes an automerge document that other terminals can recall.

use pos_shared::{Discount, Money, Permission, PriceLine, TaxLine, TaxRate, Totals, Unit};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{items, Till};
use crate::error::{PosError, Result};
use crate::users::{self, Session};

/// A line as scanned: the product's name, price and rate are kept as they were at that moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub line_no: u32,
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub name_ar: String,
    pub barcode: Option<String>,
    pub unit: Unit,
    pub qty: i64,
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    pub discount: Option<Discount>,
    pub price_override: Option<Money>,
}

impl CartLine {
    pub fn price_line(&self) -> PriceLine {
        PriceLine {
            unit_price: self.price_override.unwrap_or(self.unit_price),
            qty: self.qty,
            unit: self.unit,
            tax_rate: self.tax_rate,
            discount: self.discount,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub id: Uuid,
    pub lines: Vec<CartLine>,
    pub order_discount: Option<Discount>,
    /// True until the cart's row is written (by the transaction that writes its first line).
    #[serde(skip)]
    pub(super) unsaved: bool,
}

impl Cart {
    /// Totals by the one pricing function; the UI shows these, it never computes money.
    pub fn totals(&self) -> Result<Totals> {
        let lines: Vec<PriceLine> = self.lines.iter().map(CartLine::price_line).collect();
        Ok(pos_shared::pricing::price(
            &lines,
            self.order_discount.as_ref(),
        )?)
    }

    fn line_mut(&mut self, line_no: u32) -> Result<&mut CartLine> {
        self.lines
            .iter_mut()
            .find(|l| l.line_no == line_no)
            .ok_or(PosError::NoSuchLine(line_no))
    }

    fn next_line_no(&self) -> u32 {
        self.lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CartLineView {
    #[serde(flatten)]
    pub line: CartLine,
    pub gross: Money,
    pub discount: Money,
    pub net: Money,
}

/// What the screen shows: lines with their amounts, and the totals with TVA per rate.
#[derive(Clone, Debug, Serialize)]
pub struct CartView {
    pub cart_id: Uuid,
    pub lines: Vec<CartLineView>,
    pub order_discount: Option<Discount>,
    pub subtotal: Money,
    pub discount_total: Money,
    pub total: Money,
    pub taxes: Vec<TaxLine>,
}

impl CartView {
    pub fn of(cart: &Cart) -> Result<CartView> {
        let totals = cart.totals()?;
        Ok(CartView {
            cart_id: cart.id,
            lines: cart
                .lines
                .iter()
                .zip(&totals.lines)
                .map(|(l, t)| CartLineView {
                    line: l.clone(),
                    gross: t.gross,
                    discount: t.line_discount + t.order_discount,
                    net: t.net,
                })
                .collect(),
            order_discount: cart.order_discount,
            subtotal: totals.subtotal,
            discount_total: totals.discount_total,
            total: totals.total,
            taxes: totals.taxes,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ParkedCart {
    pub id: Uuid,
    pub label: Option<String>,
    pub lines: usize,
    pub total: Money,
}

pub(super) fn load(conn: &Connection, id: &Uuid) -> Result<Cart> {
    let order_discount: Option<String> = conn
        .prepare_cached("SELECT order_discount FROM carts WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| PosError::UnknownCart(id.to_string()))?;
    let mut stmt =
        conn.prepare_cached("SELECT line FROM cart_lines WHERE cart_id = ?1 ORDER BY line_no")?;
    let lines = stmt
        .query_map([id.to_string()], |r| r.get::<_, String>(0))?
        .map(|row| {
            let json = row?;
            serde_json::from_str(&json).map_err(|e| PosError::Invalid(format!("cart line: {e}")))
        })
        .collect::<Result<Vec<CartLine>>>()?;
    Ok(Cart {
        id: *id,
        lines,
        order_discount: order_discount.and_then(|d| serde_json::from_str(&d).ok()),
        unsaved: false,
    })
}

pub(super) fn active_id(conn: &Connection) -> Result<Option<Uuid>> {
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM carts WHERE status = 'active'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(id.and_then(|s| Uuid::parse_str(&s).ok()))
}

pub(super) fn save_line(conn: &Connection, cart: &Uuid, line: &CartLine) -> Result<()> {
    let json = serde_json::to_string(line).map_err(|e| PosError::Invalid(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO cart_lines (cart_id, line_no, line) VALUES (?1, ?2, ?3)
         ON CONFLICT (cart_id, line_no) DO UPDATE SET line = excluded.line",
    )?
    .execute(params![cart.to_string(), line.line_no, json])?;
    Ok(())
}

/// Empties the active cart after a sale; the cart itself stays for the next customer (one row
/// fewer to delete and re-create inside every sale's fsync'd transaction).
pub(super) fn clear(conn: &Connection, cart: &Uuid) -> Result<()> {
    conn.prepare_cached("DELETE FROM cart_lines WHERE cart_id = ?1")?
        .execute([cart.to_string()])?;
    conn.prepare_cached(
        "UPDATE carts SET order_discount = NULL WHERE id = ?1 AND order_discount IS NOT NULL",
    )?
    .execute([cart.to_string()])?;
    Ok(())
}

pub(super) fn delete(conn: &Connection, cart: &Uuid) -> Result<()> {
    conn.prepare_cached("DELETE FROM cart_lines WHERE cart_id = ?1")?
        .execute([cart.to_string()])?;
    conn.prepare_cached("DELETE FROM carts WHERE id = ?1")?
        .execute([cart.to_string()])?;
    Ok(())
}

impl Till {
    /// The cart on screen (empty when nothing has been scanned).
    pub fn cart(&self) -> Result<CartView> {
        let conn = self.store.conn();
        match active_id(conn)? {
            Some(id) => CartView::of(&load(conn, &id)?),
            None => CartView::of(&Cart::default()),
        }
    }

    fn active_cart(&mut self, session: &Session) -> Result<Cart> {
        let conn = self.store.conn();
        if let Some(id) = active_id(conn)? {
            return load(conn, &id);
        }
        let _ = session;
        Ok(Cart {
            id: self.ctx.new_id(),
            unsaved: true,
            ..Cart::default()
        })
    }

    /// Writes `line` of the active cart (and the cart's row, the first time) in one transaction.
    fn save_active_line(&mut self, session: &Session, cart: &Cart, line: &CartLine) -> Result<()> {
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            if cart.unsaved {
                let hlc = ctx.tick();
                tx.execute(
                    "INSERT INTO carts (id, status, created_hlc, user_id)
                     VALUES (?1, 'active', ?2, ?3)",
                    params![
                        cart.id.to_string(),
                        hlc.to_string(),
                        session.user_id.to_string()
                    ],
                )?;
            }
            save_line(tx, &cart.id, line)
        })
    }

    /// Adds what was scanned or typed to the cart. The same piece product scanned again adds to
    /// its line; weighed items always get a line of their own.
    pub fn scan(&mut self, session: &Session, code: &str, qty: Option<i64>) -> Result<CartView> {
        session.require(Permission::Sell, "sell")?;
        let resolved = items::resolve(self.store.conn(), code, &self.settings.weighed)?;
        let qty = match qty {
            Some(q) if q <= 0 => return Err(PosError::InvalidQuantity(q)),
            Some(q) => q,
            None => items::default_qty(&resolved)?,
        };
        let mut cart = self.active_cart(session)?;
        let p = &resolved.product;
        let existing = cart.lines.iter_mut().rev().find(|l| {
            l.product_id == p.id
                && l.unit == Unit::Piece
                && l.discount.is_none()
                && l.price_override.is_none()
        });
        let line = match existing {
            Some(line) => {
                line.qty = line
                    .qty
                    .checked_add(qty)
                    .ok_or(PosError::InvalidQuantity(qty))?;
                line.clone()
            }
            None => {
                let line = CartLine {
                    line_no: cart.next_line_no(),
                    product_id: p.id,
                    sku: p.sku.clone(),
                    name: p.name_fr.clone(),
                    name_ar: p.name_ar.clone(),
                    barcode: resolved.barcode.clone(),
                    unit: p.unit,
                    qty,
                    unit_price: p.price,
                    tax_rate: p.tax_rate,
                    discount: None,
                    price_override: None,
                };
                cart.lines.push(line.clone());
                line
            }
        };
        let view = CartView::of(&cart)?;
        self.save_active_line(session, &cart, &line)?;
        Ok(view)
    }

    pub fn set_qty(&mut self, session: &Session, line_no: u32, qty: i64) -> Result<CartView> {
        session.require(Permission::Sell, "sell")?;
        if qty <= 0 {
            return Err(PosError::InvalidQuantity(qty));
        }
        let mut cart = self.active_cart(session)?;
        let line = cart.line_mut(line_no)?;
        line.qty = qty;
        let line = line.clone();
        let view = CartView::of(&cart)?;
        self.save_active_line(session, &cart, &line)?;
        Ok(view)
    }

    /// Removes a line; removals are audited (a classic way to pocket a sale).
    pub fn remove_line(&mut self, session: &Session, line_no: u32) -> Result<CartView> {
        session.require(Permission::Sell, "sell")?;
        let mut cart = self.active_cart(session)?;
        let removed = cart.line_mut(line_no)?.clone();
        cart.lines.retain(|l| l.line_no != line_no);
        let view = CartView::of(&cart)?;
        let body = serde_json::json!({ "cart_id": cart.id, "line": removed });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            tx.execute(
                "DELETE FROM cart_lines WHERE cart_id = ?1 AND line_no = ?2",
                params![cart.id.to_string(), line_no],
            )?;
            super::audit::write(tx, ctx, "line_removed", session, None, &body)
        })?;
        Ok(view)
    }

    /// Sets (or clears) a line discount. Over the cashier limit it needs a manager's PIN.
    pub fn discount_line(
        &mut self,
        session: &Session,
        line_no: u32,
        discount: Option<Discount>,
        approver_pin: Option<&str>,
    ) -> Result<CartView> {
        let mut cart = self.active_cart(session)?;
        let line = cart.line_mut(line_no)?;
        let gross = pos_shared::pricing::price(
            &[PriceLine {
                discount: None,
                ..line.price_line()
            }],
            None,
        )?
        .total;
        line.discount = discount;
        let line = line.clone();
        let view = CartView::of(&cart)?;
        let approver = self.approve_discount(session, discount.as_ref(), gross, approver_pin)?;
        let body =
            serde_json::json!({ "cart_id": cart.id, "line_no": line_no, "discount": discount });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            save_line(tx, &cart.id, &line)?;
            if let Some(a) = &approver {
                super::audit::write(tx, ctx, "discount_approved", session, Some(a), &body)?;
            }
            Ok(())
        })?;
        Ok(view)
    }

    /// Sets (or clears) a discount on the whole order.
    pub fn discount_order(
        &mut self,
        session: &Session,
        discount: Option<Discount>,
        approver_pin: Option<&str>,
    ) -> Result<CartView> {
        let mut cart = self.active_cart(session)?;
        cart.order_discount = None;
        let subtotal = cart.totals()?.subtotal;
        cart.order_discount = discount;
        let view = CartView::of(&cart)?;
        let approver = self.approve_discount(session, discount.as_ref(), subtotal, approver_pin)?;
        let json = discount
            .as_ref()
            .and_then(|d| serde_json::to_string(d).ok());
        let body = serde_json::json!({ "cart_id": cart.id, "order_discount": discount });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            tx.execute(
                "UPDATE carts SET order_discount = ?2 WHERE id = ?1",
                params![cart.id.to_string(), json],
            )?;
            if let Some(a) = &approver {
                super::audit::write(tx, ctx, "discount_approved", session, Some(a), &body)?;
            }
            Ok(())
        })?;
        Ok(view)
    }

    /// Changes a line's unit price (a manager's decision, always audited).
    pub fn override_price(
        &mut self,
        session: &Session,
        line_no: u32,
        price: Money,
        approver_pin: Option<&str>,
    ) -> Result<CartView> {
        if price.is_negative() {
            return Err(PosError::InvalidAmount {
                input: price.to_string(),
                reason: "a price cannot be negative".into(),
            });
        }
        let approver = users::authorise(
            self.store.conn(),
            session,
            Permission::PriceOverride,
            "change a price",
            approver_pin,
        )?;
        let mut cart = self.active_cart(session)?;
        let line = cart.line_mut(line_no)?;
        let was = line.price_override.unwrap_or(line.unit_price);
        line.price_override = Some(price);
        let line = line.clone();
        let view = CartView::of(&cart)?;
        let body = serde_json::json!({
            "cart_id": cart.id, "line_no": line_no, "sku": line.sku, "from": was, "to": price,
        });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            save_line(tx, &cart.id, &line)?;
            super::audit::write(tx, ctx, "price_override", session, approver.as_ref(), &body)
        })?;
        Ok(view)
    }

    /// Empties the cart without selling (audited with what was in it).
    pub fn void_cart(&mut self, session: &Session) -> Result<()> {
        let Some(id) = active_id(self.store.conn())? else {
            return Ok(());
        };
        let cart = load(self.store.conn(), &id)?;
        let total = cart.totals()?.total;
        let body = serde_json::json!({ "cart_id": id, "lines": cart.lines, "total": total });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            delete(tx, &id)?;
            super::audit::write(tx, ctx, "void", session, None, &body)
        })
    }

    pub(super) fn approve_discount(
        &self,
        session: &Session,
        discount: Option<&Discount>,
        base: Money,
        approver_pin: Option<&str>,
    ) -> Result<Option<Session>> {
        let limit = self.settings.cashier_discount_limit_bp;
        let requested_bp = match discount {
            None => return Ok(None),
            Some(Discount::Percent(bp)) => i128::from(*bp),
            Some(Discount::Amount(a)) if base.centimes() > 0 => {
                i128::from(a.centimes()) * 10_000 / i128::from(base.centimes())
            }
            Some(Discount::Amount(a)) if a.is_zero() => 0,
            Some(Discount::Amount(_)) => i128::MAX,
        };
        if requested_bp <= i128::from(limit) || session.role.can(Permission::DiscountOverLimit) {
            return Ok(None);
        }
        let Some(pin) = approver_pin else {
            return Err(PosError::DiscountNeedsApproval {
                requested: describe(discount),
                limit: format!("{},{:02} %", limit / 100, limit % 100),
            });
        };
        users::authorise(
            self.store.conn(),
            session,
            Permission::DiscountOverLimit,
            "give this discount",
            Some(pin),
        )
    }
}

fn describe(d: Option<&Discount>) -> String {
    match d {
        Some(Discount::Percent(bp)) => format!("{},{:02} %", bp / 100, bp % 100),
        Some(Discount::Amount(a)) => a.to_string(),
        None => String::new(),
    }
}
