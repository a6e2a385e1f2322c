//! Sales built by the one pricing rule, for the tests of the rules over them.

use uuid::Uuid;

use crate::domain::{Discount, Payment, Sale, SaleKind, SaleLine, Tender, Unit};
use crate::hlc::Hlc;
use crate::money::Money;
use crate::pricing::{price, PriceLine};
use crate::tax::TaxRate;

/// 2026-11-24 09:00 UTC.
pub const AT_MS: i64 = 1_795_510_800_000;

/// A line to ring up: pieces, unit price in centimes, rate, line discount.
pub type Item = (i64, i64, TaxRate, Option<Discount>);

/// A sale of `items` with `order` off the whole, priced by [`price`], paid in cash.
pub fn sale(items: &[Item], order: Option<Discount>) -> Sale {
    let lines: Vec<PriceLine> = items
        .iter()
        .map(|&(qty, unit, tax_rate, discount)| PriceLine {
            unit_price: Money::from_centimes(unit),
            qty,
            unit: Unit::Piece,
            tax_rate,
            discount,
        })
        .collect();
    let totals = price(&lines, order.as_ref()).expect("the sample prices");
    let lines = lines
        .iter()
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, (l, t))| SaleLine {
            line_no: i as u32 + 1,
            product_id: Uuid::from_u128(100 + i as u128),
            sku: format!("SKU-{i}"),
            name: format!("Article {i}"),
            barcode: None,
            unit: l.unit,
            qty: l.qty,
            unit_price: l.unit_price,
            tax_rate: l.tax_rate,
            discount: l.discount,
            gross: t.gross,
            line_discount: t.line_discount,
            order_discount: t.order_discount,
            net: t.net,
        })
        .collect();
    Sale {
        id: Uuid::from_u128(1),
        kind: SaleKind::Sale,
        refund_of: None,
        store_id: Uuid::from_u128(2),
        terminal_id: Uuid::from_u128(3),
        receipt_no: 1,
        shift_id: Uuid::from_u128(4),
        cashier_id: Uuid::from_u128(5),
        hlc: Hlc::new(AT_MS, 0, 1),
        created_at_ms: AT_MS,
        lines,
        order_discount: order,
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
