//! The printing operations of the till: previews, print now, the test page, the drawer.

use pos_shared::Sale;
use uuid::Uuid;

use pos_core::printing::queue::{self, PrintJob};
use pos_core::printing::PrinterUri;
use pos_core::{PosError, Result, Session, Till};
use pos_shared::{Lang, Paper};

use crate::driver;
use crate::escpos::{self, EncodeOptions};
use crate::layout;
use crate::raster;

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

/// What the till does with a printer: receipts drawn in every form, jobs printed now, the test
/// page, reports, the drawer. The queue itself is the core's.
pub trait TillPrinting {
    /// The paper receipt of a sale, as the printer would get it.
    fn paper_receipt(
        &self,
        sale: &Sale,
        paper: Paper,
        lang: Lang,
        reprint: bool,
    ) -> Result<layout::Receipt>;

    /// The receipt as text, in the printer's language and paper width: the same document the
    /// printer gets (the screen, the command line's answers).
    fn receipt_text(&self, sale: &Sale) -> Result<String>;

    /// A receipt as ESC/POS bytes, a PNG preview, or its text lines.
    fn render_receipt(
        &self,
        sale: &Sale,
        paper: Paper,
        lang: Lang,
        format: Format,
    ) -> Result<Vec<u8>>;

    /// Prints a queued job now, in this thread (one try; a failure stays queued).
    fn print_job_now(&self, id: i64) -> Result<PrintJob>;

    /// Prints a just-completed sale's receipt now, if one was queued for it.
    fn print_sale_now(&self, sale: &Uuid) -> Result<Option<PrintJob>>;

    /// One try for every job due now; returns the jobs tried.
    fn flush_print_queue(&self) -> Result<Vec<PrintJob>>;

    /// Prints the test page on the terminal's printer, now.
    fn print_test_page(&mut self) -> Result<PrintJob>;

    /// Queues the test page for the print worker; answers the job's id.
    fn queue_test_page(&mut self) -> Result<i64>;

    /// Prints the X report (open shift) on the terminal's printer, now.
    fn print_x_report(&mut self, session: &Session) -> Result<PrintJob>;

    /// "No sale": records the drawer opening (manager, audited) and kicks the drawer through the
    /// printer. The record stays even if the printer cannot be reached.
    fn kick_drawer(&mut self, session: &Session, reason: &str) -> Result<()>;
}

impl TillPrinting for Till {
    fn receipt_text(&self, sale: &Sale) -> Result<String> {
        let s = self.print_settings()?;
        let receipt = self.paper_receipt(sale, s.paper, s.lang, false)?;
        Ok(crate::text::render(&receipt, s.paper.cols()))
    }

    fn paper_receipt(
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

    fn render_receipt(
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
            Format::Text => Ok(crate::text::render(&receipt, paper.cols()).into_bytes()),
        }
    }

    fn print_job_now(&self, id: i64) -> Result<PrintJob> {
        crate::worker::print_now(self.store().conn(), id, &|| self.now_ms())
    }

    fn print_sale_now(&self, sale: &Uuid) -> Result<Option<PrintJob>> {
        let job = queue::jobs_of_sale(self.store().conn(), sale)?
            .into_iter()
            .find(|j| j.state == "queued");
        match job {
            Some(j) => self.print_job_now(j.id).map(Some),
            None => Ok(None),
        }
    }

    fn flush_print_queue(&self) -> Result<Vec<PrintJob>> {
        let conn = self.store().conn();
        let now = || self.now_ms();
        let mut tried = Vec::new();
        while let Some(job) = queue::claim_next(conn, now(), None)? {
            if tried.contains(&job.id) {
                break;
            }
            crate::worker::print_claimed(conn, &job, &now, &queue::Backoff::default())?;
            tried.push(job.id);
        }
        tried
            .into_iter()
            .filter_map(|id| queue::get(conn, id).transpose())
            .collect()
    }

    fn print_test_page(&mut self) -> Result<PrintJob> {
        let id = self.queue_test_page()?;
        self.print_job_now(id)
    }

    fn queue_test_page(&mut self) -> Result<i64> {
        let settings = self.print_settings()?;
        let uri = settings.printer.clone().ok_or(PosError::NoPrinter)?;
        let receipt =
            layout::test_page(&self.receipt_header()?, settings.paper, settings.lang, &uri);
        let bytes = escpos::encode(&receipt, &EncodeOptions::default())?;
        let now = self.now_ms();
        queue::enqueue_bytes(self.store().conn(), "test", &bytes, None, now)
    }

    fn print_x_report(&mut self, session: &Session) -> Result<PrintJob> {
        let settings = self.print_settings()?;
        settings.printer.as_ref().ok_or(PosError::NoPrinter)?;
        let report = self.x_report(Some(session))?;
        let receipt = layout::shift_report(
            &report,
            &self.receipt_header()?,
            settings.paper,
            settings.lang,
        );
        let bytes = escpos::encode(&receipt, &EncodeOptions::default())?;
        let now = self.now_ms();
        let id = queue::enqueue_bytes(self.store().conn(), "report", &bytes, None, now)?;
        self.print_job_now(id)
    }

    fn kick_drawer(&mut self, session: &Session, reason: &str) -> Result<()> {
        let uri = self.print_settings()?.printer.ok_or(PosError::NoPrinter)?;
        let uri = PrinterUri::parse(&uri)?;
        self.open_drawer(session, reason)?;
        driver::send(&uri, &escpos::drawer_kick())
    }
}
