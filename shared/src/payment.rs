//! Tenders and how they pay what is due: the one allocation rule of sales and refunds alike
//! (card parts exactly, cash last with the change).

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::{Payment, Tender};
use crate::money::{Money, MoneyError};

/// A tender as the cashier gives it: `cash` (exact), `cash:500` (handed over), `card:300`,
/// `card:300:REF` (reference from the card terminal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderInput {
    pub tender: Tender,
    /// Handed over; none: exactly what is still due.
    pub amount: Option<Money>,
    pub reference: Option<String>,
}

/// Why tenders could not be read or do not pay what is due.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaymentError {
    #[error("unknown payment method {0:?}: use cash or card")]
    UnknownMethod(String),
    #[error("invalid amount {input:?}: {reason}")]
    Amount { input: String, reason: MoneyError },
    #[error("the sale is already paid: remove the extra payment")]
    AlreadyPaid,
    #[error("invalid amount \"{amount}\": a payment must be more than zero")]
    NotPositive { amount: Money },
    #[error("payment short: {due} due, {paid} paid; {missing} still to pay")]
    Short {
        due: Money,
        paid: Money,
        missing: Money,
    },
    #[error("card payment of {amount} is more than the {due} still due")]
    CardOverpay { amount: Money, due: Money },
}

impl PaymentError {
    /// Stable machine-readable code (the till's codes for the same refusals).
    pub fn code(&self) -> &'static str {
        match self {
            PaymentError::UnknownMethod(_) => "UNKNOWN_TENDER",
            PaymentError::Amount { .. } | PaymentError::NotPositive { .. } => "INVALID_AMOUNT",
            PaymentError::AlreadyPaid => "ALREADY_PAID",
            PaymentError::Short { .. } => "PAYMENT_SHORT",
            PaymentError::CardOverpay { .. } => "CARD_OVERPAY",
        }
    }
}

impl TenderInput {
    /// The one reading of a tender as typed, wherever it is typed (the window's tender screen,
    /// `pos sell --pay`, the terminal till): the method, the amount handed over in DA (none:
    /// exactly what is due) and the card terminal's reference.
    pub fn new(
        method: &str,
        amount: Option<&str>,
        reference: Option<&str>,
    ) -> Result<TenderInput, PaymentError> {
        let method = method.trim();
        let tender =
            Tender::parse(method).map_err(|_| PaymentError::UnknownMethod(method.to_owned()))?;
        let amount = match amount.map(str::trim) {
            None | Some("") => None,
            Some(a) => Some(Money::parse(a).map_err(|reason| PaymentError::Amount {
                input: a.to_owned(),
                reason,
            })?),
        };
        let reference = reference
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        Ok(TenderInput {
            tender,
            amount,
            reference,
        })
    }
}

impl FromStr for TenderInput {
    type Err = PaymentError;

    /// `cash`, `cash:500`, `card:300`, `card:300:REF`.
    fn from_str(s: &str) -> Result<TenderInput, PaymentError> {
        let mut parts = s.splitn(3, ':');
        let method = parts.next().unwrap_or_default();
        TenderInput::new(method, parts.next(), parts.next())
    }
}

/// Spreads what was handed over across the amount due: card parts exactly, cash last with the
/// change. Returns the payments and the change.
pub fn allocate(
    due: Money,
    tenders: &[TenderInput],
) -> Result<(Vec<Payment>, Money), PaymentError> {
    let mut remaining = due;
    let mut change = Money::ZERO;
    let mut payments = Vec::with_capacity(tenders.len());
    for t in tenders {
        if remaining.is_zero() && !due.is_zero() {
            return Err(PaymentError::AlreadyPaid);
        }
        let handed = t.amount.unwrap_or(remaining);
        if handed.is_negative() || (handed.is_zero() && !remaining.is_zero()) {
            return Err(PaymentError::NotPositive { amount: handed });
        }
        let applied = match t.tender {
            Tender::Card if handed > remaining => {
                return Err(PaymentError::CardOverpay {
                    amount: handed,
                    due: remaining,
                })
            }
            Tender::Card => handed,
            Tender::Cash => handed.min(remaining),
        };
        change += handed - applied;
        remaining -= applied;
        payments.push(Payment {
            tender: t.tender,
            amount: applied,
            tendered: handed,
            reference: t.reference.clone(),
        });
    }
    if remaining > Money::ZERO {
        return Err(PaymentError::Short {
            due,
            paid: due - remaining,
            missing: remaining,
        });
    }
    Ok((payments, change))
}

#[cfg(test)]
#[path = "payment_tests.rs"]
mod tests;
