use super::*;
use proptest::prelude::*;

fn c(centimes: i64) -> Money {
    Money::from_centimes(centimes)
}

fn piece(price: i64, qty: i64, bp: u16) -> PriceLine {
    PriceLine {
        unit_price: c(price),
        qty,
        unit: Unit::Piece,
        tax_rate: TaxRate::from_bp(u32::from(bp)).unwrap(),
        discount: None,
    }
}

fn kg(price_per_kg: i64, grams: i64, bp: u16) -> PriceLine {
    PriceLine {
        unit: Unit::Kg,
        ..piece(price_per_kg, grams, bp)
    }
}

fn tax(rate: u16, base: i64, tax: i64, total: i64) -> TaxLine {
    TaxLine {
        rate: TaxRate::from_bp(u32::from(rate)).unwrap(),
        base: c(base),
        tax: c(tax),
        total: c(total),
    }
}

#[test]
fn round_div_rounds_half_away_from_zero() {
    let cases = [
        (5, 10, 1),
        (-5, 10, -1),
        (15, 10, 2),
        (25, 10, 3),
        (-25, 10, -3),
        (4, 10, 0),
        (-4, 10, 0),
        (6, 10, 1),
        (-6, 10, -1),
        (5, -10, -1),
        (-5, -10, 1),
        (0, 7, 0),
        (1, 3, 0),
        (2, 3, 1),
        (-2, 3, -1),
        (20, 10, 2),
    ];
    for (n, d, want) in cases {
        assert_eq!(round_div(n, d), want, "{n}/{d}");
    }
}

/// 3 × 125,00 DA at 19 % + 1 × 80,00 DA at 9 %, 10 % off the order.
///   gross: 375,00 and 80,00        subtotal 455,00
///   order discount: 10 % of 455,00 = 45,50
///   split ∝ 375 : 80 → 45,50 × 375/455 = 37,50 ; 45,50 × 80/455 = 8,00
///   nets: 337,50 and 72,00         total 409,50
///   19 %: HT = 33750 × 10000 / 11900 = 28361,34… → 283,61 ; TVA 53,89
///    9 %: HT =  7200 × 10000 / 10900 =  6605,50… →  66,06 ; TVA  5,94
#[test]
fn worked_example_mixed_rates_with_order_discount() {
    let t = price(
        &[piece(12_500, 3, 1900), piece(8_000, 1, 900)],
        Some(&Discount::Percent(1000)),
    )
    .unwrap();
    assert_eq!(t.subtotal, c(45_500));
    assert_eq!(t.order_discount, c(4_550));
    assert_eq!(t.discount_total, c(4_550));
    assert_eq!(t.total, c(40_950));
    assert_eq!(
        t.lines,
        vec![
            LineTotals {
                gross: c(37_500),
                line_discount: c(0),
                order_discount: c(3_750),
                net: c(33_750)
            },
            LineTotals {
                gross: c(8_000),
                line_discount: c(0),
                order_discount: c(800),
                net: c(7_200)
            },
        ]
    );
    assert_eq!(
        t.taxes,
        vec![
            tax(1900, 28_361, 5_389, 33_750),
            tax(900, 6_606, 594, 7_200)
        ]
    );
}

/// 1,250 kg of meat at 480,00 DA/kg, 9 %:
///   gross = 48000 × 1250 / 1000 = 60000 → 600,00
///   HT = 60000 × 10000 / 10900 = 55045,87… → 550,46 ; TVA 49,54
#[test]
fn weighed_line() {
    let t = price(&[kg(48_000, 1_250, 900)], None).unwrap();
    assert_eq!(t.lines[0].gross, c(60_000));
    assert_eq!(t.total, c(60_000));
    assert_eq!(t.taxes, vec![tax(900, 55_046, 4_954, 60_000)]);
}

/// 2 × 150,00 DA at 19 % with 50,00 DA off the line:
///   gross 300,00 ; line discount 50,00 ; net 250,00
///   HT = 25000 × 10000 / 11900 = 21008,40… → 210,08 ; TVA 39,92
#[test]
fn line_amount_discount() {
    let mut l = piece(15_000, 2, 1900);
    l.discount = Some(Discount::Amount(c(5_000)));
    let t = price(&[l], None).unwrap();
    assert_eq!(t.subtotal, c(25_000));
    assert_eq!(t.discount_total, c(5_000));
    assert_eq!(t.lines[0].line_discount, c(5_000));
    assert_eq!(t.lines[0].net, c(25_000));
    assert_eq!(t.taxes, vec![tax(1900, 21_008, 3_992, 25_000)]);
}

