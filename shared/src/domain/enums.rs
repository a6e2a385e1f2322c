//! Small closed vocabularies: units, roles, permissions, tenders.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An unknown word where one of a fixed set was expected (CSV import,
/// settings, command line).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseEnumError {
    #[error("unknown unit \"{0}\"; use piece or kg")]
    UnknownUnit(String),
    #[error("unknown role \"{0}\"; use cashier, manager or admin")]
    UnknownRole(String),
    #[error("unknown payment method \"{0}\"; use cash or card")]
    UnknownTender(String),
    #[error("unknown stock movement kind \"{0}\"; use SALE, REFUND, RECEIVE, ADJUST, TRANSFER_OUT, TRANSFER_IN or COUNT")]
    UnknownMovementKind(String),
    #[error("language {0:?}: use fr, ar or en")]
    UnknownLang(String),
    #[error("paper width {0:?}: use 58 or 80")]
    UnknownPaper(String),
}

impl ParseEnumError {
    /// Stable machine-readable code for logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ParseEnumError::UnknownUnit(_) => "UNKNOWN_UNIT",
            ParseEnumError::UnknownRole(_) => "UNKNOWN_ROLE",
            ParseEnumError::UnknownTender(_) => "UNKNOWN_TENDER",
            ParseEnumError::UnknownMovementKind(_) => "UNKNOWN_MOVEMENT_KIND",
            ParseEnumError::UnknownLang(_) => "UNKNOWN_LANG",
            ParseEnumError::UnknownPaper(_) => "UNKNOWN_PAPER",
        }
    }
}

/// Digits only (no sign, no spaces), as a number.
fn whole(t: &str) -> Option<i64> {
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// Lower-cased, trimmed form used by every `parse` below.
pub(crate) fn normalise(s: &str) -> String {
    s.trim().to_lowercase()
}

/// How a product is sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Counted; quantities are pieces.
    Piece,
    /// Weighed; quantities are grams and the price is per kilogram.
    Kg,
}

impl Unit {
    /// A quantity as people read it, on screen and paper alike: pieces as `3`, weighed items as
    /// `0,750 kg` (grams held, kilograms shown; a stock below zero keeps its sign).
    pub fn quantity_text(self, qty: i64) -> String {
        match self {
            Unit::Piece => qty.to_string(),
            Unit::Kg => {
                let sign = if qty < 0 { "-" } else { "" };
                let g = qty.unsigned_abs();
                format!("{sign}{},{:03} kg", g / 1000, g % 1000)
            }
        }
    }

    /// A quantity as people type it, the inverse of `quantity_text`: pieces as a whole number
    /// (`3`), weighed items in kilograms with a decimal comma or point (`1,5`, `0.750`, `2 kg`),
    /// at most to the gram. `None` for anything else.
    pub fn parse_quantity(self, text: &str) -> Option<i64> {
        let t = text.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let number = match self {
            Unit::Piece => whole(t)?,
            Unit::Kg => {
                let t = t.strip_suffix("kg").unwrap_or(t).trim_end();
                let (int, frac) = t.split_once([',', '.']).unwrap_or((t, "0"));
                if frac.len() > 3 || frac.is_empty() {
                    return None;
                }
                let frac = whole(frac)? * 10_i64.pow(3 - frac.len() as u32);
                whole(int)?.checked_mul(1000)?.checked_add(frac)?
            }
        };
        Some(if neg { -number } else { number })
    }

    /// Accepts "piece", "pc", "pcs", "unit", "u", "kg" (any case).
    pub fn parse(s: &str) -> Result<Unit, ParseEnumError> {
        match normalise(s).as_str() {
            "piece" | "pc" | "pcs" | "unit" | "u" | "pièce" => Ok(Unit::Piece),
            "kg" | "kilo" => Ok(Unit::Kg),
            _ => Err(ParseEnumError::UnknownUnit(s.trim().to_owned())),
        }
    }

    /// The serde/storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Kg => "kg",
        }
    }
}

/// What a user may do; checked before every sensitive action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Sell,
    Refund,
    DiscountOverLimit,
    PriceOverride,
    StockEdit,
    OpenDrawer,
    ManageUsers,
    CloseShift,
}

impl Permission {
    /// Every permission, for admin screens and exhaustive tests.
    pub const ALL: [Permission; 8] = [
        Permission::Sell,
        Permission::Refund,
        Permission::DiscountOverLimit,
        Permission::PriceOverride,
        Permission::StockEdit,
        Permission::OpenDrawer,
        Permission::ManageUsers,
        Permission::CloseShift,
    ];

    /// The serde/storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Sell => "sell",
            Permission::Refund => "refund",
            Permission::DiscountOverLimit => "discount_over_limit",
            Permission::PriceOverride => "price_override",
            Permission::StockEdit => "stock_edit",
            Permission::OpenDrawer => "open_drawer",
            Permission::ManageUsers => "manage_users",
            Permission::CloseShift => "close_shift",
        }
    }
}

/// A user's role; permissions are fixed per role to keep audits simple.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Manager,
    Admin,
}

impl Role {
    /// Accepts English or French names (any case).
    pub fn parse(s: &str) -> Result<Role, ParseEnumError> {
        match normalise(s).as_str() {
            "cashier" | "caissier" | "caissière" | "caissiere" => Ok(Role::Cashier),
            "manager" | "gérant" | "gerant" | "responsable" => Ok(Role::Manager),
            "admin" | "administrator" | "administrateur" => Ok(Role::Admin),
            _ => Err(ParseEnumError::UnknownRole(s.trim().to_owned())),
        }
    }

