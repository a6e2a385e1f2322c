//! The `pos` command line as a script drives it: the real binary, a fresh data folder per test,
//! `--json` output parsed and checked against what the test itself did, and `till.db` read back
//! with rusqlite to prove that refused commands wrote nothing.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::support::{pos, CATALOG, USERS};
use tempfile::TempDir;

const CATALOG_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/demo-catalog.json"
);
const BAD_CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/bad-catalog.csv"
);

/// CRE-0004 "Lait Candia Tchin-Lait écrémé 1 L": 135,00 DA, 30 in stock in the demo catalog.
const MILK: &str = "6130325000448";
/// CRE-0006 "Lait UHT Soummam 1 L": 140,00 DA, 33 in stock.
const UHT: &str = "6130310000101";
/// CRE-0003 "Lait UHT entier Candia 1 L": 150,00 DA, 32 in stock.
const WHOLE: &str = "6130325000271";
const SELL_MILK: &str = "sell 6130325000448 --pay cash --pin 1111";

/// `cmd` split at spaces; `@users`, `@catalog` and `@bad` stand for the fixture files.
fn words(cmd: &str) -> Vec<&str> {
    let file = |w| match w {
        "@users" => USERS,
        "@catalog" => CATALOG,
        "@bad" => BAD_CATALOG,
        w => w,
    };
    cmd.split_whitespace().map(file).collect()
}

fn ok(dir: &Path, cmd: &str) -> Value {
    let (success, v) = pos(dir, &words(cmd));
    assert!(success && v.get("error").is_none(), "pos {cmd} failed: {v}");
    v
}

/// Runs a command that must fail: non-zero exit, `{"error":{"code","message"}}`; returns the code.
fn err(dir: &Path, cmd: &str) -> String {
    let (success, v) = pos(dir, &words(cmd));
    assert!(!success, "pos {cmd} should have failed, printed {v}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "pos {cmd}: no error message in {v}");
    v["error"]["code"].as_str().unwrap().to_owned()
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

fn list<'a, T>(v: &'a Value, f: impl FnMut(&'a Value) -> T) -> Vec<T> {
    arr(v).iter().map(f).collect()
}

/// A till with the demo users and catalog.
fn setup(dir: &Path) {
    ok(dir, "init --store Baraka --terminal Caisse1");
    ok(dir, "user import @users");
    let report = ok(dir, "catalog import @catalog --pin 9999");
    assert_eq!(int(&report["created"]), 367, "{report}");
}

/// Rows of everything a sale or refund writes, read straight from `till.db`.
fn written(dir: &Path) -> Vec<i64> {
    let db = rusqlite::Connection::open(dir.join("till.db")).unwrap();
    let tables = "sales sale_lines payments sale_taxes stock_movements change_log audit";
    let count = |t| db.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0));
    tables.split(' ').map(|t| count(t).unwrap()).collect()
}

/// SKUs `catalog find` returns for `query`.
fn found(dir: &Path, query: &str) -> BTreeSet<String> {
    let hits = ok(dir, &format!("catalog find {query} --limit 400"));
    arr(&hits["products"])
        .iter()
        .map(|p| text(&p["sku"]).to_owned())
        .collect()
}

/// SKUs of the demo catalog whose `field` has a word starting with `prefix` (lower case).
fn expected(field: &str, prefix: &str) -> BTreeSet<String> {
    let catalog: Value =
        serde_json::from_str(&std::fs::read_to_string(CATALOG_JSON).unwrap()).unwrap();
    let has_word = |p: &&Value| {
        let name = text(&p[field]).to_lowercase();
        let mut words = name.split(|c: char| !c.is_alphanumeric());
        words.any(|w| w.starts_with(prefix))
    };
    arr(&catalog)
        .iter()
        .filter(has_word)
        .map(|p| text(&p["sku"]).to_owned())
        .collect()
}

/// Money in centimes as the CLI takes it (`5609,50`).
fn da(centimes: i64) -> String {
    format!("{},{:02}", centimes / 100, centimes % 100)
}

fn overwrite(path: &Path, at: u64, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(at)).unwrap();
    f.write_all(bytes).unwrap();
    f.sync_all().unwrap();
}

