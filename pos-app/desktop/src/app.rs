//! The desktop/tablet window (Tauri 2, feature `desktop`). The window's commands call the
//! core's `Counter` behind one lock; a sync thread with its own connection keeps the badge
//! current and pushes/pulls in the background, so the counter never waits for the network.

mod camera;
mod commands;
mod sync_loop;

use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tauri::Manager;

pub use sync_loop::SyncBadge;

use pos_core::{PosError, Result};
use pos_counter::guarded::Guarded;
use pos_counter::Counter;
use pos_print::worker::{Worker, WorkerOptions};

/// A refusal as the window receives it: the stable code it translates, the finer code under it
/// when there is one (why the sync server was not reached), and the core's message.
#[derive(Clone, Debug, Serialize)]
pub struct UiError {
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    pub message: String,
}

impl From<PosError> for UiError {
    fn from(e: PosError) -> UiError {
        UiError {
            code: e.code().to_owned(),
            cause: e.cause_code().map(str::to_owned),
            message: e.to_string(),
        }
    }
}

/// The window's state: the counter, the sync thread's badge, and a way to wake that thread.
pub struct Desk {
    counter: Guarded,
    printer: Option<Worker>,
    badge: Arc<Mutex<SyncBadge>>,
    nudge: Mutex<Sender<()>>,
    camera: Mutex<Option<camera::Running>>,
}

impl Desk {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Counter) -> Result<T>,
    ) -> std::result::Result<T, UiError> {
        self.counter.with(f).map_err(UiError::from)
    }

    /// Runs an action that wrote something to sync (and maybe a receipt to print), then wakes
    /// the sync thread and the printer.
    fn after_sale<T>(
        &self,
        f: impl FnOnce(&mut Counter) -> Result<T>,
    ) -> std::result::Result<T, UiError> {
        let answer = self.after_print(f);
        if answer.is_ok() {
            self.nudge_sync();
        }
        answer
    }

    /// Runs an action that queued something to print, then wakes the printer.
    fn after_print<T>(
        &self,
        f: impl FnOnce(&mut Counter) -> Result<T>,
    ) -> std::result::Result<T, UiError> {
        let answer = self.with(f);
        if let (Ok(_), Some(printer)) = (&answer, &self.printer) {
            printer.notify();
        }
        answer
    }

    /// A code read by the camera, into the cart, as if it had been scanned.
    fn counter_scan(&self, code: &str) -> Result<pos_counter::CartDto> {
        self.counter.with(|counter| counter.scan(code))
    }

    /// Opens the camera (closing one already open); its reads come as `camera` events.
    fn camera_start(&self, app: tauri::AppHandle) -> std::result::Result<(), UiError> {
        self.camera_stop();
        let device = self.with(|c| c.settings())?.camera.unwrap_or(0);
        let running = camera::start(app, device)?;
        if let Ok(mut slot) = self.camera.lock() {
            *slot = Some(running);
        }
        Ok(())
    }

    fn camera_stop(&self) {
        let running = self.camera.lock().ok().and_then(|mut slot| slot.take());
        if let Some(running) = running {
            running.stop();
        }
    }

    fn nudge_sync(&self) {
        if let Ok(tx) = self.nudge.lock() {
            let _ = tx.send(());
        }
    }

    fn badge(&self) -> SyncBadge {
        self.badge.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

/// Opens the till in `data_dir` and runs the window until it is closed.
/// The counter connection's SQLite page cache in the window.
const WINDOW_CACHE_KIB: u32 = 4000;

pub fn run(data_dir: PathBuf) -> anyhow::Result<()> {
    // The window's own page cache: a scan reads a handful of index pages and the operating
    // system caches the file anyway. With a 100k catalog, 16 MB of cache was 11 MB more heap
    // on the sell screen; with 4 MB the scan burst's p95 stayed 15–19 ms (21 before).
    let counter = Guarded::open(&data_dir, |dir| {
        let counter = Counter::open(dir)?;
        counter.till().store().cache_kib(WINDOW_CACHE_KIB)?;
        Ok(counter)
    })?;
    // Receipts print from the queue on their own thread; a sale never waits for the printer.
    let printer = Worker::spawn(
        data_dir.clone(),
        Arc::new(pos_system::SystemClock),
        WorkerOptions::default(),
    )
    .map_err(|e| eprintln!("receipts will not print: {e}"))
    .ok();
    let badge = Arc::new(Mutex::new(SyncBadge::default()));
    let (nudge, nudges) = mpsc::channel();
    let live_nudge = nudge.clone();
    let desk = Desk {
        counter,
        printer,
        badge: badge.clone(),
        nudge: Mutex::new(nudge),
        camera: Mutex::new(None),
    };
    tauri::Builder::default()
        .manage(desk)
        .setup(move |app| {
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("sync".into())
                .spawn(move || sync_loop::run(&data_dir, &handle, &badge, &nudges, live_nudge))?;
            if let Some(window) = app.get_webview_window("main") {
                window.set_focus()?;
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::state,
            commands::login,
            commands::logout,
            commands::cart,
            commands::scan,
            commands::set_qty,
            commands::remove_line,
            commands::discount_line,
            commands::discount_order,
            commands::void_cart,
            commands::search,
            commands::categories,
            commands::category,
            commands::quick_amounts,
            commands::pay,
            commands::park,
            commands::parked,
            commands::recall,
            commands::open_shift,
            commands::x_report,
            commands::close_shift,
            commands::find_sale,
            commands::refund,
            commands::stock,
            commands::stock_receive,
            commands::stock_count,
            commands::settings,
            commands::set_settings,
            commands::sync_status,
            commands::enroll,
            commands::sync_now,
            commands::receipt_preview,
            commands::reprint,
            commands::print_problems,
            commands::camera_start,
            commands::camera_stop,
            commands::store_details,
            commands::set_store_details,
            commands::printer,
            commands::set_printer,
            commands::test_page,
        ])
        .run(tauri::generate_context!())?;
    Ok(())
}
