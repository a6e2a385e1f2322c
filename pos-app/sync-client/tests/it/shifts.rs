//! A day's shift at a real till, synced to a real server: the Z report the server computes
//! for it (the back office's Shifts report) is the till's own Z report, to the centime.

use std::sync::Arc;

use pos_core::till::{ItemSpec, TenderInput};
use pos_shared::{Discount, FixedClock, Money, Tender};
use pos_testkit::server::till;
use sync_server::admin;

const CSV: &str =
    "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
EPI-0001,6130502000100,,Semoule moyenne Sim 1 kg,سميد,épicerie,\"110,00\",0,piece,10,50\n\
CRE-0001,6130325000448,,Lait Candia 1 L,حليب,crèmerie,\"135,00\",9,piece,10,50\n\
DRO-0001,6130500100017,,Savon Palmolive,صابون,droguerie,\"95,50\",19,piece,10,50\n";

fn tender(tender: Tender, dinars: Option<i64>) -> TenderInput {
    TenderInput {
        tender,
        amount: dinars.map(Money::from_dinars),
        reference: None,
    }
}

fn items(list: &[(&str, i64)]) -> Vec<ItemSpec> {
    list.iter()
        .map(|(code, qty)| ItemSpec {
            code: (*code).into(),
            qty: Some(*qty),
        })
        .collect()
}

#[test]
fn the_servers_z_report_of_a_shift_is_the_tills_own() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, pool) = pos_testkit::server::server(&rt, "pos_shift");
    let store = rt
        .block_on(admin::create_store(&pool, "Superette El Baraka"))
        .unwrap();
    let code = rt.block_on(admin::enrollment_code(&pool, store)).unwrap();
    let clock = Arc::new(FixedClock::new(1_795_510_800_000));
    let dir = tempfile::tempdir().unwrap();
    let (mut t, karim) = till(dir.path(), "Caisse 1", 1, &clock);
    let file = dir.path().join("catalog.csv");
    std::fs::write(&file, CSV).unwrap();
    t.import_catalog(Some(&karim), &file, &mut |_, _| {})
        .unwrap();
    t.enroll(Some(&karim), &pos_sync_client::Http, &url, &code)
        .unwrap();
    t.sync_once(&pos_sync_client::Http).unwrap();

    // A morning: cash and card sales at all three TVA rates, a discount, a split payment, a
    // refund, cash in and out, the drawer opened without a sale, then a count 20 DA short.
    let shift = t.open_shift(&karim, Money::from_dinars(1000)).unwrap();
    let cash = [tender(Tender::Cash, None)];
    clock.advance(60_000);
    let first = t
        .quick_sale(
            &karim,
            &items(&[("6130502000100", 3), ("6130325000448", 2)]),
            None,
            &cash,
            None,
        )
        .unwrap();
    clock.advance(60_000);
    t.quick_sale(
        &karim,
        &items(&[("6130500100017", 4)]),
        Some(Discount::Percent(1000)),
        &[tender(Tender::Card, None)],
        None,
    )
    .unwrap();
    clock.advance(60_000);
    t.quick_sale(
        &karim,
        &items(&[("6130325000448", 1), ("6130500100017", 1)]),
        None,
        &[tender(Tender::Card, Some(100)), tender(Tender::Cash, None)],
        None,
    )
    .unwrap();
    clock.advance(60_000);
    t.refund(
        &karim,
        &first.id.to_string(),
        &items(&[("6130502000100", 1)]),
        &cash,
        None,
    )
    .unwrap();
    t.cash_movement(&karim, Money::from_dinars(500), false, "monnaie")
        .unwrap();
    t.cash_movement(&karim, Money::from_dinars(200), true, "fournisseur pain")
        .unwrap();
    t.open_drawer(&karim, "client demande la monnaie").unwrap();
    clock.advance(3_600_000);
    // A manager's X report shows the expected cash; the count comes in 20 DA short.
    let expected = t.x_report(Some(&karim)).unwrap().expected_cash.unwrap();
    let z = t
        .close_shift(&karim, Some(expected - Money::from_dinars(20)))
        .unwrap();
    let report = t.sync_once(&pos_sync_client::Http).unwrap();
    assert_eq!((report.rejected, report.pending), (0, 0));

    let server: Vec<i64> = rt
        .block_on(
            sqlx::query_scalar(
                "SELECT ARRAY[float, sales_count, refunds_count, sales_total, refunds_total,
                              discounts, cash_sales, cash_refunds, card_sales, card_refunds,
                              cash_in, cash_out, expected_cash, counted_cash, over_short]
                 FROM shifts WHERE id = $1 AND store_id = $2",
            )
            .bind(shift)
            .bind(store)
            .fetch_one(&pool),
        )
        .unwrap();
    let tender_of = |t: Tender| z.by_tender.iter().find(|x| x.tender == t).unwrap().clone();
    let (cash_t, card_t) = (tender_of(Tender::Cash), tender_of(Tender::Card));
    let c = Money::centimes;
    assert_eq!(
        server,
        [
            c(z.float.unwrap()),
            z.sales_count,
            z.refunds_count,
            c(z.sales_total.unwrap()),
            c(z.refunds_total.unwrap()),
            c(z.discounts.unwrap()),
            c(cash_t.sales),
            c(cash_t.refunds),
            c(card_t.sales),
            c(card_t.refunds),
            c(z.cash_in.unwrap()),
            c(z.cash_out.unwrap()),
            c(z.expected_cash.unwrap()),
            c(z.counted_cash.unwrap()),
            c(z.difference.unwrap()),
        ]
    );
    assert_eq!(z.difference, Some(Money::from_dinars(-20)));
    assert!(card_t.sales > Money::ZERO && cash_t.refunds > Money::ZERO);

    // TVA per rate, sales minus refunds, as the till summed it.
    let taxes: serde_json::Value = rt
        .block_on(
            sqlx::query_scalar("SELECT taxes FROM shifts WHERE id = $1")
                .bind(shift)
                .fetch_one(&pool),
        )
        .unwrap();
    let mut server_taxes: Vec<pos_shared::TaxLine> = serde_json::from_value(taxes).unwrap();
    let mut till_taxes = z.taxes.clone();
    server_taxes.sort_by_key(|t| t.rate);
    till_taxes.sort_by_key(|t| t.rate);
    assert_eq!(server_taxes, till_taxes);
    assert_eq!(till_taxes.len(), 3, "0 %, 9 % and 19 %");
}
