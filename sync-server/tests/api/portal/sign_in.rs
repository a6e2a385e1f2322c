//! Signing in: the cookie's flags, the CSRF proof on every change, the lock-out per account and
//! per address, signing out, changing the password, and the audit log of all of it.

use super::{user, Browser, PASSWORD};
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_cookie_is_http_only_and_strict_and_changes_need_the_csrf_proof() {
    let app = spawn_app().await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    let (_, _, headers) = Browser::open(&app)
        .await
        .get_full("/v1/portal/session")
        .await;
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/v1/portal/session", app.url))
        .send()
        .await
        .unwrap();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("pos_portal="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP here: {cookie}");
    assert!(headers.get("content-security-policy").is_some());

    let mut b = Browser::open(&app).await;
    let signin = serde_json::json!({ "email": "owner@shop.dz", "password": PASSWORD });
    // Sign-in without the proof, or with another session's, is refused before the password.
    let (status, body) = b.post_with("/v1/portal/sign-in", &signin, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("CSRF_REJECTED"))
    );
    let other = Browser::open(&app).await;
    let (status, _) = b
        .post_with("/v1/portal/sign-in", &signin, Some(&other.csrf))
        .await;
    assert_eq!(status, 403);
    assert_eq!(audited(&app, "sign_in_failed").await, 0);
    let (status, body) = b.sign_in("owner@shop.dz", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["user"]["role"], "owner");
    assert_eq!(audited(&app, "sign_in").await, 1);

    // Signed in, a change without the proof is still refused; reads need no proof.
    let (status, _) = b
        .post_with("/v1/portal/sign-out", &serde_json::json!({}), None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = b
        .get("/v1/portal/dashboard?from=2026-10-01&to=2026-11-01")
        .await;
    assert_eq!(status, 200);
    let (status, _) = b.post("/v1/portal/sign-out", &serde_json::json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = b
        .get("/v1/portal/dashboard?from=2026-10-01&to=2026-11-01")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("UNAUTHORIZED"))
    );
    assert_eq!(audited(&app, "sign_out").await, 1);
    let sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM portal_sessions WHERE data ? 'user_id'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(sessions, 0, "the session is gone from the server");
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_for_the_right_one() {
    let app = spawn_app().await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    user(&app, "other@shop.dz", "owner", &[]).await;
    let mut b = Browser::open(&app).await;
    for i in 1..=5 {
        let (status, body) = b.sign_in("owner@shop.dz", "wrong password").await;
        let want = if i < 5 { 401 } else { 429 };
        assert_eq!(status, want, "attempt {i}: {body}");
    }
    let (status, body) = b.sign_in("Owner@Shop.dz", PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("LOCKED_OUT"))
    );
    assert_eq!(audited(&app, "sign_in_failed").await, 5);
    assert_eq!(audited(&app, "sign_in_locked").await, 1);
    // Another account from the same address is not locked by those five.
    let (status, _) = b.sign_in("other@shop.dz", PASSWORD).await;
    assert_eq!(status, 200);
    // Once the lock has passed, the right password works again.
    sqlx::query("UPDATE portal_lockouts SET locked_until = now() - interval '1 second', first_at = now() - interval '1 hour'")
        .execute(&app.pool).await.unwrap();
    let mut c = Browser::open(&app).await;
    let (status, _) = c.sign_in("owner@shop.dz", PASSWORD).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_address_trying_many_accounts_is_locked_out() {
    let app = spawn_app_with(|s| s.portal_address_attempts = 4).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    let mut b = Browser::open(&app).await;
    for (i, who) in ["a@shop.dz", "b@shop.dz", "c@shop.dz", "d@shop.dz"]
        .iter()
        .enumerate()
    {
        let (status, _) = b.sign_in(who, "guess guess guess").await;
        assert_eq!(status, if i < 3 { 401 } else { 429 }, "{who}");
    }
    let (status, body) = b.sign_in("owner@shop.dz", PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("LOCKED_OUT"))
    );
}

#[tokio::test]
async fn changing_the_password_signs_out_the_other_sessions() {
    let app = spawn_app().await;
    user(&app, "manager@shop.dz", "owner", &[]).await;
    let a = Browser::signed_in(&app, "manager@shop.dz").await;
    let b = Browser::signed_in(&app, "manager@shop.dz").await;
    let (status, body) = a
        .post(
            "/v1/portal/password",
            &serde_json::json!({ "current": "not it at all", "new": "a new long password" }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("BAD_CREDENTIALS"))
    );
    let (status, body) = a
        .post(
            "/v1/portal/password",
            &serde_json::json!({ "current": PASSWORD, "new": "short" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = a
        .post(
            "/v1/portal/password",
            &serde_json::json!({ "current": PASSWORD, "new": "a new long password" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(audited(&app, "change_password").await, 1);
    let (status, _) = a.get("/v1/portal/terminals").await;
    assert_eq!(status, 200, "this session goes on");
    let (status, _) = b.get("/v1/portal/terminals").await;
    assert_eq!(status, 401, "the other one is signed out");
    let mut c = Browser::open(&app).await;
    assert_eq!(c.sign_in("manager@shop.dz", PASSWORD).await.0, 401);
    assert_eq!(
        c.sign_in("manager@shop.dz", "a new long password").await.0,
        200
    );
}

#[tokio::test]
async fn the_pages_are_served_with_a_fallback_and_the_api_is_described() {
    let app = spawn_app().await;
    let b = Browser::open(&app).await;
    for path in ["/", "/receipts/abc", "/tva"] {
        let resp = b
            .http
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"));
    }
    let (status, body) = b.get("/v1/nothing-here").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let (status, doc) = b.get("/v1/openapi.json").await;
    assert_eq!(status, 200);
    for path in [
        "/v1/portal/dashboard",
        "/v1/portal/receipts",
        "/v1/portal/sign-in",
        "/v1/sync/push",
        "/v1/sync/pull",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is described");
    }
    assert!(doc["components"]["schemas"].get("Dashboard").is_some());
}
