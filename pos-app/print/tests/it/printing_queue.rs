//! Printing for real: a TCP printer on 127.0.0.1 that answers `DLE EOT`, a serial printer at the
//! end of a pty pair (socat), a printer that takes the connection then stops reading, and a
//! printer that is down for a while. Sales are never touched by printing, and each receipt
//! comes out once.
#![allow(clippy::unwrap_used)]

use pos_print::TillPrinting;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pos_core::printing::queue::{self, Backoff};
use pos_print::worker::{Worker, WorkerOptions};
use pos_system::{RandomIds, SystemClock};
use pos_testkit::printer::decode;
use pos_testkit::shop::{card, cash, open_shop, sell, Shop};

fn live_shop(dir: &Path) -> Shop {
    open_shop(dir, Arc::new(SystemClock), Arc::new(RandomIds))
}

fn fast() -> WorkerOptions {
    WorkerOptions {
        backoff: Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
        },
    }
}

/// Serves one connection like a printer: answers each status request "online, paper present"
/// (`paper_out` makes it say the roll is out), keeps everything else, returns it at EOF.
fn serve(mut s: TcpStream, paper_out: bool) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return got,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                let tail = &got[got.len().saturating_sub(3)..];
                if tail.len() == 3 && tail[0] == 0x10 && tail[1] == 0x04 {
                    let answer = match (tail[2], paper_out) {
                        (4, true) => 0x72,
                        (2, true) => 0x32,
                        _ => 0x12,
                    };
                    let _ = s.write_all(&[answer]);
                    got.truncate(got.len() - 3);
                }
            }
        }
    }
}

/// A printer on `listener` that hands each finished job's bytes to the channel.
pub(super) fn printer(listener: TcpListener) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            if tx.send(serve(conn, false)).is_err() {
                return;
            }
        }
    });
    rx
}

pub(super) fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_sale_prints_on_a_network_printer_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = live_shop(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("tcp://{}?timeout_ms=2000", listener.local_addr().unwrap());
    let jobs = printer(listener);
    shop.till
        .set_printer(&shop.karim, &uri, Some(pos_print::Paper::Mm58), None)
        .unwrap();
    let worker = Worker::spawn(dir.path().to_owned(), Arc::new(SystemClock), fast()).unwrap();
    let sale = sell(
        &mut shop,
        &["6130502000100", "6130402000101"],
        &[cash(Some(100_000))],
    );
    worker.notify();
    let bytes = jobs.recv_timeout(Duration::from_secs(10)).unwrap();
    let d = decode(&bytes);
    assert_eq!(d.qr, vec![sale.id.to_string()]);
    assert_eq!(d.pulses, vec![(0, 25, 250)]);
    assert_eq!(d.cuts, 1);
    assert!(d.text().iter().any(|l| l.starts_with("TOTAL")));
    let card_sale = sell(&mut shop, &["6130502000100"], &[card()]);
    worker.notify();
    let d = decode(&jobs.recv_timeout(Duration::from_secs(10)).unwrap());
    assert_eq!(d.qr, vec![card_sale.id.to_string()]);
    assert!(d.pulses.is_empty());
    wait_until("both jobs are done", || {
        [sale.id, card_sale.id].iter().all(|id| {
            let j = queue::jobs_of_sale(shop.till.store().conn(), id).unwrap();
            j.len() == 1 && j[0].state == "done" && j[0].attempts == 1
        })
    });
    drop(worker);
    assert!(
        jobs.recv_timeout(Duration::from_millis(300)).is_err(),
        "nothing printed twice"
    );
    assert!(shop.till.print_problems().unwrap().is_empty());
}

