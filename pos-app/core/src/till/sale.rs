//! Tender and completion: the moment a cart becomes an immutable sale. One fsync'd transaction
//! writes the sale, its lines, payments and taxes, the stock movements, the change-log entry and
//! clears the cart — all of it or none of it.

use pos_shared::{Hlc, Money, Payment, Permission, Sale, SaleKind, SaleLine};
use rusqlite::{params, Connection};
use uuid::Uuid;

use super::approval::Scope;
use super::cart::{self, Cart};
use super::{items, ItemSpec, Till};
use crate::error::{PosError, Result};
use crate::stock;
use crate::store::change_log::{self, ChangeKind};
use crate::users::Session;

pub use pos_shared::TenderInput;

/// Spreads what was handed over across the amount due by the one allocation rule
/// ([`pos_shared::allocate`]): card parts exactly, cash last with the change. Returns the
/// payments and the change.
pub fn allocate(due: Money, tenders: &[TenderInput]) -> Result<(Vec<Payment>, Money)> {
    Ok(pos_shared::allocate(due, tenders)?)
}

impl Till {
    /// Completes the cart on screen with the given tenders.
    pub fn complete_sale(&mut self, session: &Session, tenders: &[TenderInput]) -> Result<Sale> {
        let id = cart::active_id(self.store.conn())?.ok_or(PosError::EmptyCart)?;
        let mut cart = cart::load(self.store.conn(), &id)?;
        self.finish(session, &mut cart, tenders, true, None)
    }

    /// Rings up a whole sale at once (the command line, scripts): items are resolved exactly as
    /// scans are, and the cart on screen is left alone.
    pub fn quick_sale(
        &mut self,
        session: &Session,
        items: &[ItemSpec],
        order_discount: Option<pos_shared::Discount>,
        tenders: &[TenderInput],
        approver_pin: Option<&str>,
    ) -> Result<Sale> {
        session.require(Permission::Sell, "sell")?;
        let mut cart = Cart {
            id: self.ctx.new_id(),
            ..Cart::default()
        };
        for (i, spec) in items.iter().enumerate() {
            let r = items::resolve(self.store.conn(), &spec.code, &self.settings.weighed)?;
            let qty = match spec.qty {
                Some(q) => q,
                None => items::default_qty(&r)?,
            };
            cart.lines.push(items::cart_line(i as u32 + 1, &r, qty));
        }
        cart.order_discount = order_discount;
        let approved = self.check_discounts(session, &mut cart, approver_pin, Scope::Order)?;
        let approval = approved.approver().map(|a| {
            let body = serde_json::json!({ "cart_id": cart.id, "order_discount": order_discount });
            (a.clone(), body)
        });
        self.finish(session, &mut cart, tenders, false, approval)
    }

    /// Writes the sale of `cart`, with the audit of the approval its discount needed (a sale
    /// rung up at once has no cart on screen to keep it).
    fn finish(
        &mut self,
        session: &Session,
        cart: &mut Cart,
        tenders: &[TenderInput],
        clear_cart: bool,
        approval: Option<(Session, serde_json::Value)>,
    ) -> Result<Sale> {
        session.require(Permission::Sell, "sell")?;
        if cart.lines.is_empty() {
            return Err(PosError::EmptyCart);
        }
        // whatever changed the cart, nothing leaves over the limit without an approval
        self.check_discounts(session, cart, None, Scope::Lines)?;
        let shift_id = self.open_shift_id()?.ok_or(PosError::NoOpenShift)?;
        let totals = cart.totals()?;
        let (payments, change) = allocate(totals.total, tenders)?;
        let lines = cart
            .lines
            .iter()
            .zip(&totals.lines)
            .map(|(l, t)| SaleLine {
                line_no: l.line_no,
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                barcode: l.barcode.clone(),
                unit: l.unit,
                qty: l.qty,
                unit_price: l.price_override.unwrap_or(l.unit_price),
                tax_rate: l.tax_rate,
                discount: l.discount,
                gross: t.gross,
                line_discount: t.line_discount,
                order_discount: t.order_discount,
                net: t.net,
            })
            .collect();
        let mut sale = Sale {
            id: self.ctx.new_id(),
            kind: SaleKind::Sale,
            refund_of: None,
            store_id: self.info.store_id,
            terminal_id: self.info.terminal_id,
            receipt_no: 0,
            shift_id,
            cashier_id: session.user_id,
            hlc: Hlc::default(),
            created_at_ms: self.ctx.now_ms(),
            lines,
            order_discount: cart.order_discount,
            subtotal: totals.subtotal,
            discount_total: totals.discount_total,
            total: totals.total,
            taxes: totals.taxes,
            payments,
            change,
        };
        let cart_id = cart.id;
        let Till { store, ctx, .. } = self;
        store.durable(|tx| {
            // Taken in the transaction, so it is after whatever another connection (the
            // window's sync thread) pulled up to the moment the sale is written.
            sale.hlc = ctx.tick(tx)?;
            sale.receipt_no = next_receipt_no(tx, &sale.terminal_id)?;
            write_sale(tx, &sale)?;
            if clear_cart {
                cart::clear(tx, &cart_id)?;
            }
            if let Some((approver, body)) = &approval {
                let approver = Some(approver);
                super::audit::write(tx, ctx, "discount_approved", session, approver, body)?;
            }
            Ok(())
        })?;
        Ok(sale)
    }
}

