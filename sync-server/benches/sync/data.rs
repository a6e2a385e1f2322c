//! What the bench pushes: sales of five lines priced by the one pricing function, as a till
//! writes them, and push bodies ready to send.

use base64::Engine;
use pos_shared::api::{PushEntry, PushRequest, PROTOCOL_VERSION};
use pos_shared::{
    pricing, Hlc, Money, Payment, PriceLine, Sale, SaleKind, SaleLine, TaxRate, Tender, Unit,
};
use rand::seq::IndexedRandom;
use rand::Rng;
use uuid::Uuid;

pub const LINES: usize = 5;

/// A store's catalog: product ids with their price and rate.
pub struct Catalog {
    pub products: Vec<(Uuid, Money, TaxRate)>,
}

impl Catalog {
    pub fn new(count: usize, rng: &mut impl Rng) -> Catalog {
        let rates = [TaxRate::STANDARD, TaxRate::REDUCED, TaxRate::ZERO];
        let products = (0..count)
            .map(|_| {
                let price = Money::from_centimes(rng.random_range(5_000..500_000));
                let rate = *rates.choose(rng).unwrap_or(&TaxRate::STANDARD);
                (Uuid::now_v7(), price, rate)
            })
            .collect();
        Catalog { products }
    }
}

/// A terminal's sale number `n`, five distinct products, paid cash.
pub fn sale(catalog: &Catalog, terminal: Uuid, n: i64, at_ms: i64, rng: &mut impl Rng) -> Sale {
    let picked: Vec<_> = catalog
        .products
        .choose_multiple(rng, LINES)
        .copied()
        .collect();
    let qtys: Vec<i64> = (0..picked.len()).map(|_| rng.random_range(1..4)).collect();
    let price_lines: Vec<PriceLine> = picked
        .iter()
        .zip(&qtys)
        .map(|((_, price, rate), qty)| PriceLine {
            unit_price: *price,
            qty: *qty,
            unit: Unit::Piece,
            tax_rate: *rate,
            discount: None,
        })
        .collect();
    let totals = match pricing::price(&price_lines, None) {
        Ok(t) => t,
        Err(e) => panic!("bench prices are valid: {e}"),
    };
    let lines = picked
        .iter()
        .zip(&qtys)
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, (((id, price, rate), qty), t))| SaleLine {
            line_no: i as u32 + 1,
            product_id: *id,
            sku: format!("SKU-{}", &id.simple().to_string()[24..]),
            name: "Article de banc d'essai".into(),
            barcode: None,
            unit: Unit::Piece,
            qty: *qty,
            unit_price: *price,
            tax_rate: *rate,
            discount: None,
            gross: t.gross,
            line_discount: t.line_discount,
            order_discount: t.order_discount,
            net: t.net,
        })
        .collect();
    Sale {
        id: Uuid::now_v7(),
        kind: SaleKind::Sale,
        refund_of: None,
        store_id: Uuid::nil(),
        terminal_id: terminal,
        receipt_no: n,
        shift_id: Uuid::from_u128(2),
        cashier_id: Uuid::from_u128(3),
        hlc: Hlc::new(at_ms, 0, pos_shared::node_from_uuid(&terminal)),
        created_at_ms: at_ms,
        lines,
        order_discount: None,
        subtotal: totals.subtotal,
        discount_total: totals.discount_total,
        total: totals.total,
        taxes: totals.taxes,
        payments: vec![Payment {
            tender: Tender::Cash,
            amount: totals.total,
            tendered: totals.total,
            reference: None,
        }],
        change: Money::ZERO,
    }
}

pub fn entry(seq: i64, sale: &Sale) -> PushEntry {
    let body = match serde_json::to_vec(sale) {
        Ok(b) => b,
        Err(e) => panic!("a sale serialises: {e}"),
    };
    PushEntry {
        seq,
        kind: "sale".into(),
        entity_id: sale.id.to_string(),
        hlc: sale.hlc.to_string(),
        body: base64::engine::general_purpose::STANDARD.encode(body),
    }
}

/// The JSON body of a push of `sales`, numbered from `first_seq`.
pub fn push_body(device: Uuid, first_seq: i64, sales: &[Sale]) -> Vec<u8> {
    let req = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: device,
        entries: sales
            .iter()
            .enumerate()
            .map(|(i, s)| entry(first_seq + i as i64, s))
            .collect(),
    };
    match serde_json::to_vec(&req) {
        Ok(b) => b,
        Err(e) => panic!("a push serialises: {e}"),
    }
}
