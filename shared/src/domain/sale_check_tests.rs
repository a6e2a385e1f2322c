#![allow(clippy::unwrap_used)]

use super::*;
use crate::domain::{Discount, Payment, SaleKind, Tender};
use crate::sample::{self, AT_MS};
use crate::tax::TaxRate;

fn c(centimes: i64) -> Money {
    Money::from_centimes(centimes)
}

/// Milk at 9 % with 10 % off the line, coffee at 19 %, bread at 0 %, 5 % off the order.
fn basket() -> Sale {
    sample::sale(
        &[
            (3, 9_500, TaxRate::REDUCED, Some(Discount::Percent(1000))),
            (1, 38_000, TaxRate::STANDARD, None),
            (2, 1_500, TaxRate::ZERO, None),
        ],
        Some(Discount::Percent(500)),
    )
}

#[test]
fn what_the_pricing_rule_builds_passes() {
    let cases: Vec<(&str, Sale)> = vec![
        ("basket", basket()),
        (
            "one unit of 3,00",
            sample::sale(&[(1, 300, TaxRate::STANDARD, None)], None),
        ),
        (
            "all given away",
            sample::sale(
                &[(2, 4_500, TaxRate::STANDARD, Some(Discount::Percent(10_000)))],
                None,
            ),
        ),
    ];
    for (name, sale) in cases {
        assert_eq!(check_sale(&sale), Ok(()), "{name}");
    }
    let mut refund = basket();
    refund.kind = SaleKind::Refund;
    refund.refund_of = Some(uuid::Uuid::from_u128(9));
    assert_eq!(
        check_sale(&refund),
        Ok(()),
        "a refund holds together the same way"
    );
}

type Tamper = fn(&mut Sale);

#[test]
fn every_broken_or_tampered_record_is_refused_with_its_reason() {
    let cases: [(&str, Tamper, &str, &str); 14] = [
        (
            "created before 2000",
            |s| s.created_at_ms = 0,
            "DATE_OUT_OF_RANGE",
            "dated 0 ms since 1970, outside the years 2000 to 2099: check the till's clock",
        ),
        (
            "clock in 2100",
            |s| s.hlc.wall_ms = 4_102_444_800_000,
            "DATE_OUT_OF_RANGE",
            "outside the years 2000 to 2099",
        ),
        (
            "no lines",
            |s| s.lines.clear(),
            "SALE_WITHOUT_LINES",
            "a sale without lines",
        ),
        (
            "zero quantity",
            |s| s.lines[1].qty = 0,
            "BAD_SALE_LINE",
            "line 2 has quantity 0 and net",
        ),
        (
            "negative net",
            |s| s.lines[0].net = c(-1),
            "BAD_SALE_LINE",
            "line 1 has quantity 3 and net -0,01",
        ),
        (
            "line number twice",
            |s| s.lines[2].line_no = 1,
            "DUPLICATE_LINE_NUMBER",
            "line numbers must be distinct",
        ),
        (
            "line number past what the server stores",
            |s| s.lines[2].line_no = u32::MAX,
            "DUPLICATE_LINE_NUMBER",
            "line numbers must be distinct",
        ),
        (
            "NUL in a name",
            |s| s.lines[0].name.push('\0'),
            "NUL_CHARACTER",
            "a text of the sale holds a NUL character",
        ),
        (
            "NUL in a card reference",
            |s| s.payments[0].reference = Some("A\0".into()),
            "NUL_CHARACTER",
            "NUL character",
        ),
        (
            "a line's net raised",
            |s| s.lines[1].net += c(100),
            "TOTAL_MISMATCH",
            "lines add up to",
        ),
        (
            "TVA moved from one rate to another",
            |s| {
                s.taxes[0].tax += c(1);
                s.taxes[0].base -= c(1);
            },
            "TAX_MISMATCH",
            "the TVA breakdown does not follow from the lines",
        ),
        (
            "a rate dropped from the breakdown",
            |s| {
                s.taxes.pop();
            },
            "TAX_MISMATCH",
            "the TVA breakdown does not follow from the lines",
        ),
        (
            "paid a centime less",
            |s| s.payments[0].amount -= c(1),
            "PAYMENT_MISMATCH",
            "payments of",
        ),
        (
            "a second payment",
            |s| {
                s.payments.push(Payment {
                    tender: Tender::Card,
                    amount: c(100),
                    tendered: c(100),
                    reference: None,
                })
            },
            "PAYMENT_MISMATCH",
            "for a total of",
        ),
    ];
    for (name, tamper, code, message) in cases {
        let mut sale = basket();
        tamper(&mut sale);
        let err = check_sale(&sale).unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
        assert!(err.to_string().contains(message), "{name}: {err}");
    }
}

#[test]
fn amounts_past_what_money_holds_are_refused_not_wrapped() {
    let mut sale = basket();
    sale.lines[0].net = Money::from_centimes(i64::MAX);
    assert_eq!(check_sale(&sale), Err(SaleError::LinesOverflow));
    let mut sale = basket();
    sale.payments[0].amount = Money::from_centimes(i64::MAX);
    sale.payments.push(sale.payments[0].clone());
    assert_eq!(check_sale(&sale), Err(SaleError::PaymentsOverflow));
}

#[test]
fn the_years_accepted_are_2000_to_2099() {
    let cases = [
        (946_684_799_999, false),
        (946_684_800_000, true),
        (AT_MS, true),
        (4_102_444_799_999, true),
        (4_102_444_800_000, false),
        (i64::MIN, false),
    ];
    for (ms, ok) in cases {
        assert_eq!(check_time(ms).is_ok(), ok, "{ms}");
    }
}
