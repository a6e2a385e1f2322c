//! Money and stock at the edges: scale labels that carry a price, refunds of discounted lines
//! unit by unit, a card sale paid back, receipts of other terminals, products withdrawn since,
//! a shop's own SKU made of digits.

use pos_core::till::{insert_sale, ItemSpec};
use pos_shared::{Discount, Money, SaleKind, Tender, Unit, WeighedScheme, WeighedValue};
use uuid::Uuid;

use super::day_at_the_till::{card, cash, open_shop, Shop};

/// Semoule moyenne Sim 1 kg, 110,00 DA.
const SEMOULE_1: &str = "6130502000100";
/// Foie de veau, 3 000,00 DA/kg.
const FOIE: &str = "00205";

fn shop_with_shift() -> (tempfile::TempDir, Shop) {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = open_shop(dir.path());
    shop.till
        .open_shift(&shop.amina, Money::from_dinars(5000))
        .unwrap();
    (dir, shop)
}

fn price_labels(shop: &mut Shop, value: WeighedValue) -> WeighedScheme {
    let scheme = WeighedScheme {
        value,
        ..WeighedScheme::default()
    };
    let karim = shop.karim.clone();
    shop.till
        .set_weighed_scheme(&karim, scheme.clone())
        .unwrap();
    scheme
}

#[test]
fn a_price_label_is_charged_what_it_says() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    let scheme = price_labels(&mut shop, WeighedValue::PriceCentimes);
    // 999,99 DA of liver at 3 000 DA/kg: 333 g for stock, 999,99 DA to pay.
    let label = scheme.encode(21, FOIE, 99_999).unwrap();
    let cart = shop.till.scan(&amina, &label, None).unwrap();
    let line = &cart.lines[0];
    assert_eq!((line.line.unit, line.line.qty), (Unit::Kg, 333));
    assert_eq!(line.gross, Money::from_centimes(99_999));
    assert_eq!(cart.total, Money::from_centimes(99_999));
    let sale = shop.till.complete_sale(&amina, &[cash(None)]).unwrap();
    assert_eq!(sale.lines[0].qty, 333);
    assert_eq!(sale.total, Money::from_centimes(99_999));
}

#[test]
fn price_labels_in_dinars_go_past_a_thousand() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    let scheme = price_labels(&mut shop, WeighedValue::PriceDinars);
    let label = scheme.encode(21, FOIE, 1000).unwrap();
    let cart = shop.till.scan(&amina, &label, None).unwrap();
    assert_eq!(cart.lines[0].line.qty, 333);
    assert_eq!(cart.total, Money::from_dinars(1000));
    // The setting survives a restart.
    let settings = shop.till.settings().weighed.clone();
    assert_eq!(settings.value, WeighedValue::PriceDinars);
}

#[test]
fn refunding_a_discounted_line_unit_by_unit_never_adds_to_it() {
    let (_dir, mut shop) = shop_with_shift();
    let (amina, karim) = (shop.amina.clone(), shop.karim.clone());
    shop.till.scan(&amina, SEMOULE_1, Some(3)).unwrap();
    shop.till
        .discount_line(
            &amina,
            1,
            Some(Discount::Amount(Money::from_centimes(20))),
            None,
        )
        .unwrap();
    let sale = shop.till.complete_sale(&amina, &[cash(None)]).unwrap();
    let one = ItemSpec {
        code: SEMOULE_1.into(),
        qty: Some(1),
    };
    let reference = sale.receipt_no.to_string();
    let mut refunded = Vec::new();
    for _ in 0..3 {
        let r = shop
            .till
            .refund(&karim, &reference, std::slice::from_ref(&one), &[], None)
            .unwrap();
        refunded.push(r.lines[0].clone());
    }
    for l in &refunded {
        assert!(
            !l.order_discount.is_negative() && !l.line_discount.is_negative(),
            "a refunded unit takes no negative discount: {l:?}"
        );
        assert_eq!(l.gross - l.line_discount - l.order_discount, l.net);
    }
    let sum = |f: fn(&pos_shared::SaleLine) -> Money| refunded.iter().map(f).sum::<Money>();
    let original = &sale.lines[0];
    assert_eq!(sum(|l| l.gross), original.gross);
    assert_eq!(sum(|l| l.line_discount), original.line_discount);
    assert_eq!(sum(|l| l.order_discount), original.order_discount);
    assert_eq!(sum(|l| l.net), original.net);
}