#[test]
fn setting_up_a_till_and_searching_its_catalog() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let store = [
        "init",
        "--store",
        "Superette El Baraka",
        "--terminal",
        "Caisse 1",
    ];
    let (success, info) = pos(d, &store);
    assert!(success, "{info}");
    assert_eq!(info["store_name"], "Superette El Baraka");
    assert_eq!(info["terminal_name"], "Caisse 1");
    let again = err(d, "init --store Other --terminal T");
    assert_eq!(again, "ALREADY_INITIALISED");

    let users = ok(d, "user import @users");
    let mut roles = list(&users["users"], |u| (text(&u["name"]), text(&u["role"])));
    roles.sort_unstable();
    let admin = ("Admin", "admin");
    let cashiers = [("Amina", "cashier"), ("Yacine", "cashier")];
    assert_eq!(
        roles,
        [admin, cashiers[0], ("Karim", "manager"), cashiers[1]]
    );

    // Importing prices is a manager's job, not a cashier's.
    assert_eq!(err(d, "catalog import @catalog --pin 1111"), "FORBIDDEN");
    let first = ok(d, "catalog import @catalog --pin 9999");
    let counts = |r: &Value| ["rows", "created", "updated", "unchanged"].map(|k| int(&r[k]));
    assert_eq!(counts(&first), [367, 367, 0, 0], "{first}");
    assert_eq!(first["errors"], json!([]));
    let again = ok(d, "catalog import @catalog --pin 9999");
    assert_eq!(counts(&again), [367, 0, 0, 367], "{again}");
    assert_eq!(again["errors"], json!([]));

    // "lait" finds every product with a word starting "lait" in its name, and nothing else.
    let lait = found(d, "lait");
    assert!(lait.len() >= 10, "{lait:?}");
    assert_eq!(lait, expected("name_fr", "lait"));
    let hits = &ok(d, "catalog find lait")["products"];
    let names = list(hits, |h| text(&h["name_fr"]).to_lowercase());
    assert!(names.iter().all(|n| n.contains("lait")), "{names:?}");
    let milk = arr(hits).iter().find(|h| h["sku"] == "CRE-0004").unwrap();
    assert_eq!(milk["barcode"], "06130325000448");
    assert_eq!((int(&milk["price"]), int(&milk["stock"])), (13_500, 30));

    // Arabic: حليب (milk) finds the milks by their Arabic names.
    let halib = found(d, "حليب");
    assert!(halib.contains("CRE-0001") && halib.contains("CRE-0004"));
    assert_eq!(halib, expected("name_ar", "حليب"));

    // Accents are optional: "creme" and "crème" find the same, every "Crème …" among them.
    let creme = found(d, "creme");
    assert_eq!(creme, found(d, "crème"));
    let cremes = expected("name_fr", "crème");
    assert!(cremes.len() >= 5, "{cremes:?}");
    assert!(cremes.is_subset(&creme), "{cremes:?} not in {creme:?}");
    assert!(creme.len() < 367);
}

