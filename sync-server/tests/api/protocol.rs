//! Enrolment, push and pull as terminals use them, and every way a request can be wrong.

use pos_shared::api::{Envelope, PullResponse, PushResponse};
use serde_json::json;

use crate::helpers::{entry, spawn_app, spawn_app_with};

fn code_of(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn two_terminals_of_a_store_see_each_others_entries_exactly_once() {
    let app = spawn_app().await;
    let (status, body) = app.get("/ready", None).await;
    assert_eq!((status, body["data"].as_str()), (200, Some("ready")));
    let store = app.store("Superette El Baraka").await;
    let till_1 = app.enroll(store, "Caisse 1").await;
    let till_2 = app.enroll(store, "Caisse 2").await;
    let elsewhere = app
        .enroll(app.store("Autre magasin").await, "Caisse A")
        .await;
    assert_eq!((till_1.store_id, till_2.store_id), (store, store));
    assert_ne!(elsewhere.store_id, store);

    let (status, body) = app
        .push(&till_1, vec![entry(1, "a"), entry(2, "b"), entry(3, "c")])
        .await;
    assert_eq!(status, 200, "{body}");
    let acked: PushResponse = serde_json::from_value::<Envelope<_>>(body)
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!((acked.acked_through, acked.rejected.len()), (3, 0));

    // Re-sending (a lost answer) and overlapping batches change nothing.
    let (_, body) = app
        .push(&till_1, vec![entry(2, "b"), entry(3, "c"), entry(4, "d")])
        .await;
    assert_eq!(body["data"]["acked_through"], 4);
    let (_, body) = app.push(&till_1, vec![entry(1, "a")]).await;
    assert_eq!(body["data"]["acked_through"], 4);
    // A gap is refused with the mark to resend from.
    let (status, body) = app.push(&till_1, vec![entry(6, "f")]).await;
    assert_eq!((status, code_of(&body)), (409, "SEQ_GAP"));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("resend from 5"));
    // A bad entry is stored and reported; the others apply; nothing waits behind it.
    let mut bad = entry(6, "f");
    bad.kind = "teleport".into();
    let (_, body) = app
        .push(&till_1, vec![entry(5, "e"), bad, entry(7, "g")])
        .await;
    assert_eq!(body["data"]["acked_through"], 7);
    assert_eq!(body["data"]["rejected"][0]["seq"], 6);
    assert_eq!(body["data"]["rejected"][0]["code"], "UNKNOWN_KIND");
    let stored: (String, String) = sqlx::query_as(
        "SELECT status, error_code FROM device_changes WHERE device_id = $1 AND seq = 6",
    )
    .bind(till_1.device_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, ("rejected".into(), "UNKNOWN_KIND".into()));

    // The other terminal pulls, page by page, every applied entry once, in order.
    let mut seen = Vec::new();
    let mut since = 0;
    loop {
        let (status, body) = app
            .get(
                &format!("/v1/sync/pull?since={since}&limit=2"),
                Some(&till_2.token),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let page: PullResponse = serde_json::from_value::<Envelope<_>>(body)
            .unwrap()
            .into_result()
            .unwrap();
        seen.extend(page.entries.iter().map(|e| (e.entity_id.clone(), e.origin)));
        since = page.next;
        if !page.more {
            break;
        }
    }
    let ids: Vec<&str> = seen.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2", "e3", "e4", "e5", "e7"]);
    assert!(seen.iter().all(|(_, origin)| *origin == till_1.device_id));
    // Another store's terminal sees none of it.
    let (_, body) = app
        .get("/v1/sync/pull?since=0", Some(&elsewhere.token))
        .await;
    assert_eq!(body["data"]["entries"], json!([]));
    // A terminal cannot push in another's name.
    let mut req = serde_json::to_value(pos_shared::api::PushRequest {
        protocol: 1,
        device_id: till_1.device_id,
        entries: vec![entry(1, "x")],
    })
    .unwrap();
    let (status, body) = app
        .post("/v1/sync/push", Some(&elsewhere.token), &req)
        .await;
    assert_eq!((status, code_of(&body)), (403, "FORBIDDEN"));

    // A revoked terminal is refused; what it had pushed stays.
    sync_server::admin::revoke_device(&app.pool, till_1.device_id)
        .await
        .unwrap();
    req["device_id"] = json!(till_1.device_id);
    let (status, body) = app.post("/v1/sync/push", Some(&till_1.token), &req).await;
    assert_eq!((status, code_of(&body)), (401, "UNAUTHORIZED"));
    let (_, body) = app.get("/v1/sync/pull?since=0", Some(&till_2.token)).await;
    assert_eq!(body["data"]["entries"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn wrong_requests_get_clear_codes() {
    let app = spawn_app_with(|s| s.max_body_bytes = 64 * 1024).await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;

    // An enrolment code works once.
    let code = sync_server::admin::enrollment_code(&app.pool, store)
        .await
        .unwrap();
    let enroll = json!({"protocol": 1, "code": code, "name": "Caisse 2"});
    assert_eq!(app.post("/v1/devices/enroll", None, &enroll).await.0, 200);
    let (status, body) = app.post("/v1/devices/enroll", None, &enroll).await;
    assert_eq!((status, code_of(&body)), (401, "INVALID_ENROLLMENT_CODE"));

    let old = json!({"protocol": 0, "device_id": till.device_id, "entries": []});
    let (status, body) = app.post("/v1/sync/push", Some(&till.token), &old).await;
    assert_eq!((status, code_of(&body)), (426, "PROTOCOL_UPGRADE_REQUIRED"));

    let garbage = app
        .http
        .post(format!("{}/v1/sync/push", app.url))
        .bearer_auth(&till.token)
        .header("content-type", "application/json")
        .body("{\"protocol\": 1, \"entries\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status().as_u16(), 400);
    let body: serde_json::Value = garbage.json().await.unwrap();
    assert_eq!(code_of(&body), "MALFORMED_REQUEST");

    let huge: Vec<_> = (1..=200).map(|i| entry(i, &"x".repeat(600))).collect();
    let (status, body) = app.push(&till, huge).await;
    assert_eq!((status, code_of(&body)), (413, "PAYLOAD_TOO_LARGE"));

    let (status, body) = app.get("/v1/sync/pull?since=0", None).await;
    assert_eq!((status, code_of(&body)), (401, "UNAUTHORIZED"));
    let (status, body) = app.get("/v1/sync/pull?since=0", Some("not-a-token")).await;
    assert_eq!((status, code_of(&body)), (401, "UNAUTHORIZED"));
    let (status, body) = app.get("/v1/sync/pull?since=abc", Some(&till.token)).await;
    assert_eq!((status, code_of(&body)), (400, "MALFORMED_REQUEST"));

    let mut not_base64 = entry(1, "a");
    not_base64.body = "%%%".into();
    let (_, body) = app.push(&till, vec![not_base64]).await;
    assert_eq!(body["data"]["rejected"][0]["code"], "INVALID_ENTRY");
}

#[tokio::test]
async fn metrics_request_ids_and_gzip() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let mut bad = entry(2, "b");
    bad.kind = "teleport".into();
    let (status, _) = app
        .push(&till, vec![entry(1, "a"), bad, entry(3, "c")])
        .await;
    assert_eq!(status, 200);

    let resp = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap();
    // Every answer carries a request id, the one in the server's log lines.
    assert_eq!(resp.headers()["x-request-id"].to_str().unwrap().len(), 36);
    let text = resp.text().await.unwrap();
    for line in [
        "pos_http_requests_total{method=\"POST\",route=\"/v1/sync/push\",status=\"200\"} 1",
        "pos_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/sync/push\"} 1",
        "pos_push_batch_entries_count{} 1",
        "pos_push_batch_entries_sum{} 3",
        "pos_entries_applied_total 2",
        "pos_entries_rejected_total 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }

    // A caller's own request id is kept; a pull page is gzipped for a client that asks (this
    // client leaves the body as it came, whatever features reqwest was built with).
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let resp = raw
        .get(format!("{}/v1/sync/pull?since=0", app.url))
        .bearer_auth(&till.token)
        .header("x-request-id", "till-42")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "till-42");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
}
