//! The back-office portal through its HTTP API, as a browser uses it (a cookie jar, the CSRF
//! proof from `/v1/portal/session`), over a history pushed by real terminals.

mod access;
mod figures;
mod history;
mod months;
mod printed;
mod shifts;
mod sign_in;

use reqwest::header::HeaderMap;
use serde_json::Value;
use sync_server::admin;
use uuid::Uuid;

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// A browser: its own cookies, and the CSRF proof its page would hold.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    pub async fn open(app: &TestApp) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let mut b = Browser {
            http,
            base: app.url.clone(),
            csrf: String::new(),
        };
        let (status, body, _) = b.get_full("/v1/portal/session").await;
        assert_eq!(status, 200, "{body}");
        b.csrf = body["data"]["csrf"].as_str().unwrap().to_owned();
        b
    }

    pub async fn signed_in(app: &TestApp, email: &str) -> Browser {
        let mut b = Browser::open(app).await;
        let (status, body) = b.sign_in(email, PASSWORD).await;
        assert_eq!(status, 200, "{body}");
        b
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> (u16, Value) {
        let (status, body) = self
            .post(
                "/v1/portal/sign-in",
                &serde_json::json!({ "email": email, "password": password }),
            )
            .await;
        if let Some(c) = body["data"]["csrf"].as_str() {
            self.csrf = c.to_owned();
        }
        (status, body)
    }

    pub async fn get_full(&self, path: &str) -> (u16, Value, HeaderMap) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (status, resp.json().await.unwrap_or(Value::Null), headers)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (s, b, _) = self.get_full(path).await;
        (s, b)
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    /// A change, with the CSRF proof.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_with(path, body, Some(&self.csrf.clone())).await
    }

    pub async fn post_with(&self, path: &str, body: &Value, csrf: Option<&str>) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

pub async fn user(app: &TestApp, email: &str, role: &str, stores: &[Uuid]) -> Uuid {
    admin::create_user(&app.pool, email, role, PASSWORD, stores)
        .await
        .unwrap()
}
