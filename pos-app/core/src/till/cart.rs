//! The cart being rung up. It lives in SQLite from the first scan, so a crash or a power cut
//! loses no scan; a parked cart becomes an automerge document that other terminals can recall.

use pos_shared::{Discount, Money, Permission, PriceLine, TaxLine, TaxRate, Totals, Unit};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::approval::Scope;
use super::{items, Till};
use crate::ctx::Ctx;
use crate::error::{PosError, Result};
use crate::users::Session;

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
    /// The price printed on a scale's label: the line's amount, whatever its weight makes at
    /// the price per kg (the weight, `qty`, is kept for stock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_price: Option<Money>,
    /// Share of the line's gross (line and order discount together, basis points) a manager
    /// approved beyond the order's approval (`Cart::order_approved_bp`).
    #[serde(default)]
    pub approved_bp: u32,
}

impl CartLine {
    pub fn price_line(&self) -> PriceLine {
        if let (Some(label), None) = (self.label_price, self.price_override) {
            // the label's price is the amount: priced as one piece at that price
            return PriceLine {
                unit_price: label,
                qty: 1,
                unit: Unit::Piece,
                tax_rate: self.tax_rate,
                discount: self.discount,
            };
        }
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
    /// Share of every line's gross (basis points) a manager approved for the order discount.
    #[serde(default)]
    pub order_approved_bp: u32,
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

    pub(super) fn line_mut(&mut self, line_no: u32) -> Result<&mut CartLine> {
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
    let (order_discount, order_approved_bp): (Option<String>, u32) = conn
        .prepare_cached("SELECT order_discount, order_approved_bp FROM carts WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
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
        order_approved_bp,
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
/// Writes the whole cart: its row (created the first time), order discount, approvals, lines.
pub(super) fn save(tx: &Connection, ctx: &mut Ctx, session: &Session, cart: &Cart) -> Result<()> {
    if cart.unsaved {
        let hlc = ctx.tick(tx)?;
        tx.execute(
            "INSERT INTO carts (id, status, created_hlc, user_id) VALUES (?1, 'active', ?2, ?3)",
            params![
                cart.id.to_string(),
                hlc.to_string(),
                session.user_id.to_string()
            ],
        )?;
    }
    let discount = cart
        .order_discount
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok());
    tx.prepare_cached(
        "UPDATE carts SET order_discount = ?2, order_approved_bp = ?3 WHERE id = ?1",
    )?
    .execute(params![
        cart.id.to_string(),
        discount,
        cart.order_approved_bp
    ])?;
    for line in &cart.lines {
        save_line(tx, &cart.id, line)?;
    }
    Ok(())
}

pub(super) fn clear(conn: &Connection, cart: &Uuid) -> Result<()> {
    conn.prepare_cached("DELETE FROM cart_lines WHERE cart_id = ?1")?
        .execute([cart.to_string()])?;
    conn.prepare_cached(
        "UPDATE carts SET order_discount = NULL, order_approved_bp = 0
         WHERE id = ?1 AND (order_discount IS NOT NULL OR order_approved_bp <> 0)",
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

    pub(super) fn active_cart(&mut self) -> Result<Cart> {
        let conn = self.store.conn();
        if let Some(id) = active_id(conn)? {
            return load(conn, &id);
        }
        Ok(Cart {
            id: self.ctx.new_id(),
            unsaved: true,
            ..Cart::default()
        })
    }

    /// Writes `line` of the active cart (and the cart's row, the first time) in one
    /// transaction; the whole cart when an approval was written on it.
    fn save_active_line(
        &mut self,
        session: &Session,
        cart: &Cart,
        line: &CartLine,
        whole: bool,
    ) -> Result<()> {
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            if whole {
                return save(tx, ctx, session, cart);
            }
            if cart.unsaved {
                let hlc = ctx.tick(tx)?;
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

    /// Checks the changed cart against the discount limit (no PIN: a quantity or a scan is not
    /// the moment a manager approves); returns whether an approval was written on it.
    fn recheck(&mut self, session: &Session, cart: &mut Cart) -> Result<bool> {
        let before = approvals(cart);
        self.check_discounts(session, cart, None, Scope::Lines)?;
        Ok(approvals(cart) != before)
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
        let mut cart = self.active_cart()?;
        let p = &resolved.product;
        let existing = cart.lines.iter_mut().rev().find(|l| {
            l.product_id == p.id
                && l.unit == Unit::Piece
                && l.discount.is_none()
                && l.price_override.is_none()
        });
        let line_no = match existing {
            Some(line) => {
                line.qty = line
                    .qty
                    .checked_add(qty)
                    .ok_or(PosError::InvalidQuantity(qty))?;
                line.line_no
            }
            None => {
                let line = items::cart_line(cart.next_line_no(), &resolved, qty);
                let line_no = line.line_no;
                cart.lines.push(line);
                line_no
            }
        };
        let whole = self.recheck(session, &mut cart)?;
        let line = cart.line_mut(line_no)?.clone();
        let view = CartView::of(&cart)?;
        self.save_active_line(session, &cart, &line, whole)?;
        Ok(view)
    }

    /// Changes a line's quantity. A discount in amount weighs more on fewer items: the cart is
    /// checked against the limit again.
    pub fn set_qty(&mut self, session: &Session, line_no: u32, qty: i64) -> Result<CartView> {
        session.require(Permission::Sell, "sell")?;
        if qty <= 0 {
            return Err(PosError::InvalidQuantity(qty));
        }
        let mut cart = self.active_cart()?;
        let line = cart.line_mut(line_no)?;
        line.qty = qty;
        let whole = self.recheck(session, &mut cart)?;
        let line = cart.line_mut(line_no)?.clone();
        let view = CartView::of(&cart)?;
        self.save_active_line(session, &cart, &line, whole)?;
        Ok(view)
    }

    /// Removes a line; removals are audited (a classic way to pocket a sale). An order
    /// discount in amount weighs more on what is left: the cart is checked again.
    pub fn remove_line(&mut self, session: &Session, line_no: u32) -> Result<CartView> {
        session.require(Permission::Sell, "sell")?;
        let mut cart = self.active_cart()?;
        let removed = cart.line_mut(line_no)?.clone();
        cart.lines.retain(|l| l.line_no != line_no);
        let whole = self.recheck(session, &mut cart)?;
        let view = CartView::of(&cart)?;
        let body = serde_json::json!({ "cart_id": cart.id, "line": removed });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            tx.execute(
                "DELETE FROM cart_lines WHERE cart_id = ?1 AND line_no = ?2",
                params![cart.id.to_string(), line_no],
            )?;
            if whole {
                save(tx, ctx, session, &cart)?;
            }
            super::audit::write(tx, ctx, "line_removed", session, None, &body)
        })?;
        Ok(view)
    }

    /// Empties the cart without selling (audited with what was in it). A cart with lines is
    /// voided only when `confirm` says the person meant it: one stray tap loses nothing.
    pub fn void_cart(&mut self, session: &Session, confirm: bool) -> Result<()> {
        let Some(id) = active_id(self.store.conn())? else {
            return Ok(());
        };
        let cart = load(self.store.conn(), &id)?;
        let total = cart.totals()?.total;
        if !cart.lines.is_empty() && !confirm {
            return Err(PosError::ConfirmVoid {
                lines: cart.lines.len(),
                total,
            });
        }
        let body = serde_json::json!({ "cart_id": id, "lines": cart.lines, "total": total });
        let Till { store, ctx, .. } = self;
        store.write(|tx| {
            delete(tx, &id)?;
            super::audit::write(tx, ctx, "void", session, None, &body)
        })
    }
}

/// The approvals written on a cart, to tell whether a check added one.
fn approvals(cart: &Cart) -> (u32, Vec<u32>) {
    (
        cart.order_approved_bp,
        cart.lines.iter().map(|l| l.approved_bp).collect(),
    )
}
