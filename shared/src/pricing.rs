//! The one pricing function used by the till, the server and the fixtures.
//!
//! Prices are TTC (tax included), as shown on shelf labels in Algeria.
//! Everything is integer centimes with a single rounding rule, and the order
//! discount is split with the largest-remainder method, so the receipt
//! lines, the total and the per-rate tax summary always add up exactly.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::{Discount, TaxLine, Unit};
use crate::money::Money;
use crate::tax::TaxRate;

/// One line to price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLine {
    /// TTC, per piece or per kg.
    pub unit_price: Money,
    /// Pieces, or grams for [`Unit::Kg`].
    pub qty: i64,
    pub unit: Unit,
    pub tax_rate: TaxRate,
    pub discount: Option<Discount>,
}

/// Amounts of one priced line; `net = gross - line_discount - order_discount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotals {
    pub gross: Money,
    pub line_discount: Money,
    /// This line's share of the order discount.
    pub order_discount: Money,
    pub net: Money,
}

/// Result of [`price`]; all sums hold to the centime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Same order as the input lines.
    pub lines: Vec<LineTotals>,
    /// Σ(gross − line_discount).
    pub subtotal: Money,
    pub order_discount: Money,
    /// Line discounts plus the order discount.
    pub discount_total: Money,
    pub total: Money,
    /// One per rate present (0 % included), highest rate first.
    pub taxes: Vec<TaxLine>,
}

/// Why a basket could not be priced. `line` is the 0-based index into the
/// input; messages show it 1-based as on the screen.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PricingError {
    #[error("line {}: quantity must be more than zero", .line + 1)]
    NonPositiveQuantity { line: usize },
    #[error("line {}: price cannot be negative", .line + 1)]
    NegativePrice { line: usize },
    /// `line` is `None` for the order discount.
    #[error("{}: a discount cannot be negative", line_label(*.line))]
    NegativeDiscount { line: Option<usize> },
    #[error("line {}: discount of {discount} is more than the line amount {gross}", .line + 1)]
    DiscountExceedsLine {
        line: usize,
        discount: Money,
        gross: Money,
    },
    #[error("order discount of {discount} is more than the subtotal {subtotal}")]
    DiscountExceedsTotal { discount: Money, subtotal: Money },
    #[error("amounts too large to price; check quantities and prices")]
    Overflow,
}

fn line_label(line: Option<usize>) -> String {
    match line {
        Some(i) => format!("line {}", i + 1),
        None => "order".to_owned(),
    }
}

impl PricingError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            PricingError::NonPositiveQuantity { .. } => "NON_POSITIVE_QUANTITY",
            PricingError::NegativePrice { .. } => "NEGATIVE_PRICE",
            PricingError::NegativeDiscount { .. } => "NEGATIVE_DISCOUNT",
            PricingError::DiscountExceedsLine { .. } => "DISCOUNT_EXCEEDS_LINE",
            PricingError::DiscountExceedsTotal { .. } => "DISCOUNT_EXCEEDS_TOTAL",
            PricingError::Overflow => "PRICING_OVERFLOW",
        }
    }
}

/// THE rounding rule: `num / den` rounded to the nearest integer, halves
/// away from zero (0.5 → 1, −0.5 → −1, 2.5 → 3), as cashiers and the tax
/// office round by hand. `den` must not be zero.
pub fn round_div(num: i128, den: i128) -> i128 {
    let q = num / den;
    let r = (num % den).unsigned_abs();
    let d = den.unsigned_abs();
    if r >= d - r {
        if (num < 0) == (den < 0) {
            q + 1
        } else {
            q - 1
        }
    } else {
        q
    }
}

fn to_money(v: i128) -> Result<Money, PricingError> {
    i64::try_from(v)
        .map(Money::from_centimes)
        .map_err(|_| PricingError::Overflow)
}

/// Basis points of `amount`, rounded; the basis of every percent discount.
fn percent_of(amount: i128, bp: u32) -> i128 {
    round_div(amount * i128::from(bp), 10_000)
}

