//! Catalogue, sale and shift records as stored and synced.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Discount, SaleKind, Tender, Unit};
use crate::hlc::Hlc;
use crate::money::Money;
use crate::tax::TaxRate;

/// A catalogue item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: Uuid,
    pub sku: String,
    pub name_fr: String,
    pub name_ar: String,
    /// GTIN-14 strings (see [`crate::Gtin::gtin14`]).
    pub barcodes: Vec<String>,
    /// Item code printed in weighed labels.
    pub plu: Option<String>,
    /// TTC, per piece or per kg according to `unit`.
    pub price: Money,
    pub tax_rate: TaxRate,
    pub category: String,
    pub unit: Unit,
    /// Stock level (pieces or grams) at which to reorder.
    pub reorder_point: i64,
    pub active: bool,
}

/// One tender applied to a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub tender: Tender,
    /// Applied to the sale.
    pub amount: Money,
    /// Handed over; greater than `amount` only for cash (change is due).
    pub tendered: Money,
    /// Card authorisation or other external reference.
    pub reference: Option<String>,
}

/// A priced line as printed on the receipt; amounts come from
/// [`crate::pricing::price`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub line_no: u32,
    pub product_id: Uuid,
    pub sku: String,
    /// Name at the time of sale, so later renames do not rewrite receipts.
    pub name: String,
    /// GTIN-14 scanned, if any.
    pub barcode: Option<String>,
    pub unit: Unit,
    /// Pieces, or grams for [`Unit::Kg`].
    pub qty: i64,
    /// TTC, per piece or per kg.
    pub unit_price: Money,
    pub tax_rate: TaxRate,
    pub discount: Option<Discount>,
    pub gross: Money,
    pub line_discount: Money,
    /// This line's share of the order discount.
    pub order_discount: Money,
    pub net: Money,
}

/// Tax summary for one rate; `base + tax == total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub rate: TaxRate,
    /// HT.
    pub base: Money,
    pub tax: Money,
    /// TTC.
    pub total: Money,
}

/// A completed sale or refund; immutable once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub id: Uuid,
    pub kind: SaleKind,
    /// The original sale, for refunds.
    pub refund_of: Option<Uuid>,
    pub store_id: Uuid,
    pub terminal_id: Uuid,
    /// Per-terminal sequence printed on the receipt.
    pub receipt_no: i64,
    pub shift_id: Uuid,
    pub cashier_id: Uuid,
    pub hlc: Hlc,
    pub created_at_ms: i64,
    pub lines: Vec<SaleLine>,
    pub order_discount: Option<Discount>,
    pub subtotal: Money,
    pub discount_total: Money,
    pub total: Money,
    pub taxes: Vec<TaxLine>,
    pub payments: Vec<Payment>,
    pub change: Money,
}

/// What happened to a cash drawer during a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShiftEventKind {
    /// Shift starts with this much cash in the drawer.
    Open {
        float: Money,
    },
    CashIn {
        amount: Money,
        reason: String,
    },
    CashOut {
        amount: Money,
        reason: String,
    },
    /// Drawer opened without a sale (audited).
    DrawerOpened {
        reason: String,
    },
    /// End of shift: what was counted versus what the records say.
    Close {
        counted_cash: Money,
        expected_cash: Money,
    },
}

/// An audited drawer/shift event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftEvent {
    pub id: Uuid,
    pub shift_id: Uuid,
    pub terminal_id: Uuid,
    pub user_id: Uuid,
    pub hlc: Hlc,
    pub kind: ShiftEventKind,
}

impl Sale {
    /// The stock movements this sale (or refund) implies, with the line each belongs to. Their
    /// ids derive from the sale's, so every replica that applies the sale records the same ones.
    pub fn stock_movements(&self) -> Vec<(u32, crate::StockMovement)> {
        let (kind, sign) = match self.kind {
            SaleKind::Sale => (crate::MovementKind::Sale, -1),
            SaleKind::Refund => (crate::MovementKind::Refund, 1),
        };
        self.lines
            .iter()
            .map(|l| {
                let m = crate::StockMovement {
                    id: sale_line_movement_id(&self.id, l.line_no),
                    product_id: l.product_id,
                    kind,
                    qty: sign * l.qty,
                    hlc: self.hlc,
                    reason: None,
                    ref_id: Some(self.id),
                    user_id: Some(self.cashier_id),
                };
                (l.line_no, m)
            })
            .collect()
    }
}

/// How a sale line's movement is known in a ledger (tills and server alike): `sale_id/line_no`.
pub fn sale_line_key(sale: &Uuid, line_no: u32) -> String {
    format!("{sale}/{line_no}")
}

/// The id of the movement of line `line_no` of a sale: derived, never stored separately.
pub fn sale_line_movement_id(sale: &Uuid, line_no: u32) -> Uuid {
    Uuid::new_v5(sale, &line_no.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_event_kind_is_internally_tagged() {
        let k = ShiftEventKind::CashOut {
            amount: Money::from_dinars(200),
            reason: "supplier".into(),
        };
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(
            json,
            r#"{"type":"cash_out","amount":20000,"reason":"supplier"}"#
        );
        assert_eq!(serde_json::from_str::<ShiftEventKind>(&json).unwrap(), k);
        let open: ShiftEventKind =
            serde_json::from_str(r#"{"type":"open","float":500000}"#).unwrap();
        assert_eq!(
            open,
            ShiftEventKind::Open {
                float: Money::from_dinars(5000)
            }
        );
    }

    #[test]
    fn sale_round_trips_through_json() {
        let id = Uuid::from_u128(1);
        let line = SaleLine {
            line_no: 1,
            product_id: id,
            sku: "LAIT-1L".into(),
            name: "Lait 1L".into(),
            barcode: Some("06130021000124".into()),
            unit: Unit::Piece,
            qty: 2,
            unit_price: Money::from_dinars(25),
            tax_rate: TaxRate::REDUCED,
            discount: None,
            gross: Money::from_dinars(50),
            line_discount: Money::ZERO,
            order_discount: Money::ZERO,
            net: Money::from_dinars(50),
        };
        let sale = Sale {
            id,
            kind: SaleKind::Sale,
            refund_of: None,
            store_id: id,
            terminal_id: id,
            receipt_no: 1,
            shift_id: id,
            cashier_id: id,
            hlc: Hlc::new(1, 0, 1),
            created_at_ms: 1,
            lines: vec![line],
            order_discount: Some(Discount::Percent(0)),
            subtotal: Money::from_dinars(50),
            discount_total: Money::ZERO,
            total: Money::from_dinars(50),
            taxes: vec![TaxLine {
                rate: TaxRate::REDUCED,
                base: Money::from_centimes(4587),
                tax: Money::from_centimes(413),
                total: Money::from_dinars(50),
            }],
            payments: vec![Payment {
                tender: Tender::Cash,
                amount: Money::from_dinars(50),
                tendered: Money::from_dinars(100),
                reference: None,
            }],
            change: Money::from_dinars(50),
        };
        let json = serde_json::to_string(&sale).unwrap();
        assert!(json.contains(r#""kind":"sale""#));
        assert!(json.contains(r#""hlc":"000000000000001-000000-0000000000000001""#));
        assert_eq!(serde_json::from_str::<Sale>(&json).unwrap(), sale);
    }
}
