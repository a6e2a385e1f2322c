//! The counter behind the one lock the window's commands share. A panic in one action must not
//! stop the till: it is caught where the action runs, the counter is opened again from disk (the
//! cart, the sales and the print queue are all there; an unfinished transaction was rolled back)
//! and the cashier stays signed in. The action answers `INTERNAL`; the next one works.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use pos_core::error::{PosError, Result};

use crate::Counter;

/// How a counter is opened, the first time and again after a panic.
type Opener = dyn Fn(&Path) -> Result<Counter> + Send + Sync;

pub struct Guarded {
    counter: Mutex<Counter>,
    dir: PathBuf,
    open: Box<Opener>,
}

impl Guarded {
    /// Opens the counter in `dir` with `open`, which is used again to reopen it after a panic.
    pub fn open(
        dir: &Path,
        open: impl Fn(&Path) -> Result<Counter> + Send + Sync + 'static,
    ) -> Result<Guarded> {
        Ok(Guarded {
            counter: Mutex::new(open(dir)?),
            dir: dir.to_path_buf(),
            open: Box::new(open),
        })
    }

    /// Runs one action on the counter. A panic inside it becomes `INTERNAL` and the counter is
    /// reopened; a lock poisoned elsewhere is mended the same way before the action runs.
    pub fn with<T>(&self, f: impl FnOnce(&mut Counter) -> Result<T>) -> Result<T> {
        let mut counter = self.lock()?;
        match panic::catch_unwind(AssertUnwindSafe(|| f(&mut counter))) {
            Ok(answer) => answer,
            Err(payload) => {
                let what = panic_text(payload.as_ref());
                eprintln!("a till action panicked: {what}");
                self.reopen(&mut counter)?;
                Err(PosError::Internal(what))
            }
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Counter>> {
        match self.counter.lock() {
            Ok(counter) => Ok(counter),
            Err(poisoned) => {
                let mut counter = poisoned.into_inner();
                self.reopen(&mut counter)?;
                self.counter.clear_poison();
                Ok(counter)
            }
        }
    }

    /// Replaces the counter with one opened from disk, keeping who is signed in (checked
    /// against the database again at the next action, as always).
    fn reopen(&self, counter: &mut Counter) -> Result<()> {
        let mut fresh = (self.open)(&self.dir)?;
        fresh.session = counter.session.take();
        *counter = fresh;
        Ok(())
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pos_core::till::Till;
    use pos_shared::{FixedClock, SeqIds};

    use super::*;

    #[test]
    fn a_panic_in_one_action_keeps_the_cart_and_the_cashier_and_the_next_action_works() {
        let dir = tempfile::tempdir().unwrap();
        drop(crate::tests::counter(dir.path()));
        let clock = Arc::new(FixedClock::new(1_795_510_800_000));
        let ids = Arc::new(SeqIds::with_stream(7));
        let opens = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = opens.clone();
        let desk = Guarded::open(dir.path(), move |dir| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Counter::new(Till::open(dir, clock.clone(), ids.clone())?))
        })
        .unwrap();
        desk.with(|c| c.login("1111")).unwrap();
        desk.with(|c| c.open_shift("5000")).unwrap();

        let err = desk
            .with(|c| -> Result<()> {
                c.scan("6130502000100")?;
                panic!("a defect after the scan");
            })
            .unwrap_err();
        assert_eq!(err.code(), "INTERNAL");
        assert!(err.to_string().contains("a defect after the scan"));
        assert_eq!(opens.load(std::sync::atomic::Ordering::SeqCst), 2);

        // The scan before the panic is in the cart, Amina is still signed in, and selling goes on.
        let cart = desk.with(|c| c.scan("6130502000278")).unwrap();
        assert_eq!(cart.lines.len(), 2);
        let state = desk.with(|c| c.state()).unwrap();
        assert_eq!(state.cashier.map(|s| s.name), Some("Amina".to_string()));

        // A lock poisoned by a thread that panicked while holding it is mended too.
        std::thread::scope(|s| {
            let held = s.spawn(|| {
                let _guard = desk.counter.lock();
                panic!("a thread that died holding the lock");
            });
            assert!(held.join().is_err());
        });
        assert!(desk.counter.is_poisoned());
        assert_eq!(desk.with(|c| c.cart()).unwrap().lines.len(), 2);
        assert!(!desk.counter.is_poisoned());
        assert_eq!(opens.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}
