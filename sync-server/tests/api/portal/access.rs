//! Roles scoped to stores, tried on the API: an accountant is refused a manager's action and
//! another store's receipt and dashboard; a manager sees their store only; the owner sees all.

use super::history::generate;
use super::{user, Browser};
use crate::helpers::spawn_app;

#[tokio::test]
async fn each_role_sees_and_does_only_what_its_stores_allow() {
    let app = spawn_app().await;
    let h = generate(&app).await;
    user(&app, "owner@shop.dz", "owner", &[]).await;
    user(&app, "manager@shop.dz", "manager", &[h.store_a]).await;
    user(&app, "accountant@shop.dz", "accountant", &[h.store_a]).await;
    let owner = Browser::signed_in(&app, "owner@shop.dz").await;
    let manager = Browser::signed_in(&app, "manager@shop.dz").await;
    let accountant = Browser::signed_in(&app, "accountant@shop.dz").await;

    // A receipt of store B.
    let (_, body) = owner
        .get(&format!("/v1/portal/receipts?stores={}&limit=1", h.store_b))
        .await;
    let theirs = body["data"]["receipts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = owner.get(&format!("/v1/portal/receipts/{theirs}")).await;
    assert_eq!(status, 200);
    for b in [&manager, &accountant] {
        let (status, body) = b.get(&format!("/v1/portal/receipts/{theirs}")).await;
        assert_eq!(
            status, 404,
            "another store's receipt is not there for them: {body}"
        );
        assert_eq!(body["error"]["code"], "NOT_FOUND");
        let (status, body) = b
            .get(&format!(
                "/v1/portal/dashboard?from=2026-10-20&to=2026-11-01&stores={}",
                h.store_b
            ))
            .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "FORBIDDEN");
        let (status, _) = b
            .text(&format!(
                "/v1/portal/exports/lines.csv?from=2026-10-20&to=2026-11-01&stores={}",
                h.store_b
            ))
            .await;
        assert_eq!(status, 403);
        // Without a store named, only their own store's figures and receipts.
        let (_, body) = b
            .get("/v1/portal/dashboard?from=2026-10-20&to=2026-11-01")
            .await;
        assert_eq!(body["data"]["stores"], serde_json::json!([h.store_a]));
        let (_, body) = b.get("/v1/portal/receipts?limit=200").await;
        assert!(body["data"]["receipts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["store"] == "Superette El Baraka"));
        let (_, body) = b.get("/v1/portal/session").await;
        assert_eq!(body["data"]["user"]["stores"].as_array().unwrap().len(), 1);
    }
    let (_, body) = owner.get("/v1/portal/session").await;
    assert_eq!(body["data"]["user"]["stores"].as_array().unwrap().len(), 2);

    // A manager's action: an enrolment code for a new till.
    let ask = serde_json::json!({ "store_id": h.store_a });
    let (status, body) = accountant.post("/v1/portal/enrollment-codes", &ask).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "FORBIDDEN");
    let (status, body) = manager.post("/v1/portal/enrollment-codes", &ask).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["code"].as_str().unwrap().len(), 10);
    let (status, _) = manager
        .post(
            "/v1/portal/enrollment-codes",
            &serde_json::json!({ "store_id": h.store_b }),
        )
        .await;
    assert_eq!(status, 403, "not their store");

    // Terminals say when they last synced.
    let (_, body) = owner.get("/v1/portal/terminals").await;
    let terminals = body["data"].as_array().unwrap();
    assert_eq!(terminals.len(), 3);
    assert!(
        terminals
            .iter()
            .all(|t| t["last_seen"].is_string() && t["stale"] == false),
        "{body}"
    );
    sqlx::query("UPDATE devices SET last_seen_at = now() - interval '3 days' WHERE id = $1")
        .bind(h.terminals[0].device_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, body) = owner.get("/v1/portal/terminals").await;
    let stale: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["stale"] == true)
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(stale, vec![h.terminals[0].device_id.to_string().as_str()]);
}
