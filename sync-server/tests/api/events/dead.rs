//! A poison row: an event larger than the stream takes goes to the dead letters (and a copy to
//! `POS_DLQ`), its store's later events flow on, and `events dlq retry` delivers it once the
//! stream takes it.

use std::process::Command;
use std::time::Duration;

use pos_shared::{TaxRate, Tender};
use uuid::Uuid;

use super::{consume, eventually, serve_relaying, Nats};
use crate::apply::{priced_sale, sale};
use crate::helpers::{fresh_database, json_entry};

fn cli(db: &str, nats: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("POS_NATS_URL", nats)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_poison_row_is_dead_lettered_later_events_flow_and_retry_delivers_it() {
    let nats = Nats::start().await;
    let db = fresh_database("pos_ev_dead").await;
    let small = [("POS_EVENTS_MAX_MSG_BYTES", "4096")];
    let (mut server, app) = serve_relaying(&db, &nats.url(), &small).await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let t0 = 1_795_510_800_000;
    let items: Vec<(Uuid, i64, i64)> = (0..60).map(|_| (Uuid::now_v7(), 25, 1)).collect();
    let big = priced_sale(&items, TaxRate::REDUCED, None, t0, Tender::Cash);
    let after = sale(Uuid::now_v7(), 1, t0 + 1_000, 2);
    let (status, body) = app
        .push(
            &till,
            vec![
                json_entry(1, "sale", &big.id.to_string(), &big),
                json_entry(2, "sale", &after.id.to_string(), &after),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (seen, consumer) = consume(&app, &nats, "dead").await;
    let has = |id: Uuid, ty: &'static str| {
        let seen = seen.clone();
        move || {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().iter().any(|e| {
                    e.ty == ty && e.data["sale_id"].as_str() == Some(id.to_string().as_str())
                })
            }
        }
    };
    eventually(
        60,
        "the later sale reaches the consumer",
        has(after.id, "dz.pos.sale.completed.v1"),
    )
    .await;
    let listed = cli(&db, &nats.url(), &["events", "dlq", "list"]);
    let dead: Vec<serde_json::Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(dead.len(), 1, "{listed}");
    assert_eq!(dead[0]["origin"], "relay");
    assert!(dead[0]["subject"]
        .as_str()
        .unwrap()
        .ends_with("sale.completed"));
    assert!(!has(big.id, "dz.pos.sale.completed.v1")().await);
    let sink = nats.sink().await;
    let mut dlq = sink.context().get_stream("POS_DLQ").await.unwrap();
    assert_eq!(
        dlq.info().await.unwrap().state.messages,
        1,
        "a copy on POS_DLQ"
    );

    // The operator raises the limit (the stream is updated when the server starts) and retries.
    server.kill();
    let (mut server, app) = serve_relaying(&db, &nats.url(), &[]).await;
    let id = dead[0]["id"].as_i64().unwrap().to_string();
    cli(&db, &nats.url(), &["events", "dlq", "retry", &id]);
    eventually(
        60,
        "the retried sale reaches the consumer",
        has(big.id, "dz.pos.sale.completed.v1"),
    )
    .await;
    assert_eq!(cli(&db, &nats.url(), &["events", "dlq", "list"]), "");
    let (unpublished, _) = sync_server::events::relay::backlog(&app.pool)
        .await
        .unwrap();
    assert_eq!(unpublished, 0);
    // Replaying the store from the kept outbox: every event again under its own id, which the
    // stream drops within its duplicate window.
    let replayed: serde_json::Value = serde_json::from_str(&cli(
        &db,
        &nats.url(),
        &[
            "events",
            "replay",
            "--store",
            &store.to_string(),
            "--from",
            "1",
        ],
    ))
    .unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(replayed["sent"], kept);
    assert_eq!(replayed["duplicates"], kept, "{replayed}");
    // Published rows older than the retention period are pruned.
    sqlx::query("UPDATE outbox SET created_at = now() - interval '8 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    let week = Duration::from_secs(7 * 24 * 3600);
    let pruned = sync_server::events::relay::prune(&app.pool, week)
        .await
        .unwrap();
    assert_eq!(pruned as i64, kept);
    tokio::time::sleep(Duration::from_millis(200)).await;
    consumer.abort();
    server.kill();
}

#[tokio::test]
async fn a_consumers_poison_message_is_copied_to_the_dead_letters_and_retry_sends_it_again() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use sync_server::events::tail::{self, TailConfig};

    let nats = Nats::start().await;
    let db = fresh_database("pos_ev_poison").await;
    let (mut server, app) = serve_relaying(&db, &nats.url(), &[]).await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let poison = sale(Uuid::now_v7(), 1, 1_795_510_800_000, 1);
    let (status, _) = app
        .push(
            &till,
            vec![json_entry(1, "sale", &poison.id.to_string(), &poison)],
        )
        .await;
    assert_eq!(status, 200);
    // A consumer that cannot handle this sale, until it is fixed.
    let fixed = Arc::new(AtomicBool::new(false));
    let handled = Arc::new(AtomicBool::new(false));
    let (pool, sink) = (app.pool.clone(), nats.sink().await);
    let (f, h) = (fixed.clone(), handled.clone());
    let task = tokio::spawn(async move {
        let mut config = TailConfig::new("picky");
        config.subject = Some("transaction.*.sale.completed".into());
        config.max_deliver = 2;
        config.backoff = vec![Duration::from_millis(100)];
        loop {
            let (f, h) = (f.clone(), h.clone());
            let _ = tail::run(&pool, sink.context(), &config, move |_| {
                if f.load(Ordering::SeqCst) {
                    h.store(true, Ordering::SeqCst);
                    Ok(())
                } else {
                    Err("cannot handle it yet".into())
                }
            })
            .await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let pool = app.pool.clone();
    eventually(60, "the advisory makes a consumer dead letter", || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM dead_letters WHERE origin = 'consumer'")
            .fetch_one(&pool)
            .await
            .unwrap()
            == 1
    })
    .await;
    let listed = cli(&db, &nats.url(), &["events", "dlq", "list"]);
    let dead: serde_json::Value = serde_json::from_str(listed.trim()).unwrap();
    assert_eq!(dead["consumer"], "picky");
    assert!(dead["event_id"].as_str().is_some());
    fixed.store(true, Ordering::SeqCst);
    let id = dead["id"].as_i64().unwrap().to_string();
    cli(&db, &nats.url(), &["events", "dlq", "retry", &id]);
    let h = handled.clone();
    eventually(60, "the retried message is handled", || async {
        h.load(Ordering::SeqCst)
    })
    .await;
    task.abort();
    server.kill();
}
