//! The print queue: jobs in SQLite, printed by the print crate's worker, which retries with
//! backoff.
//!
//! A sale's receipt job is inserted in the sale's own transaction (`enqueue_sale`), once: the
//! unique index refuses a second. A job goes queued → printing → done; a failure puts it back to
//! queued with the error and a later `next_try_ms`. A job found `printing` when the worker starts
//! was cut off by a crash: it may have printed, so it is marked failed (INTERRUPTED) for the
//! cashier to reprint if needed, never printed again on its own.
//!
//! After a long printer outage the queue does not pour out the day: a sale's receipt still
//! waiting [`RECEIPT_LATE_MS`] after its sale is set aside (failed as RECEIPT_LATE, which is no
//! problem to act on) rather than printed, and a receipt printed more than [`DRAWER_WITHIN_MS`] after its sale opens no
//! drawer. A failed job leaves the problem list once its sale (or, for a report or test page,
//! a job of its kind) has printed since.

use std::time::Duration;

use pos_shared::Sale;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use uuid::Uuid;

use super::settings;
use super::uri::PrinterUri;
use crate::error::{PosError, Result};

/// A receipt that failed to print and is still waiting this long after its sale is not printed
/// on its own when the printer comes back: the customer has gone. It is reprinted on demand.
pub const RECEIPT_LATE_MS: i64 = 10 * 60_000;
/// A sale's receipt opens the cash drawer only when it prints within this time of the sale.
pub const DRAWER_WITHIN_MS: i64 = 2 * 60_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrintJob {
    pub id: i64,
    pub kind: String,
    pub sale_id: Option<Uuid>,
    pub printer: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub next_try_ms: i64,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub done_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, kind, sale_id, printer, state, attempts, next_try_ms, last_error_code, \
                       last_error, created_at_ms, done_at_ms";

fn job(r: &Row<'_>) -> rusqlite::Result<PrintJob> {
    let sale: Option<String> = r.get(2)?;
    Ok(PrintJob {
        id: r.get(0)?,
        kind: r.get(1)?,
        sale_id: sale.and_then(|s| Uuid::parse_str(&s).ok()),
        printer: r.get(3)?,
        state: r.get(4)?,
        attempts: r.get(5)?,
        next_try_ms: r.get(6)?,
        last_error_code: r.get(7)?,
        last_error: r.get(8)?,
        created_at_ms: r.get(9)?,
        done_at_ms: r.get(10)?,
    })
}

/// In the sale's transaction: queue its receipt when this terminal has a printer. A sale already
/// queued keeps its one job.
pub fn enqueue_sale(tx: &Connection, sale: &Sale) -> Result<()> {
    let has_printer: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'printer_uri' AND value <> '')",
        )?
        .query_row([], |r| r.get(0))?;
    if has_printer {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO print_jobs (kind, sale_id, state, next_try_ms, created_at_ms)
             VALUES ('receipt', ?1, 'queued', ?2, ?2)",
        )?
        .execute(params![sale.id.to_string(), sale.created_at_ms])?;
    }
    Ok(())
}

/// Queues a sale's receipt on demand: its first print if it never had one, otherwise a reprint
/// (marked on the paper). Returns the job id.
pub fn enqueue_print(
    conn: &Connection,
    sale: &Uuid,
    printer: Option<&str>,
    now_ms: i64,
) -> Result<i64> {
    if let Some(p) = printer {
        PrinterUri::parse(p)?;
    }
    let had: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM print_jobs WHERE sale_id = ?1 AND kind = 'receipt')",
        )?
        .query_row([sale.to_string()], |r| r.get(0))?;
    let kind = if had { "reprint" } else { "receipt" };
    conn.prepare_cached(
        "INSERT INTO print_jobs (kind, sale_id, printer, state, next_try_ms, created_at_ms)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?4)",
    )?
    .execute(params![kind, sale.to_string(), printer, now_ms])?;
    Ok(conn.last_insert_rowid())
}

/// Queues ready-made bytes (a report, the test page).
pub fn enqueue_bytes(
    conn: &Connection,
    kind: &str,
    bytes: &[u8],
    printer: Option<&str>,
    now_ms: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO print_jobs (kind, payload, printer, state, next_try_ms, created_at_ms)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?4)",
    )?
    .execute(params![kind, bytes, printer, now_ms])?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<PrintJob>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1"))?
        .query_row([id], job)
        .optional()?)
}

/// The jobs of one sale, oldest first.
pub fn jobs_of_sale(conn: &Connection, sale: &Uuid) -> Result<Vec<PrintJob>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM print_jobs WHERE sale_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([sale.to_string()], job)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the cashier must see: jobs that failed and were not printed since (their sale's receipt,
/// or a job of their kind, done later), and jobs still waiting after a failed try. Receipts set
/// aside as late are not among them.
pub fn problems(conn: &Connection) -> Result<Vec<PrintJob>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM print_jobs j
         WHERE (state = 'failed' AND last_error_code IS NOT 'RECEIPT_LATE'
                AND NOT EXISTS (SELECT 1 FROM print_jobs d
                                WHERE d.id > j.id AND d.state = 'done'
                                  AND (d.sale_id = j.sale_id
                                       OR (j.sale_id IS NULL AND d.sale_id IS NULL
                                           AND d.kind = j.kind))))
            OR (state = 'queued' AND last_error IS NOT NULL)
         ORDER BY id"
    ))?;
    let rows = stmt.query_map([], job)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Puts a failed (or set-aside) job back in the queue, to be tried now, whatever its age: the
