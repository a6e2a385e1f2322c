//! The printing verbs of `pos` as a script drives them: store details, `printer set`, a cash
//! sale printed on a file printer with its drawer kick, `receipt --format escpos|png`, `print`
//! (a reprint), `printer test`, `drawer open` (managers only, recorded), and clear errors.
#![allow(clippy::unwrap_used)]

use super::support::{code, ok, USERS};

#[test]
fn printing_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = &tmp.path().join("till");
    let paper = tmp.path().join("paper.bin");
    ok(
        dir,
        &["init", "--store", "Superette", "--terminal", "Caisse 1"],
    );
    ok(dir, &["user", "import", USERS]);
    ok(
        dir,
        &[
            "catalog",
            "import",
            pos_testkit::shop::CATALOG,
            "--pin",
            "0000",
        ],
    );
    assert_eq!(
        code(dir, &["store", "set", "--nif", "1", "--pin", "1111"]),
        "FORBIDDEN"
    );
    let header = ok(
        dir,
        &[
            "store",
            "set",
            "--from",
            pos_testkit::shop::STORE,
            "--pin",
            "9999",
        ],
    );
    assert_eq!(header["name"], "Superette El Baraka");
    assert_eq!(header["rc"], "16/00-1234567B20");
    // Where the receipts go is a manager's decision, from the command line as from the window.
    assert_eq!(
        code(dir, &["printer", "set", "file:///tmp/x", "--pin", "1111"]),
        "FORBIDDEN"
    );
    assert_eq!(
        code(dir, &["printer", "set", "lpt://1", "--pin", "9999"]),
        "INVALID_PRINTER_URI"
    );
    assert_eq!(
        code(dir, &["printer", "set", "tcp://host:port", "--pin", "9999"]),
        "INVALID_PRINTER_URI"
    );
    assert_eq!(code(dir, &["printer", "test"]), "NO_PRINTER");
    let uri = format!("file://{}", paper.display());
    let settings = ok(
        dir,
        &[
            "printer", "set", &uri, "--paper", "58", "--lang", "fr", "--pin", "9999",
        ],
    );
    assert_eq!(settings["paper"], "Mm58");
    ok(dir, &["shift", "open", "--float", "5000", "--pin", "1111"]);

    // A cash sale prints as it completes, with the drawer kick.
    let sale = ok(
        dir,
        &[
            "sell",
            "6130502000100",
            "--pay",
            "cash:500",
            "--pin",
            "1111",
        ],
    );
    let id = sale["id"].as_str().unwrap();
    let d = pos_testkit::printer::decode(&std::fs::read(&paper).unwrap());
    assert_eq!(d.qr, vec![id.to_owned()]);
    assert_eq!(d.pulses, vec![(0, 25, 250)]);
    assert!(d.text().iter().all(|l| l.chars().count() <= 32));

    // Previews and bytes to files.
    let png_path = tmp.path().join("r.png");
    ok(
        dir,
        &[
            "receipt",
            "1",
            "--format",
            "png",
            "--width",
            "80",
            "--lang",
            "ar",
            "--out",
            png_path.to_str().unwrap(),
        ],
    );
    let preview = pos_print::png::decode(&std::fs::read(&png_path).unwrap()).unwrap();
    assert_eq!(preview.width, 576);
    let bin = tmp.path().join("r.bin");
    ok(
        dir,
        &[
            "receipt",
            id,
            "--format",
            "escpos",
            "--lang",
            "en",
            "--out",
            bin.to_str().unwrap(),
        ],
    );
    let d = pos_testkit::printer::decode(&std::fs::read(&bin).unwrap());
    assert!(d.text().iter().any(|l| l.starts_with("Cash")));
    let text = ok(dir, &["receipt", "1", "--format", "text", "--width", "80"]);
    assert!(text["text"].as_str().unwrap().contains("Espèces"));
    assert_eq!(
        code(dir, &["receipt", "1", "--format", "png"]),
        "INVALID_INPUT"
    );
    assert_eq!(
        code(dir, &["receipt", "1", "--format", "pdf"]),
        "INVALID_INPUT"
    );
    assert_eq!(
        code(dir, &["receipt", "1", "--lang", "de"]),
        "INVALID_INPUT"
    );
    assert_eq!(
        code(
            dir,
            &["receipt", "1", "--format", "png", "--width", "57", "--out", "x.png"]
        ),
        "INVALID_INPUT"
    );

    // `print` again is a reprint: marked, no drawer kick.
    let job = ok(dir, &["print", "1"]);
    assert_eq!(
        (job["kind"].as_str(), job["state"].as_str()),
        (Some("reprint"), Some("done"))
    );
    let d = pos_testkit::printer::decode(&std::fs::read(&paper).unwrap());
    assert_eq!(d.qr.len(), 2);
    assert_eq!(d.pulses.len(), 1);
    assert!(d.text().iter().any(|l| l.trim() == "*** DUPLICATA ***"));

    ok(dir, &["printer", "test"]);
    let d = pos_testkit::printer::decode(&std::fs::read(&paper).unwrap());
    assert!(d.text().iter().any(|l| l.trim() == "PAGE DE TEST"));

    // "No sale": managers only, recorded, and the kick reaches the printer.
    assert_eq!(code(dir, &["drawer", "open", "--pin", "1111"]), "FORBIDDEN");
    ok(
        dir,
        &[
            "drawer",
            "open",
            "--pin",
            "9999",
            "--reason",
            "change for a customer",
        ],
    );
    let d = pos_testkit::printer::decode(&std::fs::read(&paper).unwrap());
    assert_eq!(d.pulses.len(), 2);
    let conn = rusqlite::Connection::open(dir.join("till.db")).unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE kind = 'drawer_opened'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // A printer that cannot be reached: the sale stands, the job waits, the cashier sees it.
    ok(
        dir,
        &[
            "printer",
            "set",
            "tcp://127.0.0.1:9?connect_ms=200",
            "--pin",
            "9999",
        ],
    );
    let sale = ok(
        dir,
        &["sell", "6130502000100", "--pay", "cash", "--pin", "1111"],
    );
    assert!(sale["id"].is_string());
    let problems = ok(dir, &["printer", "problems"]);
    let problems = problems["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["last_error_code"], "PRINTER_OFFLINE");
    assert_eq!(problems[0]["sale_id"], sale["id"]);
}
