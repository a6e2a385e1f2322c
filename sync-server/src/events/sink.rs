//! Where the relay publishes: a small trait, so another bus (Kafka) can be added without
//! touching the relay or the apply pipeline. The NATS JetStream sink is [`super::nats`].

use std::future::Future;

use uuid::Uuid;

/// An event ready to go: the outbox row's id (the message id end to end), its subject and
/// its body (the CloudEvent as JSON).
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub id: Uuid,
    pub subject: String,
    pub body: Vec<u8>,
}

/// What became of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The bus stored it (`duplicate`: it already had a message with this id, and dropped
    /// this one); `seq` is its place in the stream.
    Stored { seq: u64, duplicate: bool },
    /// The bus will never take it (too large, refused by the stream): a dead letter.
    Refused(String),
    /// Not delivered this time (bus down, timeout): try again later, in order.
    Failed(String),
}

/// A bus the relay publishes to.
pub trait Sink: Send + Sync + 'static {
    /// Publishes `batch` in order, pipelined, and waits for every acknowledgement; one outcome
    /// per event, in order. After the first [`Outcome::Failed`] nothing more of the batch is
    /// sent (the rest are `Failed` too), so a later event never overtakes an earlier one that
    /// will be sent again.
    fn publish(&self, batch: &[Outgoing]) -> impl Future<Output = Vec<Outcome>> + Send;

    /// Copies an event that could not be delivered to the dead-letter stream, with the reason.
    fn dead_letter(
        &self,
        event: &Outgoing,
        reason: &str,
    ) -> impl Future<Output = Result<(), String>> + Send;

    /// Whether the bus is reachable now (the relay waits rather than fail every event).
    fn connected(&self) -> bool;
}
