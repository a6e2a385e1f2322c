//! A receipt opens in the portal as the till printed it: the document the server lays out from
//! what it recorded is, block for block, the one the till builds from the sale it pushed, in
//! each language.

use std::collections::HashMap;

use pos_shared::receipt::{sale_receipt, SaleNames, StoreHeader};
use pos_shared::{Lang, Money, Paper};
use sync_server::demo::{self, Rng, Till};

use super::{user, Browser};
use crate::helpers::{json_entry, spawn_app};

#[tokio::test]
async fn a_receipt_is_shown_block_for_block_as_the_till_printed_it() {
    let app = spawn_app().await;
    let store = app.store("Superette El Baraka").await;
    let t = app.enroll(store, "Caisse 1").await;
    let products = demo::catalog(store);
    let mut rng = Rng::new(7);
    let cashier = rng.uuid();
    let mut till = Till::new(&mut rng, store, vec![cashier]);
    // A sale with both a line discount and a share of an order discount, a weighed line, and
    // a refund of it: what the paper shows apart, the portal must show apart.
    let at = 1_795_510_800_000;
    let sale = (0..500)
        .filter_map(|i| demo::sale(&mut rng, &mut till, &products, at + i * 60_000))
        .find(|s| {
            s.lines.iter().any(|l| !l.line_discount.is_zero())
                && s.lines.iter().any(|l| !l.order_discount.is_zero())
                && s.lines.iter().any(|l| l.unit == pos_shared::Unit::Kg)
        })
        .expect("the generator makes such a sale");
    let refund = demo::refund(&mut rng, &mut till, &sale, sale.created_at_ms + 600_000).unwrap();
    let mut entries: Vec<_> = products
        .iter()
        .map(|p| json_entry(0, "product_genesis", &p.id.to_string(), p))
        .collect();
    entries.push(json_entry(0, "sale", &sale.id.to_string(), &sale));
    entries.push(json_entry(0, "sale", &refund.id.to_string(), &refund));
    for (i, e) in entries.iter_mut().enumerate() {
        e.seq = i as i64 + 1;
    }
    let (status, body) = app.push(&t, entries).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["rejected"], serde_json::json!([]), "{body}");

    user(&app, "owner@shop.dz", "owner", &[]).await;
    let b = Browser::signed_in(&app, "owner@shop.dz").await;
    let header = StoreHeader {
        name: "Superette El Baraka".into(),
        terminal: "Caisse 1".into(),
        utc_offset_min: 60,
        ..StoreHeader::default()
    };
    let names = SaleNames {
        cashier: String::new(),
        terminal: "Caisse 1".into(),
        arabic: products
            .iter()
            .map(|p| (p.id, p.name_ar.clone()))
            .collect::<HashMap<_, _>>(),
    };
    for (s, lang, code) in [
        (&sale, Lang::Fr, "fr"),
        (&sale, Lang::Ar, "ar"),
        (&refund, Lang::En, "en"),
    ] {
        let (status, body) = b
            .get(&format!("/v1/portal/receipts/{}/printed?lang={code}", s.id))
            .await;
        assert_eq!(status, 200, "{body}");
        let till = sale_receipt(s, &header, &names, Paper::Mm80, lang, false);
        assert_eq!(body["data"], serde_json::to_value(&till).unwrap(), "{code}");
    }
    // Arabic amounts keep their digits in order, inside an isolate.
    let (_, ar) = b
        .get(&format!("/v1/portal/receipts/{}/printed?lang=ar", sale.id))
        .await;
    let total = Money::format_plain(sale.total);
    assert!(ar["data"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|blk| blk["value"] == format!("\u{2066}{total}\u{2069} دج")));

    let (status, _) = b
        .get(&format!("/v1/portal/receipts/{}/printed?lang=xx", sale.id))
        .await;
    assert_eq!(status, 400);
}
