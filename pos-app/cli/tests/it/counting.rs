//! The count at the close, through the `pos` binary: a cashier's X report is blind, and a
//! shift is closed only on a count someone typed.

use super::support::{code, ok, CATALOG, USERS};

#[test]
fn a_cashier_closes_on_a_blind_count_she_typed() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    ok(d, &["init", "--store", "Baraka", "--terminal", "Caisse1"]);
    ok(d, &["user", "import", USERS]);
    ok(d, &["catalog", "import", CATALOG, "--pin", "9999"]);
    ok(d, &["shift", "open", "--float", "5000", "--pin", "1111"]);
    ok(
        d,
        &["sell", "6130325000448", "--pay", "cash", "--pin", "1111"],
    );

    let hers = ok(d, &["shift", "report", "--pin", "1111"]);
    assert_eq!(hers["blind"], true, "{hers}");
    assert!(hers["expected_cash"].is_null(), "{hers}");
    assert!(hers["float"].is_null() && hers["by_tender"] == serde_json::json!([]));
    assert_eq!(hers["sales_count"], 1);
    let his = ok(d, &["shift", "report", "--pin", "9999"]);
    assert_eq!(his["expected_cash"], 500_000 + 13_500);

    assert_eq!(
        code(d, &["shift", "close", "--pin", "1111"]),
        "COUNT_MISSING"
    );
    assert_eq!(
        code(d, &["shift", "close", "--counted", " ", "--pin", "1111"]),
        "COUNT_MISSING"
    );
    let z = ok(d, &["shift", "close", "--counted", "0", "--pin", "1111"]);
    assert_eq!(z["counted_cash"], 0);
    assert_eq!(z["difference"], -(500_000 + 13_500));
}
