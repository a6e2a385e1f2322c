//! Cursor safety: terminals push concurrently while another pulls as fast as it can. A reader
//! must never move past an entry that commits later (the cursor-skip race).

use std::collections::BTreeSet;

use base64::Engine;
use pos_shared::api::{Envelope, PullResponse};

use crate::helpers::{entry, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pulling_terminal_never_skips_an_entry_under_concurrent_pushes() {
    // The reader pulls as fast as it can, far above any till's rate: no rate limit here.
    let app = std::sync::Arc::new(spawn_app_with(|s| s.rate_per_second = 0.0).await);
    let store = app.store("S").await;
    const PUSHERS: usize = 4;
    const BATCHES: i64 = 25;
    const PER_BATCH: i64 = 4;
    let mut terminals = Vec::new();
    for i in 0..PUSHERS {
        terminals.push(app.enroll(store, &format!("Caisse {i}")).await);
    }
    let reader = app.enroll(store, "Lecteur").await;
    let total = PUSHERS as i64 * BATCHES * PER_BATCH;

    let mut pushers = Vec::new();
    for t in terminals {
        let app = app.clone();
        pushers.push(tokio::spawn(async move {
            for b in 0..BATCHES {
                let batch = (1..=PER_BATCH)
                    .map(|i| entry(b * PER_BATCH + i, &format!("{}-{b}-{i}", t.device_id)))
                    .collect();
                let (status, body) = app.push(&t, batch).await;
                assert_eq!(status, 200, "{body}");
            }
        }));
    }
    // Pull while the pushes are in flight; remember every cursor seen.
    let mut seen: Vec<i64> = Vec::new();
    let mut since = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while (seen.len() as i64) < total && std::time::Instant::now() < deadline {
        let (_, body) = app
            .get(
                &format!("/v1/sync/pull?since={since}&limit=7"),
                Some(&reader.token),
            )
            .await;
        let page: PullResponse = serde_json::from_value::<Envelope<_>>(body)
            .unwrap()
            .into_result()
            .unwrap();
        seen.extend(page.entries.iter().map(|e| e.cursor));
        since = page.next;
    }
    for p in pushers {
        p.await.unwrap();
    }
    let in_db: i64 = sqlx::query_scalar("SELECT count(*) FROM feed WHERE store_id = $1")
        .bind(store)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(in_db, total);
    assert_eq!(seen.len() as i64, total, "the reader missed entries");
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len() as i64, total, "the reader saw an entry twice");
    assert_eq!(
        unique.into_iter().collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>()
    );
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "cursors go forward only"
    );
}

/// A feed row refers to its stored entry for the body; a row written before that (with its own
/// copy of the body) still pulls as it was.
#[tokio::test]
async fn pulled_bodies_are_the_pushed_ones_old_feed_rows_included() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let reader = app.enroll(store, "Caisse 2").await;
    let (status, _) = app
        .push(&till, vec![entry(1, "un"), entry(2, "deux")])
        .await;
    assert_eq!(status, 200);
    sqlx::query(
        "INSERT INTO feed (store_id, cursor, kind, entity_id, body, origin)
         VALUES ($1, 3, 'audit', 'old', 'ancien', $2)",
    )
    .bind(store)
    .bind(till.device_id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE store_heads SET head = 3 WHERE store_id = $1")
        .bind(store)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, _) = app.push(&till, vec![entry(3, "trois")]).await;
    assert_eq!(status, 200);

    let (_, body) = app.get("/v1/sync/pull?since=0", Some(&reader.token)).await;
    let page: PullResponse = serde_json::from_value::<Envelope<_>>(body)
        .unwrap()
        .into_result()
        .unwrap();
    let got: Vec<(i64, String, String)> = page
        .entries
        .iter()
        .map(|e| (e.cursor, e.entity_id.clone(), e.body.clone()))
        .collect();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    assert_eq!(
        got,
        [
            (1, "e1".to_owned(), b64("un")),
            (2, "e2".to_owned(), b64("deux")),
            (3, "old".to_owned(), b64("ancien")),
            (4, "e3".to_owned(), b64("trois")),
        ]
    );
}