#[test]
fn a_small_day_through_the_command_line() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    setup(d);
    let level = |code: &str| int(&ok(d, &format!("stock show {code}"))["level"]);
    assert_eq!(level(MILK), 30);
    ok(d, "shift open --float 5000 --pin 1111");

    let s1 = ok(
        d,
        &format!("sell {MILK}*3 {UHT} --pay cash:1000 --pin 1111"),
    );
    assert_eq!((text(&s1["kind"]), int(&s1["receipt_no"])), ("sale", 1));
    let lines = arr(&s1["lines"]);
    let qty_price = list(&s1["lines"], |l| (int(&l["qty"]), int(&l["unit_price"])));
    assert_eq!(qty_price, [(3, 13_500), (1, 14_000)]);
    let total = int(&s1["total"]);
    assert_eq!(total, lines.iter().map(|l| int(&l["net"])).sum::<i64>());
    assert_eq!(total, 3 * 13_500 + 14_000);
    assert_eq!(int(&s1["change"]), 100_000 - total);
    let taxed: i64 = arr(&s1["taxes"]).iter().map(|t| int(&t["total"])).sum();
    assert_eq!(taxed, total);
    let cash = json!([{"tender": "cash", "amount": total, "tendered": 100_000, "reference": null}]);
    assert_eq!(s1["payments"], cash);

    // Split: 100 DA on the card, the rest in cash.
    let s2 = ok(
        d,
        &format!("sell {WHOLE}*2 --pay card:100 --pay cash --pin 1111"),
    );
    assert_eq!((int(&s2["receipt_no"]), int(&s2["total"])), (2, 30_000));
    assert_eq!(int(&s2["change"]), 0);
    let paid = list(&s2["payments"], |p| (text(&p["tender"]), int(&p["amount"])));
    assert_eq!(paid, [("card", 10_000), ("cash", 20_000)]);

    // A cashier may not refund alone, and the refusal writes nothing.
    let before = written(d);
    assert_eq!(err(d, &format!("refund 1 {MILK} --pin 1111")), "FORBIDDEN");
    assert_eq!(written(d), before);
    let r = ok(d, &format!("refund 1 {MILK} --pin 1111 --approve 9999"));
    assert_eq!((text(&r["kind"]), int(&r["receipt_no"])), ("refund", 3));
    assert_eq!(r["refund_of"], s1["id"]);
    let refunded = list(&r["lines"], |l| (text(&l["sku"]), int(&l["qty"])));
    assert_eq!(refunded, [("CRE-0004", 1)]);
    assert_eq!(int(&r["total"]), 13_500);

    let receipt = ok(d, "receipt 1");
    assert_eq!(receipt["sale_id"], s1["id"]);
    let t = text(&receipt["text"]);
    assert!(t.contains("Ticket n° 1") && t.contains("TOTAL"), "{t}");
    assert!(t.contains("545,00") && t.contains("1 000,00"), "{t}");
    assert!(t.contains("Rendu") && t.contains("455,00"), "{t}");

    // Stock: 30, three sold, one back.
    let stock = ok(d, &format!("stock show {MILK}"));
    assert_eq!(int(&stock["level"]), 30 - 3 + 1);
    let moves = list(&stock["movements"], |m| {
        (text(&m["kind"]), int(&m["qty"]), &m["ref_id"])
    });
    assert!(moves.contains(&("sale", -3, &s1["id"])), "{moves:?}");
    assert!(moves.contains(&("refund", 1, &r["id"])), "{moves:?}");
    assert_eq!((level(UHT), level(WHOLE)), (33 - 1, 32 - 2));

    // The change log holds every sale and refund once, with the import and the shift.
    let log = ok(d, "log --limit 100000");
    let entries = arr(&log["entries"]);
    assert_eq!(int(&log["pending"]), entries.len() as i64);
    let seqs = list(&log["entries"], |e| int(&e["seq"]));
    assert_eq!(seqs, (1..=entries.len() as i64).collect::<Vec<_>>());
    let kinds: BTreeSet<&str> = entries.iter().map(|e| text(&e["kind"])).collect();
    // Imported products are logged as "product" or "product_genesis" entries.
    assert!(kinds.iter().any(|k| k.starts_with("product")), "{kinds:?}");
    for k in ["movement", "sale", "shift_event", "audit"] {
        assert!(kinds.contains(k), "no {k} entry in {kinds:?}");
    }
    let sales = entries.iter().filter(|e| e["kind"] == "sale");
    let mut logged: Vec<&Value> = sales.map(|e| &e["entity_id"]).collect();
    logged.sort_by_key(|id| text(id));
    let mut ids = [&s1["id"], &s2["id"], &r["id"]];
    ids.sort_by_key(|id| text(id));
    assert_eq!(logged, ids);

    // What the Z report must say, worked out from the sales themselves.
    let mut net: BTreeMap<String, i64> = BTreeMap::new();
    for (sale, sign) in [(&s1, 1), (&s2, 1), (&r, -1)] {
        for p in arr(&sale["payments"]) {
            *net.entry(text(&p["tender"]).to_owned()).or_default() += sign * int(&p["amount"]);
        }
    }
    assert_eq!(
        [net["cash"], net["card"]],
        [54_500 + 20_000 - 13_500, 10_000]
    );
    let x = ok(d, "shift report");
    assert_eq!((int(&x["sales_count"]), int(&x["refunds_count"])), (2, 1));
    assert!(x["closed_at_ms"].is_null());

    let expected_cash = 500_000 + net["cash"];
    let counted = expected_cash - 50;
    let close = format!("shift close --counted {} --pin 1111", da(counted));
    let z = ok(d, &close);
    assert!(int(&z["closed_at_ms"]) > 0);
    let by_tender = list(&z["by_tender"], |t| {
        (text(&t["tender"]).to_owned(), int(&t["net"]))
    });
    assert_eq!(BTreeMap::from_iter(by_tender), net);
    let sold = int(&s1["total"]) + int(&s2["total"]);
    assert_eq!(int(&z["sales_total"]), sold);
    assert_eq!(int(&z["refunds_total"]), int(&r["total"]));
    assert_eq!(int(&z["net_total"]), net.values().sum::<i64>());
    assert_eq!(int(&z["expected_cash"]), expected_cash);
    assert_eq!(
        [int(&z["counted_cash"]), int(&z["difference"])],
        [counted, -50]
    );

    // The shift is closed: nothing more can be sold.
    let before = written(d);
    assert_eq!(err(d, SELL_MILK), "NO_OPEN_SHIFT");
    assert_eq!(err(d, "shift report"), "NO_OPEN_SHIFT");
    assert_eq!(written(d), before);
}

