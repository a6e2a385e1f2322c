//! Catalog import from CSV or JSON. Bad rows are reported by line number and skipped; good rows
//! are imported; importing the same file twice changes nothing the second time.

use std::collections::HashMap;
use std::path::Path;

use pos_shared::{Gtin, Money, Product, TaxRate, Unit};
use serde::{Deserialize, Serialize};

use crate::error::{PosError, Result};

/// One row as written in the file, before validation.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RawRow {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub barcode: String,
    #[serde(default)]
    pub barcodes: Vec<String>,
    #[serde(default)]
    pub plu: Option<String>,
    #[serde(default)]
    pub name_fr: String,
    #[serde(default)]
    pub name_ar: String,
    #[serde(default)]
    pub category: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub price: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub tax_rate: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub reorder_point: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub stock: String,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// A row that could not be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Line in a CSV file (the header is line 1), or position in a JSON array (from 1).
    pub line: usize,
    pub sku: String,
    pub message: String,
}

/// A valid row: the product as the file describes it and the stock to start with.
#[derive(Clone, Debug)]
pub struct ValidRow {
    pub line: usize,
    pub product: Product,
    pub stock: Option<i64>,
}

/// Reads every row of a CSV or JSON catalog file (by extension, or by content when unclear).
pub fn read_rows(path: &Path) -> Result<Vec<(usize, std::result::Result<RawRow, String>)>> {
    let file_err = |e: &dyn std::fmt::Display| PosError::File {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(&e))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('[');
    if is_json {
        let rows: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| file_err(&e))?;
        return Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, serde_json::from_value(v).map_err(|e| e.to_string())))
            .collect());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| file_err(&e))?.clone();
    for required in ["sku", "name_fr", "price"] {
        if !headers.iter().any(|h| h == required) {
            return Err(file_err(&format!("the header has no {required:?} column")));
        }
    }
    Ok(reader
        .records()
        .map(|rec| match rec {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                if rec.len() != headers.len() {
                    let msg = format!(
                        "{} fields where the header has {}: a comma inside a value? \
                         put the value in double quotes",
                        rec.len(),
                        headers.len()
                    );
                    return (line, Err(msg));
                }
                let row = rec.deserialize::<RawRow>(Some(&headers));
                (line, row.map_err(|e| e.to_string()))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                (line, Err(e.to_string()))
            }
        })
        .collect())
}

fn int(field: &str, s: &str) -> std::result::Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| format!("{field} {s:?} is not a whole number"))
}

/// Reads a row's fields into a product (with a placeholder id, set on creation) and checks it
/// by the rule every replica checks products by ([`Product::check`]: named, priced, real
/// GTIN-14s), with the till's own rules for what it sells: Algerian TVA rates, and a PLU of
/// digits for what is sold by weight.
pub fn validate(line: usize, raw: RawRow) -> std::result::Result<ValidRow, String> {
    let price = Money::parse(&raw.price).map_err(|e| format!("price {:?}: {e}", raw.price))?;
    let tax_rate = TaxRate::parse_percent(&raw.tax_rate)
        .map_err(|e| format!("tax_rate {:?}: {e}", raw.tax_rate))?;
    if ![TaxRate::STANDARD, TaxRate::REDUCED, TaxRate::ZERO].contains(&tax_rate) {
        return Err(format!(
            "tax_rate {:?} is not an Algerian TVA rate (19, 9 or 0)",
            raw.tax_rate
        ));
    }
    let unit = match raw.unit.trim() {
        "" => Unit::Piece,
        u => Unit::parse(u).map_err(|_| format!("unit {u:?} is not piece or kg"))?,
    };
    let plu = raw
        .plu
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    if unit == Unit::Kg && plu.is_none() {
        return Err("a product sold by weight needs a plu (the scale's item code)".into());
    }
    if let Some(p) = &plu {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("plu {p:?} must be digits"));
        }
    }
    let mut barcodes = Vec::new();
    let listed = raw
        .barcode
        .split(['|', ' '])
        .map(str::to_owned)
        .chain(raw.barcodes);
    for code in listed
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
    {
        let gtin = Gtin::parse(&code).map_err(|e| format!("barcode {code:?}: {e}"))?;
        if !barcodes.contains(&gtin.gtin14().to_owned()) {
            barcodes.push(gtin.gtin14().to_owned());
        }
    }
    barcodes.sort_unstable();
    let reorder_point = int("reorder_point", &raw.reorder_point)?.unwrap_or(0);
    let stock = int("stock", &raw.stock)?;
    let product = Product {
        id: uuid::Uuid::nil(),
        sku: raw.sku.trim().to_owned(),
        name_fr: raw.name_fr.trim().to_owned(),
        name_ar: raw.name_ar.trim().to_owned(),
        barcodes,
        plu,
        price,
        tax_rate,
        category: raw.category.trim().to_owned(),
        unit,
        reorder_point,
        active: true,
    };
    product.check().map_err(|e| e.to_string())?;
    Ok(ValidRow {
        line,
        product,
        stock,
    })
}

