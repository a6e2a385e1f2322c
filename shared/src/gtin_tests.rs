use super::*;
use proptest::prelude::*;

fn ok(s: &str) -> Gtin {
    Gtin::parse(s).unwrap()
}

#[test]
fn check_digit_of_real_codes() {
    // Algerian prefix 613: body 613002100012 → check 4.
    assert_eq!(check_digit("613002100012"), Some(4));
    assert_eq!(check_digit("400638133393"), Some(1));
    assert_eq!(check_digit("03600029145"), Some(2));
    assert_eq!(check_digit("9638507"), Some(4));
    assert_eq!(check_digit("1001234567890"), Some(2));
    assert_eq!(check_digit(""), None);
    assert_eq!(check_digit("12a"), None);
}

#[test]
fn parses_each_kind() {
    let ean13 = ok("4006381333931");
    assert_eq!(ean13.kind(), GtinKind::Ean13);
    assert_eq!(ean13.gtin14(), "04006381333931");
    assert_eq!(ean13.to_string(), "4006381333931");
    assert_eq!(ean13.as_ean13().as_deref(), Some("4006381333931"));

    let dz = ok("6130021000124");
    assert_eq!(dz.kind(), GtinKind::Ean13);

    let upca = ok("036000291452");
    assert_eq!(upca.kind(), GtinKind::UpcA);
    assert_eq!(upca.gtin14(), "00036000291452");
    assert_eq!(upca.to_string(), "036000291452");
    assert_eq!(upca.as_ean13().as_deref(), Some("0036000291452"));

    let ean8 = ok("96385074");
    assert_eq!(ean8.kind(), GtinKind::Ean8);
    assert_eq!(ean8.gtin14(), "00000096385074");
    assert_eq!(ean8.to_string(), "96385074");

    let g14 = ok("10012345678902");
    assert_eq!(g14.kind(), GtinKind::Gtin14);
    assert_eq!(g14.to_string(), "10012345678902");
    assert_eq!(g14.as_ean13(), None);
}

#[test]
fn upce_expands_to_upca() {
    assert_eq!(expand_upce("04252614").as_deref(), Some("042100005264"));
    let g = ok("04252614");
    assert_eq!(g.kind(), GtinKind::UpcE);
    assert_eq!(g.gtin14(), "00042100005264");
    assert_eq!(g.to_string(), "04252614");
    assert_eq!(g, ok("042100005264"), "same item as its UPC-A");
    // Each expansion pattern (last digit 0-2, 3, 4, 5-9).
    assert_eq!(expand_upce("01234503").as_deref(), Some("012000003453"));
    assert_eq!(expand_upce("01234533").as_deref(), Some("012300000453"));
    assert_eq!(expand_upce("01234543").as_deref(), Some("012340000053"));
    assert_eq!(expand_upce("01234573").as_deref(), Some("012345000073"));
    assert_eq!(expand_upce("21234573"), None, "number system 2");
    assert_eq!(expand_upce("0123457"), None);
    assert_eq!(expand_upce("0123457x"), None);
}

#[test]
fn upce_compression_is_not_unique_so_we_keep_the_printed_form() {
    let a = Gtin::parse_upce("01200508").unwrap();
    let b = ok("01200538");
    assert_eq!(a, b);
    assert_eq!(a.to_string(), "01200508");
    assert_eq!(b.to_string(), "01200538");
    // "01200508" is also a valid EAN-8, and EAN-8 wins in `parse`.
    assert_eq!(ok("01200508").kind(), GtinKind::Ean8);
}

#[test]
fn upce_errors() {
    assert_eq!(
        Gtin::parse_upce("24252614"),
        Err(GtinError::UpceNumberSystem { found: 2 })
    );
    assert_eq!(
        Gtin::parse_upce("04252615"),
        Err(GtinError::CheckDigit {
            expected: 4,
            found: 5
        })
    );
    assert_eq!(
        Gtin::parse_upce("042526"),
        Err(GtinError::BadLength { len: 6 })
    );
}

#[test]
fn refuses_bad_codes() {
    assert_eq!(Gtin::parse("  "), Err(GtinError::Empty));
    assert_eq!(
        Gtin::parse("40063x1333931"),
        Err(GtinError::NotDigits { position: 6 })
    );
    assert_eq!(Gtin::parse("12345"), Err(GtinError::BadLength { len: 5 }));
    assert_eq!(
        Gtin::parse("6130021000126"),
        Err(GtinError::CheckDigit {
            expected: 4,
            found: 6
        })
    );
    assert_eq!(
        Gtin::parse("96385075"),
        Err(GtinError::CheckDigit {
            expected: 4,
            found: 5
        })
    );
    assert_eq!(
        Gtin::parse("036000291453").map_err(|e| e.code()),
        Err("INVALID_CHECK_DIGIT")
    );
    assert_eq!(
        Gtin::parse("10012345678903").map_err(|e| e.code()),
        Err("INVALID_CHECK_DIGIT")
    );
}

#[test]
fn trims_whitespace() {
    assert_eq!(ok(" 4006381333931\n").gtin14(), "04006381333931");
}

#[test]
fn padded_gtin14_takes_natural_kind() {
    assert_eq!(ok("00000096385074").kind(), GtinKind::Ean8);
    assert_eq!(ok("00036000291452").kind(), GtinKind::UpcA);
    assert_eq!(ok("04006381333931").kind(), GtinKind::Ean13);
    assert_eq!(ok("00000096385074").to_string(), "96385074");
    assert_eq!(
        Gtin::from_gtin14("4006381333931"),
        Err(GtinError::BadLength { len: 13 })
    );
}

#[test]
fn serde_uses_gtin14_and_validates() {
    let g = ok("4006381333931");
    let json = serde_json::to_string(&g).unwrap();
    assert_eq!(json, "\"04006381333931\"");
    let back: Gtin = serde_json::from_str(&json).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.kind(), GtinKind::Ean13);
    assert!(serde_json::from_str::<Gtin>("\"04006381333932\"").is_err());
}

proptest! {
    #[test]
    fn any_body_with_its_check_digit_parses(body in "[0-9]{12}") {
        let cd = check_digit(&body).unwrap();
        let code = format!("{body}{cd}");
        let g = Gtin::parse(&code).unwrap();
        prop_assert_eq!(g.gtin14(), format!("0{code}"));
        prop_assert_eq!(Gtin::from_gtin14(g.gtin14()).unwrap(), g.clone());
        let wrong = (cd + 1) % 10;
        let bad = Gtin::parse(&format!("{body}{wrong}"));
        prop_assert_eq!(bad, Err(GtinError::CheckDigit { expected: cd, found: wrong }));
    }

    #[test]
    fn valid_upce_round_trips(ns in 0u8..2, mid in "[0-9]{6}") {
        let seven = format!("{ns}{mid}");
        let probe = expand_upce(&format!("{seven}0")).unwrap();
        let cd = check_digit(&probe[..11]).unwrap();
        let upce = format!("{seven}{cd}");
        let g = Gtin::parse_upce(&upce).unwrap();
        prop_assert_eq!(g.to_string(), upce.clone());
        prop_assert_eq!(g.gtin14(), format!("00{}{cd}", &probe[..11]));
    }
}
