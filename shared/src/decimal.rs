//! Fixed-point decimal parsing shared by money, tax rates and discounts.
//!
//! One parser so that "1 250,50", "1250.5" and "12,5 %" follow the same rules
//! everywhere: French comma or dot decimals, spaces (including the no-break
//! spaces French locales print) as thousands separators, and never floats.

/// Why a decimal string was refused; callers map it to their own error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalError {
    Empty,
    Invalid,
    TooManyDecimals,
    Overflow,
}

/// Spaces accepted between digit groups: ASCII, no-break and narrow no-break.
pub(crate) fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

/// Parses `s` as a number scaled by `10^decimals` (e.g. "12,5" with 2 → 1250).
///
/// Rules: optional leading `-`/`+` (only when `allow_sign`), digits with
/// single group separators between digits, at most one `,` or `.` decimal
/// separator followed by 1..=`decimals` digits.
pub(crate) fn parse_fixed(s: &str, decimals: u32, allow_sign: bool) -> Result<i64, DecimalError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' if allow_sign => (true, &s[1..]),
        b'+' if allow_sign => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match body.find([',', '.']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut value: i128 = 0;
    let mut digits = 0usize;
    let mut prev_digit = false;
    let mut chars = int_part.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            value = value * 10 + i128::from(d);
            if value > i128::from(i64::MAX) {
                return Err(DecimalError::Overflow);
            }
            digits += 1;
            prev_digit = true;
        } else if is_group_separator(c)
            && prev_digit
            && chars.peek().is_some_and(|n| n.is_ascii_digit())
        {
            prev_digit = false;
        } else {
            return Err(DecimalError::Invalid);
        }
    }
    let mut frac_digits = 0u32;
    if let Some(frac) = frac_part {
        if frac.is_empty() {
            return Err(DecimalError::Invalid);
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DecimalError::Invalid);
        }
        for c in frac.chars() {
            let d = c.to_digit(10).ok_or(DecimalError::Invalid)?;
            frac_digits += 1;
            if frac_digits > decimals {
                return Err(DecimalError::TooManyDecimals);
            }
            value = value * 10 + i128::from(d);
        }
    } else if digits == 0 {
        return Err(DecimalError::Invalid);
    }
    value *= 10i128.pow(decimals - frac_digits);
    if negative {
        value = -value;
    }
    i64::try_from(value).map_err(|_| DecimalError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_french_and_english_forms() {
        assert_eq!(parse_fixed("1 250,50", 2, true), Ok(125_050));
        assert_eq!(parse_fixed("1250.5", 2, true), Ok(125_050));
        assert_eq!(parse_fixed("1\u{a0}250", 2, true), Ok(125_000));
        assert_eq!(parse_fixed(",5", 2, true), Ok(50));
        assert_eq!(parse_fixed("-3,00", 2, true), Ok(-300));
        assert_eq!(parse_fixed("+3", 2, true), Ok(300));
    }

    #[test]
    fn refuses_garbage() {
        assert_eq!(parse_fixed("", 2, true), Err(DecimalError::Empty));
        assert_eq!(parse_fixed("abc", 2, true), Err(DecimalError::Invalid));
        assert_eq!(parse_fixed("1,2,3", 2, true), Err(DecimalError::Invalid));
        assert_eq!(parse_fixed("1.250,50", 2, true), Err(DecimalError::Invalid));
        assert_eq!(parse_fixed("5,", 2, true), Err(DecimalError::Invalid));
        assert_eq!(parse_fixed("-", 2, true), Err(DecimalError::Invalid));
        assert_eq!(parse_fixed(" 1  2", 2, true), Err(DecimalError::Invalid));
        assert_eq!(parse_fixed("-3", 2, false), Err(DecimalError::Invalid));
        assert_eq!(
            parse_fixed("1,234", 2, true),
            Err(DecimalError::TooManyDecimals)
        );
        assert_eq!(
            parse_fixed("99999999999999999999", 2, true),
            Err(DecimalError::Overflow)
        );
    }
}