#[test]
fn a_refund_goes_back_on_the_tenders_of_the_sale() {
    let (_dir, mut shop) = shop_with_shift();
    let (amina, karim) = (shop.amina.clone(), shop.karim.clone());
    shop.till.scan(&amina, SEMOULE_1, Some(2)).unwrap();
    let by_card = shop.till.complete_sale(&amina, &[card(None)]).unwrap();
    let back = shop
        .till
        .refund(&karim, &by_card.receipt_no.to_string(), &[], &[], None)
        .unwrap();
    assert_eq!(back.payments.len(), 1);
    assert_eq!(back.payments[0].tender, Tender::Card);
    assert_eq!(back.payments[0].amount, by_card.total);

    // Split: 100 DA by card, the rest in cash. A first unit goes back to the card, the second
    // takes what is left on the card and then cash.
    shop.till.scan(&amina, SEMOULE_1, Some(2)).unwrap();
    let split = shop
        .till
        .complete_sale(&amina, &[card(Some(10_000)), cash(None)])
        .unwrap();
    let one = ItemSpec {
        code: SEMOULE_1.into(),
        qty: Some(1),
    };
    let reference = split.receipt_no.to_string();
    let first = shop
        .till
        .refund(&karim, &reference, std::slice::from_ref(&one), &[], None)
        .unwrap();
    let tenders = |s: &pos_shared::Sale| -> Vec<(Tender, i64)> {
        s.payments
            .iter()
            .map(|p| (p.tender, p.amount.centimes()))
            .collect()
    };
    assert_eq!(
        tenders(&first),
        vec![(Tender::Card, 10_000), (Tender::Cash, 1_000)]
    );
    let second = shop
        .till
        .refund(&karim, &reference, &[one], &[], None)
        .unwrap();
    assert_eq!(tenders(&second), vec![(Tender::Cash, 11_000)]);

    // The manager may choose otherwise: cash back for a card sale.
    shop.till.scan(&amina, SEMOULE_1, Some(1)).unwrap();
    let card_again = shop.till.complete_sale(&amina, &[card(None)]).unwrap();
    let in_cash = shop
        .till
        .refund(
            &karim,
            &card_again.receipt_no.to_string(),
            &[],
            &[cash(None)],
            None,
        )
        .unwrap();
    assert_eq!(tenders(&in_cash), vec![(Tender::Cash, 11_000)]);
}

#[test]
fn a_receipt_number_names_its_terminal() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    shop.till.scan(&amina, SEMOULE_1, Some(1)).unwrap();
    let ours = shop.till.complete_sale(&amina, &[cash(None)]).unwrap();
    // Sale 1 of another terminal of the store, as sync brings it.
    let other = Uuid::from_u128(0x0190_0000_0000_7000_8000_00c0_ffee_0042);
    let mut theirs = ours.clone();
    theirs.id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0bad);
    theirs.terminal_id = other;
    shop.till
        .store_mut()
        .write(|tx| insert_sale(tx, &theirs).map(|_| ()))
        .unwrap();

    assert_ne!(shop.till.receipt_ref(&ours), shop.till.receipt_ref(&theirs));
    assert_eq!(
        shop.till
            .find_sale(&shop.till.receipt_ref(&theirs))
            .unwrap()
            .id,
        theirs.id
    );
    assert_eq!(
        shop.till
            .find_sale(&shop.till.receipt_ref(&ours))
            .unwrap()
            .id,
        ours.id
    );
    assert_eq!(shop.till.find_sale("#1").unwrap().id, ours.id);
    // The receipt says which terminal made the sale, not the one printing it.
    let code_of = |r: String| r.split_once('/').unwrap().1.to_owned();
    assert!(shop.till.terminal_of(&ours).starts_with("Caisse 1"));
    assert!(!shop.till.terminal_of(&theirs).contains("Caisse 1"));
    assert_eq!(
        shop.till.terminal_of(&theirs),
        code_of(shop.till.receipt_ref(&theirs))
    );
}

#[test]
fn a_product_withdrawn_since_the_sale_can_still_be_refunded() {
    let (_dir, mut shop) = shop_with_shift();
    let (amina, karim) = (shop.amina.clone(), shop.karim.clone());
    shop.till.scan(&amina, SEMOULE_1, Some(2)).unwrap();
    let sale = shop.till.complete_sale(&amina, &[cash(None)]).unwrap();
    shop.till
        .store()
        .conn()
        .execute("UPDATE products SET active = 0 WHERE sku = 'EPI-0001'", [])
        .unwrap();
    assert_eq!(
        shop.till.scan(&amina, SEMOULE_1, None).unwrap_err().code(),
        "INACTIVE_PRODUCT"
    );
    let one = ItemSpec {
        code: SEMOULE_1.into(),
        qty: Some(1),
    };
    let refund = shop
        .till
        .refund(&karim, &sale.receipt_no.to_string(), &[one], &[], None)
        .unwrap();
    assert_eq!(refund.kind, SaleKind::Refund);
    assert_eq!(refund.total, Money::from_dinars(110));
}

#[test]
fn a_shops_own_sku_of_barcode_digits_is_found_and_a_saved_movement_reports_no_error() {
    let (dir, mut shop) = shop_with_shift();
    let karim = shop.karim.clone();
    // 8 digits that are no EAN-8 (the check digit would be 0), and 13 that are a real EAN-13
    // of no product: both are this shop's own codes.
    let csv = dir.path().join("own.csv");
    std::fs::write(
        &csv,
        "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
         12345678,6130502000117,,Couscous maison 1 kg,كسكس,épicerie,\"180,00\",9,piece,5,10\n\
         6130502000988,,,Huile d'olive 1 L,زيت,épicerie,\"900,00\",19,piece,2,4\n",
    )
    .unwrap();
    let report = shop
        .till
        .import_catalog(Some(&karim), &csv, &mut |_, _| {})
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for (code, level) in [
        ("6130502000117", 13),
        ("12345678", 16),
        ("6130502000988", 7),
    ] {
        let view = shop.till.stock_receive(&karim, code, 3, None).unwrap();
        assert_eq!(view.level, level, "{code}");
    }
    assert_eq!(
        shop.till.stock_show("12345670").unwrap_err().code(),
        "UNKNOWN_PRODUCT"
    );
    assert_eq!(
        shop.till.stock_show("12345679").unwrap_err().code(),
        "INVALID_CHECK_DIGIT"
    );
}
