//! Refunds: a new immutable record pointing at the sale, for the whole sale or some of its
//! lines, never more than what is left to refund. Amounts are the sale's own (discounts
//! included), prorated; the last unit refunded takes what is left so the sums match exactly.

use std::collections::HashMap;

use pos_shared::{Money, Permission, Sale, SaleKind, SaleLine, Unit};
use rusqlite::Connection;
use uuid::Uuid;

use super::sale::{allocate, next_receipt_no, write_sale};
use super::{items, read, ItemSpec, TenderInput, Till};
use crate::error::{PosError, Result};
use crate::users::Session;

/// Quantities and amounts already refunded, per line of the original sale.
fn refunded(conn: &Connection, sale: &Uuid) -> Result<HashMap<u32, (i64, Money)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.line_no, sum(l.qty), sum(l.net) FROM sale_lines l JOIN sales s ON s.id = l.sale_id
         WHERE s.refund_of = ?1 GROUP BY l.line_no",
    )?;
    let rows = stmt.query_map([sale.to_string()], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            (r.get::<_, i64>(1)?, Money::from_centimes(r.get(2)?)),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn prorate(amount: Money, part: i64, whole: i64) -> Money {
    Money::from_centimes(pos_shared::pricing::round_div(
        i128::from(amount.centimes()) * i128::from(part),
        i128::from(whole.max(1)),
    ) as i64)
}

impl Till {
    /// Refunds `items` of a sale (all that is left when `items` is empty), paid back with
    /// `tenders` (cash when empty). Needs a manager, present or by PIN.
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
        let left = |l: &SaleLine| {
            let (qty, net) = done.get(&l.line_no).copied().unwrap_or((0, Money::ZERO));
            (l.qty - qty, l.net - net)
        };
        // What to refund, per original line number.
        let mut wanted: Vec<(u32, i64)> = Vec::new();
        if items.is_empty() {
            for l in &original.lines {
                let (qty, _) = left(l);
                if qty > 0 {
                    wanted.push((l.line_no, qty));
                }
            }
            if wanted.is_empty() {
                return Err(PosError::NothingToRefund(sale_ref.to_owned()));
            }
        }
        for spec in items {
            let r = items::resolve(self.store.conn(), &spec.code, &self.settings.weighed)?;
            let line = original
                .lines
                .iter()
                .filter(|l| l.product_id == r.product.id)
                .max_by_key(|l| left(l).0)
                .ok_or_else(|| PosError::RefundTooMuch {
                    name: r.product.name_fr.clone(),
                    requested: spec.qty.unwrap_or(1),
                    available: 0,
                })?;
            let (available, _) = left(line);
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
            .map(|(l, q)| {
                let (qty_left, net_left) = left(l);
                let net = if q == qty_left {
                    net_left
                } else {
                    prorate(l.net, q, l.qty)
                };
                let gross = prorate(l.gross, q, l.qty);
                let line_discount = prorate(l.line_discount, q, l.qty);
                SaleLine {
                    qty: q,
                    gross,
                    line_discount,
                    order_discount: gross - line_discount - net,
                    net,
                    ..l.clone()
                }
            })
            .collect();
        let nets: Vec<_> = lines.iter().map(|l| (l.tax_rate, l.net)).collect();
        let taxes = pos_shared::pricing::taxes_of_nets(&nets)?;
        let total: Money = lines.iter().map(|l| l.net).sum();
        let cash = [TenderInput {
            tender: pos_shared::Tender::Cash,
            amount: None,
            reference: None,
        }];
        let tenders = if tenders.is_empty() {
            &cash[..]
        } else {
            tenders
        };
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
            hlc: self.ctx.tick(),
            created_at_ms: self.ctx.now_ms(),
            subtotal: lines.iter().map(|l| l.gross - l.line_discount).sum(),
            discount_total: lines
                .iter()
                .map(|l| l.line_discount + l.order_discount)
                .sum(),
            total,
            taxes,
            lines,
            order_discount: None,
            payments,
            change,
        };
        let body = serde_json::json!({ "sale_id": original.id, "refund_total": refund.total });
        let Till { store, ctx, .. } = self;
        store.durable(|tx| {
            refund.receipt_no = next_receipt_no(tx, &refund.terminal_id)?;
            write_sale(tx, &refund)?;
            super::audit::write(tx, ctx, "refund", session, approver.as_ref(), &body)
        })?;
        Ok(refund)
    }

    /// A sale by id, or by receipt number on this terminal.
    pub fn find_sale(&self, reference: &str) -> Result<Sale> {
        let conn = self.store.conn();
        let reference = reference.trim();
        let id = match Uuid::parse_str(reference) {
            Ok(id) => Some(id),
            Err(_) => match reference.trim_start_matches('#').parse::<i64>() {
                Ok(no) => read::sale_id_by_receipt(conn, &self.info.terminal_id, no)?,
                Err(_) => None,
            },
        };
        let id = id.ok_or_else(|| PosError::UnknownSale(reference.to_owned()))?;
        read::sale(conn, &id, self.info.store_id)?
            .ok_or_else(|| PosError::UnknownSale(reference.to_owned()))
    }
}
