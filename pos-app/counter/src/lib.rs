//! The counter: what the till's window calls. One `Counter` holds the open till and the cashier
//! logged in at it; each method is one action on the screen, answering with what it shows next
//! (amounts formatted). The Tauri commands are one-line calls into this; tests need no window.

pub mod camera;
pub mod guarded;
mod prefs;
mod setup;
mod views;

use std::path::Path;
use std::sync::Arc;

use pos_shared::{Discount, Money, Permission, Sale};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use prefs::{DeskSettings, Lang};
pub use setup::{PrinterDto, StoreDto};
pub use views::{
    qty_text, quick_amounts, Amount, CartDto, CategoryDto, LineDto, ProductDto, ReportDto,
    SaleDone, TaxDto,
};

use pos_core::error::{PosError, Result};
use pos_core::till::{CartView, TenderInput, Till};
use pos_core::users::Session;
use pos_print::TillPrinting;

/// How many tiles a category tab shows, and how many results a search shows.
const GRID_SIZE: usize = 60;
const SEARCH_SIZE: usize = 20;

/// A tender as the tender screen sends it: the amount as typed (`500`, `1250,50`), none for
/// "exactly what is due".
#[derive(Clone, Debug, Deserialize)]
pub struct TenderDto {
    pub tender: String,
    pub amount: Option<String>,
    pub reference: Option<String>,
}