/// cashier asked for it.
pub fn retry(conn: &Connection, id: i64, now_ms: i64) -> Result<()> {
    let n = conn.execute(
        "UPDATE print_jobs SET state = 'queued', next_try_ms = ?2, last_error = NULL,
                last_error_code = NULL
         WHERE id = ?1 AND state = 'failed'",
        params![id, now_ms],
    )?;
    if n == 0 {
        return Err(PosError::Invalid(format!("no failed print job {id}")));
    }
    Ok(())
}

/// Marks jobs a crash left half-printed as failed (they may be on paper already).
pub fn recover(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE print_jobs SET state = 'failed', last_error_code = 'INTERRUPTED',
                last_error = 'the till stopped while printing: check the paper and reprint if needed'
         WHERE state = 'printing'",
        [],
    )?)
}

/// Takes the next job due, marking it printing; `None` when nothing is due. Receipts that
/// failed and are now late are set aside first.
pub fn claim_next(conn: &Connection, now_ms: i64, only: Option<i64>) -> Result<Option<PrintJob>> {
    conn.prepare_cached(
        "UPDATE print_jobs SET state = 'failed', last_error_code = 'RECEIPT_LATE',
                last_error = 'not printed: the printer was out until long after the sale; reprint it if the customer asks'
         WHERE state = 'queued' AND kind = 'receipt' AND last_error IS NOT NULL
           AND created_at_ms < ?1",
    )?
    .execute([now_ms - RECEIPT_LATE_MS])?;
    Ok(conn
        .prepare_cached(&format!(
            "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1
             WHERE id = (SELECT id FROM print_jobs WHERE state = 'queued' AND next_try_ms <= ?1
                           AND (?2 IS NULL OR id = ?2) ORDER BY id LIMIT 1)
             RETURNING {COLUMNS}"
        ))?
        .query_row(params![now_ms, only], job)
        .optional()?)
}

/// When the next queued job is due, if any.
pub fn next_due(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT min(next_try_ms) FROM print_jobs WHERE state = 'queued'")?
        .query_row([], |r| r.get(0))?)
}

/// What a job without a sale sends (a test page, a report): its stored bytes.
pub fn payload(conn: &Connection, job: &PrintJob) -> Result<Vec<u8>> {
    let payload: Option<Vec<u8>> = conn
        .prepare_cached("SELECT payload FROM print_jobs WHERE id = ?1")?
        .query_row([job.id], |r| r.get(0))?;
    payload.ok_or_else(|| PosError::Invalid(format!("print job {} has nothing to print", job.id)))
}

/// The sale a receipt job prints, as it was recorded.
pub fn sale_of(conn: &Connection, sale_id: &Uuid) -> Result<Sale> {
    let store_id: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'store_id'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let store_id = store_id
        .and_then(|s| Uuid::parse_str(&s).ok())
        .unwrap_or_default();
    crate::till::read::sale(conn, sale_id, store_id)?
        .ok_or_else(|| PosError::UnknownSale(sale_id.to_string()))
}

/// The printer a job goes to: its own, or the terminal's.
pub fn printer_of(conn: &Connection, job: &PrintJob) -> Result<PrinterUri> {
    let uri = match &job.printer {
        Some(p) => p.clone(),
        None => settings::load(conn)?.printer.ok_or(PosError::NoPrinter)?,
    };
    PrinterUri::parse(&uri)
}

/// How long to wait after `attempts` failed tries.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    pub fn delay(&self, attempts: i64) -> Duration {
        let shift = attempts.clamp(1, 16) as u32 - 1;
        self.first.saturating_mul(1 << shift).min(self.max)
    }
}

/// Errors that waiting will not fix: the job fails at once instead of retrying.
fn permanent(e: &PosError) -> bool {
    matches!(
        e,
        PosError::UnknownSale(_) | PosError::PrinterUri { .. } | PosError::Invalid(_)
    )
}

/// Records how a claimed job's try went. Returns the error of a failed try.
pub fn record(
    conn: &Connection,
    job: &PrintJob,
    outcome: Result<()>,
    now: &dyn Fn() -> i64,
    backoff: &Backoff,
) -> Result<Option<PosError>> {
    match outcome {
        Ok(()) => {
            conn.prepare_cached(
                "UPDATE print_jobs SET state = 'done', done_at_ms = ?2, last_error = NULL, last_error_code = NULL
                 WHERE id = ?1",
            )?
            .execute(params![job.id, now()])?;
            Ok(None)
        }
        Err(e) => {
            let state = if permanent(&e) { "failed" } else { "queued" };
            let next = now() + backoff.delay(job.attempts).as_millis() as i64;
            conn.prepare_cached(
                "UPDATE print_jobs SET state = ?2, next_try_ms = ?3, last_error_code = ?4, last_error = ?5 WHERE id = ?1",
            )?
            .execute(params![job.id, state, next, e.code(), e.to_string()])?;
            Ok(Some(e))
        }
    }
}
