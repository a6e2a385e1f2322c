//! The server under test: the `sync-server` binary as a child process (so its memory is its
//! own), over a fresh database that is dropped at the end.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pos_shared::api::{EnrollRequest, EnrollResponse, Envelope, PROTOCOL_VERSION};
use sqlx::PgPool;
use uuid::Uuid;

use crate::ADMIN_URL;

pub struct Server {
    pub url: String,
    pub db: String,
    pub pool: PgPool,
    pub http: reqwest::Client,
    child: Child,
}

pub struct Terminal {
    pub device_id: Uuid,
    pub store_id: Uuid,
    pub token: String,
}

impl Server {
    pub async fn start() -> anyhow::Result<Server> {
        let db = format!("pos_bench_{}", Uuid::now_v7().simple());
        let admin = PgPool::connect(ADMIN_URL).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin)
            .await?;
        let database_url = format!("postgres://postgres@127.0.0.1:5432/{db}");
        // A free port, handed to the server (the gap between closing and binding is harmless here).
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = std::fs::File::create(std::env::temp_dir().join(format!("{db}.log")))?;
        let child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .arg("serve")
            .env("DATABASE_URL", &database_url)
            .env("POS_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .pool_max_idle_per_host(256)
            .build()?;
        let mut server = Server {
            url,
            db,
            pool: PgPool::connect(&database_url).await?,
            http,
            child,
        };
        for _ in 0..300 {
            if let Ok(r) = server
                .http
                .get(format!("{}/ready", server.url))
                .send()
                .await
            {
                if r.status().is_success() {
                    return Ok(server);
                }
            }
            if let Some(status) = server.child.try_wait()? {
                anyhow::bail!("the server stopped at start: {status}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the server did not become ready in 30 s")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory now, in kB.
    pub fn rss_kb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    pub async fn store(&self, name: &str) -> anyhow::Result<Uuid> {
        Ok(sync_server::admin::create_store(&self.pool, name).await?)
    }

    pub async fn enroll(&self, store: Uuid, name: &str) -> anyhow::Result<Terminal> {
        let code = sync_server::admin::enrollment_code(&self.pool, store).await?;
        let req = EnrollRequest {
            protocol: PROTOCOL_VERSION,
            code,
            name: name.into(),
            setup_through: 0,
            enrolled_as: None,
        };
        let r: Envelope<EnrollResponse> = self
            .http
            .post(format!("{}/v1/devices/enroll", self.url))
            .json(&req)
            .send()
            .await?
            .json()
            .await?;
        let r = r
            .into_result()
            .map_err(|e| anyhow::anyhow!("enrol: {}", e.message))?;
        Ok(Terminal {
            device_id: r.device_id,
            store_id: r.store_id,
            token: r.token,
        })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.pool.close().await;
        let admin = PgPool::connect(ADMIN_URL).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.db
        )))
        .execute(&admin)
        .await?;
        Ok(())
    }
}
