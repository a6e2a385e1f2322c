//! What the window shows, shaped for it: every amount carries its centimes and its text
//! formatted by the core, so the UI never formats or computes money.

use pos_shared::{Discount, Money, TaxLine, Unit};
use serde::Serialize;
use uuid::Uuid;

use pos_core::catalog::ProductHit;
use pos_core::till::{CartLineView, CartView, ShiftReport};

/// An amount as the screen shows it: `{"c": 12550, "t": "125,50"}`. The currency label
/// (DA, دج) is the UI's translation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub c: i64,
    pub t: String,
}

impl From<Money> for Amount {
    fn from(m: Money) -> Amount {
        Amount {
            c: m.centimes(),
            t: m.format_plain(),
        }
    }
}

/// A quantity as the screen shows it (`pos_shared::Unit::quantity_text`).
pub fn qty_text(qty: i64, unit: Unit) -> String {
    unit.quantity_text(qty)
}

#[derive(Clone, Debug, Serialize)]
pub struct LineDto {
    pub line_no: u32,
    pub name: String,
    pub name_ar: String,
    pub barcode: Option<String>,
    pub weighed: bool,
    pub qty: i64,
    pub qty_text: String,
    pub unit_price: Amount,
    pub gross: Amount,
    pub discount: Amount,
    /// The line's own discount as typed (`10 %`, `50,00`), when there is one.
    pub discount_text: Option<String>,
    pub net: Amount,
}

#[derive(Clone, Debug, Serialize)]
pub struct TaxDto {
    pub rate: String,
    pub base: Amount,
    pub tax: Amount,
    pub total: Amount,
}

