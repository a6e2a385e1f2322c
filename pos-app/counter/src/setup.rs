//! The settings screen's store and printer parts: the details printed on every receipt, and
//! where and how this terminal prints. A manager changes them; anyone may print a test page.

use pos_print::TillPrinting;
use serde::{Deserialize, Serialize};

use super::Counter;
use pos_core::error::Result;
use pos_shared::{Lang as ReceiptLang, Paper};

/// The store as its receipts show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreDto {
    pub name: String,
    pub address: String,
    pub nif: String,
    pub rc: String,
    pub phone: String,
    pub footer: String,
}

/// This terminal's printer: its URI (`tcp://…`, `serial://…`, `usb://VID:PID`, `file://…`),
/// paper width in mm (58 or 80) and receipt language (`fr`, `ar`, `en`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterDto {
    pub uri: Option<String>,
    pub paper: u32,
    pub lang: String,
}

impl Counter {
    pub fn store_details(&self) -> Result<StoreDto> {
        let h = self.till.receipt_header()?;
        Ok(StoreDto {
            name: h.name,
            address: h.address,
            nif: h.nif,
            rc: h.rc,
            phone: h.phone,
            footer: h.footer,
        })
    }

    pub fn set_store_details(&mut self, store: &StoreDto) -> Result<StoreDto> {
        let session = self.session()?;
        let fields = [
            ("name", &store.name),
            ("address", &store.address),
            ("nif", &store.nif),
            ("rc", &store.rc),
            ("phone", &store.phone),
            ("footer", &store.footer),
        ];
        let details: Vec<_> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).clone()))
            .collect();
        self.till.set_store_details(&session, &details)?;
        self.store_details()
    }

    pub fn printer(&self) -> Result<PrinterDto> {
        let s = self.till.print_settings()?;
        Ok(PrinterDto {
            uri: s.printer,
            paper: s.paper.mm(),
            lang: s.lang.code().to_owned(),
        })
    }

    /// Sets the printer; the URI is checked, not contacted (the test page does that).
    pub fn set_printer(&mut self, printer: &PrinterDto) -> Result<PrinterDto> {
        let session = self.session()?;
        let paper = Paper::parse(&printer.paper.to_string())?;
        let lang = ReceiptLang::parse(&printer.lang)?;
        let uri = printer.uri.as_deref().unwrap_or_default();
        self.till
            .set_printer(&session, uri, Some(paper), Some(lang))?;
        self.printer()
    }

    /// Queues a test page for the print worker; its failures show among the print problems.
    pub fn queue_test_page(&mut self) -> Result<i64> {
        self.session()?;
        self.till.queue_test_page()
    }
}