#[test]
fn paper_out_is_a_clear_error_and_the_job_waits() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = live_shop(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("tcp://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for c in listener.incoming().flatten() {
            serve(c, true);
        }
    });
    shop.till
        .set_printer(&shop.karim, &uri, None, None)
        .unwrap();
    let sale = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    let err = shop.till.print_sale_now(&sale.id).unwrap_err();
    assert_eq!(err.code(), "PAPER_OUT");
    assert!(err.to_string().contains("out of paper"));
    let problems = shop.till.print_problems().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].state, "queued");
    assert_eq!(problems[0].last_error_code.as_deref(), Some("PAPER_OUT"));
}

#[test]
fn a_printer_that_stops_reading_times_out_and_the_queue_retries() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = live_shop(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    shop.till
        .set_printer(
            &shop.karim,
            &format!("tcp://{addr}?timeout_ms=300"),
            Some(pos_print::Paper::Mm80),
            Some(pos_print::Lang::Ar),
        )
        .unwrap();
    // The first connection is accepted, answers the status, then never reads again.
    let (stuck_tx, stuck_rx) = mpsc::channel::<TcpStream>();
    let (tx, jobs) = mpsc::channel();
    std::thread::spawn(move || {
        let mut incoming = listener.incoming();
        let mut first = incoming.next().unwrap().unwrap();
        let mut status = [0u8; 3];
        for _ in 0..3 {
            first.read_exact(&mut status).unwrap();
            first.write_all(&[0x12]).unwrap();
        }
        stuck_tx.send(first).unwrap();
        for c in incoming.flatten() {
            if tx.send(serve(c, false)).is_err() {
                return;
            }
        }
    });
    let codes: Vec<&str> = (0..200).map(|_| "6130502000100").collect();
    let sale = sell(&mut shop, &codes, &[cash(None)]);
    let started = Instant::now();
    let err = shop.till.print_sale_now(&sale.id).unwrap_err();
    assert_eq!(err.code(), "PRINTER_OFFLINE", "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let _stuck = stuck_rx.recv().unwrap();
    // The sale is intact and its job waits.
    assert_eq!(
        shop.till.find_sale(&sale.id.to_string()).unwrap().total,
        sale.total
    );
    let job = &queue::jobs_of_sale(shop.till.store().conn(), &sale.id).unwrap()[0];
    assert_eq!((job.state.as_str(), job.attempts), ("queued", 1));
    // The worker tries again; the printer takes it this time.
    let worker = Worker::spawn(dir.path().to_owned(), Arc::new(SystemClock), fast()).unwrap();
    let d = decode(&jobs.recv_timeout(Duration::from_secs(15)).unwrap());
    assert_eq!(d.qr, vec![sale.id.to_string()]);
    assert!(!d.rasters.is_empty());
    wait_until("the job is done", || {
        queue::jobs_of_sale(shop.till.store().conn(), &sale.id).unwrap()[0].state == "done"
    });
    drop(worker);
}

#[test]
fn receipts_wait_for_a_printer_that_is_down_and_print_once_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = live_shop(dir.path());
    // A port with nothing listening.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    shop.till
        .set_printer(
            &shop.karim,
            &format!("tcp://{addr}?connect_ms=200"),
            None,
            None,
        )
        .unwrap();
    let worker = Worker::spawn(dir.path().to_owned(), Arc::new(SystemClock), fast()).unwrap();
    let sales: Vec<_> = (0..3)
        .map(|_| sell(&mut shop, &["6130502000100"], &[cash(None)]))
        .collect();
    worker.notify();
    wait_until("the cashier sees the three failures", || {
        let p = shop.till.print_problems().unwrap();
        p.len() == 3
            && p.iter()
                .all(|j| j.last_error_code.as_deref() == Some("PRINTER_OFFLINE") && j.attempts >= 2)
    });
    let jobs = printer(TcpListener::bind(addr).unwrap());
    let mut printed: Vec<String> = (0..3)
        .flat_map(|_| decode(&jobs.recv_timeout(Duration::from_secs(10)).unwrap()).qr)
        .collect();
    printed.sort();
    let mut want: Vec<String> = sales.iter().map(|s| s.id.to_string()).collect();
    want.sort();
    assert_eq!(printed, want);
    wait_until("no problem is left", || {
        shop.till.print_problems().unwrap().is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(jobs.try_recv().is_err(), "each receipt printed once");
    drop(worker);
}

#[test]
fn a_job_cut_off_by_a_crash_is_not_printed_again_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = live_shop(dir.path());
    let out = dir.path().join("paper.bin");
    shop.till
        .set_printer(
            &shop.karim,
            &format!("file://{}", out.display()),
            None,
            None,
        )
        .unwrap();
    let sale = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    let conn = shop.till.store().conn();
    conn.execute("UPDATE print_jobs SET state = 'printing', attempts = 1", [])
        .unwrap();
    let worker = Worker::spawn(dir.path().to_owned(), Arc::new(SystemClock), fast()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    drop(worker);
    assert!(!out.exists(), "nothing printed by itself");
    let p = shop.till.print_problems().unwrap();
    assert_eq!(
        (
            p.len(),
            p[0].state.as_str(),
            p[0].last_error_code.as_deref()
        ),
        (1, "failed", Some("INTERRUPTED"))
    );
    // The cashier retries it: it prints, once.
    shop.till.retry_print(p[0].id).unwrap();
    shop.till.print_job_now(p[0].id).unwrap();
    assert_eq!(
        decode(&std::fs::read(&out).unwrap()).qr,
        vec![sale.id.to_string()]
    );
    // An explicit reprint is a new job, marked on the paper.
    let id = shop.till.queue_print(&sale.id.to_string(), None).unwrap();
    let job = shop.till.print_job_now(id).unwrap();
    assert_eq!((job.kind.as_str(), job.state.as_str()), ("reprint", "done"));
    let d = decode(&std::fs::read(&out).unwrap());
    assert_eq!(d.qr.len(), 2);
    assert!(d.text().iter().any(|l| l.trim() == "*** DUPLICATA ***"));
    assert_eq!(d.pulses.len(), 1, "the copy does not open the drawer");
}

struct Socat(Child);

impl Drop for Socat {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_serial_printer_through_a_pty_pair() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        dir.path().join("till-side"),
        dir.path().join("printer-side"),
    );
    let child = Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .stderr(Stdio::null())
        .spawn()
        .expect("socat is needed for this test (make deps installs it)");
    let _socat = Socat(child);
    wait_until("socat made the pty pair", || a.exists() && b.exists());
    let mut shop = live_shop(&dir.path().join("till"));
    shop.till
        .set_printer(
            &shop.karim,
            &format!(
                "serial://{}?baud=19200&flow=none&timeout_ms=2000",
                a.display()
            ),
            None,
            None,
        )
        .unwrap();
    // The printer end: answers status requests and keeps the rest until the cut.
    let mut port = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&b)
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = port.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
            if got.ends_with(&[0x10, 0x04, 1])
                || got.ends_with(&[0x10, 0x04, 2])
                || got.ends_with(&[0x10, 0x04, 4])
            {
                got.truncate(got.len() - 3);
                port.write_all(&[0x12]).unwrap();
            }
            if got.ends_with(&[0x1D, b'V', b'A', 0]) {
                let _ = tx.send(std::mem::take(&mut got));
            }
        }
    });
    let sale = sell(
        &mut shop,
        &["6130502000100", "6130403000100"],
        &[cash(Some(50_000))],
    );
    let job = shop.till.print_sale_now(&sale.id).unwrap().unwrap();
    assert_eq!(job.state, "done");
    let d = decode(&rx.recv_timeout(Duration::from_secs(10)).unwrap());
    assert_eq!(d.qr, vec![sale.id.to_string()]);
    assert_eq!(d.pulses, vec![(0, 25, 250)]);
    assert!(d.text().iter().any(|l| l.starts_with("Espèces")));
}
