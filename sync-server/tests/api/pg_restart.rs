//! Postgres stopped hard (`pg_ctl stop -m immediate`: no checkpoint, crash recovery at start)
//! while a terminal pushes, then started again: the server says it is not ready meanwhile,
//! comes back by itself, and every sale is in Postgres exactly once.
//!
//! The shared Postgres on 5432 is never touched: this test makes its own cluster with `initdb`
//! in a temporary directory, on a free port, and removes it at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use pos_shared::api::{PushRequest, PROTOCOL_VERSION};
use sqlx::Connection;
use uuid::Uuid;

use crate::faults::{free_port, ready, serve, terminal};

const BATCHES: i64 = 60;
const PER_BATCH: i64 = 20;

/// A Postgres cluster of this test's own.
struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// Root may not run Postgres: commands then run as the `postgres` user.
    as_postgres: bool,
}

/// The newest `/usr/lib/postgresql/VERSION/bin` holding `initdb` and `pg_ctl`.
fn postgres_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "this test needs Postgres' initdb and pg_ctl in /usr/lib/postgresql/*/bin to run a \
             cluster of its own: install the postgresql package (`make deps` does, through \
             .ci/ensure-postgres.sh)"
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PrivatePostgres {
    fn init() -> PrivatePostgres {
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("pos-pg-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let pg = PrivatePostgres {
            bin: postgres_bin(),
            dir,
            port: free_port(),
            as_postgres,
        };
        if as_postgres {
            let chown = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&pg.dir)
                .output()
                .unwrap();
            assert!(
                chown.status.success(),
                "running as root, the cluster's directory must belong to the postgres user: {}",
                String::from_utf8_lossy(&chown.stderr)
            );
        }
        pg.run(
            "initdb",
            &[
                "-D",
                pg.data().to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
        );
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
        out
    }

    fn start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.display()
        );
        let data = self.data();
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
    }

    /// As if the machine lost power: no checkpoint, connections cut, recovery at next start.
    fn stop_immediately(&self) {
        let data = self.data();
        self.run(
            "pg_ctl",
            &["-D", path(&data), "-m", "immediate", "-w", "stop"],
        );
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", path(&data), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn count(url: &str, sql: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn postgres_restarted_while_a_terminal_pushes_loses_and_doubles_nothing() {
    let pg = PrivatePostgres::init();
    pg.start();
    let mut admin = sqlx::PgConnection::connect(&pg.url("postgres"))
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE pos")
        .execute(&mut admin)
        .await
        .unwrap();
    drop(admin);
    let database_url = pg.url("pos");
    let (server, app, _) = serve(&database_url, Duration::from_secs(15)).await;
    let _server = Stopped(server);
    let (url, http) = (app.url.clone(), app.http.clone());
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    app.pool.close().await;

    let pusher = terminal(&http, &url, &till, BATCHES, PER_BATCH);
    while count(&database_url, "SELECT count(*) FROM sales").await < 3 * PER_BATCH {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    pg.stop_immediately();

    // Down: not ready, and a push is told to come back later rather than failed.
    let resp = http.get(format!("{url}/ready")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    let empty = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: till.device_id,
        entries: vec![],
    };
    let resp = http
        .post(format!("{url}/v1/sync/push"))
        .bearer_auth(&till.token)
        .json(&empty)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    let answer: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "NOT_READY", "{answer}");
    assert!(!pusher.is_finished(), "the terminal was still pushing");

    // Back up (crash recovery): the same server process serves again by itself.
    pg.start();
    ready(&http, &url).await;
    let failures = tokio::time::timeout(Duration::from_secs(120), pusher)
        .await
        .expect("every batch acknowledged after the restart")
        .unwrap();
    assert!(failures > 0, "the outage interrupted the terminal's pushes");

    let total = BATCHES * PER_BATCH;
    let db = database_url.as_str();
    assert_eq!(count(db, "SELECT count(*) FROM sales").await, total);
    assert_eq!(
        count(db, "SELECT count(DISTINCT id) FROM sales").await,
        total
    );
    assert_eq!(
        count(db, "SELECT count(*) FROM device_changes").await,
        total
    );
    assert_eq!(count(db, "SELECT count(*) FROM feed").await, total);
    assert_eq!(count(db, "SELECT max(head) FROM store_heads").await, total);
    assert_eq!(
        count(db, "SELECT max(acked_through) FROM devices").await,
        total,
        "the device's mark"
    );
}

/// The server process, killed when the test ends, passed or not.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