/// Prices a basket. See the module docs for why it is shaped this way.
///
/// Steps: gross per line (kg lines: price/kg × grams / 1000, rounded);
/// line discount (percent rounded, or an amount that may not exceed the
/// line); subtotal; order discount on the subtotal, split across lines in
/// proportion to (gross − line discount) by largest remainder (ties to the
/// earlier line); per-rate HT = round(TTC × 10000 / (10000 + bp)) and
/// TVA = TTC − HT.
pub fn price(
    lines: &[PriceLine],
    order_discount: Option<&Discount>,
) -> Result<Totals, PricingError> {
    let mut after: Vec<(i128, i128, i128)> = Vec::with_capacity(lines.len()); // (gross, line discount, gross - discount)
    for (i, l) in lines.iter().enumerate() {
        if l.qty <= 0 {
            return Err(PricingError::NonPositiveQuantity { line: i });
        }
        if l.unit_price.is_negative() {
            return Err(PricingError::NegativePrice { line: i });
        }
        let raw = i128::from(l.unit_price.centimes()) * i128::from(l.qty);
        let gross = match l.unit {
            Unit::Piece => raw,
            Unit::Kg => round_div(raw, 1000),
        };
        let gross_m = to_money(gross)?;
        let disc = match l.discount {
            None => 0,
            Some(Discount::Percent(bp)) => {
                let d = percent_of(gross, bp);
                if bp > 10_000 || d > gross {
                    return Err(PricingError::DiscountExceedsLine {
                        line: i,
                        discount: to_money(d)?,
                        gross: gross_m,
                    });
                }
                d
            }
            Some(Discount::Amount(a)) => {
                if a.is_negative() {
                    return Err(PricingError::NegativeDiscount { line: Some(i) });
                }
                if a > gross_m {
                    return Err(PricingError::DiscountExceedsLine {
                        line: i,
                        discount: a,
                        gross: gross_m,
                    });
                }
                i128::from(a.centimes())
            }
        };
        after.push((gross, disc, gross - disc));
    }

    let subtotal: i128 = after.iter().map(|a| a.2).sum();
    let subtotal_m = to_money(subtotal)?;
    let od = match order_discount {
        None => 0,
        Some(Discount::Percent(bp)) => {
            let d = percent_of(subtotal, *bp);
            if *bp > 10_000 || d > subtotal {
                return Err(PricingError::DiscountExceedsTotal {
                    discount: to_money(d)?,
                    subtotal: subtotal_m,
                });
            }
            d
        }
        Some(Discount::Amount(a)) => {
            if a.is_negative() {
                return Err(PricingError::NegativeDiscount { line: None });
            }
            if *a > subtotal_m {
                return Err(PricingError::DiscountExceedsTotal {
                    discount: *a,
                    subtotal: subtotal_m,
                });
            }
            i128::from(a.centimes())
        }
    };

    let shares = allocate(od, &after.iter().map(|a| a.2).collect::<Vec<_>>());

    let mut out = Vec::with_capacity(lines.len());
    let mut by_rate: BTreeMap<Reverse<TaxRate>, i128> = BTreeMap::new();
    let mut line_disc_total = 0i128;
    for ((l, &(gross, disc, rest)), share) in lines.iter().zip(&after).zip(&shares) {
        let net = rest - share;
        line_disc_total += disc;
        *by_rate.entry(Reverse(l.tax_rate)).or_insert(0) += net;
        out.push(LineTotals {
            gross: to_money(gross)?,
            line_discount: to_money(disc)?,
            order_discount: to_money(*share)?,
            net: to_money(net)?,
        });
    }

    let taxes = by_rate
        .into_iter()
        .map(|(Reverse(rate), ttc)| {
            let base = round_div(ttc * 10_000, 10_000 + i128::from(rate.bp()));
            Ok(TaxLine {
                rate,
                base: to_money(base)?,
                tax: to_money(ttc - base)?,
                total: to_money(ttc)?,
            })
        })
        .collect::<Result<Vec<_>, PricingError>>()?;

    Ok(Totals {
        lines: out,
        subtotal: subtotal_m,
        order_discount: to_money(od)?,
        discount_total: to_money(line_disc_total + od)?,
        total: to_money(subtotal - od)?,
        taxes,
    })
}

/// Splits `amount` across `weights` proportionally with the largest
/// remainder method: floor shares first, then one centime each to the
/// largest remainders (earlier line on ties). Shares sum to `amount`
/// exactly and never exceed their weight when `amount <= Σ weights`.
fn allocate(amount: i128, weights: &[i128]) -> Vec<i128> {
    let total: i128 = weights.iter().sum();
    if amount == 0 || total == 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let p = amount * w;
        shares.push(p / total);
        remainders.push((p % total, i));
    }
    let mut left = amount - shares.iter().sum::<i128>();
    remainders.sort_by_key(|&(r, i)| (Reverse(r), i));
    for &(_, i) in &remainders {
        if left <= 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

/// The TVA breakdown of amounts already settled (a refund's prorated lines, a sale's lines as
/// the server checks them): per rate, by the same rule as `price`.
pub fn taxes_of_nets(nets: &[(TaxRate, Money)]) -> Result<Vec<TaxLine>, PricingError> {
    let lines: Vec<PriceLine> = nets
        .iter()
        .map(|&(tax_rate, net)| PriceLine {
            unit_price: net,
            qty: 1,
            unit: Unit::Piece,
            tax_rate,
            discount: None,
        })
        .collect();
    Ok(price(&lines, None)?.taxes)
}

#[cfg(test)]
#[path = "pricing_tests.rs"]
mod tests;