#[test]
fn refused_sales_are_json_errors_and_write_nothing() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    setup(d);
    ok(d, "shift open --float 5000 --pin 1111");
    let base = written(d);
    let cases = [
        ("6130325000449 --pay cash", "INVALID_CHECK_DIGIT"),
        ("6130325000455 --pay cash", "UNKNOWN_PRODUCT"),
        ("6130325000448*0 --pay cash", "INVALID_QUANTITY"),
        ("6130325000448 --pay cash:10", "PAYMENT_SHORT"),
        ("6130325000448 --pay card:500", "CARD_OVERPAY"),
        // Good items in the same sale are not written on their own.
        (
            "6130325000448 6130310000101 6130310000102 --pay cash",
            "INVALID_CHECK_DIGIT",
        ),
    ];
    let cases = cases.map(|(c, code)| (format!("sell {c} --pin 1111"), code));
    let wrong_pin = (SELL_MILK.replace("1111", "1212"), "WRONG_PIN");
    for (cmd, code) in cases.into_iter().chain([wrong_pin]) {
        assert_eq!(err(d, &cmd), code, "{cmd}");
        assert_eq!(written(d), base, "{cmd} wrote something");
    }
    // The counts do move when a sale goes through, and no receipt number was used up.
    let sale = ok(d, SELL_MILK);
    assert_eq!(int(&sale["receipt_no"]), 1);
    let grown: Vec<i64> = written(d).iter().zip(&base).map(|(a, b)| a - b).collect();
    // sales, lines, payments, taxes, movements, change log; no audit entry
    assert_eq!(grown, [1, 1, 1, 1, 1, 1, 0]);

    // A folder that never held a till: refused, and nothing is created there.
    let empty = TempDir::new().unwrap();
    let never = empty.path().join("never");
    assert_eq!(err(&never, "shift report"), "NOT_INITIALISED");
    assert_eq!(err(&never, SELL_MILK), "NOT_INITIALISED");
    assert_eq!(err(empty.path(), "catalog find lait"), "NOT_INITIALISED");
    assert!(!never.exists());
    assert!(!empty.path().join("till.db").exists());

    // A bad catalog: the good rows go in, each bad one is reported with its line.
    let bad = TempDir::new().unwrap();
    let b = bad.path();
    ok(b, "init --store S --terminal T");
    ok(b, "user import @users");
    let report = ok(b, "catalog import @bad --pin 9999");
    assert_eq!([int(&report["rows"]), int(&report["created"])], [10, 2]);
    let errors = arr(&report["errors"]);
    assert_eq!(
        list(&report["errors"], |e| int(&e["line"])),
        [3, 4, 6, 7, 8, 9, 10, 11]
    );
    assert!(errors.iter().all(|e| !text(&e["message"]).is_empty()));
    let eau = ok(b, "stock show TST-0001");
    assert_eq!(eau["name"], "Eau minérale Ifri 1,5 L");
    assert_eq!(int(&eau["level"]), 100);
    assert_eq!(int(&ok(b, "stock show 6130502900400")["level"]), 60);
    assert_eq!(err(b, "stock show 6130502900301"), "UNKNOWN_PRODUCT");
    assert_eq!(err(b, "stock show TST-0009"), "UNKNOWN_PRODUCT");
}

