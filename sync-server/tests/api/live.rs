//! The live channel: a terminal connected to `/v1/sync/live` hears of every push by another
//! terminal of its store, with the new head, and of nothing else.

use futures_util::{Stream, StreamExt};
use pos_shared::api::LiveEvent;

use crate::helpers::{entry, spawn_app};

/// The next event's data, skipping keep-alives; `buf` keeps what was read past it.
async fn next_event(
    events: &mut (impl Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buf: &mut String,
) -> LiveEvent {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                assert!(block.contains("event: feed"), "{block}");
                return serde_json::from_str(data.trim()).unwrap();
            }
            continue;
        }
        let chunk = events
            .next()
            .await
            .expect("the live channel stays open")
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn a_terminal_hears_of_the_others_pushes_and_only_those() {
    let app = spawn_app().await;
    let store = app.store("S").await;
    let (a, b) = (
        app.enroll(store, "Caisse A").await,
        app.enroll(store, "Caisse B").await,
    );
    let elsewhere = app.enroll(app.store("Autre").await, "Caisse X").await;
    let (status, _) = app.push(&a, vec![entry(1, "a1")]).await;
    assert_eq!(status, 200);

    let resp = app
        .http
        .get(format!("{}/v1/sync/live", app.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut events = resp.bytes_stream();
    let mut buf = String::new();
    // First, where the feed stands.
    assert_eq!(next_event(&mut events, &mut buf).await.cursor, Some(1));

    // Another store's push and B's own are not news for B; A's next push is.
    assert_eq!(app.push(&elsewhere, vec![entry(1, "x1")]).await.0, 200);
    assert_eq!(app.push(&b, vec![entry(1, "b1")]).await.0, 200);
    assert_eq!(
        app.push(&a, vec![entry(2, "a2"), entry(3, "a3")]).await.0,
        200
    );
    // (A's first push may be announced again: it was committed just before B connected.)
    let mut heard = Vec::new();
    while heard.last() != Some(&Some(4)) {
        heard.push(next_event(&mut events, &mut buf).await.cursor);
    }
    assert!(
        heard[..heard.len() - 1].iter().all(|c| *c == Some(1)),
        "{heard:?}"
    );

    // Without a token there is no channel.
    let (status, body) = app.get("/v1/sync/live", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("UNAUTHORIZED"))
    );
}
