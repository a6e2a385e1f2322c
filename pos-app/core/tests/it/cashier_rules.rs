//! Rules a cashier could get around at the counter: the discount limit after the quantity
//! changes, approvals by PIN that can be guessed, a blind count that is not blind, a shift
//! closed on a count nobody typed, a cart voided by one tap.

use pos_shared::{Discount, Money};

use super::day_at_the_till::{cash, open_shop, Shop};

/// Semoule moyenne Sim 10 kg, 1 000,00 DA.
const SEMOULE_10: &str = "6130502000445";
/// Semoule moyenne Sim 1 kg, 110,00 DA.
const SEMOULE_1: &str = "6130502000100";

fn audit_count(shop: &Shop, kind: &str) -> i64 {
    shop.till
        .store()
        .conn()
        .query_row("SELECT count(*) FROM audit WHERE kind = ?1", [kind], |r| {
            r.get(0)
        })
        .unwrap()
}

fn shop_with_shift() -> (tempfile::TempDir, Shop) {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = open_shop(dir.path());
    shop.till
        .open_shift(&shop.amina, Money::from_dinars(5000))
        .unwrap();
    (dir, shop)
}

#[test]
fn lowering_the_quantity_does_not_make_a_discount_free() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    // 10 × 1 000 DA with 1 000 DA off: 10 %, what a cashier may give.
    shop.till.scan(&amina, SEMOULE_10, Some(10)).unwrap();
    shop.till
        .discount_line(
            &amina,
            1,
            Some(Discount::Amount(Money::from_dinars(1000))),
            None,
        )
        .unwrap();
    // One left: the same 1 000 DA would make it free.
    let refused = shop.till.set_qty(&amina, 1, 1).unwrap_err();
    assert_eq!(refused.code(), "DISCOUNT_NEEDS_APPROVAL");
    assert_eq!(shop.till.cart().unwrap().lines[0].line.qty, 10);

    // An order discount in amount grows as lines go: removing one must be checked too.
    shop.till.void_cart(&amina, true).unwrap();
    shop.till.scan(&amina, SEMOULE_10, Some(9)).unwrap();
    shop.till.scan(&amina, SEMOULE_1, Some(10)).unwrap();
    shop.till
        .discount_order(
            &amina,
            Some(Discount::Amount(Money::from_dinars(1000))),
            None,
        )
        .unwrap();
    let refused = shop.till.remove_line(&amina, 1).unwrap_err();
    assert_eq!(refused.code(), "DISCOUNT_NEEDS_APPROVAL");
    assert_eq!(shop.till.cart().unwrap().lines.len(), 2);
}

#[test]
fn a_line_discount_and_an_order_discount_count_together() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    shop.till.scan(&amina, SEMOULE_10, Some(1)).unwrap();
    shop.till
        .discount_line(&amina, 1, Some(Discount::Percent(1000)), None)
        .unwrap();
    // 10 % on the line and 10 % on the order: 19 % off, over the cashier's 10 %.
    let refused = shop
        .till
        .discount_order(&amina, Some(Discount::Percent(1000)), None)
        .unwrap_err();
    assert_eq!(refused.code(), "DISCOUNT_NEEDS_APPROVAL");
    // With the manager's PIN it goes through, and stays approved while the cart grows.
    shop.till
        .discount_order(&amina, Some(Discount::Percent(1000)), Some("9999"))
        .unwrap();
    shop.till.scan(&amina, SEMOULE_1, Some(2)).unwrap();
    shop.till.set_qty(&amina, 1, 2).unwrap();
    let sale = shop.till.complete_sale(&amina, &[cash(None)]).unwrap();
    assert_eq!(sale.lines.len(), 2);
}

#[test]
fn a_quick_sale_remembers_who_approved_its_discount() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    let before = audit_count(&shop, "discount_approved");
    shop.till
        .quick_sale(
            &amina,
            &[SEMOULE_10.parse().unwrap()],
            Some(Discount::Percent(2000)),
            &[cash(None)],
            Some("9999"),
        )
        .unwrap();
    assert_eq!(audit_count(&shop, "discount_approved"), before + 1);
    let approver: Option<String> = shop
        .till
        .store()
        .conn()
        .query_row(
            "SELECT approver_id FROM audit WHERE kind = 'discount_approved'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(approver, Some(shop.karim.user_id.to_string()));
}

