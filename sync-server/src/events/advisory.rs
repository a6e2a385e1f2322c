//! A consumer's poison message: when a consumer of `POS` reaches its maximum deliveries for a
//! message, JetStream says so in an advisory; the relay copies the message to `POS_DLQ` and
//! records it in `dead_letters` (origin `consumer`), where `events dlq retry` can send it again.
//! Every server hears the advisory; the table's unique key and the copy's message id make the
//! work happen once.

use futures_util::StreamExt;
use serde::Deserialize;
use sqlx::PgPool;

use super::nats::NatsSink;
use super::sink::{Outgoing, Sink};

/// JetStream's advisory subject for `POS`'s consumers.
pub fn subject() -> String {
    format!(
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{}.*",
        super::STREAM
    )
}

#[derive(Debug, Deserialize)]
struct MaxDeliveries {
    consumer: String,
    stream_seq: u64,
    deliveries: u64,
}

/// Listens for as long as the process runs (the client resubscribes after a reconnect).
pub async fn watch(pool: PgPool, sink: NatsSink) {
    loop {
        match sink.client().subscribe(subject()).await {
            Ok(mut sub) => {
                while let Some(msg) = sub.next().await {
                    match serde_json::from_slice::<MaxDeliveries>(&msg.payload) {
                        Ok(a) => {
                            if let Err(e) = copy(&pool, &sink, &a).await {
                                tracing::warn!(consumer = %a.consumer, seq = a.stream_seq, error = %e,
                                    "poison message not dead-lettered");
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "unreadable max-deliveries advisory"),
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot subscribe to consumer advisories"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

async fn copy(pool: &PgPool, sink: &NatsSink, a: &MaxDeliveries) -> Result<(), String> {
    let stream = sink
        .context()
        .get_stream(super::STREAM)
        .await
        .map_err(|e| e.to_string())?;
    let msg = stream
        .get_raw_message(a.stream_seq)
        .await
        .map_err(|e| e.to_string())?;
    let event: Option<super::cloudevent::Received> = serde_json::from_slice(&msg.payload).ok();
    let event_id = event
        .as_ref()
        .map(|e| e.id)
        .or_else(|| {
            msg.headers
                .get("Nats-Msg-Id")
                .and_then(|v| uuid::Uuid::parse_str(v.as_str()).ok())
        })
        .unwrap_or_else(uuid::Uuid::now_v7);
    let reason = format!(
        "consumer {} gave up after {} deliveries (stream sequence {})",
        a.consumer, a.deliveries, a.stream_seq
    );
    let inserted = sqlx::query(
        "INSERT INTO dead_letters (origin, event_id, store_id, subject, consumer, reason, event)
         VALUES ('consumer', $1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(event_id)
    .bind(event.as_ref().map(|e| e.storeid))
    .bind(msg.subject.as_str())
    .bind(&a.consumer)
    .bind(&reason)
    .bind(String::from_utf8_lossy(&msg.payload).as_ref())
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    if inserted.rows_affected() == 0 {
        return Ok(());
    }
    let copy = Outgoing {
        id: event_id,
        subject: msg.subject.to_string(),
        body: msg.payload.to_vec(),
    };
    sink.dead_letter(&copy, &reason).await
}
