//! The reference consumer (`sync-server events tail`), and the example of an idempotent one:
//! a durable pull consumer with explicit acks; each event is handled once by its id, recorded
//! in an inbox table in the same transaction as the handling, whatever the stream redelivers;
//! a message that cannot be handled is refused with a growing delay, at most `max_deliver`
//! times, after which JetStream's advisory sends it to the dead letters (`advisory.rs`).

use std::time::Duration;

use async_nats::jetstream::{self, consumer, AckKind};
use futures_util::StreamExt;
use sqlx::PgPool;

use super::cloudevent::Received;

#[derive(Clone, Debug)]
pub struct TailConfig {
    /// The durable consumer's name; its place in the stream survives restarts.
    pub durable: String,
    /// Only events on this subject (NATS wildcards); all of `POS` when `None`.
    pub subject: Option<String>,
    /// Deliveries of one message before it is given up (a dead letter).
    pub max_deliver: i64,
    /// Delay before each redelivery of a message that was refused; the last one repeats.
    pub backoff: Vec<Duration>,
    /// Start at this stream sequence when the consumer is created (JetStream replay).
    pub from_stream_seq: Option<u64>,
    /// How long a delivered message may go unacknowledged before it is delivered again.
    pub ack_wait: Duration,
    /// Messages delivered and not yet acknowledged. 1 keeps the stream's order even across
    /// redeliveries (a message whose ack was lost comes again before the next one); a consumer
    /// that orders by `storeseq` itself may raise it for throughput.
    pub max_ack_pending: i64,
}

impl TailConfig {
    pub fn new(durable: &str) -> TailConfig {
        TailConfig {
            durable: durable.to_owned(),
            subject: None,
            max_deliver: 5,
            backoff: vec![
                Duration::from_millis(200),
                Duration::from_secs(1),
                Duration::from_secs(5),
            ],
            from_stream_seq: None,
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TailError {
    #[error("stream {0} not found: {1}")]
    Stream(&'static str, String),
    #[error("cannot create consumer {0}: {1}")]
    Consumer(String, String),
    #[error("consumer stopped: {0}")]
    Stopped(String),
}

/// What the consumer did with one message.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    New,
    /// Seen before (by id): acknowledged, not handled again.
    Duplicate,
    /// Refused; redelivered later.
    Refused(String),
}

/// Consumes until the stream ends or the handler's caller drops the task. `handle` is called
/// once per event id, inside the transaction that records it in the inbox: if it fails, the
/// event is not recorded and will come again.
pub async fn run<F>(
    pool: &PgPool,
    js: &jetstream::Context,
    config: &TailConfig,
    mut handle: F,
) -> Result<(), TailError>
where
    F: FnMut(&Received) -> Result<(), String> + Send,
{
    let stream = js
        .get_stream(super::STREAM)
        .await
        .map_err(|e| TailError::Stream(super::STREAM, e.to_string()))?;
    let deliver_policy = match config.from_stream_seq {
        Some(start_sequence) => consumer::DeliverPolicy::ByStartSequence { start_sequence },
        None => consumer::DeliverPolicy::All,
    };
    let pull: consumer::PullConsumer = stream
        .get_or_create_consumer(
            &config.durable,
            consumer::pull::Config {
                durable_name: Some(config.durable.clone()),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: config.ack_wait,
                max_ack_pending: config.max_ack_pending,
                max_deliver: config.max_deliver,
                filter_subject: config.subject.clone().unwrap_or_default(),
                deliver_policy,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| TailError::Consumer(config.durable.clone(), e.to_string()))?;
    let mut messages = pull
        .messages()
        .await
        .map_err(|e| TailError::Stopped(e.to_string()))?;
    while let Some(msg) = messages.next().await {
        let msg = match msg {
            Ok(m) => m,
            // Heartbeats missed while NATS restarts: the stream resumes by itself.
            Err(e) => {
                tracing::debug!(error = %e, "consumer: message stream hiccup");
                continue;
            }
        };
        let outcome = match serde_json::from_slice::<Received>(&msg.payload) {
            Ok(event) => once(pool, &config.durable, &event, &mut handle)
                .await
                .unwrap_or_else(|e| Handled::Refused(e.to_string())),
            Err(e) => Handled::Refused(format!("not a CloudEvent: {e}")),
        };
        let ack = match &outcome {
            Handled::New | Handled::Duplicate => msg.ack().await,
            Handled::Refused(why) => {
                let delivered = msg.info().map(|i| i.delivered).unwrap_or(1).max(1) as usize;
                let delay = config
                    .backoff
                    .get(delivered - 1)
                    .or(config.backoff.last())
                    .copied();
                tracing::warn!(reason = %why, delivered, "consumer: message refused");
                msg.ack_with(AckKind::Nak(delay)).await
            }
        };
        if let Err(e) = ack {
            // Not acknowledged: redelivered after ack_wait, then dropped by the inbox.
            tracing::warn!(error = %e, "consumer: ack not sent");
        }
    }
    Err(TailError::Stopped("the message stream ended".into()))
}

/// Handles `event` unless this consumer's inbox has it already.
async fn once<F>(
    pool: &PgPool,
    consumer: &str,
    event: &Received,
    handle: &mut F,
) -> Result<Handled, sqlx::Error>
where
    F: FnMut(&Received) -> Result<(), String>,
{
    let mut tx = pool.begin().await?;
    let new = sqlx::query(
        "INSERT INTO event_inbox (consumer, event_id, store_id, store_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(consumer)
    .bind(event.id)
    .bind(event.storeid)
    .bind(event.storeseq)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !new {
        return Ok(Handled::Duplicate);
    }
    if let Err(why) = handle(event) {
        return Ok(Handled::Refused(why));
    }
    tx.commit().await?;
    Ok(Handled::New)
}