#[test]
fn a_manager_pin_cannot_be_guessed_at_the_counter() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    shop.till.scan(&amina, SEMOULE_10, Some(1)).unwrap();
    let fifty = Some(Discount::Percent(5000));
    for guess in ["1234", "4321", "1111"] {
        let e = shop
            .till
            .discount_line(&amina, 1, fifty, Some(guess))
            .unwrap_err();
        assert!(
            matches!(e.code(), "WRONG_PIN" | "FORBIDDEN"),
            "{guess}: {}",
            e.code()
        );
    }
    assert_eq!(audit_count(&shop, "approval_failed"), 3);
    for guess in ["5555", "6666"] {
        shop.till
            .discount_line(&amina, 1, fifty, Some(guess))
            .unwrap_err();
    }
    // Five failures: approvals are locked, even with the right PIN, and the lock is recorded.
    let locked = shop
        .till
        .discount_line(&amina, 1, fifty, Some("9999"))
        .unwrap_err();
    assert_eq!(locked.code(), "PIN_LOCKED");
    assert_eq!(audit_count(&shop, "approval_failed"), 5);
    assert_eq!(audit_count(&shop, "approvals_locked"), 1);
    // The lock runs on the till's clock.
    shop.clock.advance(pos_core::users::LOCKOUT_MS + 1);
    shop.till
        .discount_line(&amina, 1, fifty, Some("9999"))
        .unwrap();
}

#[test]
fn a_cashier_counts_blind() {
    let (_dir, mut shop) = shop_with_shift();
    let (amina, karim) = (shop.amina.clone(), shop.karim.clone());
    shop.till
        .quick_sale(
            &amina,
            &[SEMOULE_1.parse().unwrap()],
            None,
            &[cash(None)],
            None,
        )
        .unwrap();
    let hers = shop.till.x_report(Some(&amina)).unwrap();
    assert!(hers.blind);
    assert_eq!(hers.expected_cash, None);
    // nor what it follows from: the float, the cash taken, the cash put in or out
    assert!(
        hers.by_tender.is_empty(),
        "the cash taken is what the count follows from"
    );
    assert_eq!(
        (hers.float, hers.cash_in, hers.cash_out),
        (None, None, None)
    );
    // and in a cash-only shop the takings are the cash taken: no totals, no TVA either
    assert_eq!(
        (hers.sales_total, hers.net_total, hers.discounts),
        (None, None, None)
    );
    assert!(hers.taxes.is_empty());
    assert_eq!(hers.sales_count, 1);
    assert!(shop.till.x_report(None).unwrap().expected_cash.is_none());
    let his = shop.till.x_report(Some(&karim)).unwrap();
    assert!(!his.blind);
    assert_eq!(his.net_total, Some(Money::from_dinars(110)));
    assert_eq!(
        his.expected_cash,
        Some(Money::from_dinars(5000) + Money::from_dinars(110))
    );
}

#[test]
fn a_shift_is_not_closed_on_a_count_nobody_typed() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    let refused = shop.till.close_shift(&amina, None).unwrap_err();
    assert_eq!(refused.code(), "COUNT_MISSING");
    assert!(shop.till.open_shift_id().unwrap().is_some());
    // An empty drawer is counted as 0, typed.
    let z = shop.till.close_shift(&amina, Some(Money::ZERO)).unwrap();
    assert_eq!(z.counted_cash, Some(Money::ZERO));
}

#[test]
fn voiding_a_cart_with_lines_needs_a_confirmation() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    shop.till.void_cart(&amina, false).unwrap(); // nothing to void
    shop.till.scan(&amina, SEMOULE_1, Some(3)).unwrap();
    let refused = shop.till.void_cart(&amina, false).unwrap_err();
    assert_eq!(refused.code(), "CONFIRM_VOID");
    assert_eq!(shop.till.cart().unwrap().lines.len(), 1);
    assert_eq!(audit_count(&shop, "void"), 0);
    shop.till.void_cart(&amina, true).unwrap();
    assert!(shop.till.cart().unwrap().lines.is_empty());
    assert_eq!(audit_count(&shop, "void"), 1);
}

#[test]
fn a_cashier_gives_her_whole_limit_whatever_the_rounding() {
    let (_dir, mut shop) = shop_with_shift();
    let amina = shop.amina.clone();
    // 5 g of watermelon at 70 DA/kg: 0,35 DA, of which 10 % rounds up to 0,04 DA.
    let cart = shop.till.scan(&amina, "00115", Some(5)).unwrap();
    assert_eq!(cart.lines[0].gross, Money::from_centimes(35));
    let cart = shop
        .till
        .discount_line(&amina, 1, Some(Discount::Percent(1000)), None)
        .unwrap();
    assert_eq!(cart.lines[0].discount, Money::from_centimes(4));
    // 5 % and 5 % make 10 %, each rounded on its own.
    let cart = shop
        .till
        .discount_line(&amina, 1, Some(Discount::Percent(500)), None)
        .unwrap();
    assert_eq!(cart.lines[0].discount, Money::from_centimes(2));
    shop.till
        .discount_order(&amina, Some(Discount::Percent(500)), None)
        .unwrap();
    shop.till.complete_sale(&amina, &[cash(None)]).unwrap();
}
