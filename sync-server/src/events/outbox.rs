//! Writing events: one outbox row per event, in the caller's transaction, numbered in the
//! store's event sequence (`store_heads.events`). The sequence is taken by updating the store's
//! head row, which a push already holds locked from the start of its batch to its commit, so
//! numbers are handed out in commit order: the relay never sees event 42 while 41 is in flight.

use sqlx::PgConnection;
use uuid::Uuid;

/// An event to record: its name (`sale.completed`), what it is about (the CloudEvents
/// `subject`, e.g. the sale's id), when it happened (ms since 1970, `None`: now) and its data.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub name: &'static str,
    pub entity: String,
    pub at_ms: Option<i64>,
    pub data: serde_json::Value,
}

/// Records `events` of `store`, caused by `device` (the nil id for the back office), in order.
pub async fn insert(
    conn: &mut PgConnection,
    store: Uuid,
    device: Uuid,
    events: &[NewEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len() as i64;
    let last: i64 = sqlx::query_scalar(
        "UPDATE store_heads SET events = events + $2 WHERE store_id = $1 RETURNING events",
    )
    .bind(store)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO outbox (id, store_id, store_seq, name, subject, entity, device_id, occurred_at,
                             payload)
         SELECT id, $2, $3 + o, nm, s, e, $4,
                coalesce(to_timestamp(at / 1000.0), now()), p::json
         FROM UNNEST($1::uuid[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::text[])
              WITH ORDINALITY AS u(id, nm, s, e, at, p, o)",
    )
    .bind(events.iter().map(|_| Uuid::now_v7()).collect::<Vec<_>>())
    .bind(store)
    .bind(last - n)
    .bind(device)
    .bind(events.iter().map(|e| e.name).collect::<Vec<_>>())
    .bind(
        events
            .iter()
            .map(|e| super::subject(store, e.name))
            .collect::<Vec<_>>(),
    )
    .bind(events.iter().map(|e| e.entity.as_str()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.at_ms).collect::<Vec<_>>())
    .bind(
        events
            .iter()
            .map(|e| e.data.to_string())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *conn)
    .await?;
    // The relays of every server hear of it when the transaction commits.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(super::relay::CHANNEL)
        .bind(store.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
