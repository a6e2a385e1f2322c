//! The languages the till speaks (window and receipts), and the paper it prints on.

use serde::{Deserialize, Serialize};

use crate::domain::ParseEnumError;

/// French (the default), Arabic (right to left) or English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    Ar,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Result<Lang, ParseEnumError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Lang::Fr),
            "ar" => Ok(Lang::Ar),
            "en" => Ok(Lang::En),
            other => Err(ParseEnumError::UnknownLang(other.to_owned())),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    pub fn rtl(self) -> bool {
        self == Lang::Ar
    }
}

/// Paper width. 58 mm rolls print 32 characters (384 dots), 80 mm rolls 48 (576 dots).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Paper {
    Mm58,
    Mm80,
}

impl Paper {
    pub fn parse(s: &str) -> Result<Paper, ParseEnumError> {
        match s.trim().trim_end_matches("mm") {
            "58" => Ok(Paper::Mm58),
            "80" => Ok(Paper::Mm80),
            other => Err(ParseEnumError::UnknownPaper(other.to_owned())),
        }
    }

    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm58 => 58,
            Paper::Mm80 => 80,
        }
    }

    /// Characters per line in the printer's font A (12 × 24 dots).
    pub fn cols(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    /// Printable dots per line at 203 dpi.
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_papers_parse_and_refuse_clearly() {
        assert_eq!(Lang::parse(" AR ").unwrap(), Lang::Ar);
        assert_eq!(Lang::parse("de").unwrap_err().code(), "UNKNOWN_LANG");
        assert_eq!(Paper::parse("58mm").unwrap(), Paper::Mm58);
        assert_eq!(Paper::parse("57").unwrap_err().code(), "UNKNOWN_PAPER");
        assert_eq!(serde_json::to_string(&Lang::En).unwrap(), "\"en\"");
    }
}
