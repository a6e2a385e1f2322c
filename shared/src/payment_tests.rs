#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn da(dinars: i64) -> Money {
    Money::from_dinars(dinars)
}

fn cash(amount: Option<i64>) -> TenderInput {
    TenderInput {
        tender: Tender::Cash,
        amount: amount.map(da),
        reference: None,
    }
}

fn card(amount: Option<i64>) -> TenderInput {
    TenderInput {
        tender: Tender::Card,
        amount: amount.map(da),
        reference: Some("AUTH-1".into()),
    }
}

#[test]
fn tenders_pay_what_is_due_card_exactly_cash_with_change() {
    // (due, tenders, [(tender, applied, handed)], change)
    type Case = (i64, Vec<TenderInput>, Vec<(Tender, i64, i64)>, i64);
    let cases: Vec<Case> = vec![
        (250, vec![cash(None)], vec![(Tender::Cash, 250, 250)], 0),
        (
            250,
            vec![cash(Some(1000))],
            vec![(Tender::Cash, 250, 1000)],
            750,
        ),
        (250, vec![card(None)], vec![(Tender::Card, 250, 250)], 0),
        (
            250,
            vec![card(Some(100)), cash(Some(200))],
            vec![(Tender::Card, 100, 100), (Tender::Cash, 150, 200)],
            50,
        ),
        (
            250,
            vec![cash(Some(100)), card(None)],
            vec![(Tender::Cash, 100, 100), (Tender::Card, 150, 150)],
            0,
        ),
        // a refund given away whole: nothing due, nothing handed
        (0, vec![cash(None)], vec![(Tender::Cash, 0, 0)], 0),
    ];
    for (due, tenders, want, change) in cases {
        let (payments, got_change) = allocate(da(due), &tenders).unwrap();
        let got: Vec<_> = payments
            .iter()
            .map(|p| (p.tender, p.amount, p.tendered))
            .collect();
        let want: Vec<_> = want.iter().map(|&(t, a, h)| (t, da(a), da(h))).collect();
        assert_eq!(got, want, "{due} DA by {tenders:?}");
        assert_eq!(got_change, da(change), "{due} DA by {tenders:?}");
        let paid: Money = payments.iter().map(|p| p.amount).sum();
        assert_eq!(paid, da(due));
    }
    let (p, _) = allocate(da(10), &[card(None)]).unwrap();
    assert_eq!(p[0].reference.as_deref(), Some("AUTH-1"));
}

#[test]
fn short_payments_card_overpay_and_extra_tenders_are_refused() {
    let cases: Vec<(i64, Vec<TenderInput>, PaymentError, &str)> = vec![
        (
            250,
            vec![cash(Some(200))],
            PaymentError::Short {
                due: da(250),
                paid: da(200),
                missing: da(50),
            },
            "PAYMENT_SHORT",
        ),
        (
            250,
            vec![card(Some(100)), cash(Some(100))],
            PaymentError::Short {
                due: da(250),
                paid: da(200),
                missing: da(50),
            },
            "PAYMENT_SHORT",
        ),
        (
            250,
            vec![],
            PaymentError::Short {
                due: da(250),
                paid: da(0),
                missing: da(250),
            },
            "PAYMENT_SHORT",
        ),
        (
            250,
            vec![card(Some(300))],
            PaymentError::CardOverpay {
                amount: da(300),
                due: da(250),
            },
            "CARD_OVERPAY",
        ),
        (
            250,
            vec![cash(Some(100)), card(Some(200))],
            PaymentError::CardOverpay {
                amount: da(200),
                due: da(150),
            },
            "CARD_OVERPAY",
        ),
        (
            250,
            vec![cash(None), cash(Some(10))],
            PaymentError::AlreadyPaid,
            "ALREADY_PAID",
        ),
        (
            250,
            vec![cash(Some(0))],
            PaymentError::NotPositive { amount: da(0) },
            "INVALID_AMOUNT",
        ),
        (
            250,
            vec![cash(Some(-5))],
            PaymentError::NotPositive { amount: da(-5) },
            "INVALID_AMOUNT",
        ),
    ];
    for (due, tenders, want, code) in cases {
        let err = allocate(da(due), &tenders).unwrap_err();
        assert_eq!(err, want, "{due} DA by {tenders:?}");
        assert_eq!(err.code(), code);
    }
    assert_eq!(
        PaymentError::Short {
            due: da(250),
            paid: da(200),
            missing: da(50)
        }
        .to_string(),
        "payment short: 250,00 DA due, 200,00 DA paid; 50,00 DA still to pay"
    );
}

#[test]
fn tenders_as_typed() {
    let ok = [
        ("cash", cash(None)),
        ("cash:500", cash(Some(500))),
        (
            "card:300:REF-9",
            TenderInput {
                reference: Some("REF-9".into()),
                ..card(Some(300))
            },
        ),
        (
            "card:300: ",
            TenderInput {
                reference: None,
                ..card(Some(300))
            },
        ),
        ("CASH: ", cash(None)),
    ];
    for (text, want) in ok {
        assert_eq!(text.parse::<TenderInput>(), Ok(want), "{text}");
    }
    assert_eq!(
        "cheque".parse::<TenderInput>().unwrap_err().code(),
        "UNKNOWN_TENDER"
    );
    let err = "cash:beaucoup".parse::<TenderInput>().unwrap_err();
    assert_eq!(err.code(), "INVALID_AMOUNT");
    assert!(err.to_string().starts_with("invalid amount \"beaucoup\": "));
}

proptest! {
    #[test]
    fn what_is_allocated_pays_the_due_exactly_and_change_only_comes_from_cash(
        due in 0i64..1_000_000,
        parts in prop::collection::vec((any::<bool>(), 1i64..600_000), 0..4),
    ) {
        let tenders: Vec<TenderInput> = parts
            .iter()
            .map(|&(is_card, c)| TenderInput {
                tender: if is_card { Tender::Card } else { Tender::Cash },
                amount: Some(Money::from_centimes(c)),
                reference: None,
            })
            .chain(std::iter::once(cash(None)))
            .collect();
        if let Ok((payments, change)) = allocate(Money::from_centimes(due), &tenders) {
            let paid: Money = payments.iter().map(|p| p.amount).sum();
            prop_assert_eq!(paid, Money::from_centimes(due));
            let extra: Money = payments.iter().map(|p| p.tendered - p.amount).sum();
            prop_assert_eq!(extra, change);
            for p in &payments {
                prop_assert!(p.tender == Tender::Cash || p.tendered == p.amount);
                prop_assert!(!p.amount.is_negative());
            }
        }
    }
}
