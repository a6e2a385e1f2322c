//! From what was scanned or typed to a product and a quantity: GTINs (check digit verified),
//! weighed-item labels (prefix 20–29: item code + grams or price), PLUs and SKUs.

use std::str::FromStr;

use pos_shared::{Gtin, Money, Product, Unit, WeighedScheme};
use rusqlite::Connection;

use super::cart::CartLine;
use crate::catalog;
use crate::error::{PosError, Result};

/// An item as written on the command line: `CODE` or `CODE*QTY` (QTY in pieces, or grams for
/// products sold by weight).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemSpec {
    pub code: String,
    pub qty: Option<i64>,
}

impl FromStr for ItemSpec {
    type Err = PosError;

    fn from_str(s: &str) -> Result<ItemSpec> {
        let s = s.trim();
        match s.rsplit_once('*') {
            Some((code, qty)) => {
                let qty: i64 = qty
                    .trim()
                    .parse()
                    .map_err(|_| PosError::Invalid(format!("quantity {qty:?} is not a number")))?;
                if qty <= 0 {
                    return Err(PosError::InvalidQuantity(qty));
                }
                Ok(ItemSpec {
                    code: code.trim().to_owned(),
                    qty: Some(qty),
                })
            }
            None => Ok(ItemSpec {
                code: s.to_owned(),
                qty: None,
            }),
        }
    }
}

/// What a code resolved to.
pub struct Resolved {
    pub product: Product,
    /// The GTIN-14 scanned, when it was a barcode.
    pub barcode: Option<String>,
    /// Quantity carried by the label itself (weighed items).
    pub qty: Option<i64>,
    /// The price a scale printed on the label: what the customer was shown, so what is charged.
    pub label_price: Option<Money>,
}

/// What `code` is, for selling: an inactive product is refused.
pub fn resolve(conn: &Connection, code: &str, weighed: &WeighedScheme) -> Result<Resolved> {
    let r = find(conn, code, weighed)?;
    if r.product.active {
        Ok(r)
    } else {
        Err(PosError::InactiveProduct(r.product.name_fr.clone()))
    }
}

/// What `code` is, active or not (a refund takes back what was sold, even a product withdrawn
/// since).
pub fn find(conn: &Connection, code: &str, weighed: &WeighedScheme) -> Result<Resolved> {
    let code = code.trim();
    if code.is_empty() {
        return Err(PosError::InvalidBarcode {
            code: String::new(),
            reason: "nothing was scanned".into(),
            code_name: "EMPTY_BARCODE",
        });
    }
    let all_digits = code.bytes().all(|b| b.is_ascii_digit());
    if all_digits && matches!(code.len(), 8 | 12 | 13 | 14) {
        // A shop's own SKU may be digits of a barcode's length: a code that is no barcode, or
        // no product's, may still be one.
        let gtin = match Gtin::parse(code) {
            Ok(gtin) => gtin,
            Err(e) => {
                return catalog::by_sku(conn, code)?
                    .map(plain)
                    .ok_or_else(|| PosError::invalid_barcode(code, &e))
            }
        };
        if let Some(label) = weighed.parse(&gtin) {
            if let Some(product) = catalog::by_plu(conn, &label.item_code)? {
                let qty = match (label.grams, label.price) {
                    (Some(g), _) => g,
                    (None, Some(price)) if product.price.centimes() > 0 => {
                        // price label: the weight for stock is price / price per kg, rounded;
                        // the amount charged stays the label's (`CartLine::label_price`)
                        pos_shared::pricing::round_div(
                            i128::from(price.centimes()) * 1000,
                            i128::from(product.price.centimes()),
                        ) as i64
                    }
                    _ => 0,
                };
                if qty <= 0 {
                    return Err(PosError::InvalidQuantity(qty));
                }
                return Ok(Resolved {
                    product,
                    barcode: Some(gtin.gtin14().to_owned()),
                    qty: Some(qty),
                    label_price: label.price,
                });
            }
        }
        return match catalog::by_gtin(conn, gtin.gtin14())? {
            Some(product) => Ok(Resolved {
                product,
                barcode: Some(gtin.gtin14().to_owned()),
                qty: None,
                label_price: None,
            }),
            None => catalog::by_sku(conn, code)?
                .map(plain)
                .ok_or_else(|| PosError::UnknownProduct(code.to_owned())),
        };
    }
    if let Some(product) = catalog::by_plu(conn, code)? {
        return Ok(plain(product));
    }
    if let Some(product) = catalog::by_sku(conn, code)? {
        return Ok(plain(product));
    }
    if all_digits {
        // digits of a length no barcode has: most likely a mistyped or half-read code
        return Err(PosError::InvalidBarcode {
            code: code.to_owned(),
            reason: format!(
                "{} digits is not a barcode length (8, 12, 13 or 14)",
                code.len()
            ),
            code_name: "BAD_BARCODE_LENGTH",
        });
    }
    Err(PosError::UnknownProduct(code.to_owned()))
}

/// The quantity a line gets when none was given: one piece, or the label's weight.
pub fn default_qty(r: &Resolved) -> Result<i64> {
    match (r.qty, r.product.unit) {
        (Some(q), _) => Ok(q),
        (None, Unit::Piece) => Ok(1),
        (None, Unit::Kg) => Err(PosError::Invalid(format!(
            "{} is sold by weight: weigh it or give the grams (CODE*GRAMS)",
            r.product.name_fr
        ))),
    }
}

/// A new cart line for what a code resolved to: the product as it is now.
pub(super) fn cart_line(line_no: u32, r: &Resolved, qty: i64) -> CartLine {
    let p = &r.product;
    CartLine {
        line_no,
        product_id: p.id,
        sku: p.sku.clone(),
        name: p.name_fr.clone(),
        name_ar: p.name_ar.clone(),
        barcode: r.barcode.clone(),
        unit: p.unit,
        qty,
        unit_price: p.price,
        tax_rate: p.tax_rate,
        discount: None,
        price_override: None,
        label_price: r.label_price,
        approved_bp: 0,
    }
}

/// A product found by its PLU or SKU: no barcode, no quantity or price of a label.
fn plain(product: Product) -> Resolved {
    Resolved {
        product,
        barcode: None,
        qty: None,
        label_price: None,
    }
}