/// Receipt numbers are dense per terminal: the next one is taken inside the sale's transaction.
pub(super) fn next_receipt_no(tx: &Connection, terminal: &Uuid) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "SELECT coalesce(max(receipt_no), 0) + 1 FROM sales WHERE terminal_id = ?1",
        )?
        .query_row([terminal.to_string()], |r| r.get(0))?)
}

/// Writes a sale or refund with everything that belongs to it, and its change-log entry, in the
/// caller's transaction. It is checked first by the rule the server checks it by
/// ([`pos_shared::check_sale`]), so the till never records what the server would refuse.
pub(super) fn write_sale(tx: &Connection, sale: &Sale) -> Result<()> {
    pos_shared::check_sale(sale).map_err(PosError::InvalidSale)?;
    insert_sale(tx, sale)?;
    crate::printing::queue::enqueue_sale(tx, sale)?;
    let body = serde_json::to_vec(sale).map_err(|e| PosError::Invalid(e.to_string()))?;
    change_log::append(tx, ChangeKind::Sale, &sale.id.to_string(), &body, &sale.hlc).map(|_| ())
}

/// Writes a sale's rows and stock movements (no change-log entry: a sale pulled from another
/// terminal is already in that terminal's log). Returns false when the sale is already here.
pub fn insert_sale(tx: &Connection, sale: &Sale) -> Result<bool> {
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM sales WHERE id = ?1)")?
        .query_row([sale.id.to_string()], |r| r.get(0))?;
    if exists {
        return Ok(false);
    }
    let id = sale.id.to_string();
    let kind = match sale.kind {
        SaleKind::Sale => "sale",
        SaleKind::Refund => "refund",
    };
    let order_discount = sale
        .order_discount
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok());
    tx.prepare_cached(
        "INSERT INTO sales (id, kind, refund_of, terminal_id, receipt_no, shift_id, cashier_id, hlc,
                            created_at_ms, order_discount, subtotal, discount_total, total, change)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        id,
        kind,
        sale.refund_of.map(|r| r.to_string()),
        sale.terminal_id.to_string(),
        sale.receipt_no,
        sale.shift_id.to_string(),
        sale.cashier_id.to_string(),
        sale.hlc.to_string(),
        sale.created_at_ms,
        order_discount,
        sale.subtotal.centimes(),
        sale.discount_total.centimes(),
        sale.total.centimes(),
        sale.change.centimes(),
    ])?;
    let mut line_stmt = tx.prepare_cached(
        "INSERT INTO sale_lines (sale_id, line_no, product_id, sku, name, barcode, unit, qty,
             unit_price, tax_rate, discount, gross, line_discount, order_discount, net)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for l in &sale.lines {
        line_stmt.execute(params![
            id,
            l.line_no,
            l.product_id.to_string(),
            l.sku,
            l.name,
            l.barcode,
            crate::catalog::doc::unit_str(l.unit),
            l.qty,
            l.unit_price.centimes(),
            l.tax_rate.bp(),
            l.discount
                .as_ref()
                .and_then(|d| serde_json::to_string(d).ok()),
            l.gross.centimes(),
            l.line_discount.centimes(),
            l.order_discount.centimes(),
            l.net.centimes(),
        ])?;
    }
    let mut pay_stmt = tx.prepare_cached(
        "INSERT INTO payments (sale_id, seq, tender, amount, tendered, reference)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, p) in sale.payments.iter().enumerate() {
        pay_stmt.execute(params![
            id,
            i as i64 + 1,
            p.tender.as_str(),
            p.amount.centimes(),
            p.tendered.centimes(),
            p.reference,
        ])?;
    }
    let mut tax_stmt = tx.prepare_cached(
        "INSERT INTO sale_taxes (sale_id, rate, base, tax, total) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for t in &sale.taxes {
        tax_stmt.execute(params![
            id,
            t.rate.bp(),
            t.base.centimes(),
            t.tax.centimes(),
            t.total.centimes(),
        ])?;
    }
    for (line_no, m) in sale.stock_movements() {
        stock::record(tx, &m, stock::Origin::SaleLine(line_no))?;
    }
    Ok(true)
}
