//! GS1 barcodes (EAN-8, UPC-E, UPC-A, EAN-13, GTIN-14).
//!
//! Parse, don't validate: a [`Gtin`] can only be built from a string whose
//! length and check digit are right, and it is normalised to the 14-digit
//! form so the same product scanned as UPC-A or EAN-13 finds the same row.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// The symbology family a code was read as; decides how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GtinKind {
    Ean8,
    UpcE,
    UpcA,
    Ean13,
    Gtin14,
}

/// Why a scanned or typed barcode was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GtinError {
    /// Nothing was scanned.
    #[error("empty barcode")]
    Empty,
    /// A character that is not 0-9.
    #[error("barcode has a non-digit at position {position}; rescan or retype it")]
    NotDigits { position: usize },
    /// Not 8, 12, 13 or 14 digits.
    #[error("barcode has {len} digits; expected 8, 12, 13 or 14")]
    BadLength { len: usize },
    /// Misread or mistyped: the last digit does not match.
    #[error("barcode check digit is {found} but should be {expected}; rescan or retype it")]
    CheckDigit { expected: u8, found: u8 },
    /// UPC-E codes must start with 0 or 1.
    #[error("UPC-E code starts with {found}; only 0 or 1 are valid")]
    UpceNumberSystem { found: u8 },
}

impl GtinError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            GtinError::Empty => "EMPTY_BARCODE",
            GtinError::NotDigits { .. } => "BARCODE_NOT_DIGITS",
            GtinError::BadLength { .. } => "BAD_BARCODE_LENGTH",
            GtinError::CheckDigit { .. } => "INVALID_CHECK_DIGIT",
            GtinError::UpceNumberSystem { .. } => "BAD_UPCE_NUMBER_SYSTEM",
        }
    }
}

/// A valid GTIN in normalised 14-digit form plus the form it was read in.
///
/// Equality, ordering and hashing use only the GTIN-14: "036000291452"
/// (UPC-A) and "0036000291452" (EAN-13) are the same trade item.
#[derive(Debug, Clone)]
pub struct Gtin {
    gtin14: String,
    kind: GtinKind,
    /// The 8 digits as printed, kept because UPC-E compression is not
    /// unique and we want to display what is on the pack.
    upce: Option<String>,
}

/// GS1 mod-10 check digit of `body` (all digits before the check digit).
/// Works for any length; `None` if `body` is empty or not all ASCII digits.
pub fn check_digit(body: &str) -> Option<u8> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    // The value is < 10, so the narrowing cannot lose anything.
    Some(((10 - sum % 10) % 10) as u8)
}

/// Expands an 8-digit UPC-E (number system, 6 digits, check digit) to its
/// 12-digit UPC-A. The check digit is copied, not verified: use
/// [`Gtin::parse_upce`] to validate. `None` if not 8 digits or the number
/// system is not 0/1.
pub fn expand_upce(digits8: &str) -> Option<String> {
    let d = digits8.as_bytes();
    if d.len() != 8 || !d.iter().all(u8::is_ascii_digit) || !matches!(d[0], b'0' | b'1') {
        return None;
    }
    let (ns, m, check) = (d[0] as char, &digits8[1..7], d[7] as char);
    let m = m.as_bytes();
    let c = |i: usize| m[i] as char;
    let middle: String = match m[5] {
        b'0'..=b'2' => [c(0), c(1), c(5), '0', '0', '0', '0', c(2), c(3), c(4)]
            .iter()
            .collect(),
        b'3' => [c(0), c(1), c(2), '0', '0', '0', '0', '0', c(3), c(4)]
            .iter()
            .collect(),
        b'4' => [c(0), c(1), c(2), c(3), '0', '0', '0', '0', '0', c(4)]
            .iter()
            .collect(),
        _ => [c(0), c(1), c(2), c(3), c(4), '0', '0', '0', '0', c(5)]
            .iter()
            .collect(),
    };
    Some(format!("{ns}{middle}{check}"))
}

/// Module-level alias of [`Gtin::parse`].
pub fn parse(s: &str) -> Result<Gtin, GtinError> {
    Gtin::parse(s)
}

/// Module-level alias of [`Gtin::parse_upce`].
pub fn parse_upce(s: &str) -> Result<Gtin, GtinError> {
    Gtin::parse_upce(s)
}

/// Trims and checks that every character is a digit.
fn digits_only(s: &str) -> Result<&str, GtinError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(GtinError::Empty);
    }
    if let Some(i) = s.chars().position(|c| !c.is_ascii_digit()) {
        return Err(GtinError::NotDigits { position: i + 1 });
    }
    Ok(s)
}

/// Verifies the last digit of an all-digit string of length ≥ 2.
fn verify(code: &str) -> Result<(), GtinError> {
    let (body, last) = code.split_at(code.len() - 1);
    let found = last.as_bytes()[0] - b'0';
    match check_digit(body) {
        Some(expected) if expected == found => Ok(()),
        Some(expected) => Err(GtinError::CheckDigit { expected, found }),
        None => Err(GtinError::BadLength { len: code.len() }),
    }
}

