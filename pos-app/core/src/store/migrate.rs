//! Client migrations from `migrations/client/`, applied in order and recorded in
//! `PRAGMA user_version`. A database newer than this program is refused rather than guessed at.

use rusqlite::Connection;

use crate::error::{PosError, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("../../../../migrations/client/0001_init.sql"),
    include_str!("../../../../migrations/client/0002_sync.sql"),
    include_str!("../../../../migrations/client/0003_print.sql"),
    include_str!("../../../../migrations/client/0004_staff.sql"),
    include_str!("../../../../migrations/client/0005_rules.sql"),
];

pub fn run(conn: &Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(PosError::SchemaTooNew {
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let next = i as i64 + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}\n; PRAGMA user_version = {next}; COMMIT;"
        ))
        .inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK");
        })?;
    }
    Ok(())
}
