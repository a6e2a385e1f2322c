//! Refunds: a new immutable record pointing at the sale, for the whole sale or some of its
//! lines, never more than what is left to refund. Amounts are the sale's own (discounts
//! included), prorated; the last unit refunded takes what is left so the sums match exactly.

use std::collections::HashMap;

use pos_shared::refund::{self, check_refund, refund_line, sold_lines, LineAmounts, RefundTotals};
use pos_shared::{Hlc, Money, Permission, Sale, SaleKind, SaleLine, Tender, Unit};
use rusqlite::Connection;
use uuid::Uuid;

use super::sale::{allocate, next_receipt_no, write_sale};
use super::{items, read, ItemSpec, TenderInput, Till};
use crate::error::{PosError, Result};
use crate::users::Session;

/// Quantities and amounts already refunded, per line of the original sale.
fn refunded(conn: &Connection, sale: &Uuid) -> Result<HashMap<u32, LineAmounts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.line_no, sum(l.qty), sum(l.gross), sum(l.line_discount), sum(l.net)
         FROM sale_lines l JOIN sales s ON s.id = l.sale_id
         WHERE s.refund_of = ?1 GROUP BY l.line_no",
    )?;
    let rows = stmt.query_map([sale.to_string()], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            LineAmounts {
                qty: r.get(1)?,
                gross: Money::from_centimes(r.get(2)?),
                line_discount: Money::from_centimes(r.get(3)?),
                net: Money::from_centimes(r.get(4)?),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How a refund is paid back when the manager does not say: on the sale's own tenders, what
/// was paid by card back to the card (less what earlier refunds gave back to it), the rest in
/// cash.
fn back_on_tenders(conn: &Connection, original: &Sale, total: Money) -> Result<Vec<TenderInput>> {
    let card_back: i64 = conn
        .prepare_cached(
            "SELECT coalesce(sum(p.amount), 0) FROM payments p JOIN sales s ON s.id = p.sale_id
             WHERE s.refund_of = ?1 AND p.tender = 'card'",
        )?
        .query_row([original.id.to_string()], |r| r.get(0))?;
    let mut card_left = -Money::from_centimes(card_back);
    let mut reference = None;
    for p in original
        .payments
        .iter()
        .filter(|p| p.tender == Tender::Card)
    {
        card_left += p.amount;
        reference = reference.or_else(|| p.reference.clone());
    }
    let on_card = card_left.max(Money::ZERO).min(total);
    let mut tenders = Vec::with_capacity(2);
    if on_card > Money::ZERO {
        tenders.push(TenderInput {
            tender: Tender::Card,
            amount: Some(on_card),
            reference,
        });
    }
    if on_card < total || tenders.is_empty() {
        tenders.push(TenderInput {
            tender: Tender::Cash,
            amount: None,
            reference: None,
        });
    }
    Ok(tenders)
}

impl Till {
    /// Refunds `items` of a sale (all that is left when `items` is empty), paid back with
    /// `tenders`: when empty, on the sale's own tenders (card to card, cash to cash); a
    /// manager (present or by PIN: a refund always needs one) may choose otherwise. Items are
    /// found by code whether or not the product is still sold.
    pub fn refund(
        &mut self,
        session: &Session,
        sale_ref: &str,
        items: &[ItemSpec],
        tenders: &[TenderInput],
        approver_pin: Option<&str>,
    ) -> Result<Sale> {
        let approver =
            self.authorise(session, Permission::Refund, "refund a sale", approver_pin)?;
        let original = self.find_sale(sale_ref)?;
        if original.kind == SaleKind::Refund {
            return Err(PosError::RefundOfRefund(sale_ref.to_owned()));
        }
        let shift_id = self.open_shift_id()?.ok_or(PosError::NoOpenShift)?;
        let done = refunded(self.store.conn(), &original.id)?;
        let already = |l: &SaleLine| done.get(&l.line_no).copied().unwrap_or_default();
        let left = |l: &SaleLine| LineAmounts::of(l).less(already(l));
        // What to refund, per original line number.
        let mut wanted: Vec<(u32, i64)> = Vec::new();
        if items.is_empty() {
            for l in &original.lines {
                let qty = left(l).qty;
                if qty > 0 {
                    wanted.push((l.line_no, qty));
                }
            }
            if wanted.is_empty() {
                return Err(PosError::NothingToRefund(sale_ref.to_owned()));
            }
        }
        for spec in items {
            let r = items::find(self.store.conn(), &spec.code, &self.settings.weighed)?;
            let line = original
                .lines
                .iter()
                .filter(|l| l.product_id == r.product.id)
                .max_by_key(|l| left(l).qty)
                .ok_or_else(|| PosError::RefundTooMuch {
                    name: r.product.name_fr.clone(),
                    requested: spec.qty.unwrap_or(1),
                    available: 0,
                })?;
            let available = left(line).qty;
            let already: i64 = wanted
                .iter()
                .filter(|(n, _)| *n == line.line_no)
                .map(|(_, q)| q)
                .sum();
            let qty = spec.qty.unwrap_or(match line.unit {
                Unit::Piece => 1,
                Unit::Kg => available - already,
            });
            if qty <= 0 {
                return Err(PosError::InvalidQuantity(qty));
            }
            if qty + already > available {
                return Err(PosError::RefundTooMuch {
                    name: line.name.clone(),
                    requested: qty + already,
                    available,
                });
            }
            wanted.push((line.line_no, qty));
        }
        let mut merged: Vec<(u32, i64)> = Vec::new();
        for (n, q) in wanted {
            match merged.iter_mut().find(|(m, _)| *m == n) {
                Some((_, total)) => *total += q,
                None => merged.push((n, q)),
            }
        }
        merged.sort_unstable();
        let lines: Vec<SaleLine> = merged
            .iter()
            .filter_map(|(n, q)| {
                original
                    .lines
                    .iter()
                    .find(|l| l.line_no == *n)
                    .map(|l| (l, *q))
            })
            // each line's share by the one proration rule (none negative, the last takes the rest)
            .map(|(l, q)| refund_line(l, already(l), q))
            .collect::<std::result::Result<_, _>>()?;
        let RefundTotals {
            subtotal,
            discount_total,
            total,
            taxes,
        } = refund::totals(&lines)?;
        let own = back_on_tenders(self.store.conn(), &original, total)?;
        let tenders = if tenders.is_empty() { &own } else { tenders };
        let (payments, change) = allocate(total, tenders)?;
        let mut refund = Sale {
            id: self.ctx.new_id(),
            kind: SaleKind::Refund,
            refund_of: Some(original.id),
            store_id: self.info.store_id,
            terminal_id: self.info.terminal_id,
            receipt_no: 0,
            shift_id,
            cashier_id: session.user_id,
            hlc: Hlc::default(),
            created_at_ms: self.ctx.now_ms(),
            subtotal,
            discount_total,
            total,
            taxes,
            lines,
            order_discount: None,
            payments,
            change,
        };
        // the server's check of a refund against its sale, run here before anything is written
        check_refund(&refund, &sold_lines(&original, &done))?;
        let body = serde_json::json!({ "sale_id": original.id, "refund_total": refund.total });
        let Till { store, ctx, .. } = self;
        store.durable(|tx| {
            // Taken in the transaction, so it is after whatever another connection (the
            // window's sync thread) pulled up to the moment the refund is written.
            refund.hlc = ctx.tick(tx)?;
            refund.receipt_no = next_receipt_no(tx, &refund.terminal_id)?;
            write_sale(tx, &refund)?;
            super::audit::write(tx, ctx, "refund", session, approver.as_ref(), &body)
        })?;
        Ok(refund)
    }

    /// A sale's number as its receipt gives it: the receipt number and the code of the
    /// terminal that made it (`42/3F2A9C`), so it can be found from any terminal of the store.
    pub fn receipt_ref(&self, sale: &Sale) -> String {
        format!(
            "{}/{}",
            sale.receipt_no,
            read::terminal_code(&sale.terminal_id)
        )
    }

    /// The terminal that made `sale`, as its receipt names it: this one's name and code, or
    /// the code of another terminal of the store (the till does not know other terminals'
    /// names).
    pub fn terminal_of(&self, sale: &Sale) -> String {
        let own = sale.terminal_id == self.info.terminal_id;
        read::terminal_label(
            &sale.terminal_id,
            own.then_some(self.info.terminal_name.as_str()),
        )
    }

    /// A sale by id, by receipt number on this terminal (`42`, `#42`), or by the number its
    /// receipt gives (`42/3F2A9C`: receipt 42 of the terminal coded 3F2A9C).
    pub fn find_sale(&self, reference: &str) -> Result<Sale> {
        let conn = self.store.conn();
        let reference = reference.trim();
        let number = reference.trim_start_matches('#');
        let id = match Uuid::parse_str(reference) {
            Ok(id) => Some(id),
            Err(_) => match number.split_once('/') {
                Some((no, code)) => match no.trim().parse::<i64>() {
                    Ok(no) => read::sale_id_by_receipt_code(conn, code.trim(), no)?,
                    Err(_) => None,
                },
                None => match number.parse::<i64>() {
                    Ok(no) => read::sale_id_by_receipt(conn, &self.info.terminal_id, no)?,
                    Err(_) => None,
                },
            },
        };
        let id = id.ok_or_else(|| PosError::UnknownSale(reference.to_owned()))?;
        read::sale(conn, &id, self.info.store_id)?
            .ok_or_else(|| PosError::UnknownSale(reference.to_owned()))
    }
}
