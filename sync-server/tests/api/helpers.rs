//! A real server on 127.0.0.1:0 over a fresh Postgres database per test.

use base64::Engine;
use pos_shared::api::{
    EnrollRequest, EnrollResponse, Envelope, PushEntry, PushRequest, PROTOCOL_VERSION,
};
use serde_json::Value;
use sqlx::PgPool;
use sync_server::{admin, Application, Settings};
use uuid::Uuid;

pub const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestApp {
    pub url: String,
    pub pool: PgPool,
    pub http: reqwest::Client,
}

pub struct Terminal {
    pub device_id: Uuid,
    pub store_id: Uuid,
    pub token: String,
}

/// A new, empty database named `{prefix}_{uuid}` on the machine's Postgres; its URL.
pub async fn fresh_database(prefix: &str) -> String {
    let db = format!("{prefix}_{}", Uuid::now_v7().simple());
    let admin = PgPool::connect(ADMIN_URL)
        .await
        .expect("Postgres on 127.0.0.1:5432");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&admin)
        .await
        .unwrap();
    format!("postgres://postgres@127.0.0.1:5432/{db}")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: fresh_database("pos_test").await,
        ..Settings::default()
    };
    configure(&mut settings);
    let app = Application::build(settings).await.unwrap();
    let url = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        url,
        pool,
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    pub async fn store(&self, name: &str) -> Uuid {
        admin::create_store(&self.pool, name).await.unwrap()
    }

    /// A terminal enrolled with its whole history before enrolment as its set-up (only the
    /// times of its entries tell set-up apart).
    pub async fn enroll(&self, store: Uuid, name: &str) -> Terminal {
        self.enroll_with(store, name, i64::MAX).await
    }

    /// A terminal that held `setup_through` entries when it enrolled.
    pub async fn enroll_with(&self, store: Uuid, name: &str, setup_through: i64) -> Terminal {
        let code = admin::enrollment_code(&self.pool, store).await.unwrap();
        let (status, body) = self
            .post(
                "/v1/devices/enroll",
                None,
                &serde_json::json!(EnrollRequest {
                    protocol: PROTOCOL_VERSION,
                    code,
                    name: name.into(),
                    setup_through,
                    enrolled_as: None,
                }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let e: Envelope<EnrollResponse> = serde_json::from_value(body).unwrap();
        let r = e.into_result().unwrap();
        Terminal {
            device_id: r.device_id,
            store_id: r.store_id,
            token: r.token,
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.url)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// The stock level the server keeps for `product` in `store`.
    pub async fn level(&self, store: Uuid, product: Uuid) -> i64 {
        sqlx::query_scalar("SELECT level FROM stock_levels WHERE store_id = $1 AND product_id = $2")
            .bind(store)
            .bind(product)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// What `/metrics` says now.
    pub async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn push(&self, t: &Terminal, entries: Vec<PushEntry>) -> (u16, Value) {
        let req = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: t.device_id,
            entries,
        };
        self.post("/v1/sync/push", Some(&t.token), &serde_json::json!(req))
            .await
    }
}

/// An `audit` entry whose body is `text` (stored and fanned out, not applied to tables).
pub fn entry(seq: i64, text: &str) -> PushEntry {
    PushEntry {
        seq,
        kind: "audit".into(),
        entity_id: format!("e{seq}"),
        hlc: format!("{:015}-000000-0000000000000001", seq),
        body: base64::engine::general_purpose::STANDARD.encode(text),
    }
}

/// An entry of `kind` whose body is `value` as JSON.
pub fn json_entry(seq: i64, kind: &str, entity: &str, value: &impl serde::Serialize) -> PushEntry {
    PushEntry {
        seq,
        kind: kind.into(),
        entity_id: entity.into(),
        hlc: format!("{:015}-000000-0000000000000001", seq),
        body: base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(value).unwrap()),
    }
}
