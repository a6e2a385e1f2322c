#![allow(clippy::unwrap_used)]

use super::*;
use crate::domain::{check_sale, Discount};
use crate::pricing::taxes_of_nets;
use crate::sample;
use crate::tax::TaxRate;
use proptest::prelude::*;

/// What `refunds` gave back, per line number.
fn refunded<'a>(refunds: impl IntoIterator<Item = &'a SaleLine>) -> HashMap<u32, LineAmounts> {
    let mut done: HashMap<u32, LineAmounts> = HashMap::new();
    for l in refunds {
        done.entry(l.line_no).or_default().add(l);
    }
    done
}

fn c(centimes: i64) -> Money {
    Money::from_centimes(centimes)
}

/// A line with these amounts; the order discount is what the others leave.
fn line(qty: i64, gross: i64, line_discount: i64, net: i64) -> SaleLine {
    let mut l = sample::sale(&[(1, 100, TaxRate::STANDARD, None)], None).lines[0].clone();
    l.qty = qty;
    l.gross = c(gross);
    l.line_discount = c(line_discount);
    l.order_discount = c(gross - line_discount - net);
    l.net = c(net);
    l
}

fn amounts(l: &SaleLine) -> (i64, i64, i64, i64, i64) {
    let o = l.order_discount.centimes();
    let (g, d, n) = (l.gross, l.line_discount, l.net);
    (l.qty, g.centimes(), d.centimes(), o, n.centimes())
}

/// Refunds `steps` of `line` one after another; each refund line's (qty, gross, line
/// discount, order discount, net).
fn refund_in_steps(line: &SaleLine, steps: &[i64]) -> Vec<(i64, i64, i64, i64, i64)> {
    let mut done = LineAmounts::default();
    steps
        .iter()
        .map(|&q| {
            let r = refund_line(line, done, q).unwrap();
            done.add(&r);
            amounts(&r)
        })
        .collect()
}

#[test]
fn refunds_one_unit_at_a_time_never_give_a_negative_share() {
    // (line: qty, gross, line discount, net), steps, expected refund lines
    type Case = (
        (i64, i64, i64, i64),
        Vec<i64>,
        Vec<(i64, i64, i64, i64, i64)>,
    );
    let cases: Vec<Case> = vec![
        // 3 at 1,00 with 0,20 off the line: 0,20 / 3 is 0,0667 a unit
        (
            (3, 300, 20, 280),
            vec![1, 1, 1],
            vec![(1, 100, 7, 0, 93), (1, 100, 6, 0, 94), (1, 100, 7, 0, 93)],
        ),
        // the same with a centime of the order discount on the line
        (
            (3, 300, 20, 279),
            vec![1, 1, 1],
            vec![(1, 100, 7, 0, 93), (1, 100, 6, 1, 93), (1, 100, 7, 0, 93)],
        ),
        // two, then the last one takes what is left
        (
            (3, 300, 20, 280),
            vec![2, 1],
            vec![(2, 200, 13, 0, 187), (1, 100, 7, 0, 93)],
        ),
        // all at once is the line itself
        ((3, 300, 20, 279), vec![3], vec![(3, 300, 20, 1, 279)]),
        // a line given away whole gives nothing back
        (
            (2, 9_000, 9_000, 0),
            vec![1, 1],
            vec![(1, 4_500, 4_500, 0, 0), (1, 4_500, 4_500, 0, 0)],
        ),
        // 750 g of tomatoes, refunded 250 g at a time
        (
            (750, 10_500, 0, 9_975),
            vec![250, 250, 250],
            vec![
                (250, 3_500, 0, 175, 3_325),
                (250, 3_500, 0, 175, 3_325),
                (250, 3_500, 0, 175, 3_325),
            ],
        ),
    ];
    for ((qty, gross, disc, net), steps, want) in cases {
        let l = line(qty, gross, disc, net);
        let got = refund_in_steps(&l, &steps);
        assert_eq!(
            got, want,
            "{qty} for {gross} less {disc}, net {net}, by {steps:?}"
        );
        let sum = got.iter().fold((0, 0, 0, 0, 0), |a, r| {
            (a.0 + r.0, a.1 + r.1, a.2 + r.2, a.3 + r.3, a.4 + r.4)
        });
        assert_eq!(sum, amounts(&l), "the refunds add up to the line");
    }
}

#[test]
fn a_refund_line_keeps_what_the_sale_said_of_the_item() {
    let l = line(3, 300, 20, 280);
    let r = refund_line(&l, LineAmounts::default(), 1).unwrap();
    let back = SaleLine {
        qty: l.qty,
        gross: l.gross,
        line_discount: l.line_discount,
        order_discount: l.order_discount,
        net: l.net,
        ..r.clone()
    };
    assert_eq!(back, l, "only the quantity and the amounts change");
}

#[test]
fn more_than_is_left_or_nothing_is_refused() {
    let l = line(3, 300, 20, 280);
    let one = refund_line(&l, LineAmounts::default(), 1).unwrap();
    let done = refunded([&one, &one]);
    let cases = [
        (LineAmounts::default(), 4, 3),
        (done[&1], 2, 1),
        (done[&1], 0, 1),
    ];
    for (done, qty, left) in cases {
        assert_eq!(
            refund_line(&l, done, qty),
            Err(RefundError::TooMuch {
                line_no: 1,
                qty,
                left
            })
        );
    }
    assert_eq!(
        refund_line(&l, done[&1], -1).unwrap_err().code(),
        "REFUND_TOO_MUCH"
    );
}

