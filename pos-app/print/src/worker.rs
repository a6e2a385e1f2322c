//! Printing the queue: a job's bytes drawn now, sent to its printer, the outcome recorded in the
//! core's queue; the worker thread that does it in the background.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use pos_core::printing::queue::{self, claim_next, get, next_due, recover, Backoff, PrintJob};
use pos_core::printing::settings;
use pos_core::store::Store;
use pos_core::{PosError, Result};
use pos_shared::Clock;
use rusqlite::{params, Connection};

use crate::driver;
use crate::escpos::{self, EncodeOptions};
use crate::layout;

/// The bytes a job sends at `now_ms`: the sale's receipt drawn now (with the terminal's paper,
/// language and logo; the drawer opened only for a receipt printed soon after its sale), or the
/// stored payload.
pub fn render(conn: &Connection, job: &PrintJob, now_ms: i64) -> Result<Vec<u8>> {
    if let Some(sale_id) = job.sale_id {
        let sale = queue::sale_of(conn, &sale_id)?;
        let s = settings::load(conn)?;
        let header = settings::header(conn)?;
        let names = settings::names(conn, &sale)?;
        let mut receipt = layout::sale_receipt(
            &sale,
            &header,
            &names,
            s.paper,
            s.lang,
            job.kind == "reprint",
        );
        receipt.open_drawer &= now_ms - sale.created_at_ms <= queue::DRAWER_WITHIN_MS;
        let logo = match &s.logo {
            Some(p) => crate::png::load_logo(p, s.paper.dots() / 2).ok(),
            None => None,
        };
        return escpos::encode(&receipt, &EncodeOptions { logo });
    }
    queue::payload(conn, job)
}

/// Prints one claimed job and records the outcome. Returns the error of a failed try.
pub fn print_claimed(
    conn: &Connection,
    job: &PrintJob,
    now: &dyn Fn() -> i64,
    backoff: &Backoff,
) -> Result<Option<PosError>> {
    let outcome = (|| -> Result<()> {
        let uri = queue::printer_of(conn, job)?;
        let bytes = render(conn, job, now())?;
        driver::send(&uri, &bytes)
    })();
    queue::record(conn, job, outcome, now, backoff)
}

/// Options of the background printer.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkerOptions {
    pub backoff: Backoff,
}

/// The background printer of a till folder. Dropping it stops the thread after the job in hand.
pub struct Worker {
    wake: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts printing the queue of the till in `dir` on its own connection.
    pub fn spawn(dir: PathBuf, clock: Arc<dyn Clock>, options: WorkerOptions) -> Result<Worker> {
        let store = Store::open(&dir, false)?;
        store.small_cache()?;
        recover(store.conn())?;
        let (wake, rx) = mpsc::channel::<()>();
        let handle = std::thread::Builder::new()
            .name("print-queue".into())
            .spawn(move || {
                let now = || clock.now_ms();
                loop {
                    let conn = store.conn();
                    match claim_next(conn, now(), None) {
                        Ok(Some(job)) => {
                            let _ = print_claimed(conn, &job, &now, &options.backoff);
                            continue;
                        }
                        Ok(None) => {}
                        Err(_) => {}
                    }
                    let wait = match next_due(conn) {
                        Ok(Some(due)) => Duration::from_millis((due - now()).clamp(1, 1000) as u64),
                        _ => Duration::from_secs(1),
                    };
                    match rx.recv_timeout(wait) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            })
            .map_err(|e| PosError::Invalid(format!("cannot start the print queue: {e}")))?;
        Ok(Worker {
            wake: Some(wake),
            handle: Some(handle),
        })
    }

    /// Tells the worker a job was queued (after a sale), so it prints without waiting.
    pub fn notify(&self) {
        if let Some(w) = &self.wake {
            let _ = w.send(());
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.wake.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Prints the given job now, in this thread (the CLI): one try, the outcome recorded.
pub fn print_now(conn: &Connection, id: i64, now: &dyn Fn() -> i64) -> Result<PrintJob> {
    conn.execute(
        "UPDATE print_jobs SET next_try_ms = ?2 WHERE id = ?1 AND state = 'queued'",
        params![id, now()],
    )?;
    if let Some(job) = claim_next(conn, now(), Some(id))? {
        if let Some(e) = print_claimed(conn, &job, now, &Backoff::default())? {
            return Err(e);
        }
    }
    get(conn, id)?.ok_or_else(|| PosError::Invalid(format!("no print job {id}")))
}