/// The natural kind of a GTIN-14, per GS1 zero-padding rules (GTIN-12
/// prefixes 00000x are reserved so they never collide with padded GTIN-8).
fn kind_of_gtin14(g: &str) -> GtinKind {
    if g.starts_with("000000") {
        GtinKind::Ean8
    } else if g.starts_with("00") {
        GtinKind::UpcA
    } else if g.starts_with('0') {
        GtinKind::Ean13
    } else {
        GtinKind::Gtin14
    }
}

fn pad14(code: &str) -> String {
    format!("{code:0>14}")
}

impl Gtin {
    /// Parses a scanned or typed code; see the module docs for the rules.
    ///
    /// 8 digits are EAN-8 when their check digit fits, otherwise UPC-E when
    /// they start with 0/1 and fit as UPC-E. 14 digits with leading zeros
    /// take the kind of their shortest form (e.g. "00000096385074" is EAN-8)
    /// so they print as on the pack.
    pub fn parse(s: &str) -> Result<Gtin, GtinError> {
        let s = digits_only(s)?;
        match s.len() {
            8 => match verify(s) {
                Ok(()) => Ok(Gtin::new(pad14(s), GtinKind::Ean8)),
                Err(ean8_err) => {
                    if matches!(s.as_bytes()[0], b'0' | b'1') {
                        if let Ok(g) = Gtin::parse_upce(s) {
                            return Ok(g);
                        }
                    }
                    Err(ean8_err)
                }
            },
            12 => {
                verify(s)?;
                Ok(Gtin::new(pad14(s), GtinKind::UpcA))
            }
            13 => {
                verify(s)?;
                Ok(Gtin::new(pad14(s), GtinKind::Ean13))
            }
            14 => {
                verify(s)?;
                Ok(Gtin::new(s.to_owned(), kind_of_gtin14(s)))
            }
            len => Err(GtinError::BadLength { len }),
        }
    }

    /// Parses an 8-digit UPC-E; the check digit is that of the expanded UPC-A.
    pub fn parse_upce(s: &str) -> Result<Gtin, GtinError> {
        let s = digits_only(s)?;
        if s.len() != 8 {
            return Err(GtinError::BadLength { len: s.len() });
        }
        let upca = expand_upce(s).ok_or(GtinError::UpceNumberSystem {
            found: s.as_bytes()[0] - b'0',
        })?;
        verify(&upca)?;
        Ok(Gtin {
            gtin14: pad14(&upca),
            kind: GtinKind::UpcE,
            upce: Some(s.to_owned()),
        })
    }

    /// Validates a stored GTIN-14 and infers its natural kind.
    pub fn from_gtin14(s: &str) -> Result<Gtin, GtinError> {
        let s = digits_only(s)?;
        if s.len() != 14 {
            return Err(GtinError::BadLength { len: s.len() });
        }
        verify(s)?;
        Ok(Gtin::new(s.to_owned(), kind_of_gtin14(s)))
    }

    /// Alias of [`expand_upce`] for callers holding only the type.
    pub fn expand_upce(digits8: &str) -> Option<String> {
        expand_upce(digits8)
    }

    /// Alias of [`check_digit`] for callers holding only the type.
    pub fn check_digit(body: &str) -> Option<u8> {
        check_digit(body)
    }

    fn new(gtin14: String, kind: GtinKind) -> Gtin {
        Gtin {
            gtin14,
            kind,
            upce: None,
        }
    }

    /// The normalised 14-digit form; use it as the database key.
    pub fn gtin14(&self) -> &str {
        &self.gtin14
    }

    /// The form the code was read in.
    pub fn kind(&self) -> GtinKind {
        self.kind
    }

    /// The 13-digit form, when there is one (GTIN-14 starting with 0).
    pub fn as_ean13(&self) -> Option<String> {
        self.gtin14.strip_prefix('0').map(str::to_owned)
    }
}

impl fmt::Display for Gtin {
    /// The form printed on the pack: 8, 12, 13 or 14 digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = self.gtin14.as_str();
        let text = match (self.kind, &self.upce) {
            (GtinKind::UpcE, Some(upce)) => upce.as_str(),
            (GtinKind::Ean8, _) => &g[6..],
            (GtinKind::UpcA | GtinKind::UpcE, _) => &g[2..],
            (GtinKind::Ean13, _) => &g[1..],
            (GtinKind::Gtin14, _) => g,
        };
        f.pad(text)
    }
}

impl PartialEq for Gtin {
    fn eq(&self, other: &Self) -> bool {
        self.gtin14 == other.gtin14
    }
}

impl Eq for Gtin {}

impl Hash for Gtin {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.gtin14.hash(state);
    }
}

impl PartialOrd for Gtin {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Gtin {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gtin14.cmp(&other.gtin14)
    }
}

impl FromStr for Gtin {
    type Err = GtinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gtin::parse(s)
    }
}

impl Serialize for Gtin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.gtin14)
    }
}

impl<'de> Deserialize<'de> for Gtin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Gtin::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "gtin_tests.rs"]
mod tests;
