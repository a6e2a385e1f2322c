//! The sync thread behind the window: its own connection to the till's database, a push/pull
//! round every few seconds (sooner when a sale wakes it), exponential backoff with jitter while
//! the server is unreachable, and the badge the window shows, sent as the `sync` event.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tauri::{AppHandle, Emitter};

use pos_core::printing::PrintJob;
use pos_core::sync::{Backoff, SyncProblem};
use pos_core::till::Till;
use pos_shared::Clock;
use pos_system::{RandomIds, SystemClock};

/// What the always-visible sync badge shows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncBadge {
    /// The server this till syncs with; none until a manager enrols it.
    pub server: Option<String>,
    /// The last round reached the server.
    pub online: bool,
    /// Entries written here and not yet acknowledged by the server.
    pub pending: i64,
    pub last_sync_ms: Option<i64>,
    pub last_error: Option<String>,
    /// The code of `last_error`, the finer one when there is one (`OFFLINE_TIMED_OUT`, …), for
    /// the window to say in the cashier's language.
    pub last_error_code: Option<String>,
    /// Entries the server refused, or pulled entries this till could not apply, with reasons.
    pub problems: Vec<SyncProblem>,
    /// Receipts and pages the printer has not printed (paper out, offline), with the reason.
    pub print_problems: Vec<PrintJob>,
}

/// How long to wait between rounds when all is well.
const IDLE: Duration = Duration::from_secs(5);
/// How long the live channel's forwarder waits before looking again (it wakes on every event).
const LIVE_IDLE: Duration = Duration::from_secs(60);

pub fn run(
    dir: &Path,
    app: &AppHandle,
    shared: &Arc<Mutex<SyncBadge>>,
    nudges: &Receiver<()>,
    live_nudge: Sender<()>,
) {
    let mut till = match Till::open(dir, Arc::new(SystemClock), Arc::new(RandomIds)) {
        Ok(till) => till,
        Err(e) => {
            publish(
                app,
                shared,
                SyncBadge {
                    last_error: Some(e.to_string()),
                    ..SyncBadge::default()
                },
            );
            return;
        }
    };
    if let Err(e) = till.store().small_cache() {
        eprintln!("sync thread keeps the full page cache: {e}");
    }
    let mut backoff = Backoff::default();
    let mut badge = SyncBadge::default();
    let mut live_nudge = Some(live_nudge);
    loop {
        let status = till.sync_status();
        let enrolled = status
            .as_ref()
            .is_ok_and(|s| s.server.is_some() && s.device_id.is_some());
        if enrolled && live_nudge.is_some() {
            // Once enrolled, the server's live channel wakes this loop when another terminal
            // pushes, so its sale shows here within a second rather than at the next round.
            if let Ok(live) = pos_sync_client::live_watch(&till) {
                if let Some(tx) = live_nudge.take() {
                    let forward = move || loop {
                        if live.wait(LIVE_IDLE) && tx.send(()).is_err() {
                            break;
                        }
                    };
                    let _ = std::thread::Builder::new()
                        .name("sync-live-nudge".into())
                        .spawn(forward);
                }
            }
        }
        let mut wait = IDLE;
        if enrolled {
            match till.sync_once(&pos_sync_client::Http) {
                Ok(_) => {
                    badge.online = true;
                    badge.last_error = None;
                    badge.last_error_code = None;
                    badge.last_sync_ms = Some(SystemClock.now_ms());
                    backoff.reset();
                }
                Err(e) => {
                    badge.online = false;
                    badge.last_error = Some(e.to_string());
                    badge.last_error_code = Some(e.cause_code().unwrap_or(e.code()).to_owned());
                    wait = backoff.after(&e, rand::random::<f64>());
                }
            }
        }
        match till.sync_status() {
            Ok(s) => {
                badge.server = s.server;
                badge.pending = s.pending;
                badge.problems = s.problems;
            }
            Err(e) => badge.last_error = Some(e.to_string()),
        }
        badge.print_problems = till.print_problems().unwrap_or_default();
        publish(app, shared, badge.clone());
        match nudges.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn publish(app: &AppHandle, shared: &Arc<Mutex<SyncBadge>>, badge: SyncBadge) {
    if let Ok(mut b) = shared.lock() {
        *b = badge.clone();
    }
    let _ = app.emit("sync", badge);
}
