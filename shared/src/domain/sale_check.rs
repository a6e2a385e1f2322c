//! What makes a sale or refund record whole: every amount follows from its lines by the one
//! pricing rule. The till checks each one it builds before writing it and the server each one
//! pushed to it, so a till can never record what the server would refuse.

use thiserror::Error;

use super::Sale;
use crate::money::Money;
use crate::pricing::{taxes_of_nets, PricingError};

/// Records dated outside these years are refused: the server's months' partitions would be junk.
const FIRST_MS: i64 = 946_684_800_000; // 2000-01-01
const END_MS: i64 = 4_102_444_800_000; // 2100-01-01

/// A record dated outside the years 2000 to 2099.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("dated {ms} ms since 1970, outside the years 2000 to 2099: check the till's clock")]
pub struct DateOutOfRange {
    pub ms: i64,
}

impl DateOutOfRange {
    pub fn code(&self) -> &'static str {
        "DATE_OUT_OF_RANGE"
    }
}

/// Checks that a record's time (ms since 1970) lies in the years 2000 to 2099.
pub fn check_time(ms: i64) -> Result<(), DateOutOfRange> {
    if (FIRST_MS..END_MS).contains(&ms) {
        Ok(())
    } else {
        Err(DateOutOfRange { ms })
    }
}

/// Why a sale record does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaleError {
    #[error(transparent)]
    Date(#[from] DateOutOfRange),
    #[error("a sale without lines")]
    NoLines,
    #[error("line {line_no} has quantity {qty} and net {net}")]
    BadLine { line_no: u32, qty: i64, net: Money },
    #[error("line numbers must be distinct")]
    LineNumbers,
    #[error("a text of the sale holds a NUL character")]
    Nul,
    #[error("the lines add up past what an amount can hold")]
    LinesOverflow,
    #[error("lines add up to {nets}, the sale says {total}")]
    Total { nets: Money, total: Money },
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error("the TVA breakdown does not follow from the lines")]
    Taxes,
    #[error("the payments add up past what an amount can hold")]
    PaymentsOverflow,
    #[error("payments of {paid} for a total of {total}")]
    Paid { paid: Money, total: Money },
}

impl SaleError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            SaleError::Date(e) => e.code(),
            SaleError::NoLines => "SALE_WITHOUT_LINES",
            SaleError::BadLine { .. } => "BAD_SALE_LINE",
            SaleError::LineNumbers => "DUPLICATE_LINE_NUMBER",
            SaleError::Nul => "NUL_CHARACTER",
            SaleError::LinesOverflow | SaleError::PaymentsOverflow => "AMOUNT_OVERFLOW",
            SaleError::Total { .. } => "TOTAL_MISMATCH",
            SaleError::Pricing(e) => e.code(),
            SaleError::Taxes => "TAX_MISMATCH",
            SaleError::Paid { .. } => "PAYMENT_MISMATCH",
        }
    }
}

/// Checks a sale against itself: every amount must follow from its lines by the one pricing
/// rule. A till never records anything else; a tampered or broken record is refused.
pub fn check_sale(sale: &Sale) -> Result<(), SaleError> {
    check_time(sale.created_at_ms)?;
    check_time(sale.hlc.wall_ms)?;
    if sale.lines.is_empty() {
        return Err(SaleError::NoLines);
    }
    if let Some(l) = sale
        .lines
        .iter()
        .find(|l| l.qty <= 0 || l.net.is_negative())
    {
        return Err(SaleError::BadLine {
            line_no: l.line_no,
            qty: l.qty,
            net: l.net,
        });
    }
    let mut numbers: Vec<u32> = sale.lines.iter().map(|l| l.line_no).collect();
    numbers.sort_unstable();
    if numbers.windows(2).any(|w| w[0] == w[1]) || numbers.iter().any(|n| *n > i32::MAX as u32) {
        return Err(SaleError::LineNumbers);
    }
    let texts = sale.lines.iter().flat_map(|l| [&l.sku, &l.name]);
    let refs = sale.payments.iter().filter_map(|p| p.reference.as_ref());
    if texts.chain(refs).any(|t| t.contains('\0')) {
        return Err(SaleError::Nul);
    }
    let nets = sum(sale.lines.iter().map(|l| l.net)).ok_or(SaleError::LinesOverflow)?;
    if nets != sale.total {
        return Err(SaleError::Total {
            nets,
            total: sale.total,
        });
    }
    let nets: Vec<_> = sale.lines.iter().map(|l| (l.tax_rate, l.net)).collect();
    if taxes_of_nets(&nets)? != sale.taxes {
        return Err(SaleError::Taxes);
    }
    let paid = sum(sale.payments.iter().map(|p| p.amount)).ok_or(SaleError::PaymentsOverflow)?;
    if paid != sale.total {
        return Err(SaleError::Paid {
            paid,
            total: sale.total,
        });
    }
    Ok(())
}

/// The sum, or none past what an amount can hold.
fn sum(amounts: impl Iterator<Item = Money>) -> Option<Money> {
    amounts
        .into_iter()
        .try_fold(Money::ZERO, Money::checked_add)
}

#[cfg(test)]
#[path = "sale_check_tests.rs"]
mod tests;