/// Bread at 0 %: HT = TTC, no tax. Taxes are listed highest rate first.
///   1 × 10,00 at 0 % ; 1 × 20,00 at 9 % (HT 2000×10000/10900 = 1834,86… → 18,35)
///   1 × 30,00 at 19 % (HT 3000×10000/11900 = 2521,00… → 25,21)
#[test]
fn zero_rate_line_and_tax_order() {
    let t = price(
        &[
            piece(1_000, 1, 0),
            piece(2_000, 1, 900),
            piece(3_000, 1, 1900),
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        t.taxes,
        vec![
            tax(1900, 2_521, 479, 3_000),
            tax(900, 1_835, 165, 2_000),
            tax(0, 1_000, 0, 1_000),
        ]
    );
}

/// Halves round away from zero:
///   1,01 DA/kg × 500 g = 50,5 centimes → 51
///   10 % of 0,05 DA = 0,5 centime → 1 (line net 4)
///   order 10 % of (51 + 4 = 55) = 5,5 → 6, split 51:4 →
///     6×51/55 = 5,56 (floor 5, rem 31) ; 6×4/55 = 0,44 (floor 0, rem 24) → 6 / 0
#[test]
fn rounding_half_cases() {
    let mut small = piece(5, 1, 1900);
    small.discount = Some(Discount::Percent(1000));
    let t = price(&[kg(101, 500, 900), small], Some(&Discount::Percent(1000))).unwrap();
    assert_eq!(t.lines[0].gross, c(51));
    assert_eq!(t.lines[1].line_discount, c(1));
    assert_eq!(t.subtotal, c(55));
    assert_eq!(t.order_discount, c(6));
    assert_eq!(t.lines[0].order_discount, c(6));
    assert_eq!(t.lines[1].order_discount, c(0));
    assert_eq!(t.total, c(49));
}

/// Three lines of 1,00 DA, 1,00 DA off the order: 33,33… each → floors
/// 33/33/33, one centime left goes to the first line on the tie.
/// Lines 1,00 / 2,00 / 3,00, 1,00 off: 16,67 / 33,33 / 50 → floors
/// 16/33/50, largest remainder (line 1) gets the extra centime.
#[test]
fn largest_remainder_allocation() {
    let one = Discount::Amount(c(100));
    let t = price(
        &[piece(100, 1, 0), piece(100, 1, 0), piece(100, 1, 0)],
        Some(&one),
    )
    .unwrap();
    let shares: Vec<i64> = t
        .lines
        .iter()
        .map(|l| l.order_discount.centimes())
        .collect();
    assert_eq!(shares, vec![34, 33, 33]);
    let t = price(
        &[piece(100, 1, 0), piece(200, 1, 0), piece(300, 1, 0)],
        Some(&one),
    )
    .unwrap();
    let shares: Vec<i64> = t
        .lines
        .iter()
        .map(|l| l.order_discount.centimes())
        .collect();
    assert_eq!(shares, vec![17, 33, 50]);
    assert_eq!(t.total, c(500));
}

#[test]
fn full_discounts_keep_rates_listed() {
    let mut free = piece(2_000, 1, 0);
    free.discount = Some(Discount::Percent(10_000));
    let t = price(&[piece(1_000, 1, 1900), free], None).unwrap();
    assert_eq!(t.lines[1].net, c(0));
    assert_eq!(t.taxes.len(), 2);
    assert_eq!(t.taxes[1], tax(0, 0, 0, 0));
    let t = price(&[piece(1_000, 2, 900)], Some(&Discount::Amount(c(2_000)))).unwrap();
    assert_eq!(t.total, c(0));
    assert_eq!(t.taxes, vec![tax(900, 0, 0, 0)]);
}

#[test]
fn empty_basket() {
    let t = price(&[], None).unwrap();
    assert_eq!((t.total, t.subtotal), (c(0), c(0)));
    assert!(t.lines.is_empty() && t.taxes.is_empty());
    assert_eq!(
        price(&[], Some(&Discount::Amount(c(1)))).map_err(|e| e.code()),
        Err("DISCOUNT_EXCEEDS_TOTAL")
    );
}

#[test]
fn errors() {
    let code =
        |lines: &[PriceLine], od: Option<Discount>| price(lines, od.as_ref()).map_err(|e| e.code());
    assert_eq!(
        price(&[piece(100, 1, 0), piece(100, 0, 0)], None),
        Err(PricingError::NonPositiveQuantity { line: 1 })
    );
    assert_eq!(code(&[kg(100, -5, 0)], None), Err("NON_POSITIVE_QUANTITY"));
    assert_eq!(code(&[piece(-1, 1, 0)], None), Err("NEGATIVE_PRICE"));
    let mut too_much = piece(1_000, 1, 0);
    too_much.discount = Some(Discount::Amount(c(1_001)));
    let err = price(&[too_much.clone()], None).unwrap_err();
    assert_eq!(err.code(), "DISCOUNT_EXCEEDS_LINE");
    assert_eq!(
        err.to_string(),
        "line 1: discount of 10,01 DA is more than the line amount 10,00 DA"
    );
    too_much.discount = Some(Discount::Percent(10_001));
    assert_eq!(
        code(&[too_much.clone()], None),
        Err("DISCOUNT_EXCEEDS_LINE")
    );
    too_much.discount = Some(Discount::Amount(c(-1)));
    assert_eq!(code(&[too_much], None), Err("NEGATIVE_DISCOUNT"));
    let l = [piece(1_000, 1, 0)];
    assert_eq!(
        code(&l, Some(Discount::Amount(c(1_001)))),
        Err("DISCOUNT_EXCEEDS_TOTAL")
    );
    assert_eq!(
        code(&l, Some(Discount::Percent(10_001))),
        Err("DISCOUNT_EXCEEDS_TOTAL")
    );
    assert_eq!(
        code(&l, Some(Discount::Amount(c(-1)))),
        Err("NEGATIVE_DISCOUNT")
    );
    assert_eq!(
        code(&[piece(i64::MAX, 2, 0)], None),
        Err("PRICING_OVERFLOW")
    );
    assert_eq!(
        code(&[piece(i64::MAX, 1, 0), piece(1, 1, 0)], None),
        Err("PRICING_OVERFLOW")
    );
    assert_eq!(
        PricingError::NegativeDiscount { line: None }.to_string(),
        "order: a discount cannot be negative"
    );
}

fn arb_discount(max_amount: i64) -> impl Strategy<Value = Option<Discount>> {
    prop_oneof![
        2 => Just(None),
        1 => (0u32..=10_000).prop_map(|bp| Some(Discount::Percent(bp))),
        1 => (0i64..=max_amount).prop_map(|a| Some(Discount::Amount(c(a)))),
    ]
}

fn arb_line() -> impl Strategy<Value = PriceLine> {
    (
        0i64..500_000,
        prop_oneof![Just(Unit::Piece), Just(Unit::Kg)],
        prop::sample::select(vec![0u16, 900, 1900]),
    )
        .prop_flat_map(|(price, unit, bp)| {
            let qty = match unit {
                Unit::Piece => 1i64..50,
                Unit::Kg => 1i64..20_000,
            };
            (Just(price), Just(unit), Just(bp), qty)
        })
        .prop_flat_map(|(p, unit, bp, qty)| {
            let gross = match unit {
                Unit::Piece => p * qty,
                Unit::Kg => (p * qty + 500) / 1000,
            };
            arb_discount(gross).prop_map(move |discount| PriceLine {
                unit_price: c(p),
                qty,
                unit,
                tax_rate: TaxRate::from_bp(u32::from(bp)).unwrap(),
                discount,
            })
        })
}

proptest! {
    #[test]
    fn totals_always_add_up(
        lines in prop::collection::vec(arb_line(), 1..=30),
        od_pick in arb_discount(i64::MAX),
    ) {
        // Keep amount order discounts within the subtotal so most cases price.
        let od = match od_pick {
            Some(Discount::Amount(a)) => {
                let sub = price(&lines, None).unwrap().subtotal.centimes();
                Some(Discount::Amount(c(if sub == 0 { 0 } else { a.centimes() % (sub + 1) })))
            }
            other => other,
        };
        let t = price(&lines, od.as_ref()).unwrap();
        let tax_total: Money = t.taxes.iter().map(|x| x.total).sum();
        prop_assert_eq!(tax_total, t.total);
        let net_total: Money = t.lines.iter().map(|l| l.net).sum();
        prop_assert_eq!(net_total, t.total);
        let shares: Money = t.lines.iter().map(|l| l.order_discount).sum();
        prop_assert_eq!(shares, t.order_discount);
        prop_assert_eq!(t.subtotal - t.order_discount, t.total);
        let line_discounts: Money = t.lines.iter().map(|l| l.line_discount).sum();
        prop_assert_eq!(line_discounts + t.order_discount, t.discount_total);
        for l in &t.lines {
            prop_assert!(!l.net.is_negative());
            prop_assert!(!l.order_discount.is_negative());
            prop_assert_eq!(l.gross - l.line_discount - l.order_discount, l.net);
        }
        for x in &t.taxes {
            prop_assert_eq!(x.base + x.tax, x.total);
            prop_assert!(!x.base.is_negative() && !x.tax.is_negative());
        }
        prop_assert!(t.taxes.windows(2).all(|w| w[0].rate > w[1].rate));
        let mut rates: Vec<TaxRate> = lines.iter().map(|l| l.tax_rate).collect();
        rates.sort_by(|a, b| b.cmp(a));
        rates.dedup();
        prop_assert_eq!(rates, t.taxes.iter().map(|x| x.rate).collect::<Vec<_>>());
    }
}
