#![allow(clippy::unwrap_used)]

use super::*;
use crate::domain::Unit;
use crate::tax::TaxRate;

fn semoule() -> Product {
    Product {
        id: uuid::Uuid::from_u128(1),
        sku: "SEM-1".into(),
        name_fr: "Semoule moyenne 1 kg".into(),
        name_ar: "سميد متوسط".into(),
        barcodes: vec!["06130502000100".into()],
        plu: None,
        price: Money::from_dinars(110),
        tax_rate: TaxRate::ZERO,
        category: "épicerie".into(),
        unit: Unit::Piece,
        reorder_point: 10,
        active: true,
    }
}

type Edit = fn(&mut Product);

#[test]
fn a_product_is_named_priced_and_its_barcodes_are_gtin14s() {
    let fine: [(&str, Edit); 5] = [
        ("as it is", |_| {}),
        ("free", |p| p.price = Money::ZERO),
        ("no barcode", |p| p.barcodes.clear()),
        ("no reorder point", |p| p.reorder_point = 0),
        ("weighed, with a PLU", |p| {
            p.unit = Unit::Kg;
            p.plu = Some("00101".into());
        }),
    ];
    for (name, edit) in fine {
        let mut p = semoule();
        edit(&mut p);
        assert_eq!(p.check(), Ok(()), "{name}");
    }
    let refused: [(&str, Edit, ProductError); 10] = [
        ("no SKU", |p| p.sku.clear(), ProductError::NoSku),
        ("blank SKU", |p| p.sku = "  ".into(), ProductError::NoSku),
        ("no name", |p| p.name_fr = "\t".into(), ProductError::NoName),
        (
            "negative price",
            |p| p.price = Money::from_centimes(-1),
            ProductError::NegativePrice(Money::from_centimes(-1)),
        ),
        (
            "negative reorder point",
            |p| p.reorder_point = -5,
            ProductError::NegativeReorderPoint(-5),
        ),
        (
            "an EAN-13 not widened to 14 digits",
            |p| p.barcodes = vec!["6130502000100".into()],
            ProductError::Barcode("6130502000100".into()),
        ),
        (
            "a wrong check digit",
            |p| p.barcodes.push("06130502000101".into()),
            ProductError::Barcode("06130502000101".into()),
        ),
        (
            "NUL in the Arabic name",
            |p| p.name_ar.push('\0'),
            ProductError::Nul,
        ),
        (
            "NUL in the category",
            |p| p.category = "\0".into(),
            ProductError::Nul,
        ),
        (
            "NUL in the PLU",
            |p| p.plu = Some("1\0".into()),
            ProductError::Nul,
        ),
    ];
    for (name, edit, want) in refused {
        let mut p = semoule();
        edit(&mut p);
        assert_eq!(p.check(), Err(want), "{name}");
    }
}

#[test]
fn messages_name_the_field_and_codes_are_stable() {
    let cases = [
        (ProductError::NoSku, "PRODUCT_WITHOUT_SKU", "sku is empty"),
        (
            ProductError::NoName,
            "PRODUCT_WITHOUT_NAME",
            "name_fr is empty",
        ),
        (
            ProductError::NegativePrice(Money::from_dinars(-20)),
            "NEGATIVE_PRICE",
            "price -20,00",
        ),
        (
            ProductError::NegativeReorderPoint(-1),
            "NEGATIVE_REORDER_POINT",
            "reorder point -1 is negative",
        ),
        (
            ProductError::Barcode("123".into()),
            "INVALID_GTIN14",
            "\"123\" is not a valid GTIN-14",
        ),
        (ProductError::Nul, "NUL_CHARACTER", "NUL character"),
    ];
    for (err, code, text) in cases {
        assert_eq!(err.code(), code);
        assert!(err.to_string().contains(text), "{err}");
    }
}
