//! Labels printed by in-store scales (restricted-circulation EAN-13).
//!
//! The scale encodes an item code (PLU) and either the weight or the price
//! in the barcode; the layout varies by scale brand, hence a configurable
//! scheme rather than hard-coded offsets.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::gtin::{check_digit, Gtin, GtinKind};
use crate::money::Money;

/// What the value digits of a label mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeighedValue {
    /// Net weight in grams (the till prices it from the product's price/kg).
    #[default]
    Grams,
    /// Price already computed by the scale, in centimes (up to 999,99 DA on 5 digits).
    PriceCentimes,
    /// Price already computed by the scale, in whole dinars (up to 99 999 DA on 5 digits).
    PriceDinars,
}

/// Layout of scale labels: `PP IIIII VVVVV C` by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeighedScheme {
    /// Two-digit EAN-13 prefixes that mark a scale label (default 20..=29).
    pub prefixes: Vec<u8>,
    /// Digits of the item code after the prefix (4..=6, default 5).
    pub item_digits: u8,
    /// Meaning of the remaining `10 - item_digits` digits.
    pub value: WeighedValue,
}

/// Why a scale-label configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WeighedError {
    /// Nothing would ever match.
    #[error("weighed-label scheme has no prefixes; add e.g. 20 to 29")]
    NoPrefixes,
    /// Only restricted-circulation prefixes may be used, or real products
    /// would be read as scale labels and mispriced.
    #[error(
        "weighed-label prefix {prefix:02} is not a GS1 in-store prefix; use 02, 04 or 20 to 29"
    )]
    BadPrefix { prefix: u8 },
    /// The item code must leave room for the value.
    #[error("weighed-label item code length {digits} must be between 4 and 6")]
    BadItemDigits { digits: u8 },
}

impl WeighedError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            WeighedError::NoPrefixes => "NO_WEIGHED_PREFIXES",
            WeighedError::BadPrefix { .. } => "BAD_WEIGHED_PREFIX",
            WeighedError::BadItemDigits { .. } => "BAD_WEIGHED_ITEM_DIGITS",
        }
    }
}

/// What a scale label says. Exactly one of `grams`/`price` is set,
/// according to the scheme; zero is reported as is for the caller to refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeighedCode {
    /// The item code digits as printed, leading zeros kept (e.g. "00123").
    pub item_code: String,
    pub grams: Option<i64>,
    pub price: Option<Money>,
}

impl WeighedCode {
    /// Compares with a product's PLU ignoring leading zeros, since
    /// back-office files often store "123" for label digits "00123".
    pub fn plu_matches(&self, plu: &str) -> bool {
        let plu = plu.trim();
        !plu.is_empty()
            && plu.bytes().all(|b| b.is_ascii_digit())
            && self.item_code.trim_start_matches('0') == plu.trim_start_matches('0')
    }
}

impl Default for WeighedScheme {
    fn default() -> Self {
        WeighedScheme {
            prefixes: (20..=29).collect(),
            item_digits: 5,
            value: WeighedValue::Grams,
        }
    }
}

impl WeighedScheme {
    /// Checks the configuration before it is saved or used.
    pub fn validate(&self) -> Result<(), WeighedError> {
        if self.prefixes.is_empty() {
            return Err(WeighedError::NoPrefixes);
        }
        if let Some(&prefix) = self
            .prefixes
            .iter()
            .find(|&&p| !matches!(p, 2 | 4 | 20..=29))
        {
            return Err(WeighedError::BadPrefix { prefix });
        }
        if !(4..=6).contains(&self.item_digits) {
            return Err(WeighedError::BadItemDigits {
                digits: self.item_digits,
            });
        }
        Ok(())
    }

    /// Reads a scanned code as a scale label, or `None` if it is not one
    /// under this scheme (including when the scheme itself is invalid).
    ///
    /// UPC-A kinds are accepted too: an EAN-13 starting with 0 is a UPC-A.
    pub fn parse(&self, gtin: &Gtin) -> Option<WeighedCode> {
        if self.validate().is_err() || !matches!(gtin.kind(), GtinKind::Ean13 | GtinKind::UpcA) {
            return None;
        }
        let ean13 = gtin.as_ean13()?;
        let prefix: u8 = ean13.get(0..2)?.parse().ok()?;
        if !self.prefixes.contains(&prefix) {
            return None;
        }
        let split = 2 + usize::from(self.item_digits);
        let item_code = ean13.get(2..split)?.to_owned();
        let value: i64 = ean13.get(split..12)?.parse().ok()?;
        let (grams, price) = match self.value {
            WeighedValue::Grams => (Some(value), None),
            WeighedValue::PriceCentimes => (None, Some(Money::from_centimes(value))),
            WeighedValue::PriceDinars => (None, Some(Money::from_dinars(value))),
        };
        Some(WeighedCode {
            item_code,
            grams,
            price,
        })
    }

