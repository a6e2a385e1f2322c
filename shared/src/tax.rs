//! TVA rates as integer basis points (1900 = 19 %).
//!
//! Basis points keep tax maths in integers; Algeria uses 19 %, 9 % and 0 %,
//! but any rate up to 100 % with two decimals can be represented.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decimal::{parse_fixed, DecimalError};

/// A tax rate in basis points (1/100 of a percent), always within 0..=10000.
///
/// Serialised as the bare number of basis points; deserialising re-checks
/// the range so a corrupt record cannot carry a 250 % rate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u16", into = "u16")]
pub struct TaxRate(u16);

/// Why a tax rate was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TaxError {
    /// Nothing was typed.
    #[error("no tax rate entered")]
    Empty,
    /// Not a percentage we can read.
    #[error("\"{input}\" is not a tax rate; type e.g. 19, 9 % or 0")]
    Invalid { input: String },
    /// Finer than 0.01 %.
    #[error("\"{input}\" has more than 2 decimals; tax rates go to 0,01 %")]
    TooPrecise { input: String },
    /// Above 100 % (or negative).
    #[error("tax rate of {bp} basis points is outside 0 % to 100 %")]
    OutOfRange { bp: i64 },
}

impl TaxError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            TaxError::Empty => "EMPTY_TAX_RATE",
            TaxError::Invalid { .. } => "INVALID_TAX_RATE",
            TaxError::TooPrecise { .. } => "TAX_RATE_TOO_PRECISE",
            TaxError::OutOfRange { .. } => "TAX_RATE_OUT_OF_RANGE",
        }
    }
}

impl TaxRate {
    /// Standard Algerian TVA, 19 %.
    pub const STANDARD: TaxRate = TaxRate(1900);
    /// Reduced Algerian TVA, 9 %.
    pub const REDUCED: TaxRate = TaxRate(900);
    /// Exempt goods.
    pub const ZERO: TaxRate = TaxRate(0);

    /// Builds from basis points, refusing anything above 100 %.
    pub fn from_bp(bp: u32) -> Result<TaxRate, TaxError> {
        match u16::try_from(bp) {
            Ok(v) if v <= 10_000 => Ok(TaxRate(v)),
            _ => Err(TaxError::OutOfRange { bp: i64::from(bp) }),
        }
    }

    /// The rate in basis points.
    pub fn bp(self) -> u16 {
        self.0
    }

    /// Parses "19", "19%", "9 %", "0", "19.0" or "5,5 %".
    pub fn parse_percent(s: &str) -> Result<TaxRate, TaxError> {
        let trimmed = s.trim();
        let body = trimmed.strip_suffix('%').unwrap_or(trimmed).trim_end();
        if body.is_empty() {
            return Err(if trimmed.is_empty() {
                TaxError::Empty
            } else {
                TaxError::Invalid {
                    input: trimmed.to_owned(),
                }
            });
        }
        let input = || trimmed.to_owned();
        let bp = parse_fixed(body, 2, true).map_err(|e| match e {
            DecimalError::Empty => TaxError::Empty,
            DecimalError::TooManyDecimals => TaxError::TooPrecise { input: input() },
            DecimalError::Invalid => TaxError::Invalid { input: input() },
            DecimalError::Overflow => TaxError::OutOfRange { bp: i64::MAX },
        })?;
        u32::try_from(bp)
            .map_err(|_| TaxError::OutOfRange { bp })
            .and_then(TaxRate::from_bp)
    }
}

impl fmt::Display for TaxRate {
    /// French style: "19 %", "5,5 %", "2,25 %".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        let text = if frac == 0 {
            format!("{whole} %")
        } else if frac.is_multiple_of(10) {
            format!("{whole},{} %", frac / 10)
        } else {
            format!("{whole},{frac:02} %")
        };
        f.pad(&text)
    }
}

impl FromStr for TaxRate {
    type Err = TaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaxRate::parse_percent(s)
    }
}

impl TryFrom<u16> for TaxRate {
    type Error = TaxError;
    fn try_from(bp: u16) -> Result<Self, Self::Error> {
        TaxRate::from_bp(u32::from(bp))
    }
}

impl From<TaxRate> for u16 {
    fn from(rate: TaxRate) -> u16 {
        rate.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percentages() {
        assert_eq!(TaxRate::parse_percent("19"), Ok(TaxRate::STANDARD));
        assert_eq!(TaxRate::parse_percent("19%"), Ok(TaxRate::STANDARD));
        assert_eq!(TaxRate::parse_percent("9 %"), Ok(TaxRate::REDUCED));
        assert_eq!(TaxRate::parse_percent("0"), Ok(TaxRate::ZERO));
        assert_eq!(TaxRate::parse_percent("19.0"), Ok(TaxRate::STANDARD));
        assert_eq!(TaxRate::parse_percent(" 5,5 % ").map(TaxRate::bp), Ok(550));
        assert_eq!(TaxRate::parse_percent("100").map(TaxRate::bp), Ok(10_000));
    }

    #[test]
    fn refuses_bad_rates() {
        let code = |s: &str| TaxRate::parse_percent(s).map_err(|e| e.code());
        assert_eq!(code(""), Err("EMPTY_TAX_RATE"));
        assert_eq!(code("%"), Err("INVALID_TAX_RATE"));
        assert_eq!(code("abc"), Err("INVALID_TAX_RATE"));
        assert_eq!(code("19.123"), Err("TAX_RATE_TOO_PRECISE"));
        assert_eq!(code("101"), Err("TAX_RATE_OUT_OF_RANGE"));
        assert_eq!(code("-1"), Err("TAX_RATE_OUT_OF_RANGE"));
        assert_eq!(
            TaxRate::from_bp(10_001).map_err(|e| e.code()),
            Err("TAX_RATE_OUT_OF_RANGE")
        );
        assert_eq!(
            TaxRate::from_bp(70_000).map_err(|e| e.code()),
            Err("TAX_RATE_OUT_OF_RANGE")
        );
    }

    #[test]
    fn displays_french_style() {
        assert_eq!(TaxRate::STANDARD.to_string(), "19 %");
        assert_eq!(TaxRate::REDUCED.to_string(), "9 %");
        assert_eq!(TaxRate::ZERO.to_string(), "0 %");
        assert_eq!(TaxRate(550).to_string(), "5,5 %");
        assert_eq!(TaxRate(225).to_string(), "2,25 %");
        assert_eq!(TaxRate(5).to_string(), "0,05 %");
    }

    #[test]
    fn serde_is_basis_points_and_validates() {
        assert_eq!(serde_json::to_string(&TaxRate::STANDARD).unwrap(), "1900");
        assert_eq!(
            serde_json::from_str::<TaxRate>("900").unwrap(),
            TaxRate::REDUCED
        );
        assert!(serde_json::from_str::<TaxRate>("25000").is_err());
    }

    #[test]
    fn orders_by_rate() {
        assert!(TaxRate::ZERO < TaxRate::REDUCED && TaxRate::REDUCED < TaxRate::STANDARD);
    }
}