    /// The serde/storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Cashiers sell and close their shift; managers do everything but
    /// manage users; admins do everything.
    pub fn can(self, permission: Permission) -> bool {
        match self {
            Role::Cashier => matches!(permission, Permission::Sell | Permission::CloseShift),
            Role::Manager => permission != Permission::ManageUsers,
            Role::Admin => true,
        }
    }
}

/// Whether a sale record takes goods out or brings them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleKind {
    Sale,
    Refund,
}

/// How the customer paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tender {
    Cash,
    /// CIB or Edahabia card via the payment terminal.
    Card,
}

impl Tender {
    /// Accepts "cash"/"espèces" and "card"/"carte"/"cib"/"edahabia".
    pub fn parse(s: &str) -> Result<Tender, ParseEnumError> {
        match normalise(s).as_str() {
            "cash" | "especes" | "espèces" | "liquide" => Ok(Tender::Cash),
            "card" | "carte" | "cib" | "edahabia" => Ok(Tender::Card),
            _ => Err(ParseEnumError::UnknownTender(s.trim().to_owned())),
        }
    }

    /// The serde/storage spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Tender::Cash => "cash",
            Tender::Card => "card",
        }
    }
}

macro_rules! str_traits {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    )*};
}
str_traits!(Unit, Role, Tender, Permission);

macro_rules! from_str {
    ($($t:ty),*) => {$(
        impl FromStr for $t {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }
    )*};
}
from_str!(Unit, Role, Tender);

#[cfg(test)]
mod tests {

    #[test]
    fn quantities_read_the_same_everywhere() {
        assert_eq!(Unit::Kg.quantity_text(750), "0,750 kg");
        assert_eq!(Unit::Kg.quantity_text(1250), "1,250 kg");
        assert_eq!(Unit::Kg.quantity_text(-500), "-0,500 kg");
        assert_eq!(Unit::Kg.quantity_text(-1250), "-1,250 kg");
        assert_eq!(Unit::Piece.quantity_text(-3), "-3");
    }

    #[test]
    fn quantities_are_read_as_people_type_them() {
        let cases: &[(Unit, &str, Option<i64>)] = &[
            (Unit::Kg, "1,5", Some(1500)),
            (Unit::Kg, "1.5", Some(1500)),
            (Unit::Kg, "0,750", Some(750)),
            (Unit::Kg, " 2 ", Some(2000)),
            (Unit::Kg, "2 kg", Some(2000)),
            (Unit::Kg, "1,250 kg", Some(1250)),
            (Unit::Kg, "-0,5", Some(-500)),
            (Unit::Kg, "1,2345", None),
            (Unit::Kg, "1,", None),
            (Unit::Kg, ",5", None),
            (Unit::Kg, "1,5,0", None),
            (Unit::Kg, "", None),
            (Unit::Piece, "12", Some(12)),
            (Unit::Piece, "1,5", None),
            (Unit::Piece, "abc", None),
            (Unit::Piece, "1e3", None),
            (Unit::Piece, "", None),
        ];
        for &(unit, text, want) in cases {
            assert_eq!(unit.parse_quantity(text), want, "{unit:?} {text:?}");
        }
        for g in [0, 5, 750, 1250, 12_000] {
            let text = Unit::Kg.quantity_text(g);
            assert_eq!(Unit::Kg.parse_quantity(&text), Some(g), "{text}");
        }
    }

    use super::*;

    #[test]
    fn unit_parse() {
        for s in ["piece", "PC", " unit ", "pcs"] {
            assert_eq!(Unit::parse(s), Ok(Unit::Piece), "{s}");
        }
        assert_eq!(Unit::parse("Kg"), Ok(Unit::Kg));
        assert_eq!(
            Unit::parse("litre").map_err(|e| e.code()),
            Err("UNKNOWN_UNIT")
        );
        assert_eq!(Unit::parse(Unit::Kg.as_str()), Ok(Unit::Kg));
        assert_eq!(serde_json::to_string(&Unit::Kg).unwrap(), "\"kg\"");
    }

    #[test]
    fn role_permissions() {
        use Permission::*;
        assert!(Role::Cashier.can(Sell) && Role::Cashier.can(CloseShift));
        for p in [
            Refund,
            DiscountOverLimit,
            PriceOverride,
            StockEdit,
            OpenDrawer,
            ManageUsers,
        ] {
            assert!(!Role::Cashier.can(p), "{p}");
        }
        for p in Permission::ALL {
            assert_eq!(Role::Manager.can(p), p != ManageUsers, "{p}");
            assert!(Role::Admin.can(p));
        }
    }

    #[test]
    fn role_and_tender_parse() {
        for r in [Role::Cashier, Role::Manager, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!(Role::parse("Gérant"), Ok(Role::Manager));
        assert_eq!(
            Role::parse("boss").map_err(|e| e.code()),
            Err("UNKNOWN_ROLE")
        );
        assert_eq!(Tender::parse("CIB"), Ok(Tender::Card));
        assert_eq!(Tender::parse("Espèces"), Ok(Tender::Cash));
        assert_eq!(Tender::Card.to_string(), "card");
        assert_eq!(
            Tender::parse("cheque").map_err(|e| e.code()),
            Err("UNKNOWN_TENDER")
        );
    }

    #[test]
    fn serde_spellings_match_as_str() {
        for p in Permission::ALL {
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        assert_eq!(serde_json::to_string(&Role::Admin).unwrap(), "\"admin\"");
        assert_eq!(
            serde_json::to_string(&SaleKind::Refund).unwrap(),
            "\"refund\""
        );
    }
}
