//! A long printer outage: when the printer comes back, the receipt of a customer who may still be
//! at the counter prints, without opening the drawer once the sale is minutes old; receipts
//! of customers long gone are set aside (the cashier reprints one on demand), not poured out
//! each with a drawer kick. A failed job leaves the problem list once its sale has printed.
//! The till's clock is fixed and moved by hand, so nothing depends on how fast the machine is.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use pos_core::printing::queue::{self, Backoff};
use pos_print::worker::{Worker, WorkerOptions};
use pos_print::TillPrinting;
use pos_shared::{FixedClock, SeqIds};
use pos_testkit::printer::decode;
use pos_testkit::shop::{cash, open_shop, sell, START_MS};

use super::printing_queue::{printer, wait_until};

const MINUTE: i64 = 60_000;

#[test]
fn after_a_long_outage_only_a_waiting_customers_receipt_prints_and_no_old_one_opens_the_drawer() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(START_MS));
    let mut shop = open_shop(dir.path(), clock.clone(), Arc::new(SeqIds::new()));
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let uri = format!("tcp://{addr}?connect_ms=200");
    shop.till
        .set_printer(&shop.karim, &uri, None, None)
        .unwrap();
    let options = WorkerOptions {
        backoff: Backoff {
            first: Duration::from_millis(1),
            max: Duration::from_millis(1),
        },
    };
    let worker = Worker::spawn(dir.path().to_owned(), clock.clone(), options).unwrap();
    let failed_once = |shop: &pos_testkit::shop::Shop, sale: uuid::Uuid| {
        shop.till.print_problems().unwrap().iter().any(|j| {
            j.sale_id == Some(sale) && j.last_error_code.as_deref() == Some("PRINTER_OFFLINE")
        })
    };

    // The printer is off. A cash sale at 10:00, another at 10:09: neither prints.
    let early = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    worker.notify();
    wait_until("the first receipt fails", || failed_once(&shop, early.id));
    clock.advance(9 * MINUTE);
    let recent = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    worker.notify();
    wait_until("the second receipt fails", || failed_once(&shop, recent.id));

    // At 10:11:30 the printer is back: the 10:09 customer's receipt prints, and the drawer
    // stays shut; the 10:00 one is set aside. (Nothing is due until the clock moves.)
    let jobs = printer(TcpListener::bind(addr).unwrap());
    clock.advance(2 * MINUTE + MINUTE / 2);
    worker.notify();
    let paper = decode(&jobs.recv_timeout(Duration::from_secs(10)).unwrap());
    assert_eq!(paper.qr, vec![recent.id.to_string()]);
    assert!(
        paper.pulses.is_empty(),
        "a receipt minutes late opens no drawer"
    );
    let set_aside = &queue::jobs_of_sale(shop.till.store().conn(), &early.id).unwrap()[0];
    assert_eq!(
        (
            set_aside.state.as_str(),
            set_aside.last_error_code.as_deref()
        ),
        ("failed", Some("RECEIPT_LATE"))
    );
    wait_until("no problem is left", || {
        shop.till.print_problems().unwrap().is_empty()
    });

    // A sale now prints at once and opens the drawer.
    let now = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    worker.notify();
    let paper = decode(&jobs.recv_timeout(Duration::from_secs(10)).unwrap());
    assert_eq!(
        (paper.qr, paper.pulses.len()),
        (vec![now.id.to_string()], 1)
    );

    // The customer of 10:00 comes back for his receipt: the cashier prints it, drawer shut.
    shop.till.retry_print(set_aside.id).unwrap();
    worker.notify();
    let paper = decode(&jobs.recv_timeout(Duration::from_secs(10)).unwrap());
    assert_eq!(
        (paper.qr, paper.pulses.len()),
        (vec![early.id.to_string()], 0)
    );
    drop(worker);

    // A job a crash cut off stays a problem until its sale is printed again, then leaves.
    let cut = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    let conn = shop.till.store().conn();
    conn.execute(
        "UPDATE print_jobs SET state = 'printing' WHERE sale_id = ?1",
        [cut.id.to_string()],
    )
    .unwrap();
    queue::recover(conn).unwrap();
    let problems = shop.till.print_problems().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].last_error_code.as_deref(), Some("INTERRUPTED"));
    let reprint = shop.till.queue_print(&cut.id.to_string(), None).unwrap();
    assert_eq!(shop.till.print_job_now(reprint).unwrap().state, "done");
    let paper = decode(&jobs.recv_timeout(Duration::from_secs(10)).unwrap());
    assert!(paper.text().iter().any(|l| l.trim() == "*** DUPLICATA ***"));
    assert!(
        shop.till.print_problems().unwrap().is_empty(),
        "a reprint settles the interrupted job"
    );
}
