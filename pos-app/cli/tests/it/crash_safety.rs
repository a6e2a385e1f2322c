//! SIGKILL the till in the middle of selling, 20 times, at random moments. Every sale it said
//! was committed must be there, and every sale in the database must be whole: lines, payments,
//! stock movements and change-log entry all written, or none of it. Receipt numbers and the
//! change-log sequence stay dense, and the cached stock levels agree with the ledger.
//!
//! The kill delays come from a seeded generator: the seed is printed, and `POS_CRASH_SEED=N`
//! replays a run.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use tempfile::TempDir;

use super::support::{ok as pos, CATALOG, POS, USERS};

const ROUNDS: u64 = 20;

/// Kills the child (SIGKILL) and reaps it however the test ends, assertion failures included.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if self.0.kill().is_ok() {
            self.0.wait().ok();
        }
    }
}

fn ints(db: &Connection, sql: &str) -> Vec<i64> {
    let mut stmt = db.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn strings(db: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = db.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// Sale ids breaking a rule, each rule a query returning the offending ids.
fn violations(db: &Connection) -> Vec<(&'static str, Vec<String>)> {
    let rules = [
        (
            "no lines",
            "SELECT id FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_lines WHERE sale_id = s.id)",
        ),
        (
            "payments do not sum to the total",
            "SELECT id FROM sales s
             WHERE total <> (SELECT coalesce(sum(amount), 0) FROM payments WHERE sale_id = s.id)",
        ),
        (
            "lines do not sum to the total",
            "SELECT id FROM sales s
             WHERE total <> (SELECT coalesce(sum(net), 0) FROM sale_lines WHERE sale_id = s.id)",
        ),
        (
            "not one stock movement per line",
            "SELECT id FROM sales s
             WHERE (SELECT count(*) FROM stock_movements WHERE ref_id = s.id)
                <> (SELECT count(*) FROM sale_lines WHERE sale_id = s.id)",
        ),
        (
            "not exactly one change-log entry",
            "SELECT id FROM sales s
             WHERE (SELECT count(*) FROM change_log WHERE kind = 'sale' AND entity_id = s.id) <> 1",
        ),
        (
            "change-log sale entry without its sale",
            "SELECT entity_id FROM change_log
             WHERE kind = 'sale' AND entity_id NOT IN (SELECT id FROM sales)",
        ),
        (
            "rows of a sale that does not exist",
            "SELECT sale_id FROM sale_lines WHERE sale_id NOT IN (SELECT id FROM sales)
             UNION SELECT sale_id FROM payments WHERE sale_id NOT IN (SELECT id FROM sales)
             UNION SELECT sale_id FROM sale_taxes WHERE sale_id NOT IN (SELECT id FROM sales)
             UNION SELECT ref_id FROM stock_movements
                   WHERE ref_id IS NOT NULL AND ref_id NOT IN (SELECT id FROM sales)",
        ),
    ];
    rules
        .into_iter()
        .map(|(name, sql)| (name, strings(db, sql)))
        .filter(|(_, ids)| !ids.is_empty())
        .collect()
}

/// Each sale's movements match its lines product by product: -qty, kind SALE.
fn movements_match_lines(db: &Connection) {
    let per = |sql: &str| -> HashMap<(String, String), (i64, i64)> {
        let mut stmt = db.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let lines =
        per("SELECT sale_id, product_id, -sum(qty), count(*) FROM sale_lines GROUP BY 1, 2");
    let moves = per(
        "SELECT ref_id, product_id, sum(qty), count(*) FROM stock_movements
         WHERE ref_id IS NOT NULL AND kind = 'SALE' GROUP BY 1, 2",
    );
    assert_eq!(lines, moves, "stock movements and sale lines disagree");
}

/// The cached level of every product equals the ledger's: the latest COUNT (by hlc) plus the
/// deltas after it.
fn levels_match_ledger(db: &Connection) {
    let mut stmt = db
        .prepare("SELECT product_id, kind, qty, hlc, key FROM stock_movements")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let mut by_product: HashMap<String, Vec<(String, i64, String, String)>> = HashMap::new();
    for (product, kind, qty, hlc, id) in rows {
        by_product
            .entry(product)
            .or_default()
            .push((kind, qty, hlc, id));
    }
    let cached: HashMap<String, i64> = {
        let mut stmt = db
            .prepare("SELECT product_id, level FROM stock_levels")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    for (product, moves) in &by_product {
        let count = moves
            .iter()
            .filter(|m| m.0 == "COUNT")
            .max_by(|a, b| (&a.2, a.1, &a.3).cmp(&(&b.2, b.1, &b.3)));
        let (base, since) = count.map_or((0, ""), |c| (c.1, c.2.as_str()));
        let deltas: i64 = moves
            .iter()
            .filter(|m| m.0 != "COUNT" && m.2.as_str() > since)
            .map(|m| m.1)
            .sum();
        let cache = cached.get(product).copied().unwrap_or(0);
        assert_eq!(
            cache,
            base + deltas,
            "stock_levels of {product} differs from its ledger"
        );
    }
    for product in cached.keys() {
        assert!(
            by_product.contains_key(product),
            "a level for {product} with no movements"
        );
    }
}

/// Every invariant of a till database after a crash.
fn check(db: &Connection) -> BTreeMap<String, i64> {
    let ok: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    assert!(strings(db, "PRAGMA foreign_key_check").is_empty());
    let broken = violations(db);
    assert!(broken.is_empty(), "sales broken by a crash: {broken:?}");
    movements_match_lines(db);
    levels_match_ledger(db);
    let receipts = ints(db, "SELECT receipt_no FROM sales ORDER BY receipt_no");
    assert_eq!(
        receipts,
        (1..=receipts.len() as i64).collect::<Vec<_>>(),
        "receipt numbers"
    );
    let seqs = ints(db, "SELECT seq FROM change_log ORDER BY seq");
    assert_eq!(
        seqs,
        (1..=seqs.len() as i64).collect::<Vec<_>>(),
        "change-log seq"
    );
    let mut stmt = db.prepare("SELECT id, receipt_no FROM sales").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn stderr_of(child: &mut Child) -> String {
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr).ok();
    }
    stderr
}

/// One soak run killed `delay` after it started (after its first sale when `after_first_sale`):
/// the `(sale id, receipt no)` it reported committed.
fn soak_and_kill(
    dir: &Path,
    seed: u64,
    delay: Duration,
    after_first_sale: bool,
) -> Vec<(String, i64)> {
    let seed = seed.to_string();
    let soak = [
        "soak", "--count", "100000", "--seed", &seed, "--pin", "1111",
    ];
    let child = Command::new(POS)
        .arg("--data-dir")
        .arg(dir)
        .args(soak)
        .env_remove("POS_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stdout = child.0.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        // A line cut short by the kill (no newline) is not a report; every whole one is.
        while stdout.read_line(&mut line).unwrap_or(0) > 0 && line.ends_with('\n') {
            if send.send(line.trim_end().to_owned()).is_err() {
                break;
            }
            line.clear();
        }
    });
    let mut reported = Vec::new();
    if after_first_sale {
        match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(first) => reported.push(first),
            Err(e) => {
                child.0.kill().ok();
                panic!("no sale from the soak ({e}): {}", stderr_of(&mut child.0))
            }
        }
    }
    std::thread::sleep(delay);
    if let Some(status) = child.0.try_wait().unwrap() {
        let stderr = stderr_of(&mut child.0);
        panic!("soak stopped on its own before the kill ({status}): {stderr}");
    }
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the soak did not die of SIGKILL: {status}"
    );
    reader.join().unwrap();
    reported.extend(lines.try_iter());
    reported
        .iter()
        .map(|l| {
            let parts: Vec<&str> = l.split(' ').collect();
            assert!(
                parts.len() == 3 && parts[0] == "SALE",
                "unexpected soak output {l:?}"
            );
            let id = uuid::Uuid::parse_str(parts[1]).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (id.to_string(), parts[2].parse().unwrap())
        })
        .collect()
}

