//! Dead letters: an event the stream refuses (too large, against the stream's limits) is set
//! aside — the row marked `dead_at`, a `dead_letters` row with the reason, a copy on `POS_DLQ`
//! — instead of blocking its store forever; the store's later events flow on. `sync-server
//! events dlq list | retry ID` are the operator's side.

use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::sink::{Outcome, Outgoing, Sink};

/// A dead letter as `events dlq list` prints it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeadLetter {
    pub id: i64,
    pub origin: String,
    pub event_id: Uuid,
    pub store_id: Option<Uuid>,
    pub subject: String,
    pub consumer: String,
    pub reason: String,
    pub dead_at: String,
    pub retried_at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DlqError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("no dead letter {0}")]
    NotFound(i64),
    #[error("dead letter {0} was a consumer's: retrying it needs NATS (set POS_NATS_URL)")]
    NeedsBus(i64),
    #[error("the stream did not take dead letter {id} again: {why}")]
    Bus { id: i64, why: String },
}

/// Sets an outbox row aside as a dead letter of the relay.
pub async fn dead(
    pool: &PgPool,
    sink: &impl Sink,
    store: Uuid,
    event: &Outgoing,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE outbox SET dead_at = now(), attempts = attempts + 1 WHERE id = $1")
        .bind(event.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO dead_letters (origin, event_id, store_id, subject, reason, event)
         VALUES ('relay', $1, $2, $3, $4, $5)
         ON CONFLICT (origin, event_id, consumer)
         DO UPDATE SET reason = $4, dead_at = now(), retried_at = NULL",
    )
    .bind(event.id)
    .bind(store)
    .bind(&event.subject)
    .bind(reason)
    .bind(String::from_utf8_lossy(&event.body).as_ref())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // The copy on POS_DLQ is for the platform's dead-letter tooling; the table is the record.
    if let Err(e) = sink.dead_letter(event, reason).await {
        tracing::warn!(event = %event.id, error = %e, "dead letter not copied to POS_DLQ");
    }
    Ok(())
}

/// Every dead letter not yet retried, oldest first (`all`: retried ones too).
pub async fn list(pool: &PgPool, all: bool) -> Result<Vec<DeadLetter>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, origin, event_id, store_id, subject, consumer, reason,
                to_char(dead_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS dead_at,
                to_char(retried_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS retried_at
         FROM dead_letters WHERE $1 OR retried_at IS NULL ORDER BY id",
    )
    .bind(all)
    .fetch_all(pool)
    .await
}

/// Delivers dead letter `id` again. A relay's: its outbox row goes back to pending, at the end
/// of its store's sequence, and the relay (any server's) publishes it, under its own id. A
/// consumer's: it is published again to its subject (a new message id, the same event id), so
/// the consumer gets another chance.
pub async fn retry(pool: &PgPool, sink: Option<&impl Sink>, id: i64) -> Result<(), DlqError> {
    let row: Option<(String, Uuid, Option<Uuid>, String, String)> = sqlx::query_as(
        "SELECT origin, event_id, store_id, subject, event FROM dead_letters WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let (origin, event_id, store, subject, body) = row.ok_or(DlqError::NotFound(id))?;
    if origin == "consumer" {
        let sink = sink.ok_or(DlqError::NeedsBus(id))?;
        let again = Outgoing {
            id: Uuid::now_v7(),
            subject,
            body: body.into_bytes(),
        };
        match sink.publish(std::slice::from_ref(&again)).await.pop() {
            Some(Outcome::Stored { .. }) => {}
            other => {
                return Err(DlqError::Bus {
                    id,
                    why: format!("{other:?}"),
                })
            }
        }
    } else {
        let mut tx = pool.begin().await?;
        // Numbered again at the head of its store's sequence, past the relay's cursor: it is
        // published after the events that went on without it, under its own id.
        sqlx::query(
            "WITH head AS (
                 UPDATE store_heads SET events = events + 1
                 WHERE store_id = (SELECT store_id FROM outbox WHERE id = $1)
                 RETURNING events)
             UPDATE outbox SET dead_at = NULL, attempts = 0, store_seq = (SELECT events FROM head)
             WHERE id = $1",
        )
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(super::relay::CHANNEL)
            .bind(store.map(|s| s.to_string()).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    sqlx::query("UPDATE dead_letters SET retried_at = now() WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