/// A refund of `of` giving back `lines`, as a till writes it.
fn refund_of(of: &Sale, lines: Vec<SaleLine>) -> Sale {
    let nets: Vec<_> = lines.iter().map(|l| (l.tax_rate, l.net)).collect();
    let total: Money = lines.iter().map(|l| l.net).sum();
    let mut r = of.clone();
    r.id = Uuid::from_u128(77);
    r.kind = SaleKind::Refund;
    r.refund_of = Some(of.id);
    r.taxes = taxes_of_nets(&nets).unwrap();
    r.total = total;
    r.payments[0].amount = total;
    r.payments[0].tendered = total;
    r.lines = lines;
    r
}

#[test]
fn a_refund_is_checked_against_its_sale_and_the_refunds_before_it() {
    let sale = sample::sale(
        &[
            (3, 100, TaxRate::STANDARD, Some(Discount::Amount(c(20)))),
            (2, 4_500, TaxRate::REDUCED, None),
        ],
        Some(Discount::Percent(500)),
    );
    let first = refund_line(&sale.lines[0], LineAmounts::default(), 2).unwrap();
    let earlier = refund_of(&sale, vec![first.clone()]);
    let done = refunded(&earlier.lines);
    let rest = refund_line(&sale.lines[0], done[&1], 1).unwrap();
    let fine = [
        refund_of(&sale, vec![first.clone()]),
        refund_of(&sale, sale.lines.clone()),
        refund_of(&sale, vec![rest.clone()]),
    ];
    let none = HashMap::new();
    for (i, r) in fine.iter().enumerate() {
        assert_eq!(check_sale(r), Ok(()), "refund {i} holds together");
        let d = if i == 2 { &done } else { &none };
        assert_eq!(check_refund(r, &sold_lines(&sale, d)), Ok(()), "refund {i}");
    }

    let mut other_product = first.clone();
    other_product.product_id = Uuid::from_u128(5);
    let mut no_line = first.clone();
    no_line.line_no = 9;
    let mut net_up = rest.clone();
    net_up.net += c(1);
    let mut gross_up = rest.clone();
    gross_up.gross += c(1);
    let cases = [
        (
            vec![first.clone()],
            &done,
            RefundError::TooMuch {
                line_no: 1,
                qty: 2,
                left: 1,
            },
        ),
        (vec![other_product], &none, RefundError::NoSuchLine(1)),
        (vec![no_line], &none, RefundError::NoSuchLine(9)),
        (
            vec![net_up],
            &done,
            RefundError::TooMuchAmount {
                line_no: 1,
                amount: rest.net + c(1),
                left: rest.net,
            },
        ),
        (
            vec![gross_up],
            &done,
            RefundError::TooMuchAmount {
                line_no: 1,
                amount: rest.gross + c(1),
                left: rest.gross,
            },
        ),
    ];
    for (lines, done, want) in cases {
        let r = refund_of(&sale, lines);
        assert_eq!(check_refund(&r, &sold_lines(&sale, done)), Err(want));
    }
    assert_eq!(
        check_refund(&sale, &sold_lines(&sale, &none)),
        Err(RefundError::NoOriginal),
        "a sale is not a refund"
    );
}

proptest! {
    /// However a line is split into refunds, every share is whole and non-negative and the
    /// refunds add up to the line.
    #[test]
    fn refunds_of_a_line_add_up_to_it(
        qty in 1i64..12,
        gross in 0i64..100_000,
        disc_pm in 0i64..=1000,
        order_pm in 0i64..=1000,
        cuts in prop::collection::vec(1i64..12, 0..12),
    ) {
        let disc = gross * disc_pm / 1000;
        let order = (gross - disc) * order_pm / 1000;
        let l = line(qty, gross, disc, gross - disc - order);
        let mut steps = Vec::new();
        let mut left = qty;
        for cut in cuts {
            if left == 0 { break; }
            let q = cut.min(left);
            steps.push(q);
            left -= q;
        }
        if left > 0 { steps.push(left); }
        let got = refund_in_steps(&l, &steps);
        for r in &got {
            prop_assert!(r.1 >= 0 && r.2 >= 0 && r.3 >= 0, "{:?} of {:?}", r, amounts(&l));
            prop_assert_eq!(r.1 - r.2 - r.3, r.4);
            // Each share is off the exact one by less than a centime, so the net (their
            // difference) is off by less than three: it cannot go negative on a line that
            // keeps three centimes a unit. Below that (0,02 with 0,01 off the line and 0,01
            // off the order, three units) a unit's net can.
            if l.net.centimes() >= 3 * qty {
                prop_assert!(r.4 >= 0, "{:?} of {:?}", r, amounts(&l));
            }
        }
        let sum = got.iter().fold((0, 0, 0, 0, 0), |a, r| {
            (a.0 + r.0, a.1 + r.1, a.2 + r.2, a.3 + r.3, a.4 + r.4)
        });
        prop_assert_eq!(sum, amounts(&l));
    }
}
