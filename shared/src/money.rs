//! Amounts of Algerian dinars held as integer centimes.
//!
//! Integers, never floats, so totals add up to the centime on every device
//! and the receipt, the drawer and the tax report always agree.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decimal::{parse_fixed, DecimalError};

/// An amount in centimes of DZD (100 centimes = 1 DA). May be negative
/// (refunds, cash out); prices themselves are checked where they are used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// Nothing was typed.
    #[error("no amount entered")]
    Empty,
    /// Not a number we can read.
    #[error("\"{input}\" is not an amount; type e.g. 1250 or 1 250,50")]
    Invalid { input: String },
    /// More precision than a centime.
    #[error("\"{input}\" has more than 2 decimals; amounts are to the centime")]
    TooManyDecimals { input: String },
    /// Larger than the till can hold.
    #[error("\"{input}\" is too large an amount")]
    Overflow { input: String },
}

impl MoneyError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Empty => "EMPTY_AMOUNT",
            MoneyError::Invalid { .. } => "INVALID_AMOUNT",
            MoneyError::TooManyDecimals { .. } => "TOO_MANY_DECIMALS",
            MoneyError::Overflow { .. } => "AMOUNT_OVERFLOW",
        }
    }
}

impl Money {
    /// Zero dinars.
    pub const ZERO: Money = Money(0);

    /// Builds from centimes (the storage unit).
    pub const fn from_centimes(c: i64) -> Money {
        Money(c)
    }

    /// The amount in centimes.
    pub const fn centimes(self) -> i64 {
        self.0
    }

    /// Builds from whole dinars; convenient in tests and fixtures.
    pub const fn from_dinars(d: i64) -> Money {
        Money(d * 100)
    }

    /// Parses what a cashier or a CSV file types: "1250", "1 250,50",
    /// "1250.5", "-3,00", with an optional "DA"/"DZD" suffix.
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let trimmed = s.trim();
        let body = strip_currency(trimmed).trim_end();
        if body.is_empty() {
            return Err(if trimmed.is_empty() {
                MoneyError::Empty
            } else {
                MoneyError::Invalid {
                    input: trimmed.to_owned(),
                }
            });
        }
        let input = || trimmed.to_owned();
        parse_fixed(body, 2, true).map(Money).map_err(|e| match e {
            DecimalError::Empty => MoneyError::Empty,
            DecimalError::Invalid => MoneyError::Invalid { input: input() },
            DecimalError::TooManyDecimals => MoneyError::TooManyDecimals { input: input() },
            DecimalError::Overflow => MoneyError::Overflow { input: input() },
        })
    }

    /// French format without the currency: `1 234,50`, `-12,00`.
    pub fn format_plain(self) -> String {
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut out = String::with_capacity(whole.len() + whole.len() / 3 + 4);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push(' ');
            }
            out.push(c);
        }
        out.push(',');
        out.push_str(&format!("{:02}", abs % 100));
        out
    }

    /// `None` instead of a panic or a wrap on overflow.
    pub fn checked_add(self, rhs: Money) -> Option<Money> {
        self.0.checked_add(rhs.0).map(Money)
    }

    /// `None` instead of a panic or a wrap on overflow.
    pub fn checked_sub(self, rhs: Money) -> Option<Money> {
        self.0.checked_sub(rhs.0).map(Money)
    }

    /// Multiplies by a count (e.g. pieces); `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<Money> {
        self.0.checked_mul(factor).map(Money)
    }

    /// True below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// True at exactly zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Absolute value.
    pub const fn abs(self) -> Money {
        Money(self.0.abs())
    }
}

/// Removes a trailing "DA" or "DZD" (any case) so pasted receipts parse.
fn strip_currency(s: &str) -> &str {
    for suffix in ["DZD", "DA"] {
        if s.len() >= suffix.len() {
            let split = s.len() - suffix.len();
            if s.is_char_boundary(split) && s[split..].eq_ignore_ascii_case(suffix) {
                return &s[..split];
            }
        }
    }
    s
}