impl From<&TaxLine> for TaxDto {
    fn from(t: &TaxLine) -> TaxDto {
        TaxDto {
            rate: t.rate.to_string(),
            base: t.base.into(),
            tax: t.tax.into(),
            total: (t.base + t.tax).into(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CartDto {
    pub cart_id: Uuid,
    pub lines: Vec<LineDto>,
    /// Pieces plus one per weighed line: what the cashier counts on the belt.
    pub items: i64,
    pub order_discount: Option<String>,
    pub subtotal: Amount,
    pub discount_total: Amount,
    pub total: Amount,
    pub taxes: Vec<TaxDto>,
}

pub fn discount_text(d: &Discount) -> String {
    d.to_string()
}

impl From<&CartLineView> for LineDto {
    fn from(v: &CartLineView) -> LineDto {
        let l = &v.line;
        LineDto {
            line_no: l.line_no,
            name: l.name.clone(),
            name_ar: l.name_ar.clone(),
            barcode: l.barcode.clone(),
            weighed: l.unit == Unit::Kg,
            qty: l.qty,
            qty_text: qty_text(l.qty, l.unit),
            unit_price: l.price_override.unwrap_or(l.unit_price).into(),
            gross: v.gross.into(),
            discount: v.discount.into(),
            discount_text: l.discount.as_ref().map(discount_text),
            net: v.net.into(),
        }
    }
}

impl From<&CartView> for CartDto {
    fn from(v: &CartView) -> CartDto {
        CartDto {
            cart_id: v.cart_id,
            lines: v.lines.iter().map(LineDto::from).collect(),
            items: v
                .lines
                .iter()
                .map(|l| match l.line.unit {
                    Unit::Piece => l.line.qty,
                    Unit::Kg => 1,
                })
                .sum(),
            order_discount: v.order_discount.as_ref().map(discount_text),
            subtotal: v.subtotal.into(),
            discount_total: v.discount_total.into(),
            total: v.total.into(),
            taxes: v.taxes.iter().map(TaxDto::from).collect(),
        }
    }
}

/// A product tile or search result.
#[derive(Clone, Debug, Serialize)]
pub struct ProductDto {
    pub id: Uuid,
    pub sku: String,
    pub name: String,
    pub name_ar: String,
    /// What a tap puts in the cart: the barcode, or the SKU when there is none.
    pub code: String,
    pub price: Amount,
    pub weighed: bool,
    pub stock_text: String,
}

impl From<ProductHit> for ProductDto {
    fn from(h: ProductHit) -> ProductDto {
        ProductDto {
            id: h.id,
            code: h.barcode.clone().unwrap_or_else(|| h.sku.clone()),
            sku: h.sku,
            name: h.name_fr,
            name_ar: h.name_ar,
            price: h.price.into(),
            weighed: h.unit == Unit::Kg,
            stock_text: qty_text(h.stock, h.unit),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CategoryDto {
    pub name: String,
    pub count: i64,
}

/// A completed sale (or refund) as the tender screen's last step shows it.
#[derive(Clone, Debug, Serialize)]
pub struct SaleDone {
    pub sale_id: Uuid,
    pub receipt_no: i64,
    pub total: Amount,
    pub paid: Amount,
    pub change: Amount,
    /// The receipt as text, for the preview until the printed raster is available.
    pub receipt: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TenderLineDto {
    pub tender: String,
    pub sales: Amount,
    pub refunds: Amount,
    pub net: Amount,
}

/// An X or Z report, ready to show.
#[derive(Clone, Debug, Serialize)]
pub struct ReportDto {
    pub closed: bool,
    pub terminal: String,
    pub opened_by: String,
    pub sales_count: i64,
    pub refunds_count: i64,
    /// A cashier's X report is blind: the takings, the float and the cash are left out
    /// (`null`, and no tender or TVA lines).
    pub blind: bool,
    pub sales_total: Option<Amount>,
    pub refunds_total: Option<Amount>,
    pub net_total: Option<Amount>,
    pub discounts: Option<Amount>,
    pub by_tender: Vec<TenderLineDto>,
    pub taxes: Vec<TaxDto>,
    pub float: Option<Amount>,
    pub cash_in: Option<Amount>,
    pub cash_out: Option<Amount>,
    pub expected_cash: Option<Amount>,
    pub counted_cash: Option<Amount>,
    pub difference: Option<Amount>,
}

impl From<&ShiftReport> for ReportDto {
    fn from(r: &ShiftReport) -> ReportDto {
        ReportDto {
            closed: r.closed_at_ms.is_some(),
            terminal: r.terminal.clone(),
            opened_by: r.opened_by.clone(),
            sales_count: r.sales_count,
            refunds_count: r.refunds_count,
            sales_total: r.sales_total.map(Amount::from),
            refunds_total: r.refunds_total.map(Amount::from),
            net_total: r.net_total.map(Amount::from),
            discounts: r.discounts.map(Amount::from),
            by_tender: r
                .by_tender
                .iter()
                .map(|t| TenderLineDto {
                    tender: t.tender.as_str().to_owned(),
                    sales: t.sales.into(),
                    refunds: t.refunds.into(),
                    net: t.net.into(),
                })
                .collect(),
            taxes: r.taxes.iter().map(TaxDto::from).collect(),
            blind: r.blind,
            float: r.float.map(Amount::from),
            cash_in: r.cash_in.map(Amount::from),
            cash_out: r.cash_out.map(Amount::from),
            expected_cash: r.expected_cash.map(Amount::from),
            counted_cash: r.counted_cash.map(Amount::from),
            difference: r.difference.map(Amount::from),
        }
    }
}

/// Cash amounts a cashier is likely to be handed for `due`: the exact amount, then the next
/// round sums of each Algerian note (200, 500, 1000, 2000 DA) and of the 50 and 100 DA coins
/// above it. Four at most: when there are more, the round-ups by coins give way to the notes,
/// so the 200 DA note is offered whenever it covers the total.
pub fn quick_amounts(due: Money) -> Vec<Amount> {
    const STEPS: [i64; 6] = [5_000, 10_000, 20_000, 50_000, 100_000, 200_000];
    let due_c = due.centimes();
    let mut above: Vec<i64> = Vec::new();
    if due_c > 0 {
        for step in STEPS {
            let up = (due_c + step - 1) / step * step;
            if up != due_c && !above.contains(&up) {
                above.push(up);
            }
        }
    }
    above.sort_unstable();
    let keep = above.len().saturating_sub(4);
    std::iter::once(due_c)
        .chain(above.into_iter().skip(keep))
        .map(|c| Money::from_centimes(c).into())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: &[Amount]) -> Vec<i64> {
        v.iter().map(|a| a.c).collect()
    }

    #[test]
    fn quick_amounts_are_the_notes_a_customer_hands_over() {
        let cases: &[(i64, &[i64])] = &[
            // 130 DA: each note covers it, the 200 DA note first.
            (13_000, &[13_000, 20_000, 50_000, 100_000, 200_000]),
            (16_000, &[16_000, 20_000, 50_000, 100_000, 200_000]),
            (43_050, &[43_050, 50_000, 60_000, 100_000, 200_000]),
            (123_450, &[123_450, 130_000, 140_000, 150_000, 200_000]),
            (430_000, &[430_000, 440_000, 450_000, 500_000, 600_000]),
            (100_000, &[100_000, 200_000]),
            (190_000, &[190_000, 200_000]),
            (0, &[0]),
        ];
        for &(due, want) in cases {
            assert_eq!(c(&quick_amounts(Money::from_centimes(due))), want, "{due}");
        }
    }

    #[test]
    fn weighed_quantities_read_in_kilograms() {
        assert_eq!(qty_text(750, Unit::Kg), "0,750 kg");
        assert_eq!(qty_text(1250, Unit::Kg), "1,250 kg");
        assert_eq!(qty_text(3, Unit::Piece), "3");
    }
}
