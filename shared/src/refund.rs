//! What a refund gives back of a sale's lines: the line's own recorded amounts (discounts
//! included), prorated cumulatively on the units refunded so far, so no unit's share goes
//! negative and the refunds of a line add up to the line exactly. The till builds refunds by
//! it, and checks each against its sale by [`check_refund`] (never more than is left of a
//! line) before writing it; that check needs nothing but the sale's lines and what was
//! refunded, so a replica holding them (the server) can run the same one.

use std::collections::HashMap;

use thiserror::Error;
use uuid::Uuid;

use crate::domain::{Sale, SaleKind, SaleLine, TaxLine};
use crate::money::Money;
use crate::pricing::{round_div, taxes_of_nets, PricingError};

/// A quantity and the amounts that go with it: of a sale's line, of what refunds gave back of
/// it, or of what is left to give back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineAmounts {
    pub qty: i64,
    pub gross: Money,
    pub line_discount: Money,
    pub net: Money,
}

impl LineAmounts {
    pub fn of(line: &SaleLine) -> LineAmounts {
        LineAmounts {
            qty: line.qty,
            gross: line.gross,
            line_discount: line.line_discount,
            net: line.net,
        }
    }

    /// Adds a refund line's quantity and amounts.
    pub fn add(&mut self, line: &SaleLine) {
        self.qty += line.qty;
        self.gross += line.gross;
        self.line_discount += line.line_discount;
        self.net += line.net;
    }

    /// What is left of `self` once `done` was given back.
    pub fn less(self, done: LineAmounts) -> LineAmounts {
        LineAmounts {
            qty: self.qty - done.qty,
            gross: self.gross - done.gross,
            line_discount: self.line_discount - done.line_discount,
            net: self.net - done.net,
        }
    }
}

/// Why a refund line cannot be made, or a refund does not fit its sale.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefundError {
    #[error("a refund must point at the sale it refunds")]
    NoOriginal,
    #[error("the refunded sale {0} is not one of this store's sales")]
    UnknownOriginal(Uuid),
    #[error("the refunded sale {0} is itself a refund; refund the original sale instead")]
    OfRefund(Uuid),
    #[error("line {0} is not a line of the refunded sale")]
    NoSuchLine(u32),
    #[error("line {line_no}: refunding {qty} of {left} left to refund")]
    TooMuch { line_no: u32, qty: i64, left: i64 },
    #[error("line {line_no}: giving back {amount} of {left} left to refund")]
    TooMuchAmount {
        line_no: u32,
        amount: Money,
        left: Money,
    },
}

impl RefundError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            RefundError::NoOriginal | RefundError::UnknownOriginal(_) => "UNKNOWN_SALE",
            RefundError::OfRefund(_) => "REFUND_OF_REFUND",
            RefundError::NoSuchLine(_) => "NO_SUCH_LINE",
            RefundError::TooMuch { .. } | RefundError::TooMuchAmount { .. } => "REFUND_TOO_MUCH",
        }
    }
}

/// `amount × part / whole` by the one rounding rule.
fn prorate(amount: Money, part: i64, whole: i64) -> Money {
    let share = round_div(
        i128::from(amount.centimes()) * i128::from(part),
        i128::from(whole.max(1)),
    );
    Money::from_centimes(i64::try_from(share).unwrap_or(if share < 0 {
        i64::MIN
    } else {
        i64::MAX
    }))
}

/// The refund line giving back `qty` of `line`, when `done` was already given back by earlier
/// refunds. Prorated on what will have been refunded of the line after this one, less what was
/// before: shares never go negative, and the last takes what is left, so the refunds add up to
/// the line exactly.
pub fn refund_line(line: &SaleLine, done: LineAmounts, qty: i64) -> Result<SaleLine, RefundError> {
    let rest = LineAmounts::of(line).less(done);
    if qty <= 0 || qty > rest.qty {
        return Err(RefundError::TooMuch {
            line_no: line.line_no,
            qty,
            left: rest.qty,
        });
    }
    let before = done.qty;
    let share =
        |amount: Money| prorate(amount, before + qty, line.qty) - prorate(amount, before, line.qty);
    let (gross, line_discount, net) = if qty == rest.qty {
        (rest.gross, rest.line_discount, rest.net)
    } else {
        let gross = share(line.gross);
        let line_discount = share(line.line_discount);
        (
            gross,
            line_discount,
            gross - line_discount - share(line.order_discount),
        )
    };
    Ok(SaleLine {
        qty,
        gross,
        line_discount,
        order_discount: gross - line_discount - net,
        net,
        ..line.clone()
    })
}

/// What a refund records beside its lines, from them alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundTotals {
    /// Σ(gross − line_discount).
    pub subtotal: Money,
    /// Line and order discounts given back.
    pub discount_total: Money,
    pub total: Money,
    pub taxes: Vec<TaxLine>,
}

/// The totals of a refund made of `lines` (each from [`refund_line`]).
pub fn totals(lines: &[SaleLine]) -> Result<RefundTotals, PricingError> {
    let nets: Vec<_> = lines.iter().map(|l| (l.tax_rate, l.net)).collect();
    Ok(RefundTotals {
        subtotal: lines.iter().map(|l| l.gross - l.line_discount).sum(),
        discount_total: lines
            .iter()
            .map(|l| l.line_discount + l.order_discount)
            .sum(),
        total: lines.iter().map(|l| l.net).sum(),
        taxes: taxes_of_nets(&nets)?,
    })
}

/// A line of a refunded sale as a refund is checked against it: what was sold and what
/// refunds already gave back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoldLine {
    pub product_id: Uuid,
    pub sold: LineAmounts,
    pub refunded: LineAmounts,
}

/// The lines of `sale` as refunds are checked against them, with what `done` gave back.
pub fn sold_lines(sale: &Sale, done: &HashMap<u32, LineAmounts>) -> HashMap<u32, SoldLine> {
    sale.lines
        .iter()
        .map(|l| {
            let line = SoldLine {
                product_id: l.product_id,
                sold: LineAmounts::of(l),
                refunded: done.get(&l.line_no).copied().unwrap_or_default(),
            };
            (l.line_no, line)
        })
        .collect()
}

/// Checks a refund's lines against the lines of the sale it refunds (`sold`, by line number):
/// each is a line of the sale, for the same product, and gives back no more units, gross or
/// net than is left of it. Amounts are not recomputed: two tills may refund the same sale
/// offline, each prorating on what it knew.
pub fn check_refund(refund: &Sale, sold: &HashMap<u32, SoldLine>) -> Result<(), RefundError> {
    if refund.kind != SaleKind::Refund || refund.refund_of.is_none() {
        return Err(RefundError::NoOriginal);
    }
    for l in &refund.lines {
        let line = sold
            .get(&l.line_no)
            .filter(|s| s.product_id == l.product_id)
            .ok_or(RefundError::NoSuchLine(l.line_no))?;
        let left = line.sold.less(line.refunded);
        if l.qty > left.qty {
            return Err(RefundError::TooMuch {
                line_no: l.line_no,
                qty: l.qty,
                left: left.qty,
            });
        }
        for (amount, left) in [(l.gross, left.gross), (l.net, left.net)] {
            if amount > left {
                return Err(RefundError::TooMuchAmount {
                    line_no: l.line_no,
                    amount,
                    left,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "refund_tests.rs"]
mod tests;
