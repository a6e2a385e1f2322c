//! A day at the till, through the core library with a fixed clock and sequential ids: open the
//! shift, 50 sales with every kind of tender, discounts, a weighed item, a parked cart, two
//! refunds, a stock count, close. Then the Z report, the stock ledger and the change log must
//! agree with what the test itself saw happen.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_core::{stock, Session, Till};
use pos_shared::{
    Discount, FixedClock, Money, Role, Sale, SaleKind, SeqIds, Tender, WeighedScheme,
};
use rand::{Rng, SeedableRng};
use uuid::Uuid;

pub(crate) const CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/demo-catalog.csv"
);
pub(crate) const START_MS: i64 = 1_795_510_800_000; // 2026-11-24 08:00 in Algiers

pub(crate) fn cash(amount: Option<i64>) -> TenderInput {
    TenderInput {
        tender: Tender::Cash,
        amount: amount.map(Money::from_centimes),
        reference: None,
    }
}

pub(crate) fn card(amount: Option<i64>) -> TenderInput {
    TenderInput {
        tender: Tender::Card,
        amount: amount.map(Money::from_centimes),
        reference: Some("CIB-0001".into()),
    }
}

pub(crate) struct Shop {
    pub(crate) till: Till,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) amina: Session,
    pub(crate) karim: Session,
}

pub(crate) fn open_shop(dir: &std::path::Path) -> Shop {
    let clock = Arc::new(FixedClock::new(START_MS));
    let ids = Arc::new(SeqIds::new());
    let mut till = Till::init(dir, "Superette El Baraka", "Caisse 1", clock.clone(), ids).unwrap();
    till.add_user(None, "Admin", Role::Admin, "0000").unwrap();
    let admin = till.login("0000").unwrap();
    till.add_user(Some(&admin), "Amina", Role::Cashier, "1111")
        .unwrap();
    till.add_user(Some(&admin), "Karim", Role::Manager, "9999")
        .unwrap();
    let karim = till.login("9999").unwrap();
    let report = till
        .import_catalog(Some(&karim), CATALOG.as_ref(), &mut |_, _| {})
        .unwrap();
    assert_eq!((report.created, report.errors.len()), (367, 0));
    let amina = till.login("1111").unwrap();
    Shop {
        till,
        clock,
        amina,
        karim,
    }
}

/// Every sale the test rang up, and what it expects stock to have done.
#[derive(Default)]
struct Ledger {
    sales: Vec<Sale>,
    stock_delta: HashMap<Uuid, i64>,
}

impl Ledger {
    fn record(&mut self, sale: Sale) {
        let sign = if sale.kind == SaleKind::Sale { -1 } else { 1 };
        for l in &sale.lines {
            *self.stock_delta.entry(l.product_id).or_default() += sign * l.qty;
        }
        // every record adds up on its own
        let nets: Money = sale.lines.iter().map(|l| l.net).sum();
        let taxes: Money = sale.taxes.iter().map(|t| t.total).sum();
        let paid: Money = sale.payments.iter().map(|p| p.amount).sum();
        let handed: Money = sale.payments.iter().map(|p| p.tendered).sum();
        assert_eq!(
            nets, sale.total,
            "lines add up to the total of #{}",
            sale.receipt_no
        );
        assert_eq!(
            taxes, sale.total,
            "TVA breakdown adds up on #{}",
            sale.receipt_no
        );
        assert_eq!(paid, sale.total, "payments cover #{}", sale.receipt_no);
        assert_eq!(handed - paid, sale.change, "change on #{}", sale.receipt_no);
        self.sales.push(sale);
    }

    fn tender_net(&self, tender: Tender) -> Money {
        self.sales
            .iter()
            .flat_map(|s| s.payments.iter().map(move |p| (s.kind, p)))
            .filter(|(_, p)| p.tender == tender)
            .map(|(k, p)| {
                if k == SaleKind::Sale {
                    p.amount
                } else {
                    -p.amount
                }
            })
            .sum()
    }
}

