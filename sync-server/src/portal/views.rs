//! What the portal's answers are made of. Money leaves the server as centimes with its text
//! (`pos_shared::Money`'s French format), so the page never computes or formats an amount;
//! dates travel as `YYYY-MM-DD` business days in the store's zone, ranges half-open.

use pos_shared::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;

/// An amount: centimes and the text to show (`1 234,50 DA`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Amount {
    pub c: i64,
    pub t: String,
}

impl Amount {
    pub fn of(centimes: i64) -> Amount {
        Amount {
            c: centimes,
            t: Money::from_centimes(centimes).to_string(),
        }
    }
}

/// A TVA rate in basis points with its text (`19 %`, `9,5 %`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rate {
    pub bp: i32,
    pub t: String,
}

impl Rate {
    pub fn of(bp: i32) -> Rate {
        let whole = bp / 100;
        let frac = (bp % 100).abs();
        let t = if frac == 0 {
            format!("{whole} %")
        } else if frac % 10 == 0 {
            format!("{whole},{} %", frac / 10)
        } else {
            format!("{whole},{frac:02} %")
        };
        Rate { bp, t }
    }
}

/// A quantity as the till shows it: pieces, or grams as kilograms (`1,250 kg`).
pub fn quantity_text(qty: i64, unit: &str) -> String {
    if unit == "kg" {
        let sign = if qty < 0 { "-" } else { "" };
        let g = qty.unsigned_abs();
        format!("{sign}{},{:03} kg", g / 1000, g % 1000)
    } else {
        qty.to_string()
    }
}

/// An amount as a plain decimal for a spreadsheet: `1234.50`, or `1234,50` with a comma.
pub fn decimal(centimes: i64, comma: bool) -> String {
    let sign = if centimes < 0 { "-" } else { "" };
    let c = centimes.unsigned_abs();
    let sep = if comma { ',' } else { '.' };
    format!("{sign}{}{sep}{:02}", c / 100, c % 100)
}

/// A business day as days since 1970-01-01, parsed from `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Result<i32, AppError> {
    let bad = || AppError::Malformed(format!("{s:?} is not a date: use YYYY-MM-DD"));
    let mut it = s.trim().splitn(3, '-');
    let (y, m, d) = (it.next(), it.next(), it.next());
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    if !(2000..=2099).contains(&y) {
        return Err(bad());
    }
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| bad())?;
    Ok(date.to_julian_day() - EPOCH_JULIAN_DAY)
}

/// 1970-01-01 as a Julian day.
const EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// `YYYY-MM-DD` of a day since 1970.
pub fn day_text(day: i32) -> String {
    match time::Date::from_julian_day(day + EPOCH_JULIAN_DAY) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => String::new(),
    }
}

/// The range and stores a report covers; `to` is the day after the last one.
#[derive(Clone, Debug, Deserialize, IntoParams)]
pub struct RangeQuery {
    /// First business day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last one (half-open range), `YYYY-MM-DD`.
    pub to: String,
    /// Store ids, comma-separated; all of the user's stores when absent.
    pub stores: Option<String>,
}

/// A half-open range of business days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Days {
    pub from: i32,
    pub to: i32,
}

/// The longest range a report covers: a little over ten years.
const MAX_DAYS: i32 = 3700;

impl RangeQuery {
    pub fn days(&self) -> Result<Days, AppError> {
        let from = parse_day(&self.from)?;
        let to = parse_day(&self.to)?;
        if to <= from {
            return Err(AppError::Malformed(
                "the range is empty: `to` is the day after the last one".into(),
            ));
        }
        if to - from > MAX_DAYS {
            return Err(AppError::Malformed(format!(
                "a report covers at most {MAX_DAYS} days"
            )));
        }
        Ok(Days { from, to })
    }
}

impl Days {
    /// The same number of days just before.
    pub fn previous(self) -> Days {
        Days {
            from: self.from - (self.to - self.from),
            to: self.from,
        }
    }
}

/// `{ "from", "to" }` as dates.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DayRange {
    pub from: String,
    pub to: String,
}

impl From<Days> for DayRange {
    fn from(d: Days) -> DayRange {
        DayRange {
            from: day_text(d.from),
            to: day_text(d.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_bad_dates_are_refused() {
        assert_eq!(parse_day("1970-01-02").ok(), None, "before 2000 is refused");
        let d = parse_day("2026-11-24").unwrap_or_default();
        assert_eq!(d, 20_781);
        assert_eq!(day_text(d), "2026-11-24");
        assert!(parse_day("2026-02-30").is_err());
        assert!(parse_day("2026-13-01").is_err());
        assert!(parse_day("hier").is_err());
    }

    #[test]
    fn amounts_rates_and_quantities_read_as_on_the_till() {
        assert_eq!(Amount::of(123_450).t, "1 234,50 DA");
        assert_eq!(Rate::of(1900).t, "19 %");
        assert_eq!(Rate::of(950).t, "9,5 %");
        assert_eq!(quantity_text(1250, "kg"), "1,250 kg");
        assert_eq!(quantity_text(3, "piece"), "3");
        assert_eq!(decimal(-123_405, true), "-1234,05");
        assert_eq!(decimal(5, false), "0.05");
    }
}
