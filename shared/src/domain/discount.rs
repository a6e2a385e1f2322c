//! Line and order discounts as typed at the till.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decimal::{parse_fixed, DecimalError};
use crate::money::{Money, MoneyError};

/// A discount on a line or on the whole order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// Basis points of the amount (1000 = 10 %).
    Percent(u32),
    /// A fixed amount off, TTC.
    Amount(Money),
}

/// Why a typed discount was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiscountError {
    /// Nothing was typed.
    #[error("no discount entered")]
    Empty,
    /// Not a percentage we can read.
    #[error("\"{input}\" is not a discount; type e.g. 10 %, 12,5 % or 50,00")]
    Invalid { input: String },
    /// Percentages go to 0,01 %.
    #[error("\"{input}\" has more than 2 decimals; percentages go to 0,01 %")]
    TooPrecise { input: String },
    /// More than the whole amount.
    #[error("a discount of {bp} basis points is over 100 %")]
    OverHundredPercent { bp: u32 },
    /// A discount cannot add to the price.
    #[error("a discount cannot be negative")]
    Negative,
    /// The amount itself is unreadable.
    #[error("invalid discount amount: {0}")]
    Amount(#[source] MoneyError),
}

impl DiscountError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            DiscountError::Empty => "EMPTY_DISCOUNT",
            DiscountError::Invalid { .. } => "INVALID_DISCOUNT",
            DiscountError::TooPrecise { .. } => "DISCOUNT_TOO_PRECISE",
            DiscountError::OverHundredPercent { .. } => "DISCOUNT_OVER_100_PERCENT",
            DiscountError::Negative => "NEGATIVE_DISCOUNT",
            DiscountError::Amount(e) => e.code(),
        }
    }
}

impl Discount {
    /// Parses "10%", "10 %", "12,5%" (percent) or "50", "50,00", "50 DA"
    /// (amount in dinars).
    pub fn parse(s: &str) -> Result<Discount, DiscountError> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(DiscountError::Empty);
        }
        let discount = if let Some(body) = trimmed.strip_suffix('%') {
            let input = || trimmed.to_owned();
            let bp = parse_fixed(body, 2, true).map_err(|e| match e {
                DecimalError::TooManyDecimals => DiscountError::TooPrecise { input: input() },
                DecimalError::Overflow => DiscountError::OverHundredPercent { bp: u32::MAX },
                DecimalError::Empty | DecimalError::Invalid => {
                    DiscountError::Invalid { input: input() }
                }
            })?;
            if bp < 0 {
                return Err(DiscountError::Negative);
            }
            Discount::Percent(u32::try_from(bp).unwrap_or(u32::MAX))
        } else {
            Discount::Amount(Money::parse(trimmed).map_err(DiscountError::Amount)?)
        };
        discount.validate()?;
        Ok(discount)
    }

    /// Checks a discount built in code or read from storage: percent at
    /// most 100 %, amount not negative.
    pub fn validate(&self) -> Result<(), DiscountError> {
        match *self {
            Discount::Percent(bp) if bp > 10_000 => Err(DiscountError::OverHundredPercent { bp }),
            Discount::Amount(a) if a.is_negative() => Err(DiscountError::Negative),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Discount {
    /// "10 %", "12,5 %" or "50,00 DA", as typed back into [`Discount::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match *self {
            Discount::Percent(bp) => {
                let (whole, frac) = (bp / 100, bp % 100);
                if frac == 0 {
                    format!("{whole} %")
                } else if frac.is_multiple_of(10) {
                    format!("{whole},{} %", frac / 10)
                } else {
                    format!("{whole},{frac:02} %")
                }
            }
            Discount::Amount(m) => m.to_string(),
        };
        f.pad(&text)
    }
}

impl FromStr for Discount {
    type Err = DiscountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Discount::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percent_and_amount() {
        assert_eq!(Discount::parse("10%"), Ok(Discount::Percent(1000)));
        assert_eq!(Discount::parse(" 10 % "), Ok(Discount::Percent(1000)));
        assert_eq!(Discount::parse("12,5%"), Ok(Discount::Percent(1250)));
        assert_eq!(Discount::parse("100%"), Ok(Discount::Percent(10_000)));
        assert_eq!(Discount::parse("0%"), Ok(Discount::Percent(0)));
        assert_eq!(
            Discount::parse("50"),
            Ok(Discount::Amount(Money::from_dinars(50)))
        );
        assert_eq!(
            Discount::parse("50,00"),
            Ok(Discount::Amount(Money::from_dinars(50)))
        );
        assert_eq!(
            Discount::parse("1 250,5 DA"),
            Ok(Discount::Amount(Money::from_centimes(125_050)))
        );
    }

    #[test]
    fn refuses_bad_discounts() {
        let code = |s: &str| Discount::parse(s).map_err(|e| e.code());
        assert_eq!(code(""), Err("EMPTY_DISCOUNT"));
        assert_eq!(code("%"), Err("INVALID_DISCOUNT"));
        assert_eq!(code("abc%"), Err("INVALID_DISCOUNT"));
        assert_eq!(code("101%"), Err("DISCOUNT_OVER_100_PERCENT"));
        assert_eq!(code("-5%"), Err("NEGATIVE_DISCOUNT"));
        assert_eq!(code("-5"), Err("NEGATIVE_DISCOUNT"));
        assert_eq!(code("12,345%"), Err("DISCOUNT_TOO_PRECISE"));
        assert_eq!(code("abc"), Err("INVALID_AMOUNT"));
        assert_eq!(code("1,234"), Err("TOO_MANY_DECIMALS"));
        assert_eq!(
            Discount::Percent(10_001).validate().map_err(|e| e.code()),
            Err("DISCOUNT_OVER_100_PERCENT")
        );
    }

    #[test]
    fn display_round_trips() {
        for d in [
            Discount::Percent(1000),
            Discount::Percent(1250),
            Discount::Percent(5),
            Discount::Amount(Money::from_centimes(123_456)),
        ] {
            assert_eq!(Discount::parse(&d.to_string()), Ok(d), "{d}");
        }
        assert_eq!(Discount::Percent(1250).to_string(), "12,5 %");
    }

    #[test]
    fn serde_shape() {
        assert_eq!(
            serde_json::to_string(&Discount::Percent(1000)).unwrap(),
            r#"{"percent":1000}"#
        );
        assert_eq!(
            serde_json::to_string(&Discount::Amount(Money::from_dinars(5))).unwrap(),
            r#"{"amount":500}"#
        );
    }
}
