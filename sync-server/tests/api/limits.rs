//! What protects the server from one terminal: the per-device rate limit, and gzip bodies
//! limited by their inflated size.

use std::io::Write;
use std::time::Duration;

use flate2::write::GzEncoder;
use flate2::Compression;
use pos_shared::api::{PushEntry, PushRequest, PROTOCOL_VERSION};
use serde_json::Value;

use crate::apply::sale;
use crate::helpers::{json_entry, spawn_app, spawn_app_with, Terminal, TestApp};

/// Sales `first..first+n` of a terminal, each of one unit of its own product.
fn sales(t: &Terminal, first: i64, n: i64) -> Vec<PushEntry> {
    let product = t.device_id;
    (first..first + n)
        .map(|seq| {
            let s = sale(product, 1, 1_795_510_800_000 + seq * 1_000, seq);
            json_entry(seq, "sale", &s.id.to_string(), &s)
        })
        .collect()
}

fn body(t: &Terminal, entries: Vec<PushEntry>) -> Vec<u8> {
    let req = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: t.device_id,
        entries,
    };
    serde_json::to_vec(&req).unwrap()
}

/// A push answered with its status, its `Retry-After` in seconds and its body.
async fn push_raw(
    app: &TestApp,
    t: &Terminal,
    body: Vec<u8>,
    gzip: bool,
) -> (u16, Option<u64>, Value) {
    let mut req = app
        .http
        .post(format!("{}/v1/sync/push", app.url))
        .bearer_auth(&t.token)
        .header("content-type", "application/json");
    if gzip {
        req = req.header("content-encoding", "gzip");
    }
    let resp = req.body(body).send().await.unwrap();
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, resp.json().await.unwrap_or(Value::Null))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

async fn sales_of(app: &TestApp, t: &Terminal) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*), count(DISTINCT s.id) FROM sales s
         JOIN device_changes c ON c.entity_id = s.id::text AND c.device_id = $1",
    )
    .bind(t.device_id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_hammering_terminal_is_told_to_wait_while_its_neighbour_is_served() {
    let app = spawn_app_with(|s| {
        s.rate_per_second = 2.0;
        s.rate_burst = 3;
    })
    .await;
    let store = app.store("S").await;
    let (hammer, neighbour) = (
        app.enroll(store, "Caisse 1").await,
        app.enroll(store, "Caisse 2").await,
    );

    // Ten batches of five sales as fast as it can: the burst goes through, then 429s.
    let total = 50;
    let day = sales(&hammer, 1, total);
    let from = |seq: i64, n: i64| day[(seq - 1) as usize..(seq - 1 + n) as usize].to_vec();
    let (mut acked, mut limited, mut retry_after) = (0, 0, 0);
    for _ in 0..10 {
        let (status, retry, answer) =
            push_raw(&app, &hammer, body(&hammer, from(acked + 1, 5)), false).await;
        match status {
            200 => acked = answer["data"]["acked_through"].as_i64().unwrap(),
            429 => {
                assert_eq!(answer["success"], false);
                assert_eq!(answer["error"]["code"], "RATE_LIMITED", "{answer}");
                assert!(answer["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("try again"));
                retry_after = retry.expect("a 429 carries Retry-After");
                limited += 1;
            }
            other => panic!("push answered {other}: {answer}"),
        }
    }
    assert!(limited > 0, "ten pushes at once exceed a burst of 3");
    assert!(
        (1..=2).contains(&retry_after),
        "one token comes back in 0.5 s"
    );
    assert!(acked >= 15, "the burst was served: acked {acked}");

    // The other terminal of the store has its own bucket.
    let (status, _, answer) = push_raw(
        &app,
        &neighbour,
        body(&neighbour, sales(&neighbour, 1, 5)),
        false,
    )
    .await;
    assert_eq!(status, 200, "{answer}");

    // Waiting as told, the hammering terminal gets everything in; resending acknowledged
    // entries along the way is harmless (the same entries: other ones under those numbers
    // would be a till restored from a backup).
    while acked < total {
        tokio::time::sleep(Duration::from_secs(retry_after)).await;
        let first = acked.max(1);
        let (status, retry, answer) = push_raw(
            &app,
            &hammer,
            body(&hammer, from(first, total - first + 1)),
            false,
        )
        .await;
        match status {
            200 => acked = answer["data"]["acked_through"].as_i64().unwrap(),
            429 => retry_after = retry.unwrap(),
            other => panic!("push answered {other}: {answer}"),
        }
    }
    assert_eq!(sales_of(&app, &hammer).await, (total, total));
    assert_eq!(sales_of(&app, &neighbour).await, (5, 5));
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(all, total + 5, "no sale twice");
    let mark: i64 = sqlx::query_scalar("SELECT acked_through FROM devices WHERE id = $1")
        .bind(hammer.device_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mark, total);
    let text = app.metrics().await;
    assert!(
        text.lines()
            .any(|l| l.starts_with("pos_rate_limited_total ") && l != "pos_rate_limited_total 0"),
        "{text}"
    );
}

#[tokio::test]
async fn a_gzipped_push_is_applied() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let plain = body(&till, sales(&till, 1, 40));
    let packed = gzip(&plain);
    assert!(packed.len() * 3 < plain.len(), "sales compress well");
    let (status, _, answer) = push_raw(&app, &till, packed, true).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["acked_through"], 40);
    assert_eq!(sales_of(&app, &till).await, (40, 40));

    // Not gzip after all: refused in the envelope, nothing applied.
    let (status, _, answer) = push_raw(&app, &till, body(&till, sales(&till, 41, 1)), true).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "MALFORMED_REQUEST");
    assert_eq!(sales_of(&app, &till).await, (40, 40));

    // An encoding the server does not take: refused in the envelope too.
    let resp = app
        .http
        .post(format!("{}/v1/sync/push", app.url))
        .bearer_auth(&till.token)
        .header("content-type", "application/json")
        .header("content-encoding", "br")
        .body(body(&till, sales(&till, 41, 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "MALFORMED_REQUEST", "{answer}");
    assert_eq!(sales_of(&app, &till).await, (40, 40));
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_by_its_inflated_size() {
    let app = spawn_app_with(|s| s.max_body_bytes = 1024 * 1024).await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    // 256 MiB of spaces (valid JSON whitespace) in front of a real push: about 250 KiB gzipped,
    // well under the limit as sent.
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..256 {
        enc.write_all(&spaces).unwrap();
    }
    enc.write_all(&body(&till, sales(&till, 1, 1))).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024, "{} bytes sent", bomb.len());
    let (status, _, answer) = push_raw(&app, &till, bomb, true).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["success"], false);
    assert_eq!(answer["error"]["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(sales_of(&app, &till).await, (0, 0));

    // The server is fine and the same push, small, goes through.
    let (status, _, answer) =
        push_raw(&app, &till, gzip(&body(&till, sales(&till, 1, 1))), true).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(sales_of(&app, &till).await, (1, 1));
}
