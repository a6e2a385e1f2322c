//! Delivery: NATS down while tills push, the relay killed between publish and mark, and two
//! servers relaying one database. In each, every event reaches the idempotent consumer once,
//! in its store's order.

use std::time::Duration;

use sync_server::events;

use super::{assert_once_in_store_order, consume, eventually, outbox_count, serve_relaying, Nats};
use uuid::Uuid;

use crate::apply::sale;
use crate::faults::terminal;
use crate::helpers::{fresh_database, json_entry};

async fn stream_messages(nats: &Nats) -> u64 {
    let sink = nats.sink().await;
    match sink.context().get_stream(events::STREAM).await {
        Ok(mut s) => s.info().await.map(|i| i.state.messages).unwrap_or(0),
        Err(_) => 0,
    }
}

async fn unpublished(app: &crate::helpers::TestApp) -> i64 {
    events::relay::backlog(&app.pool).await.unwrap().0
}

#[tokio::test]
async fn nats_down_while_tills_push_then_back_every_event_once_in_store_order() {
    let mut nats = Nats::start().await;
    let db = fresh_database("pos_ev_down").await;
    let (mut server, app) = serve_relaying(&db, &nats.url(), &[]).await;
    let (a, b) = (app.store("A").await, app.store("B").await);
    let tills = [
        app.enroll(a, "A1").await,
        app.enroll(a, "A2").await,
        app.enroll(b, "B1").await,
    ];
    let (seen, consumer) = consume(&app, &nats, "down").await;
    let pushers: Vec<_> = tills
        .iter()
        .map(|t| terminal(&app.http, &app.url, t, 5, 10))
        .collect();
    for p in pushers {
        assert!(tokio::time::timeout(Duration::from_secs(120), p)
            .await
            .is_ok());
    }
    eventually(60, "some events reach the consumer", || async {
        !seen.lock().unwrap().is_empty()
    })
    .await;

    nats.stop();
    // Sync goes on without NATS: the tills' next sales are acknowledged, the server is ready.
    let product = Uuid::now_v7();
    for batch in 0..7 {
        for t in &tills {
            let entries = (1..=10)
                .map(|i| {
                    let n = 50 + batch * 10 + i;
                    let s = sale(product, 1, 1_795_510_800_000 + n * 1_000, n);
                    json_entry(n, "sale", &s.id.to_string(), &s)
                })
                .collect();
            let (status, body) = app.push(t, entries).await;
            assert_eq!(status, 200, "{body}");
        }
    }
    let (status, _) = app.get("/ready", None).await;
    assert_eq!(status, 200);
    eventually(30, "the backlog shows in /metrics", || async {
        let m = app.metrics().await;
        m.contains("pos_events_nats_connected 0")
            && m.lines().any(|l| {
                l.strip_prefix("pos_outbox_backlog ")
                    .and_then(|n| n.parse::<i64>().ok())
                    .is_some_and(|n| n > 0)
            })
    })
    .await;
    nats.resume().await;

    let sales: i64 = sqlx::query_scalar("SELECT count(*) FROM sales")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sales, 3 * 12 * 10, "every sale synced");
    let total = outbox_count(&app).await as usize;
    eventually(90, "the backlog drains to the consumer", || async {
        seen.lock().unwrap().len() >= total
    })
    .await;
    eventually(30, "every row marked published", || async {
        unpublished(&app).await == 0
    })
    .await;
    consumer.abort();
    assert_once_in_store_order(&seen.lock().unwrap(), total);
    server.kill();
}

#[tokio::test]
async fn a_relay_killed_between_publish_and_mark_republishes_and_the_stream_drops_the_copies() {
    let nats = Nats::start().await;
    let db = fresh_database("pos_ev_kill").await;
    // This server stops between the acks and the mark, long enough to be killed there.
    let hold = [("POS_RELAY_HOLD_BEFORE_MARK_MS", "600000")];
    let (mut server, app) = serve_relaying(&db, &nats.url(), &hold).await;
    let store = app.store("S").await;
    let till = app.enroll(store, "Caisse 1").await;
    let pusher = terminal(&app.http, &app.url, &till, 4, 10);
    assert!(tokio::time::timeout(Duration::from_secs(60), pusher)
        .await
        .is_ok());
    eventually(60, "the relay published", || async {
        stream_messages(&nats).await > 0
    })
    .await;
    server.kill(); // SIGKILL
    let in_stream = stream_messages(&nats).await;
    assert_eq!(
        unpublished(&app).await,
        outbox_count(&app).await,
        "killed before marking anything"
    );

    let (mut server, app) = serve_relaying(&db, &nats.url(), &[]).await;
    eventually(60, "the restarted relay marks everything", || async {
        unpublished(&app).await == 0
    })
    .await;
    let metrics = app.metrics().await;
    let duplicates: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("pos_events_duplicates_total "))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(
        duplicates, in_stream,
        "each re-published event acknowledged as a duplicate"
    );
    let total = outbox_count(&app).await as usize;
    assert_eq!(
        stream_messages(&nats).await,
        total as u64,
        "nothing twice in the stream"
    );
    let (seen, consumer) = consume(&app, &nats, "kill").await;
    eventually(60, "the consumer has every event", || async {
        seen.lock().unwrap().len() >= total
    })
    .await;
    // Anything redelivered meanwhile would have been dropped by the inbox.
    tokio::time::sleep(Duration::from_millis(300)).await;
    consumer.abort();
    assert_once_in_store_order(&seen.lock().unwrap(), total);
    server.kill();
}

#[tokio::test]
async fn two_servers_relaying_one_database_publish_each_event_once_in_store_order() {
    let nats = Nats::start().await;
    let db = fresh_database("pos_ev_two").await;
    let (mut one, app1) = serve_relaying(&db, &nats.url(), &[]).await;
    let (mut two, app2) = serve_relaying(&db, &nats.url(), &[]).await;
    let (a, b) = (app1.store("A").await, app1.store("B").await);
    let tills = [
        app1.enroll(a, "A1").await,
        app2.enroll(a, "A2").await,
        app1.enroll(b, "B1").await,
        app2.enroll(b, "B2").await,
    ];
    let pushers: Vec<_> = tills
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let app = if i % 2 == 0 { &app1 } else { &app2 };
            terminal(&app.http, &app.url, t, 10, 10)
        })
        .collect();
    for p in pushers {
        assert!(tokio::time::timeout(Duration::from_secs(120), p)
            .await
            .is_ok());
    }
    eventually(60, "both relays drain the outbox", || async {
        unpublished(&app1).await == 0
    })
    .await;
    let total = outbox_count(&app1).await as usize;
    assert_eq!(
        stream_messages(&nats).await,
        total as u64,
        "each event published once"
    );
    let (seen, consumer) = consume(&app1, &nats, "two").await;
    eventually(60, "the consumer has every event", || async {
        seen.lock().unwrap().len() >= total
    })
    .await;
    consumer.abort();
    assert_once_in_store_order(&seen.lock().unwrap(), total);
    for s in [&mut one, &mut two] {
        s.kill();
    }
}
