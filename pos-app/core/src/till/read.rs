//! Reading sales back from their rows (receipts, refunds, reports).

use pos_shared::{Money, Payment, Sale, SaleKind, SaleLine, TaxLine, TaxRate, Tender, Unit};
use rusqlite::{Connection, OptionalExtension, Row};
use uuid::Uuid;

use crate::error::{PosError, Result};

fn uuid(s: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn rate(bp: i64) -> TaxRate {
    TaxRate::from_bp(u32::try_from(bp).unwrap_or(0)).unwrap_or(TaxRate::ZERO)
}

fn json<T: serde::de::DeserializeOwned>(s: Option<String>) -> Option<T> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

pub fn sale_id_by_receipt(conn: &Connection, terminal: &Uuid, no: i64) -> Result<Option<Uuid>> {
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM sales WHERE terminal_id = ?1 AND receipt_no = ?2")?
        .query_row(rusqlite::params![terminal.to_string(), no], |r| r.get(0))
        .optional()?;
    Ok(id.and_then(|s| Uuid::parse_str(&s).ok()))
}

/// The code of a terminal printed on its receipts: the last six hex digits of its id (the
/// random end of a UUIDv7), upper case.
pub fn terminal_code(terminal: &Uuid) -> String {
    let hex = terminal.simple().to_string().to_uppercase();
    hex[hex.len().saturating_sub(6)..].to_owned()
}

/// How a receipt names the terminal that made a sale: its name (when it is this terminal,
/// the only one whose name the till knows) and its code.
pub fn terminal_label(terminal: &Uuid, own_name: Option<&str>) -> String {
    let code = terminal_code(terminal);
    match own_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} · {code}"),
        None => code,
    }
}

/// A sale by its receipt number and the code of the terminal that made it (any terminal of
/// the store); `None` when no sale, or more than one, matches.
pub fn sale_id_by_receipt_code(conn: &Connection, code: &str, no: i64) -> Result<Option<Uuid>> {
    let code = code.to_uppercase();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM sales WHERE receipt_no = ?1 AND upper(substr(terminal_id, -6)) = ?2 LIMIT 2",
    )?;
    let ids = stmt
        .query_map(rusqlite::params![no, code], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(match ids.as_slice() {
        [one] => Uuid::parse_str(one).ok(),
        _ => None,
    })
}

fn line(r: &Row<'_>) -> rusqlite::Result<SaleLine> {
    let unit: String = r.get(5)?;
    Ok(SaleLine {
        line_no: r.get(0)?,
        product_id: uuid(&r.get::<_, String>(1)?)?,
        sku: r.get(2)?,
        name: r.get(3)?,
        barcode: r.get(4)?,
        unit: if unit == "kg" { Unit::Kg } else { Unit::Piece },
        qty: r.get(6)?,
        unit_price: Money::from_centimes(r.get(7)?),
        tax_rate: rate(r.get(8)?),
        discount: json(r.get(9)?),
        gross: Money::from_centimes(r.get(10)?),
        line_discount: Money::from_centimes(r.get(11)?),
        order_discount: Money::from_centimes(r.get(12)?),
        net: Money::from_centimes(r.get(13)?),
    })
}

pub fn sale(conn: &Connection, id: &Uuid, store_id: Uuid) -> Result<Option<Sale>> {
    let sid = id.to_string();
    let head = conn
        .prepare_cached(
            "SELECT kind, refund_of, terminal_id, receipt_no, shift_id, cashier_id, hlc, created_at_ms,
                    order_discount, subtotal, discount_total, total, change
             FROM sales WHERE id = ?1",
        )?
        .query_row([&sid], |r| {
            let kind: String = r.get(0)?;
            let refund_of: Option<String> = r.get(1)?;
            let hlc: String = r.get(6)?;
            Ok(Sale {
                id: *id,
                kind: if kind == "refund" { SaleKind::Refund } else { SaleKind::Sale },
                refund_of: refund_of.as_deref().map(uuid).transpose()?,
                store_id,
                terminal_id: uuid(&r.get::<_, String>(2)?)?,
                receipt_no: r.get(3)?,
                shift_id: uuid(&r.get::<_, String>(4)?)?,
                cashier_id: uuid(&r.get::<_, String>(5)?)?,
                hlc: hlc.parse().map_err(|_| {
                    rusqlite::Error::InvalidColumnType(6, "hlc".into(), rusqlite::types::Type::Text)
                })?,
                created_at_ms: r.get(7)?,
                lines: Vec::new(),
                order_discount: json(r.get(8)?),
                subtotal: Money::from_centimes(r.get(9)?),
                discount_total: Money::from_centimes(r.get(10)?),
                total: Money::from_centimes(r.get(11)?),
                taxes: Vec::new(),
                payments: Vec::new(),
                change: Money::from_centimes(r.get(12)?),
            })
        })
        .optional()?;
    let Some(mut sale) = head else {
        return Ok(None);
    };
    sale.lines = conn
        .prepare_cached(
            "SELECT line_no, product_id, sku, name, barcode, unit, qty, unit_price, tax_rate, discount,
                    gross, line_discount, order_discount, net
             FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no",
        )?
        .query_map([&sid], line)?
        .collect::<rusqlite::Result<_>>()?;
    sale.payments = conn
        .prepare_cached("SELECT tender, amount, tendered, reference FROM payments WHERE sale_id = ?1 ORDER BY seq")?
        .query_map([&sid], |r| {
            let tender: String = r.get(0)?;
            Ok(Payment {
                tender: Tender::parse(&tender).unwrap_or(Tender::Cash),
                amount: Money::from_centimes(r.get(1)?),
                tendered: Money::from_centimes(r.get(2)?),
                reference: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    sale.taxes = conn
        .prepare_cached(
            "SELECT rate, base, tax, total FROM sale_taxes WHERE sale_id = ?1 ORDER BY rate DESC",
        )?
        .query_map([&sid], |r| {
            Ok(TaxLine {
                rate: rate(r.get(0)?),
                base: Money::from_centimes(r.get(1)?),
                tax: Money::from_centimes(r.get(2)?),
                total: Money::from_centimes(r.get(3)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(sale))
}

/// Sales of a shift, oldest first (for reports and checks).
pub fn sale_ids_of_shift(conn: &Connection, shift: &Uuid) -> Result<Vec<Uuid>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM sales WHERE shift_id = ?1 ORDER BY receipt_no")?;
    let ids = stmt
        .query_map([shift.to_string()], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.iter()
        .map(|s| Uuid::parse_str(s).map_err(|e| PosError::Invalid(e.to_string())))
        .collect()
}