/// The database as the kill left it (its write-ahead log included), opened from a copy: the
/// next run of the till must find, and recover from, exactly what the crash left behind.
fn snapshot(dir: &Path) -> (TempDir, Connection) {
    let copy = TempDir::new().unwrap();
    for file in ["till.db", "till.db-wal"] {
        if dir.join(file).exists() {
            std::fs::copy(dir.join(file), copy.path().join(file)).unwrap();
        }
    }
    let db = Connection::open(copy.path().join("till.db")).unwrap();
    (copy, db)
}

#[test]
fn sigkill_mid_sale_never_leaves_half_a_sale() {
    let seed = std::env::var("POS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("crash_safety seed {seed} (replay with POS_CRASH_SEED={seed})");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let dir = TempDir::new().unwrap();
    let d = dir.path();
    pos(
        d,
        &[
            "init",
            "--store",
            "Superette El Baraka",
            "--terminal",
            "Caisse 1",
        ],
    );
    pos(d, &["user", "import", USERS]);
    pos(d, &["catalog", "import", CATALOG, "--pin", "9999"]);
    pos(d, &["shift", "open", "--float", "5000", "--pin", "1111"]);

    let mut in_db = 0usize;
    let mut reported_total = 0usize;
    for round in 0..ROUNDS {
        let delay = Duration::from_millis(rng.random_range(5..=150));
        // Should every kill so far have come before the first sale (a slow or loaded machine),
        // the last round waits for one so that the run is sure to test something.
        let wait = round == ROUNDS - 1 && reported_total == 0;
        let reported = soak_and_kill(d, round, delay, wait);
        let (_copy, db) = snapshot(d);
        let sales = check(&db);
        for (id, receipt_no) in &reported {
            assert_eq!(
                sales.get(id),
                Some(receipt_no),
                "round {round}: reported sale {id} lost"
            );
        }
        // Committed but killed before it could print: at most the one sale in flight.
        assert!(
            sales.len() >= in_db,
            "round {round}: committed sales disappeared"
        );
        let new = sales.len() - in_db;
        assert!(
            new >= reported.len() && new <= reported.len() + 1,
            "round {round}: {new} new sales in the database, {} reported",
            reported.len()
        );
        println!(
            "round {round}: killed {delay:?} after {}, {} reported, {new} new",
            if wait { "the first sale" } else { "the start" },
            reported.len()
        );
        in_db = sales.len();
        reported_total += reported.len();
    }
    assert!(
        reported_total > 0,
        "no round got as far as a sale: the kills are all too early"
    );

    // After all that the till still works, and its reports agree with the rows.
    let x = pos(d, &["shift", "report"]);
    assert_eq!(x["sales_count"].as_i64(), Some(in_db as i64));
    let sale = pos(
        d,
        &["sell", "6130325000448", "--pay", "cash", "--pin", "1111"],
    );
    assert_eq!(sale["receipt_no"].as_i64(), Some(in_db as i64 + 1));
    check(&snapshot(d).1);
}
