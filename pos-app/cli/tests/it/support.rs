//! What the command-line scenarios share: the real `pos` binary run with `--json` on a data
//! folder, and the fixture files.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

pub const POS: &str = env!("CARGO_BIN_EXE_pos");
pub const USERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/users.json");
pub const CATALOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/demo-catalog.csv"
);

/// Runs `pos --data-dir DIR --json ARGS`: whether it exited 0, and the one JSON object it printed.
pub fn pos(dir: &Path, args: &[&str]) -> (bool, Value) {
    let out = Command::new(POS)
        .arg("--data-dir")
        .arg(dir)
        .arg("--json")
        .args(args)
        .env_remove("POS_DATA_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        let stderr = String::from_utf8_lossy(&out.stderr);
        panic!("pos {args:?}: stdout is not one JSON object ({e}): {stdout:?}\n{stderr}")
    });
    (out.status.success(), value)
}

/// `pos ARGS` that must succeed: its answer.
pub fn ok(dir: &Path, args: &[&str]) -> Value {
    let (success, v) = pos(dir, args);
    assert!(success, "pos {args:?}: {v}");
    v
}

/// `pos ARGS` that must fail: its error code.
pub fn code(dir: &Path, args: &[&str]) -> String {
    let (success, v) = pos(dir, args);
    assert!(!success, "pos {args:?} should fail: {v}");
    v["error"]["code"].as_str().unwrap().to_owned()
}