#[test]
fn five_wrong_pins_in_a_row_lock_the_till() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    ok(d, "init --store S --terminal T");
    ok(d, "user import @users");
    for _ in 0..4 {
        assert_eq!(err(d, "shift open --float 0 --pin 4321"), "WRONG_PIN");
    }
    // A right PIN clears the count: four more wrong ones are still just wrong.
    ok(d, "shift open --float 5000 --pin 1111");
    for _ in 0..4 {
        assert_eq!(err(d, "shift close --counted 0 --pin 1234"), "WRONG_PIN");
    }
    assert_eq!(err(d, "shift close --counted 0 --pin 1234"), "PIN_LOCKED");
    // Locked: the right PINs are refused too, the manager's included.
    for pin in ["1111", "9999"] {
        let cmd = format!("shift close --counted 5000 --pin {pin}");
        assert_eq!(err(d, &cmd), "PIN_LOCKED");
    }
    let (_, v) = pos(d, &words("shift close --counted 5000 --pin 1111"));
    assert!(text(&v["error"]["message"]).contains("locked"), "{v}");
    let x = ok(d, "shift report");
    assert!(x["closed_at_ms"].is_null(), "closed while locked: {x}");
}

fn foreign_db(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("till.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    let sql = "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');";
    c.execute_batch(sql).unwrap();
    db
}

#[test]
fn damaged_and_foreign_database_files_are_refused() {
    // The first bytes overwritten: not even a SQLite header any more.
    let head = TempDir::new().unwrap();
    let h = head.path();
    setup(h);
    let garbage = b"this is not a till, just garbage bytes";
    overwrite(&h.join("till.db"), 0, garbage);
    assert_eq!(err(h, "catalog find lait"), "CORRUPT_DATABASE");
    assert_eq!(err(h, SELL_MILK), "CORRUPT_DATABASE");
    // `init` does not paper over the damage by starting a new till in its place.
    assert_eq!(err(h, "init --store S --terminal T"), "CORRUPT_DATABASE");
    let bytes = std::fs::read(h.join("till.db")).unwrap();
    assert!(bytes.starts_with(garbage));

    // Every page of the products table, in the middle of the file, overwritten: the header is
    // fine, but whatever reads a product finds the damage.
    let middle = TempDir::new().unwrap();
    let m = middle.path();
    setup(m);
    ok(m, "shift open --float 5000 --pin 1111");
    let db = m.join("till.db");
    let (page_size, pages) = {
        let c = rusqlite::Connection::open(&db).unwrap();
        let size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        let sql = "SELECT pageno FROM dbstat WHERE name = 'products'";
        let mut stmt = c.prepare(sql).unwrap();
        let pages = stmt.query_map([], |r| r.get::<_, i64>(0)).unwrap();
        (size, pages.collect::<Result<Vec<_>, _>>().unwrap())
    };
    let len = std::fs::metadata(&db).unwrap().len() as i64 / page_size;
    let inside = pages.iter().all(|&p| p > 1 && p <= len);
    assert!(pages.len() > 1 && inside, "{pages:?} of {len}");
    let junk = vec![0xA5; page_size as usize];
    for p in pages {
        overwrite(&db, ((p - 1) * page_size) as u64, &junk);
    }
    assert_eq!(err(m, "catalog find lait"), "CORRUPT_DATABASE");
    assert_eq!(err(m, &format!("stock show {MILK}")), "CORRUPT_DATABASE");
    assert_eq!(err(m, SELL_MILK), "CORRUPT_DATABASE");

    // Another program's SQLite file where the till would be: refused, its data left alone.
    let foreign = TempDir::new().unwrap();
    let f = foreign.path();
    let db = foreign_db(f);
    assert_eq!(err(f, "catalog find lait"), "FOREIGN_DATABASE");
    assert_eq!(err(f, "init --store S --terminal T"), "FOREIGN_DATABASE");
    assert_eq!(err(f, "user import @users"), "FOREIGN_DATABASE");
    let c = rusqlite::Connection::open(&db).unwrap();
    let one = |sql: &str| c.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!(one("SELECT group_concat(name) FROM sqlite_schema"), "notes");
    assert_eq!(one("SELECT group_concat(body) FROM notes"), "keep me");
    assert_eq!(
        one("SELECT CAST(application_id AS TEXT) FROM pragma_application_id"),
        "0"
    );
}

/// Refusing a foreign file leaves it byte for byte as it was: `Store::open` checks identity
/// before it configures anything (WAL mode would rewrite the header).
#[test]
fn a_refused_foreign_database_is_not_modified() {
    let foreign = TempDir::new().unwrap();
    let db = foreign_db(foreign.path());
    let before = std::fs::read(&db).unwrap();
    assert_eq!(err(foreign.path(), "catalog find lait"), "FOREIGN_DATABASE");
    let after = std::fs::read(&db).unwrap();
    assert!(after == before, "the foreign file was changed");
}