impl fmt::Display for Money {
    /// `1 234,50 DA`; honours width/alignment so receipts can pad columns.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{} DA", self.format_plain()))
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: i64) -> Money {
        Money::from_centimes(c)
    }

    #[test]
    fn parses_typed_amounts() {
        assert_eq!(Money::parse("1250"), Ok(m(125_000)));
        assert_eq!(Money::parse("1250,50"), Ok(m(125_050)));
        assert_eq!(Money::parse("1250.5"), Ok(m(125_050)));
        assert_eq!(Money::parse("1 250,50"), Ok(m(125_050)));
        assert_eq!(Money::parse("1\u{a0}250,50"), Ok(m(125_050)));
        assert_eq!(Money::parse("-3,00"), Ok(m(-300)));
        assert_eq!(Money::parse("12 DA"), Ok(m(1200)));
        assert_eq!(Money::parse("12DA"), Ok(m(1200)));
        assert_eq!(Money::parse("12,5 DZD"), Ok(m(1250)));
        assert_eq!(Money::parse("  7 da "), Ok(m(700)));
        assert_eq!(Money::parse("0,05"), Ok(m(5)));
    }

    #[test]
    fn refuses_bad_amounts() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(
            Money::parse("   ").map_err(|e| e.code()),
            Err("EMPTY_AMOUNT")
        );
        for bad in ["abc", "DA", "12 DA DA", "1,2,3", "1e5", "--3", "12 €"] {
            assert_eq!(
                Money::parse(bad).map_err(|e| e.code()),
                Err("INVALID_AMOUNT"),
                "{bad}"
            );
        }
        assert_eq!(
            Money::parse("1,234").map_err(|e| e.code()),
            Err("TOO_MANY_DECIMALS")
        );
        assert_eq!(
            Money::parse("92233720368547758,08").map_err(|e| e.code()),
            Err("AMOUNT_OVERFLOW")
        );
        assert_eq!(
            Money::parse("92233720368547758,07"),
            Ok(m(i64::MAX)),
            "largest amount still fits"
        );
    }

    #[test]
    fn displays_in_french_format() {
        assert_eq!(m(123_450).to_string(), "1 234,50 DA");
        assert_eq!(m(5).to_string(), "0,05 DA");
        assert_eq!(m(-1200).to_string(), "-12,00 DA");
        assert_eq!(m(0).to_string(), "0,00 DA");
        assert_eq!(m(100_000_000).format_plain(), "1 000 000,00");
        assert_eq!(m(99_999).format_plain(), "999,99");
        assert_eq!(m(i64::MIN).format_plain(), "-92 233 720 368 547 758,08");
        assert_eq!(format!("{:>12}", m(500)), "     5,00 DA");
    }

    #[test]
    fn display_round_trips_through_parse() {
        for c in [0, 5, -5, 99, 100, 123_456_789, -987_654_321, i64::MAX] {
            assert_eq!(Money::parse(&m(c).to_string()), Ok(m(c)));
        }
    }

    #[test]
    fn arithmetic() {
        let a = m(1000);
        let b = m(250);
        assert_eq!(a + b, m(1250));
        assert_eq!(a - b, m(750));
        assert_eq!(-a, m(-1000));
        let mut c = a;
        c += b;
        c -= m(50);
        assert_eq!(c, m(1200));
        assert_eq!([a, b].iter().sum::<Money>(), m(1250));
        assert_eq!(vec![a, b].into_iter().sum::<Money>(), m(1250));
        assert_eq!(m(i64::MAX).checked_add(m(1)), None);
        assert_eq!(m(i64::MIN).checked_sub(m(1)), None);
        assert_eq!(m(300).checked_mul(3), Some(m(900)));
        assert_eq!(m(i64::MAX).checked_mul(2), None);
        assert!(m(-1).is_negative() && !m(0).is_negative());
        assert!(Money::ZERO.is_zero() && Money::default().is_zero());
        assert_eq!(m(-42).abs(), m(42));
        assert_eq!(Money::from_dinars(12), m(1200));
        assert_eq!(Money::from_dinars(12).centimes(), 1200);
    }

    #[test]
    fn serialises_as_centimes() {
        assert_eq!(serde_json::to_string(&m(1250)).unwrap(), "1250");
        assert_eq!(serde_json::from_str::<Money>("-7").unwrap(), m(-7));
    }
}
