//! The printing operations of the till: previews, print now, the test page, the drawer.

use pos_shared::Sale;
use uuid::Uuid;

use super::driver::{self, PrinterUri};
use super::escpos::{self, EncodeOptions};
use super::layout::{self, Lang, Paper};
use super::queue::{self, PrintJob};
use super::raster;
use crate::error::{PosError, Result};
use crate::till::Till;
use crate::users::Session;

/// A receipt in one of its three forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    EscPos,
    Png,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "escpos" | "esc/pos" | "bin" => Ok(Format::EscPos),
            "png" => Ok(Format::Png),
            other => Err(PosError::Invalid(format!(
                "receipt format {other:?}: use text, escpos or png"
            ))),
        }
    }
}

impl Till {
    /// The paper receipt of a sale, as the printer would get it.
    pub fn paper_receipt(
        &self,
        sale: &Sale,
        paper: Paper,
        lang: Lang,
        reprint: bool,
    ) -> Result<layout::Receipt> {
        let header = self.receipt_header()?;
        let names = self.sale_names(sale)?;
        Ok(layout::sale_receipt(
            sale, &header, &names, paper, lang, reprint,
        ))
    }

    /// A receipt as ESC/POS bytes, a PNG preview, or its text lines.
    pub fn render_receipt(
        &self,
        sale: &Sale,
        paper: Paper,
        lang: Lang,
        format: Format,
    ) -> Result<Vec<u8>> {
        let receipt = self.paper_receipt(sale, paper, lang, false)?;
        let settings = self.print_settings()?;
        let logo = match &settings.logo {
            Some(p) => Some(super::png::load_logo(p, paper.dots() / 2)?),
            None => None,
        };
        match format {
            Format::EscPos => escpos::encode(&receipt, &EncodeOptions { logo }),
            Format::Png => super::png::encode(&raster::preview(&receipt, logo.as_ref())?),
            Format::Text => {
                let mut out = String::new();
                for line in escpos::text_lines(&receipt) {
                    match line {
                        escpos::TextLine::Text { text, centre, .. } => {
                            if centre {
                                let pad = paper.cols().saturating_sub(text.chars().count()) / 2;
                                out.push_str(&" ".repeat(pad));
                            }
                            out.push_str(&text);
                        }
                        escpos::TextLine::Qr(payload) => out.push_str(&format!("[QR {payload}]")),
                        escpos::TextLine::Feed => {}
                    }
                    out.push('\n');
                }
                Ok(out.into_bytes())
            }
        }
    }

    /// Queues a sale's receipt (a reprint if it was printed before). Returns the job id.
    pub fn queue_print(&mut self, reference: &str, printer: Option<&str>) -> Result<i64> {
        let sale = self.sale_id(reference)?;
        if printer.is_none() && self.print_settings()?.printer.is_none() {
            return Err(PosError::NoPrinter);
        }
        let now = self.ctx.now_ms();
        queue::enqueue_print(self.store.conn(), &sale, printer, now)
    }

    /// Prints a queued job now, in this thread (one try; a failure stays queued).
    pub fn print_job_now(&self, id: i64) -> Result<PrintJob> {
        queue::print_now(self.store.conn(), id, &|| self.ctx.now_ms())
    }

    /// Prints a just-completed sale's receipt now, if one was queued for it.
    pub fn print_sale_now(&self, sale: &Uuid) -> Result<Option<PrintJob>> {
        let job = queue::jobs_of_sale(self.store.conn(), sale)?
            .into_iter()
            .find(|j| j.state == "queued");
        match job {
            Some(j) => self.print_job_now(j.id).map(Some),
            None => Ok(None),
        }
    }

    /// Print jobs the cashier must know about (failed, or waiting after a failure).
    pub fn print_problems(&self) -> Result<Vec<PrintJob>> {
        queue::problems(self.store.conn())
    }

    pub fn retry_print(&self, id: i64) -> Result<()> {
        queue::retry(self.store.conn(), id, self.ctx.now_ms())
    }

    /// One try for every job due now; returns the jobs tried.
    pub fn flush_print_queue(&self) -> Result<Vec<PrintJob>> {
        let conn = self.store.conn();
        let now = || self.ctx.now_ms();
        let mut tried = Vec::new();
        while let Some(job) = queue::claim_next(conn, now(), None)? {
            if tried.contains(&job.id) {
                break;
            }
            queue::print_claimed(conn, &job, &now, &queue::Backoff::default())?;
            tried.push(job.id);
        }
        tried
            .into_iter()
            .filter_map(|id| queue::get(conn, id).transpose())
            .collect()
    }

    /// Prints the test page on the terminal's printer, now.
    pub fn print_test_page(&mut self) -> Result<PrintJob> {
        let id = self.queue_test_page()?;
        self.print_job_now(id)
    }

    /// Queues the test page for the print worker; answers the job's id.
    pub fn queue_test_page(&mut self) -> Result<i64> {
        let settings = self.print_settings()?;
        let uri = settings.printer.clone().ok_or(PosError::NoPrinter)?;
        let receipt =
            layout::test_page(&self.receipt_header()?, settings.paper, settings.lang, &uri);
        let bytes = escpos::encode(&receipt, &EncodeOptions::default())?;
        let now = self.ctx.now_ms();
        queue::enqueue_bytes(self.store.conn(), "test", &bytes, None, now)
    }

    /// Prints the X report (open shift) on the terminal's printer, now.
    pub fn print_x_report(&mut self) -> Result<PrintJob> {
        let settings = self.print_settings()?;
        settings.printer.as_ref().ok_or(PosError::NoPrinter)?;
        let report = self.x_report()?;
        let receipt = layout::shift_report(
            &report,
            &self.receipt_header()?,
            settings.paper,
            settings.lang,
        );
        let bytes = escpos::encode(&receipt, &EncodeOptions::default())?;
        let now = self.ctx.now_ms();
        let id = queue::enqueue_bytes(self.store.conn(), "report", &bytes, None, now)?;
        self.print_job_now(id)
    }

    /// "No sale": records the drawer opening (manager, audited) and kicks the drawer through the
    /// printer. The record stays even if the printer cannot be reached.
    pub fn kick_drawer(&mut self, session: &Session, reason: &str) -> Result<()> {
        let uri = self.print_settings()?.printer.ok_or(PosError::NoPrinter)?;
        let uri = PrinterUri::parse(&uri)?;
        self.open_drawer(session, reason)?;
        driver::send(&uri, &escpos::drawer_kick())
    }
}