/// Validates every row and also what can only be seen across rows: a SKU, barcode or PLU used
/// twice in the same file.
pub fn validate_all(
    rows: Vec<(usize, std::result::Result<RawRow, String>)>,
) -> (Vec<ValidRow>, Vec<RowError>) {
    let mut good = Vec::with_capacity(rows.len());
    let mut bad = Vec::new();
    let mut skus: HashMap<String, usize> = HashMap::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for (line, raw) in rows {
        let sku = raw
            .as_ref()
            .map(|r| r.sku.trim().to_owned())
            .unwrap_or_default();
        let checked = raw.and_then(|r| validate(line, r)).and_then(|row| {
            if let Some(first) = skus.get(&row.product.sku) {
                return Err(format!(
                    "sku {} is already on line {first}",
                    row.product.sku
                ));
            }
            let keys = row
                .product
                .barcodes
                .iter()
                .cloned()
                .chain(row.product.plu.iter().map(|p| format!("plu:{p}")));
            for key in keys {
                if let Some(first) = codes.get(&key) {
                    return Err(format!(
                        "{} is already used on line {first}",
                        key.trim_start_matches("plu:")
                    ));
                }
            }
            Ok(row)
        });
        match checked {
            Ok(row) => {
                skus.insert(row.product.sku.clone(), line);
                for b in &row.product.barcodes {
                    codes.insert(b.clone(), line);
                }
                if let Some(p) = &row.product.plu {
                    codes.insert(format!("plu:{p}"), line);
                }
                good.push(row);
            }
            Err(message) => bad.push(RowError { line, sku, message }),
        }
    }
    (good, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_reported_by_line_and_good_rows_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.csv");
        std::fs::write(
            &file,
            "sku,barcode,plu,name_fr,name_ar,category,price,tax_rate,unit,reorder_point,stock\n\
             A-1,6130502000100,,Semoule,سميد,épicerie,\"110,00\",0,piece,10,5\n\
             A-2,,,Eau Ifri 1,5 L,ماء,boissons,\"45,00\",19,piece,24,60\n\
             A-3,,00101,Tomates,طماطم,fruits,\"140,00\",9,kg,5000,abc\n\
             A-4,,00102,Oignons,بصل,fruits,\"70,00\",9,kg,5000,48000\n",
        )
        .unwrap();
        let (good, bad) = validate_all(read_rows(&file).unwrap());
        let skus: Vec<&str> = good.iter().map(|r| r.product.sku.as_str()).collect();
        assert_eq!(skus, ["A-1", "A-4"]);
        assert_eq!(bad.iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert!(bad[0].message.contains("12 fields where the header has 11"));
        assert!(bad[1]
            .message
            .contains("stock \"abc\" is not a whole number"));
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.csv");
        std::fs::write(&file, "code,label\n1,x\n").unwrap();
        let err = read_rows(&file).unwrap_err();
        assert_eq!(err.code(), "FILE_ERROR");
        assert!(err.to_string().contains("no \"sku\" column"));
    }
}