#[test]
fn a_day_at_the_till_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let Shop {
        mut till,
        clock,
        amina,
        karim,
    } = open_shop(dir.path());
    let codes = till.sellable_barcodes(200).unwrap();
    let mut initial: HashMap<Uuid, i64> = HashMap::new();
    let mut level_of = |till: &Till, code: &str| {
        let view = till.stock_show(code).unwrap();
        *initial.entry(view.product_id).or_insert(view.level)
    };
    for code in &codes {
        level_of(&till, code);
    }
    let float = Money::from_dinars(5000);
    till.open_shift(&amina, float).unwrap();
    let mut ledger = Ledger::default();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);

    for n in 0..50 {
        clock.advance(rng.random_range(20_000..400_000));
        // ring the items up one scan at a time, as at the counter
        for _ in 0..rng.random_range(1..=5) {
            let code = &codes[rng.random_range(0..codes.len())];
            till.scan(&amina, code, Some(rng.random_range(1..=3)))
                .unwrap();
        }
        if n == 10 {
            // 5 % on the first line: within what a cashier may give
            let first = till.cart().unwrap().lines[0].line.line_no;
            till.discount_line(&amina, first, Some(Discount::Percent(500)), None)
                .unwrap();
        }
        if n == 20 {
            // a weighed item: 1,250 kg of tomatoes (PLU 00102) from the scale's label
            let label = WeighedScheme::default().encode(21, "00102", 1250).unwrap();
            let cart = till.scan(&amina, &label, None).unwrap();
            let tomatoes = cart.lines.last().unwrap();
            assert_eq!(
                (tomatoes.line.qty, tomatoes.gross),
                (1250, Money::from_dinars(175))
            );
            let tomato_id = tomatoes.line.product_id;
            initial
                .entry(tomato_id)
                .or_insert_with(|| stock::level(till.store().conn(), &tomato_id).unwrap());
        }
        if n == 30 {
            let refused = till
                .discount_order(&amina, Some(Discount::Percent(2000)), None)
                .unwrap_err();
            assert_eq!(refused.code(), "DISCOUNT_NEEDS_APPROVAL");
            till.discount_order(&amina, Some(Discount::Percent(2000)), Some("9999"))
                .unwrap();
        }
        let total = till.cart().unwrap().total.centimes();
        let tenders = match n % 4 {
            0 => vec![cash(None)],
            1 => vec![cash(Some((total / 50_000 + 1) * 50_000))], // next 500 DA note
            2 => vec![card(None)],
            _ => vec![card(Some(total / 2)), cash(Some(total))], // split, change on the cash
        };
        let sale = till.complete_sale(&amina, &tenders).unwrap();
        if n % 4 == 1 {
            assert_eq!(
                sale.change.centimes(),
                (total / 50_000 + 1) * 50_000 - total
            );
        }
        ledger.record(sale);
    }
    assert!(
        till.cart().unwrap().lines.is_empty(),
        "a completed sale clears the cart"
    );

    // A customer forgets her wallet: park, serve the next one, recall, finish.
    till.scan(&amina, &codes[0], Some(2)).unwrap();
    till.scan(&amina, &codes[1], None).unwrap();
    let parked = till.park(&amina, Some("Madame Benali")).unwrap();
    assert_eq!(parked.lines, 2);
    assert!(till.cart().unwrap().lines.is_empty());
    till.scan(&amina, &codes[2], None).unwrap();
    let refused = till.recall(&amina, &parked.id).unwrap_err();
    assert_eq!(refused.code(), "CART_NOT_EMPTY");
    ledger.record(till.complete_sale(&amina, &[cash(None)]).unwrap());
    let recalled = till.recall(&amina, &parked.id).unwrap();
    assert_eq!(recalled.total, parked.total);
    assert!(till.parked().unwrap().is_empty());
    ledger.record(till.complete_sale(&amina, &[card(None)]).unwrap());

    // Two refunds: a whole sale by the manager, one unit of a line by the cashier with approval.
    let whole = till.refund(&karim, "3", &[], &[], None).unwrap();
    assert_eq!(whole.total, ledger.sales[2].total);
    ledger.record(whole);
    let forbidden = till.refund(&amina, "5", &[], &[], None).unwrap_err();
    assert_eq!(forbidden.code(), "FORBIDDEN");
    let line = ledger.sales[4].lines[0].clone();
    let code = line.barcode.clone().unwrap();
    let one = ItemSpec {
        code: code.clone(),
        qty: Some(1),
    };
    let partial = till.refund(&amina, "5", &[one], &[], Some("9999")).unwrap();
    assert_eq!(partial.lines.len(), 1);
    assert_eq!(partial.refund_of, Some(ledger.sales[4].id));
    ledger.record(partial);
    let too_much = ItemSpec {
        code,
        qty: Some(line.qty),
    };
    assert_eq!(
        till.refund(&karim, "5", &[too_much], &[], None)
            .unwrap_err()
            .code(),
        "REFUND_TOO_MUCH"
    );
    assert_eq!(
        till.refund(&karim, "3", &[], &[], None).unwrap_err().code(),
        "NOTHING_TO_REFUND"
    );

    // A stock count mid-day, then two more sold: the level follows the count.
    let counted = &codes[3];
    till.stock_count(&karim, counted, 100).unwrap();
    ledger.record(
        till.quick_sale(
            &amina,
            &[counted.parse().unwrap()],
            None,
            &[cash(None)],
            None,
        )
        .unwrap(),
    );
    ledger.record(
        till.quick_sale(
            &amina,
            &[counted.parse().unwrap()],
            None,
            &[cash(None)],
            None,
        )
        .unwrap(),
    );
    assert_eq!(till.stock_show(counted).unwrap().level, 98);

    // Close with 50 DA missing from the drawer.
    let x = till.x_report(Some(&karim)).unwrap();
    let counted_cash = x.expected_cash.unwrap() - Money::from_dinars(50);
    let z = till.close_shift(&amina, Some(counted_cash)).unwrap();
    let sales: Vec<&Sale> = ledger
        .sales
        .iter()
        .filter(|s| s.kind == SaleKind::Sale)
        .collect();
    let refunds: Vec<&Sale> = ledger
        .sales
        .iter()
        .filter(|s| s.kind == SaleKind::Refund)
        .collect();
    assert_eq!((z.sales_count, z.refunds_count), (sales.len() as i64, 2));
    assert_eq!(
        z.sales_total,
        Some(sales.iter().map(|s| s.total).sum::<Money>())
    );
    assert_eq!(
        z.refunds_total,
        Some(refunds.iter().map(|s| s.total).sum::<Money>())
    );
    for t in &z.by_tender {
        assert_eq!(
            t.net,
            ledger.tender_net(t.tender),
            "{:?} net in the Z report",
            t.tender
        );
    }
    assert_eq!(
        z.expected_cash,
        Some(float + ledger.tender_net(Tender::Cash))
    );
    assert_eq!(z.difference, Some(Money::from_dinars(-50)));
    assert_eq!(
        Some(z.taxes.iter().map(|t| t.total).sum::<Money>()),
        z.net_total
    );
    assert_eq!(
        till.complete_sale(&amina, &[cash(None)])
            .unwrap_err()
            .code(),
        "EMPTY_CART"
    );

    // Stock: every product's level is what the ledger says and what the test expects.
    let conn = till.store().conn();
    let counted_id = till.stock_show(counted).unwrap().product_id;
    for (product, delta) in &ledger.stock_delta {
        let cached = stock::level(conn, product).unwrap();
        assert_eq!(
            cached,
            stock::level_from_ledger(conn, product).unwrap(),
            "cache = ledger for {product}"
        );
        if *product != counted_id {
            assert_eq!(cached, initial[product] + delta, "level of {product}");
        }
    }

    // Receipt numbers are dense; each sale has exactly one change-log entry; seq is dense.
    let receipts: Vec<i64> = ledger.sales.iter().map(|s| s.receipt_no).collect();
    assert_eq!(
        receipts,
        (1..=ledger.sales.len() as i64).collect::<Vec<_>>()
    );
    let (entries, max_seq, sale_entries): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), max(seq), sum(kind = 'sale') FROM change_log",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(entries, max_seq);
    assert_eq!(sale_entries, ledger.sales.len() as i64);

    // A restart finds the day as it was, and the clock does not step back.
    let last = ledger.sales.last().unwrap().clone();
    drop(till);
    clock.set(START_MS); // the machine's clock jumped back
    let till = Till::open(
        dir.path(),
        clock.clone(),
        Arc::new(SeqIds::starting_at(1_000_000)),
    )
    .unwrap();
    let again = till.find_sale(&last.receipt_no.to_string()).unwrap();
    assert_eq!(again, last);
    assert!(till.open_shift_id().unwrap().is_none());
    assert_eq!(
        till.shift_report(&z.shift_id).unwrap().net_total,
        z.net_total
    );
}
