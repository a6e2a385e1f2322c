//! The print queue as the till's operations: queue a receipt, the problems a cashier must know
//! about, a retry. Drawing and sending is the print crate's (`pos_print::TillPrinting`).

use crate::error::{PosError, Result};
use crate::printing::queue::{self, PrintJob};
use crate::till::Till;

impl Till {
    /// Queues a sale's receipt (a reprint if it was printed before). Returns the job id.
    pub fn queue_print(&mut self, reference: &str, printer: Option<&str>) -> Result<i64> {
        let sale = self.sale_id(reference)?;
        if printer.is_none() && self.print_settings()?.printer.is_none() {
            return Err(PosError::NoPrinter);
        }
        let now = self.ctx.now_ms();
        queue::enqueue_print(self.store.conn(), &sale, printer, now)
    }

    /// Print jobs the cashier must know about (failed, or waiting after a failure).
    pub fn print_problems(&self) -> Result<Vec<PrintJob>> {
        queue::problems(self.store.conn())
    }

    pub fn retry_print(&self, id: i64) -> Result<()> {
        queue::retry(self.store.conn(), id, self.ctx.now_ms())
    }

    /// Queues bytes drawn by the print crate (a test page, a report); answers the job's id.
    pub fn queue_bytes(&mut self, kind: &str, bytes: &[u8]) -> Result<i64> {
        let now = self.ctx.now_ms();
        queue::enqueue_bytes(self.store.conn(), kind, bytes, None, now)
    }

    pub fn now_ms(&self) -> i64 {
        self.ctx.now_ms()
    }
}