    /// Builds the 13-digit label a scale would print (tests, fixtures).
    ///
    /// A shorter numeric `item_code` is left-padded with zeros. `None` if the
    /// prefix is not in the scheme or the code/value do not fit.
    pub fn encode(&self, prefix: u8, item_code: &str, value: i64) -> Option<String> {
        self.validate().ok()?;
        if !self.prefixes.contains(&prefix) {
            return None;
        }
        let width = usize::from(self.item_digits);
        let value_width = 10 - width;
        if item_code.is_empty()
            || item_code.len() > width
            || !item_code.bytes().all(|b| b.is_ascii_digit())
            || value < 0
            || value >= 10i64.pow(u32::try_from(value_width).ok()?)
        {
            return None;
        }
        let body = format!("{prefix:02}{item_code:0>width$}{value:0>value_width$}");
        let cd = check_digit(&body)?;
        Some(format!("{body}{cd}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(code: &str) -> Gtin {
        Gtin::parse(code).unwrap()
    }

    #[test]
    fn default_layout_reads_grams() {
        let scheme = WeighedScheme::default();
        // 21 | 00123 | 01250 | check
        let code = scheme.encode(21, "123", 1250).unwrap();
        assert_eq!(&code[..12], "210012301250");
        assert_eq!(code.len(), 13);
        let w = scheme.parse(&scan(&code)).unwrap();
        assert_eq!(
            w,
            WeighedCode {
                item_code: "00123".into(),
                grams: Some(1250),
                price: None
            }
        );
        assert!(w.plu_matches("123") && w.plu_matches("00123"));
        assert!(!w.plu_matches("1230") && !w.plu_matches(""));
    }

    #[test]
    fn price_layout_with_four_digit_items() {
        let scheme = WeighedScheme {
            prefixes: vec![22],
            item_digits: 4,
            value: WeighedValue::PriceCentimes,
        };
        let code = scheme.encode(22, "4567", 60_000).unwrap();
        assert_eq!(&code[..12], "224567060000");
        let w = scheme.parse(&scan(&code)).unwrap();
        assert_eq!(w.item_code, "4567");
        assert_eq!(w.price, Some(Money::from_dinars(600)));
        assert_eq!(w.grams, None);
        assert_eq!(scheme.encode(22, "4567", 1_000_000), None, "7 digits");
    }

    #[test]
    fn zero_weight_is_reported_not_hidden() {
        let scheme = WeighedScheme::default();
        let code = scheme.encode(20, "00042", 0).unwrap();
        assert_eq!(scheme.parse(&scan(&code)).unwrap().grams, Some(0));
    }

    #[test]
    fn ignores_ordinary_products() {
        let scheme = WeighedScheme::default();
        assert_eq!(scheme.parse(&scan("6130021000124")), None);
        assert_eq!(scheme.parse(&scan("96385074")), None);
        assert_eq!(scheme.parse(&scan("036000291452")), None);
        let only_28 = WeighedScheme {
            prefixes: vec![28],
            ..WeighedScheme::default()
        };
        let code = WeighedScheme::default().encode(21, "1", 5).unwrap();
        assert_eq!(only_28.parse(&scan(&code)), None);
        assert_eq!(only_28.encode(21, "1", 5), None);
    }

    #[test]
    fn prefix_02_labels_parse_even_though_they_look_like_upc_a() {
        let scheme = WeighedScheme {
            prefixes: vec![2],
            ..WeighedScheme::default()
        };
        let code = scheme.encode(2, "12345", 750).unwrap();
        assert!(code.starts_with("02"));
        let g = scan(&code);
        let w = scheme.parse(&g).unwrap();
        assert_eq!((w.item_code.as_str(), w.grams), ("12345", Some(750)));
        // Also when the scanner sends the 12-digit UPC-A form.
        let w12 = scheme.parse(&scan(&code[1..])).unwrap();
        assert_eq!(w12, w);
    }

    #[test]
    fn encode_refuses_misfits() {
        let s = WeighedScheme::default();
        assert_eq!(s.encode(21, "123456", 1), None);
        assert_eq!(s.encode(21, "12a", 1), None);
        assert_eq!(s.encode(21, "", 1), None);
        assert_eq!(s.encode(21, "1", -1), None);
        assert_eq!(s.encode(21, "1", 100_000), None);
        assert!(s.encode(21, "1", 99_999).is_some());
    }

    #[test]
    fn validation() {
        assert_eq!(WeighedScheme::default().validate(), Ok(()));
        let bad = |prefixes: Vec<u8>, item_digits: u8| {
            WeighedScheme {
                prefixes,
                item_digits,
                value: WeighedValue::Grams,
            }
            .validate()
            .map_err(|e| e.code())
        };
        assert_eq!(bad(vec![], 5), Err("NO_WEIGHED_PREFIXES"));
        assert_eq!(bad(vec![20, 61], 5), Err("BAD_WEIGHED_PREFIX"));
        assert_eq!(bad(vec![20], 3), Err("BAD_WEIGHED_ITEM_DIGITS"));
        assert_eq!(bad(vec![20], 7), Err("BAD_WEIGHED_ITEM_DIGITS"));
        assert_eq!(bad(vec![2, 4, 29], 6), Ok(()));
        let invalid = WeighedScheme {
            prefixes: vec![61],
            ..WeighedScheme::default()
        };
        assert_eq!(invalid.parse(&scan("6130021000124")), None);
    }

    #[test]
    fn serde_defaults_missing_fields() {
        let s: WeighedScheme = serde_json::from_str(r#"{"item_digits":6}"#).unwrap();
        assert_eq!(s.prefixes, (20..=29).collect::<Vec<u8>>());
        assert_eq!(s.item_digits, 6);
        assert_eq!(s.value, WeighedValue::Grams);
        let json = serde_json::to_string(&WeighedScheme::default()).unwrap();
        assert!(json.contains("\"value\":\"grams\""));
    }
}