/// Everything the window needs when it (re)appears.
#[derive(Clone, Debug, Serialize)]
pub struct StateDto {
    pub store_name: String,
    pub terminal_name: String,
    pub cashier: Option<Session>,
    pub is_manager: bool,
    pub shift_open: bool,
    pub cart: CartDto,
    pub parked: usize,
    pub settings: DeskSettings,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParkedDto {
    pub id: Uuid,
    pub label: Option<String>,
    pub lines: usize,
    pub total: Amount,
}

/// A sale found for a refund.
#[derive(Clone, Debug, Serialize)]
pub struct FoundSale {
    pub sale_id: Uuid,
    pub receipt_no: i64,
    pub is_refund: bool,
    pub total: Amount,
    pub receipt: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct StockDto {
    pub sku: String,
    pub name: String,
    pub level_text: String,
    pub reorder_point_text: String,
    pub below_reorder: bool,
    /// Fields two terminals changed at the same time, each with every value kept (the one in
    /// use first), shown so a manager can settle them with a new edit.
    pub conflicts: Vec<ConflictDto>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConflictDto {
    /// The product field: `price`, `name_fr`, `tax_rate`, …
    pub field: String,
    /// Its values as a person reads them (prices in dinars, rates in per cent).
    pub values: Vec<String>,
}

pub struct Counter {
    till: Till,
    session: Option<Session>,
}

impl Counter {
    /// Opens the till in `dir` with the real clock and ids.
    pub fn open(dir: &Path) -> Result<Counter> {
        let till = Till::open(
            dir,
            Arc::new(pos_system::SystemClock),
            Arc::new(pos_system::RandomIds),
        )?;
        Ok(Counter::new(till))
    }

    pub fn new(till: Till) -> Counter {
        Counter {
            till,
            session: None,
        }
    }

    pub fn till(&self) -> &Till {
        &self.till
    }

    /// Who is logged in, as the till knows them now: a role the back office changed takes
    /// effect at the next action, and someone who has left is logged out.
    fn current(&self) -> Result<Option<Session>> {
        match &self.session {
            Some(s) => pos_core::users::current(self.till.store().conn(), s),
            None => Ok(None),
        }
    }

    fn session(&self) -> Result<Session> {
        self.current()?.ok_or(PosError::LoggedOut)
    }

    pub fn state(&self) -> Result<StateDto> {
        let info = self.till.info();
        let current = self.current()?;
        Ok(StateDto {
            store_name: info.store_name.clone(),
            terminal_name: info.terminal_name.clone(),
            is_manager: current
                .as_ref()
                .is_some_and(|s| s.role.can(Permission::StockEdit)),
            cashier: current,
            shift_open: self.till.open_shift_id()?.is_some(),
            cart: self.cart()?,
            parked: self.till.parked()?.len(),
            settings: self.till.desk_settings()?,
        })
    }

    pub fn login(&mut self, pin: &str) -> Result<StateDto> {
        self.session = Some(self.till.login(pin)?);
        self.state()
    }

    pub fn logout(&mut self) {
        self.session = None;
    }

    pub fn cart(&self) -> Result<CartDto> {
        Ok(CartDto::from(&self.till.cart()?))
    }

    /// A code as scanned or typed: `CODE`, or `CODE*QTY` (pieces, or grams for weighed items).
    pub fn scan(&mut self, code: &str) -> Result<CartDto> {
        let session = self.session()?;
        let item: pos_core::till::ItemSpec = code.parse()?;
        self.view(|till| till.scan(&session, &item.code, item.qty))
    }

    pub fn set_qty(&mut self, line_no: u32, qty: i64) -> Result<CartDto> {
        let session = self.session()?;
        self.view(|till| till.set_qty(&session, line_no, qty))
    }

    pub fn remove_line(&mut self, line_no: u32) -> Result<CartDto> {
        let session = self.session()?;
        self.view(|till| till.remove_line(&session, line_no))
    }

    /// A line discount as typed (`10 %`, `50,00`; empty clears it).
    pub fn discount_line(
        &mut self,
        line_no: u32,
        text: &str,
        approver_pin: Option<&str>,
    ) -> Result<CartDto> {
        let session = self.session()?;
        let discount = parse_discount(text)?;
        self.view(|till| till.discount_line(&session, line_no, discount, approver_pin))
    }

    pub fn discount_order(&mut self, text: &str, approver_pin: Option<&str>) -> Result<CartDto> {
        let session = self.session()?;
        let discount = parse_discount(text)?;
        self.view(|till| till.discount_order(&session, discount, approver_pin))
    }

    /// Empties the cart without selling; a cart with lines needs `confirm` (the window asks).
    pub fn void_cart(&mut self, confirm: bool) -> Result<CartDto> {
        let session = self.session()?;
        self.till.void_cart(&session, confirm)?;
        self.cart()
    }

    fn view(&mut self, f: impl FnOnce(&mut Till) -> Result<CartView>) -> Result<CartDto> {
        Ok(CartDto::from(&f(&mut self.till)?))
    }

    pub fn search(&self, text: &str) -> Result<Vec<ProductDto>> {
        let hits = self.till.find_products(text, SEARCH_SIZE)?;
        Ok(hits.into_iter().map(ProductDto::from).collect())
    }

    pub fn categories(&self) -> Result<Vec<CategoryDto>> {
        let cats = self.till.categories()?;
        Ok(cats
            .into_iter()
            .map(|(name, count)| CategoryDto { name, count })
            .collect())
    }

    pub fn category(&self, name: &str) -> Result<Vec<ProductDto>> {
        let hits = self.till.products_in_category(name, GRID_SIZE)?;
        Ok(hits.into_iter().map(ProductDto::from).collect())
    }

    /// Cash amounts to offer as one-tap buttons for what is due now.
    pub fn quick_amounts(&self) -> Result<Vec<Amount>> {
        Ok(quick_amounts(self.till.cart()?.total))
    }

    /// Completes the cart with the tenders given.
    pub fn pay(&mut self, tenders: &[TenderDto]) -> Result<SaleDone> {
        let session = self.session()?;
        let tenders = tenders
            .iter()
            .map(tender_input)
            .collect::<Result<Vec<_>>>()?;
        let sale = self.till.complete_sale(&session, &tenders)?;
        Ok(self.done(&sale))
    }

    fn done(&self, sale: &Sale) -> SaleDone {
        let paid = sale
            .payments
            .iter()
            .map(|p| p.tendered)
            .fold(Money::ZERO, |a, b| a + b);
        SaleDone {
            sale_id: sale.id,
            receipt_no: sale.receipt_no,
            total: sale.total.into(),
            paid: paid.into(),
            change: sale.change.into(),
            // The sale is recorded whatever happens here: a receipt that cannot be drawn
            // must not turn a completed sale into an error on screen (reprint shows it).
            receipt: self.receipt_text(sale).unwrap_or_default(),
        }
    }

    /// The receipt as text: the printed document in the printer's language and paper width.
    pub fn receipt_text(&self, sale: &Sale) -> Result<String> {
        self.till.receipt_text(sale)
    }

    /// The receipt of a sale as the paper will look (the printer's own raster), as a PNG
    /// `data:` URL, in the window's language and the printer's paper width.
    pub fn receipt_preview(&self, reference: &str) -> Result<String> {
        use base64::Engine;
        let sale = self.till.find_sale(reference)?;
        let paper = self.till.print_settings()?.paper;
        let lang = self.till.desk_settings()?.language;
        let png = self
            .till
            .render_receipt(&sale, paper, lang, pos_print::Format::Png)?;
        Ok(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ))
    }

    /// Prints a sale's receipt again (marked as a duplicate on paper); returns the job id.
    pub fn reprint(&mut self, reference: &str) -> Result<i64> {
        self.session()?;
        self.till.queue_print(reference, None)
    }

    /// Receipts that could not be printed, with the reason, for the cashier.
    pub fn print_problems(&self) -> Result<Vec<pos_core::printing::PrintJob>> {
        self.till.print_problems()
    }

    pub fn park(&mut self, label: Option<&str>) -> Result<CartDto> {
        let session = self.session()?;
        self.till
            .park(&session, label.filter(|l| !l.trim().is_empty()))?;
        self.cart()
    }

    pub fn parked(&self) -> Result<Vec<ParkedDto>> {
        Ok(self
            .till
            .parked()?
            .into_iter()
            .map(|p| ParkedDto {
                id: p.id,
                label: p.label,
                lines: p.lines,
                total: p.total.into(),
            })
            .collect())
    }

    pub fn recall(&mut self, id: &str) -> Result<CartDto> {
        let session = self.session()?;
        let id = Uuid::parse_str(id).map_err(|_| PosError::UnknownCart(id.to_owned()))?;
        self.view(|till| till.recall(&session, &id))
    }

    pub fn open_shift(&mut self, float: &str) -> Result<StateDto> {
        let session = self.session()?;
        self.till.open_shift(&session, parse_money(float)?)?;
        self.state()
    }

    pub fn x_report(&self) -> Result<ReportDto> {
        let session = self.session()?;
        Ok(ReportDto::from(&self.till.x_report(Some(&session))?))
    }

    /// Closes the shift on the cash the cashier counted without seeing what was expected.
    pub fn close_shift(&mut self, counted: &str) -> Result<ReportDto> {
        let session = self.session()?;
        let counted = pos_core::till::parse_count(counted)?;
        let report = self.till.close_shift(&session, counted)?;
        Ok(ReportDto::from(&report))
    }

    pub fn find_sale(&self, reference: &str) -> Result<FoundSale> {
        self.session()?;
        let sale = self.till.find_sale(reference)?;
        Ok(FoundSale {
            sale_id: sale.id,
            receipt_no: sale.receipt_no,
            is_refund: sale.kind == pos_shared::SaleKind::Refund,
            total: sale.total.into(),
            receipt: self.receipt_text(&sale)?,
        })
    }

    /// Refunds what is left of a sale on its own tenders (card to card, cash to cash); a
    /// cashier needs a manager's PIN.
    pub fn refund(&mut self, reference: &str, approver_pin: Option<&str>) -> Result<SaleDone> {
        let session = self.session()?;
        let refund = self
            .till
            .refund(&session, reference, &[], &[], approver_pin)?;
        Ok(self.done(&refund))
    }

    pub fn stock(&self, code: &str) -> Result<StockDto> {
        self.session()?;
        self.stock_dto(&self.till.stock_show(code)?)
    }

    /// A delivery of `qty` as typed ("12", "1,5" kg), read in the product's unit.
    pub fn stock_receive(&mut self, code: &str, qty: &str) -> Result<StockDto> {
        let session = self.session()?;
        let qty = self.typed_quantity(code, qty)?;
        let view = self.till.stock_receive(&session, code, qty, None)?;
        self.stock_dto(&view)
    }

    /// A count of what is on the shelf, as typed, read in the product's unit.
    pub fn stock_count(&mut self, code: &str, counted: &str) -> Result<StockDto> {
        let session = self.session()?;
        let counted = self.typed_quantity(code, counted)?;
        let view = self.till.stock_count(&session, code, counted)?;
        self.stock_dto(&view)
    }

    fn typed_quantity(&self, code: &str, text: &str) -> Result<i64> {
        let unit = self.till.stock_show(code)?.unit;
        unit.parse_quantity(text)
            .ok_or_else(|| PosError::UnreadableQuantity(text.to_owned()))
    }

    fn stock_dto(&self, v: &pos_core::till::StockView) -> Result<StockDto> {
        let conflicts = pos_core::catalog::conflicts(self.till.store().conn(), &v.product_id)?;
        Ok(StockDto {
            sku: v.sku.clone(),
            name: v.name.clone(),
            level_text: qty_text(v.level, v.unit),
            reorder_point_text: qty_text(v.reorder_point, v.unit),
            below_reorder: v.below_reorder,
            conflicts: conflicts.into_iter().map(conflict_dto).collect(),
        })
    }

    /// Enrols this terminal with the back office's sync server (a manager's job).
    pub fn enroll(&mut self, server: &str, code: &str) -> Result<pos_core::sync::SyncStatus> {
        let terminal = self.enrolment()?;
        let enrolled = pos_core::sync::Network::enroll(
            &pos_sync_client::Http,
            &self.endpoint(server)?,
            code.trim(),
            &terminal,
        )?;
        self.record_enrolment(server, &enrolled)
    }

    /// `server` with this till's transport settings, for an enrolment made without the lock.
    pub fn endpoint(&self, server: &str) -> Result<pos_core::sync::Endpoint> {
        self.till.endpoint(server)
    }

    /// The first half of an enrolment, under the counter's lock: may the cashier logged in do
    /// it, and as what. The request itself is made without the lock.
    pub fn enrolment(&self) -> Result<pos_core::sync::Enrolment> {
        let session = self.session()?;
        self.till.may_enroll(Some(&session))
    }

    /// The second half: keeps the server's answer.
    pub fn record_enrolment(
        &mut self,
        server: &str,
        enrolled: &pos_shared::api::EnrollResponse,
    ) -> Result<pos_core::sync::SyncStatus> {
        let session = self.session()?;
        self.till
            .record_enrolment(Some(&session), server, enrolled)?;
        self.till.sync_status()
    }

    pub fn settings(&self) -> Result<DeskSettings> {
        self.till.desk_settings()
    }

    /// Saves the window's settings, by the core's rule (a manager's, except the language).
    pub fn set_settings(&mut self, settings: &DeskSettings) -> Result<DeskSettings> {
        let session = self.session()?;
        self.till.set_desk_settings(&session, settings)?;
        Ok(settings.clone())
    }
}

/// A conflict's values as a person reads them: prices in dinars, TVA rates in per cent.
fn conflict_dto(c: pos_core::catalog::Conflict) -> ConflictDto {
    let shown = |v: &String| -> String {
        let int = v.parse::<i64>().ok();
        match (c.field.as_str(), int) {
            ("price", Some(centimes)) => Money::from_centimes(centimes).to_string(),
            ("tax_rate", Some(bp)) => format!("{} %", bp / 100),
            _ => v.clone(),
        }
    };
    ConflictDto {
        values: c.values.iter().map(shown).collect(),
        field: c.field,
    }
}

fn parse_money(text: &str) -> Result<Money> {
    Money::parse(text.trim()).map_err(|e| PosError::InvalidAmount {
        input: text.to_owned(),
        reason: e.to_string(),
    })
}

fn parse_discount(text: &str) -> Result<Option<Discount>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Discount::parse(text)?))
}

fn tender_input(t: &TenderDto) -> Result<TenderInput> {
    Ok(TenderInput::new(
        &t.tender,
        t.amount.as_deref(),
        t.reference.as_deref(),
    )?)
}

#[cfg(test)]
mod camera_tests;
#[cfg(test)]
mod tests;

/// A scanning failure (no camera, an unreadable image) as the till's error, with the scanning
/// crate's own code (`NO_CAMERA`, `IMAGE_UNREADABLE`, …) for the window and scripts.
pub fn scan_error(e: pos_scan::ScanError) -> PosError {
    PosError::Scan {
        code: e.code(),
        message: e.to_string(),
    }
}
