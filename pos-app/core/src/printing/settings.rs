//! Printer and receipt settings of this terminal, kept in `meta` (editable from the CLI now and
//! the UI later), and the facts a receipt needs that the sale row does not carry.

use std::collections::HashMap;
use std::path::PathBuf;

use pos_shared::Sale;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use pos_shared::{Lang, Paper, Permission};

use super::uri::PrinterUri;
use crate::error::{PosError, Result};
use crate::store;
use crate::till::Till;
use crate::users::Session;

/// Where and how this terminal prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintSettings {
    /// `tcp://host:9100`, `serial:///dev/ttyUSB0?baud=19200`, `usb://VID:PID`, `file:///path`;
    /// none: receipts are not queued.
    pub printer: Option<String>,
    pub paper: Paper,
    pub lang: Lang,
    /// A PNG printed (dithered) at the top of receipts.
    pub logo: Option<PathBuf>,
}

/// Store details settable with `pos store set` (meta key, JSON field in `fixtures/store.json`).
pub const STORE_FIELDS: &[(&str, &str)] = &[
    ("store_name", "name"),
    ("store_address", "address"),
    ("store_nif", "nif"),
    ("store_rc", "rc"),
    ("store_phone", "phone"),
    ("receipt_footer", "footer"),
    ("receipt_verify_url", "verify_url"),
];

pub use pos_shared::receipt::{SaleNames, StoreHeader};

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn load(conn: &Connection) -> Result<PrintSettings> {
    Ok(PrintSettings {
        printer: meta(conn, "printer_uri")?.filter(|s| !s.is_empty()),
        paper: match meta(conn, "printer_paper")? {
            Some(p) => Paper::parse(&p)?,
            None => Paper::Mm80,
        },
        lang: match meta(conn, "receipt_lang")? {
            Some(l) => Lang::parse(&l)?,
            None => Lang::Fr,
        },
        logo: meta(conn, "receipt_logo")?
            .filter(|s| !s.is_empty())
            .map(PathBuf::from),
    })
}

pub fn header(conn: &Connection) -> Result<StoreHeader> {
    let get = |k: &str| -> Result<String> { Ok(meta(conn, k)?.unwrap_or_default()) };
    Ok(StoreHeader {
        name: get("store_name")?,
        address: get("store_address")?,
        nif: get("store_nif")?,
        rc: get("store_rc")?,
        phone: get("store_phone")?,
        terminal: get("terminal_name")?,
        footer: get("receipt_footer")?,
        verify_url: meta(conn, "receipt_verify_url")?.filter(|s| !s.trim().is_empty()),
        utc_offset_min: 60,
    })
}

/// The cashier's name and, for Arabic receipts, the products' Arabic names.
pub fn names(conn: &Connection, sale: &Sale) -> Result<SaleNames> {
    let cashier: Option<String> = conn
        .prepare_cached("SELECT name FROM users WHERE id = ?1")?
        .query_row([sale.cashier_id.to_string()], |r| r.get(0))
        .optional()?;
    let mut arabic = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT name_ar FROM products WHERE id = ?1")?;
    for l in &sale.lines {
        let name: Option<String> = stmt
            .query_row([l.product_id.to_string()], |r| r.get(0))
            .optional()?;
        if let Some(n) = name {
            arabic.insert(l.product_id, n);
        }
    }
    let here = meta(conn, "terminal_id")?.and_then(|id| uuid::Uuid::parse_str(&id).ok());
    let name = meta(conn, "terminal_name")?.unwrap_or_default();
    let own = (here == Some(sale.terminal_id)).then_some(name.as_str());
    Ok(SaleNames {
        cashier: cashier.unwrap_or_default(),
        terminal: crate::till::read::terminal_label(&sale.terminal_id, own),
        arabic,
    })
}

impl Till {
    pub fn print_settings(&self) -> Result<PrintSettings> {
        load(self.store.conn())
    }

    pub fn receipt_header(&self) -> Result<StoreHeader> {
        header(self.store.conn())
    }

    pub fn sale_names(&self, sale: &Sale) -> Result<SaleNames> {
        names(self.store.conn(), sale)
    }

    /// Sets this terminal's printer (checked, not contacted), and optionally paper and language.
    /// A manager's job.
    pub fn set_printer(
        &mut self,
        session: &Session,
        uri: &str,
        paper: Option<Paper>,
        lang: Option<Lang>,
    ) -> Result<()> {
        self.current(session)?
            .require(Permission::StockEdit, "change the printer")?;
        let uri = uri.trim();
        PrinterUri::parse(uri)?;
        self.store.write(|tx| {
            store::set_meta(tx, "printer_uri", uri)?;
            if let Some(p) = paper {
                store::set_meta(tx, "printer_paper", &p.mm().to_string())?;
            }
            if let Some(l) = lang {
                store::set_meta(tx, "receipt_lang", l.code())?;
            }
            Ok(())
        })
    }

    /// Sets the PNG logo printed on receipts (the print crate checks it can be drawn first),
    /// or removes it with `None`. A manager's job.
    pub fn set_receipt_logo(
        &mut self,
        session: &Session,
        path: Option<&std::path::Path>,
    ) -> Result<()> {
        self.current(session)?
            .require(Permission::StockEdit, "change the receipt's logo")?;
        let value = path.map(|p| p.display().to_string()).unwrap_or_default();
        self.store
            .write(|tx| store::set_meta(tx, "receipt_logo", &value))
    }

    /// Sets store details printed on receipts: keys are the JSON names of `STORE_FIELDS`
    /// (`name`, `address`, `nif`, `rc`, `phone`, `footer`, `verify_url`). A manager's job.
    pub fn set_store_details(
        &mut self,
        session: &Session,
        details: &[(String, String)],
    ) -> Result<()> {
        self.current(session)?
            .require(Permission::StockEdit, "change the store's details")?;
        let mut rows = Vec::new();
        for (field, value) in details {
            let key = STORE_FIELDS
                .iter()
                .find(|(_, f)| f == field)
                .map(|(k, _)| *k)
                .ok_or_else(|| {
                    PosError::Invalid(format!(
                        "unknown store detail {field:?}: use name, address, nif, rc, phone, footer or verify_url"
                    ))
                })?;
            if key == "store_name" && value.trim().is_empty() {
                return Err(PosError::Invalid("the store needs a name".into()));
            }
            rows.push((key, value.trim().to_owned()));
        }
        self.store.write(|tx| {
            for (k, v) in &rows {
                store::set_meta(tx, k, v)?;
            }
            Ok(())
        })?;
        if let Some((_, name)) = rows.iter().find(|(k, _)| *k == "store_name") {
            self.info.store_name = name.clone();
        }
        Ok(())
    }

    /// The id of a sale given by id or receipt number, for printing verbs.
    pub fn sale_id(&self, reference: &str) -> Result<Uuid> {
        self.find_sale(reference).map(|s| s.id)
    }
}
