//! The NATS JetStream sink: connects without waiting for the server (sync never depends on
//! NATS), creates or updates the streams `POS` and `POS_DLQ` from the settings once connected,
//! and publishes with `Nats-Msg-Id` = the event's id, so the stream drops a re-publish within
//! its duplicate window.

use std::time::Duration;

use async_nats::jetstream::{self, context::PublishErrorKind, stream, ErrorCode};
use bytes::Bytes;

use super::sink::{Outcome, Outgoing, Sink};
use crate::Settings;

/// How the streams are kept.
#[derive(Clone, Debug)]
pub struct StreamSettings {
    pub max_age: Duration,
    pub duplicate_window: Duration,
    /// Largest message the stream takes (-1: the server's `max_payload`).
    pub max_msg_bytes: i32,
}

impl StreamSettings {
    pub fn of(s: &Settings) -> StreamSettings {
        StreamSettings {
            max_age: s.events_max_age,
            duplicate_window: s.events_duplicate_window,
            max_msg_bytes: s.events_max_msg_bytes,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        url: String,
        source: async_nats::ConnectError,
    },
    #[error("cannot create or update stream {stream}: {source}")]
    Stream {
        stream: &'static str,
        source: jetstream::context::CreateStreamError,
    },
}

#[derive(Clone)]
pub struct NatsSink {
    client: async_nats::Client,
    js: jetstream::Context,
}

impl NatsSink {
    /// A client that connects (and reconnects) in the background.
    pub async fn connect(url: &str) -> Result<NatsSink, NatsError> {
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .max_reconnects(None)
            .connection_timeout(Duration::from_secs(2))
            // Reconnect soon after NATS is back: the backlog drains from then on.
            .reconnect_delay_callback(|n| Duration::from_millis((100 * n as u64).min(1000)))
            .name("pos-sync-server")
            .connect(url)
            .await
            .map_err(|source| NatsError::Connect {
                url: url.to_owned(),
                source,
            })?;
        let js = jetstream::ContextBuilder::new()
            .timeout(Duration::from_secs(5))
            .max_ack_inflight(20_000)
            .build(client.clone());
        Ok(NatsSink { client, js })
    }

    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    pub fn context(&self) -> &jetstream::Context {
        &self.js
    }

    /// Creates the streams, or brings their limits in line with the settings.
    pub async fn ensure_streams(&self, s: &StreamSettings) -> Result<(), NatsError> {
        let subjects = super::DOMAINS.iter().map(|d| format!("{d}.>")).collect();
        // The size limit is the main stream's: a dead letter must always fit in its own.
        for (name, subjects, max_message_size) in [
            (super::STREAM, subjects, s.max_msg_bytes),
            (
                super::DLQ_STREAM,
                vec![format!("{}.>", super::DLQ_PREFIX)],
                -1,
            ),
        ] {
            let config = stream::Config {
                name: name.to_owned(),
                subjects,
                storage: stream::StorageType::File,
                max_age: s.max_age,
                duplicate_window: s.duplicate_window,
                max_message_size,
                ..Default::default()
            };
            self.js
                .create_or_update_stream(config)
                .await
                .map_err(|source| NatsError::Stream {
                    stream: name,
                    source,
                })?;
        }
        Ok(())
    }

    async fn send(
        &self,
        e: &Outgoing,
        msg_id: &str,
        reason: Option<&str>,
        subject: String,
    ) -> Result<jetstream::context::PublishAckFuture, Outcome> {
        let mut publish = jetstream::message::PublishMessage::build()
            .payload(Bytes::copy_from_slice(&e.body))
            .message_id(msg_id)
            .header("Content-Type", super::cloudevent::STRUCTURED);
        if let Some(reason) = reason {
            publish = publish.header("Pos-Dead-Reason", reason.replace(['\r', '\n'], " "));
        }
        self.js
            .send_publish(subject, publish)
            .await
            .map_err(|err| classify(&err))
    }
}

/// A refusal the stream will repeat however often the event is sent, or a failure of the
/// moment.
fn classify(err: &jetstream::context::PublishError) -> Outcome {
    let permanent = match err.kind() {
        PublishErrorKind::MaxPayloadExceeded => true,
        PublishErrorKind::Other => std::error::Error::source(err)
            .and_then(|s| s.downcast_ref::<jetstream::Error>())
            .is_some_and(|e| {
                [
                    ErrorCode::STREAM_MESSAGE_EXCEEDS_MAXIMUM,
                    ErrorCode::STREAM_HEADER_EXCEEDS_MAXIMUM,
                ]
                .contains(&e.error_code())
            }),
        _ => false,
    };
    if permanent {
        Outcome::Refused(err.to_string())
    } else {
        Outcome::Failed(err.to_string())
    }
}

impl Sink for NatsSink {
    async fn publish(&self, batch: &[Outgoing]) -> Vec<Outcome> {
        let mut pending = Vec::with_capacity(batch.len());
        let mut stopped = None;
        for e in batch {
            if let Some(why) = &stopped {
                pending.push(Err(Outcome::Failed(format!("not sent after: {why}"))));
                continue;
            }
            match self
                .send(e, &e.id.to_string(), None, e.subject.clone())
                .await
            {
                Ok(ack) => pending.push(Ok(ack)),
                Err(Outcome::Failed(why)) => {
                    stopped = Some(why.clone());
                    pending.push(Err(Outcome::Failed(why)));
                }
                Err(other) => pending.push(Err(other)),
            }
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        for p in pending {
            outcomes.push(match p {
                Err(o) => o,
                Ok(ack) => match ack.await {
                    Ok(a) => Outcome::Stored {
                        seq: a.sequence,
                        duplicate: a.duplicate,
                    },
                    Err(err) => classify(&err),
                },
            });
        }
        outcomes
    }

    async fn dead_letter(&self, e: &Outgoing, reason: &str) -> Result<(), String> {
        // The body may be what the stream refused: the dead letter carries what fits.
        let mut copy = e.clone();
        let limit = (self.client.server_info().max_payload / 2).max(1024);
        if copy.body.len() > limit {
            copy.body = serde_json::to_vec(&serde_json::json!({
                "id": e.id, "subject": e.subject, "truncated": true, "bytes": e.body.len(),
            }))
            .map_err(|err| err.to_string())?;
        }
        let ack = self
            .send(
                &copy,
                &e.id.to_string(),
                Some(reason),
                super::dlq_subject(&e.subject),
            )
            .await
            .map_err(|o| format!("{o:?}"))?;
        ack.await.map(|_| ()).map_err(|err| err.to_string())
    }

    fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }
}
