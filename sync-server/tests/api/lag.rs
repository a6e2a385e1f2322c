//! The feed-lag gauges in `/metrics` move when a terminal falls behind and come back when it
//! pulls.

use std::time::Duration;

use crate::helpers::{entry, spawn_app, TestApp};

async fn gauge(app: &TestApp, name: &str) -> f64 {
    let text = app.metrics().await;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} not in\n{text}"))
}

#[tokio::test]
async fn feed_lag_shows_a_terminal_behind_its_store_until_it_pulls() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let (seller, reader) = (
        app.enroll(store, "Caisse 1").await,
        app.enroll(store, "Caisse 2").await,
    );
    // The reader pulls: it is active and up to date.
    let (status, _) = app.get("/v1/sync/pull?since=0", Some(&reader.token)).await;
    assert_eq!(status, 200);
    assert_eq!(gauge(&app, "pos_feed_terminals_active").await, 1.0);
    assert_eq!(gauge(&app, "pos_feed_lag_entries").await, 0.0);
    assert_eq!(gauge(&app, "pos_feed_lag_seconds").await, 0.0);

    // The seller pushes three entries; the reader is three behind once the server hears of it.
    let (status, body) = app
        .push(&seller, vec![entry(1, "a"), entry(2, "b"), entry(3, "c")])
        .await;
    assert_eq!(status, 200, "{body}");
    let mut heard = false;
    for _ in 0..100 {
        if gauge(&app, "pos_feed_lag_entries").await == 3.0 {
            heard = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(heard, "the push's notification reached the lag measure");
    assert_eq!(gauge(&app, "pos_feed_terminals_behind").await, 1.0);
    // The age grows while the reader does not pull.
    let first = gauge(&app, "pos_feed_lag_seconds").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = gauge(&app, "pos_feed_lag_seconds").await;
    assert!(later >= first + 0.25, "{first} then {later}");

    // One page of two, then the rest: behind by one, then caught up.
    let (_, page) = app
        .get("/v1/sync/pull?since=0&limit=2", Some(&reader.token))
        .await;
    assert_eq!(page["data"]["more"], true);
    assert_eq!(gauge(&app, "pos_feed_lag_entries").await, 1.0);
    let (_, page) = app.get("/v1/sync/pull?since=2", Some(&reader.token)).await;
    assert_eq!(page["data"]["next"], 3);
    assert_eq!(gauge(&app, "pos_feed_lag_entries").await, 0.0);
    assert_eq!(gauge(&app, "pos_feed_lag_seconds").await, 0.0);
    assert_eq!(gauge(&app, "pos_feed_terminals_behind").await, 0.0);
}
