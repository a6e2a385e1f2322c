//! `GET /v1/sync/live`: server-sent events telling a terminal its store's feed moved, so it
//! pulls at once instead of at its next poll. The first event is the head at connection time;
//! then one per push by another terminal of the store. `{"cursor": null}` means "something
//! may have moved, pull" (this connection fell behind, or notifications were lost).
//! A comment is sent every 15 s so dead connections are noticed on both sides.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use pos_shared::api::LiveEvent;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Device;
use crate::error::AppError;
use crate::routes::AppState;

fn event(cursor: Option<i64>) -> Result<Event, Infallible> {
    let data = serde_json::to_string(&LiveEvent { cursor }).unwrap_or_default();
    Ok(Event::default().event(LiveEvent::NAME).data(data))
}

#[tracing::instrument(skip_all, fields(device = %device.id), err)]
#[utoipa::path(get, path = "/v1/sync/live", tag = "sync",
    responses((status = 200, content_type = "text/event-stream", body = pos_shared::api::LiveEvent)))]
pub async fn live(
    State(state): State<AppState>,
    device: Device,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    // Subscribed before reading the head, so nothing committed in between is missed.
    let rx = state.live.subscribe();
    let head: i64 = sqlx::query_scalar("SELECT head FROM store_heads WHERE store_id = $1")
        .bind(device.store_id)
        .fetch_one(&state.pool)
        .await?;
    let moves = stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(m) if m.head == crate::live::CLOSING => return None,
                Ok(m) if m.store.is_none() => return Some((event(None), rx)),
                Ok(m) if m.store == Some(device.store_id) && m.origin != Some(device.id) => {
                    return Some((event(Some(m.head)), rx))
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => return Some((event(None), rx)),
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let events = stream::once(async move { event(Some(head)) }).chain(moves);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
