//! `pos-print-bench`: how fast receipts become printer bytes and reach a printer.
//!
//! 1. a 20-line French receipt to ESC/POS bytes (layout + encoding);
//! 2. a 20-line Arabic receipt at 80 mm to ESC/POS bytes (shaping + raster);
//! 3. sale commit to the last byte on a TCP printer (a listener on 127.0.0.1 that answers
//!    `DLE EOT` like a printer), through the print queue's worker.
//!
//! Run from the repository root: `cargo run --release -p pos-app --bin pos-print-bench`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pos_core::printing::queue::Backoff;
use pos_core::till::{ItemSpec, TenderInput};
use pos_core::Till;
use pos_print::escpos::{self, EncodeOptions};
use pos_print::worker::{Worker, WorkerOptions};
use pos_print::TillPrinting;
use pos_print::{Lang, Paper};
use pos_shared::{Money, Role, Tender};
use pos_system::{RandomIds, SystemClock};

fn stats(name: &str, mut samples: Vec<Duration>, goal_ms: f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| ms(samples[((samples.len() - 1) as f64 * q) as usize]);
    let median = p(0.5);
    println!(
        "{name:<44} median {median:>8.3} ms  p95 {:>8.3} ms  max {:>8.3} ms  (n={}, goal < {goal_ms} ms: {})",
        p(0.95),
        p(1.0),
        samples.len(),
        if median < goal_ms { "ok" } else { "MISSED" }
    );
}

/// A printer on 127.0.0.1: answers status requests, reports when each job's cut arrives.
fn tcp_printer() -> Result<(String, mpsc::Receiver<Instant>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let uri = format!("tcp://{}", listener.local_addr()?);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { return };
            let mut got = Vec::new();
            let mut buf = [0u8; 65536];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                let tail = &got[got.len().saturating_sub(3)..];
                if tail.len() == 3 && tail[0] == 0x10 && tail[1] == 0x04 {
                    let _ = s.write_all(&[0x12]);
                    got.clear();
                } else if got.ends_with(&[0x1D, b'V', b'A', 0]) {
                    if tx.send(Instant::now()).is_err() {
                        return;
                    }
                    got.clear();
                }
            }
        }
    });
    Ok((uri, rx))
}

fn main() -> Result<()> {
    let catalog = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/demo-catalog.csv".into());
    let dir = tempfile_dir()?;
    let mut till = Till::init(
        &dir,
        "Superette El Baraka",
        "Caisse 1",
        Arc::new(SystemClock),
        Arc::new(RandomIds),
    )?;
    till.add_user(None, "Admin", Role::Admin, "0000")?;
    let admin = till.login("0000")?;
    till.import_catalog(Some(&admin), catalog.as_ref(), &mut |_, _| {})
        .with_context(|| format!("importing {catalog} (run from the repository root)"))?;
    till.set_store_details(
        &admin,
        &[
            ("address".into(), "12 rue Didouche Mourad, Alger".into()),
            ("nif".into(), "000016001234567".into()),
            ("rc".into(), "16/00-1234567B20".into()),
            ("phone".into(), "+213 21 00 00 00".into()),
        ],
    )?;
    till.open_shift(&admin, Money::from_centimes(500_000))?;
    let codes = [
        "6130502000100",
        "6130403000100",
        "6130402000101",
        "6130999000102",
    ];
    let items: Vec<ItemSpec> = (0..20)
        .map(|i| codes[i % codes.len()].parse())
        .collect::<Result<_, _>>()?;
    let pay = [TenderInput {
        tender: Tender::Cash,
        amount: None,
        reference: None,
    }];
    let sale = till.quick_sale(&admin, &items, None, &pay, None)?;

    let mut fr = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        let receipt = till.paper_receipt(&sale, Paper::Mm80, Lang::Fr, false)?;
        let bytes = escpos::encode(&receipt, &EncodeOptions::default())?;
        fr.push(t.elapsed());
        std::hint::black_box(bytes);
    }
    stats("text receipt, 20 lines, to ESC/POS bytes", fr, 1.0);

    let t = Instant::now();
    let receipt = till.paper_receipt(&sale, Paper::Mm80, Lang::Ar, false)?;
    escpos::encode(&receipt, &EncodeOptions::default())?;
    println!(
        "{:<44} {:>8.3} ms (loads the fonts once)",
        "first Arabic receipt",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut ar = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let receipt = till.paper_receipt(&sale, Paper::Mm80, Lang::Ar, false)?;
        let bytes = escpos::encode(&receipt, &EncodeOptions::default())?;
        ar.push(t.elapsed());
        std::hint::black_box(bytes);
    }
    stats("Arabic raster receipt, 20 lines, 80 mm", ar, 30.0);

    let (uri, cuts) = tcp_printer()?;
    till.set_printer(&admin, &uri, Some(Paper::Mm80), Some(Lang::Fr))?;
    let options = WorkerOptions {
        backoff: Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
    };
    let worker = Worker::spawn(dir.clone(), Arc::new(SystemClock), options)?;
    let mut e2e = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        till.quick_sale(&admin, &items, None, &pay, None)?;
        worker.notify();
        let done = cuts
            .recv_timeout(Duration::from_secs(10))
            .context("the printer got nothing")?;
        e2e.push(done.duration_since(t));
    }
    stats("sale commit to last byte on a TCP printer", e2e, 50.0);
    drop(worker);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("pos-print-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
