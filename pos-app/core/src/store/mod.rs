//! The local SQLite store: opening (and refusing damaged or foreign files), migrations, the
//! per-terminal facts in `meta`, and the change log every mutation writes to.

pub mod change_log;
mod checkpoint;
mod migrate;

pub use change_log::{ChangeEntry, ChangeKind};

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{PosError, Result};

/// `PRAGMA application_id` of a till database ("POS1"), so a foreign SQLite file is refused.
const APPLICATION_ID: i64 = 0x504F_5331;
const DB_FILE: &str = "till.db";

/// An open till database. One connection: the till is a single writer.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    _checkpointer: Option<checkpoint::Checkpointer>,
}

impl Store {
    pub fn db_path(dir: &Path) -> PathBuf {
        dir.join(DB_FILE)
    }

    /// Opens (creating when `create`) the till database in `dir`, checks it is ours and intact,
    /// and brings its schema up to date.
    pub fn open(dir: &Path, create: bool) -> Result<Store> {
        let path = Self::db_path(dir);
        let exists = path.exists();
        // A write-ahead log left behind means the last run did not close cleanly (crash, power
        // cut): that is when a full check is worth its time. Otherwise damage is still caught,
        // page by page, as SQLite reads (see `From<rusqlite::Error>`).
        let unclean = exists && dir.join(format!("{DB_FILE}-wal")).exists();
        if !exists && !create {
            return Err(PosError::NotInitialised(dir.display().to_string()));
        }
        if exists {
            check_header(&path)?;
        } else {
            std::fs::create_dir_all(dir).map_err(|e| PosError::File {
                path: dir.display().to_string(),
                detail: e.to_string(),
            })?;
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
        .map_err(|e| corrupt(&path, e))?;
        let mut store = Store {
            conn,
            path,
            _checkpointer: None,
        };
        // Identity first: a file that is not ours is refused before anything is changed in it.
        store.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        store.check_identity(exists, unclean)?;
        store.configure()?;
        migrate::run(&store.conn)?;
        store._checkpointer = checkpoint::Checkpointer::spawn(&store.path);
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        let c = &self.conn;
        // WAL: readers never block the writer. NORMAL by default (cart edits survive a crash of the
        // program); sale commits switch to FULL for their one transaction (see `durable`).
        let mode: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| corrupt(&self.path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(PosError::CorruptDatabase {
                path: self.path.display().to_string(),
                detail: format!("cannot switch to WAL (journal mode {mode})"),
            });
        }
        c.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000; PRAGMA wal_autocheckpoint = 0;",
        )?;
        Ok(())
    }

    fn check_identity(&self, existed: bool, unclean: bool) -> Result<()> {
        let app_id: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| corrupt(&self.path, e))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| corrupt(&self.path, e))?;
        if existed && tables > 0 && app_id != APPLICATION_ID {
            return Err(PosError::ForeignDatabase {
                path: self.path.display().to_string(),
            });
        }
        if existed && tables > 0 && unclean {
            let ok: String = self
                .conn
                .query_row("PRAGMA quick_check", [], |r| r.get(0))
                .map_err(|e| corrupt(&self.path, e))?;
            if ok != "ok" {
                return Err(PosError::CorruptDatabase {
                    path: self.path.display().to_string(),
                    detail: ok,
                });
            }
        }
        if tables == 0 {
            self.conn
                .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
        }
        Ok(())
    }

    /// Keeps this connection's page cache small (2 MB instead of 16): for the threads that only
    /// keep books beside the counter (sync, printing), so a big catalog is cached once, not
    /// once per thread.
    pub fn small_cache(&self) -> Result<()> {
        self.cache_kib(2000)
    }

    /// Sets this connection's page cache to `kib` KiB (16 MB when opened).
    pub fn cache_kib(&self, kib: u32) -> Result<()> {
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
        Ok(())
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one transaction that is fsync'd on commit (`synchronous = FULL`): used for
    /// sales and refunds, which must survive a power cut once the cashier has seen them done.
    pub fn durable<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.run_cached("PRAGMA synchronous = FULL")?;
        let result = self.write(f);
        self.run_cached("PRAGMA synchronous = NORMAL")?;
        result
    }

    /// Runs `f` in one immediate transaction: domain rows and change-log entries commit together.
    /// (BEGIN and COMMIT are cached statements: a sale should not parse SQL it ran a second ago.)
    pub fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.run_cached("BEGIN IMMEDIATE")?;
        let _rollback_unless_committed = RollbackGuard(&self.conn);
        let value = f(&self.conn)?;
        self.run_cached("COMMIT")?;
        Ok(value)
    }

    fn run_cached(&self, sql: &str) -> Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    /// Copies the write-ahead log into the database and empties it: after bulk work (an import),
    /// so that the next sale starts from a short log.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}

pub fn set_meta(tx: &Connection, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// Rolls back the open transaction unless the write that opened it committed (an error, or a
/// panic, inside the write leaves nothing behind).
struct RollbackGuard<'a>(&'a Connection);

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.0.execute_batch("ROLLBACK");
        }
    }
}

/// A SQLite file starts with "SQLite format 3\0"; anything else in our file name is damage.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| PosError::File {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Ok(());
    }
    let read = file.read(&mut header).unwrap_or(0);
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(PosError::CorruptDatabase {
            path: path.display().to_string(),
            detail: "not a SQLite database (bad header)".into(),
        });
    }
    Ok(())
}

fn corrupt(path: &Path, e: rusqlite::Error) -> PosError {
    PosError::CorruptDatabase {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}
