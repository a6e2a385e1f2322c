//! Fan-out: what the server records reaches the rest of the platform as CloudEvents on NATS
//! JetStream. Producers write outbox rows in the transaction that causes them ([`outbox`]);
//! the relay ([`relay`]) publishes each through a [`sink::Sink`] with the row's id as message
//! id, waits for the ack, then marks it; dead letters, replay and the reference consumer are
//! the operator's tools. The catalog of events is `docs/events.md`.

pub mod advisory;
pub mod cloudevent;
pub mod dlq;
pub mod nats;
pub mod outbox;
pub mod relay;
pub mod replay;
pub mod sink;
pub mod stats;
pub mod tail;

pub use cloudevent::CloudEvent;
pub use outbox::NewEvent;

/// The stream every event goes to, and the one for what could not be delivered.
pub const STREAM: &str = "POS";
pub const DLQ_STREAM: &str = "POS_DLQ";
/// The subjects of [`STREAM`]: the platform's domains, each `<domain>.<store>.…`.
pub const DOMAINS: &[&str] = &[
    "transaction",
    "payment",
    "inventory",
    "catalog",
    "user",
    "device",
    "shift",
];
/// Subjects of [`DLQ_STREAM`]: `dlq.<store>.<event>`.
pub const DLQ_PREFIX: &str = "dlq";

/// Every event the server emits, by name. The type is `dz.pos.<name>.v1`.
pub const NAMES: &[&str] = &[
    "sale.completed",
    "sale.refunded",
    "payment.captured",
    "stock.changed",
    "stock.low",
    "stock.oversold",
    "product.created",
    "product.updated",
    "staff.added",
    "staff.changed",
    "device.enrolled",
    "device.revoked",
    "shift.closed",
];

/// The platform domain an event belongs to, by its name.
pub fn domain(name: &str) -> &'static str {
    match name.split('.').next().unwrap_or("") {
        "sale" => "transaction",
        "payment" => "payment",
        "stock" => "inventory",
        "product" => "catalog",
        "staff" => "user",
        "device" => "device",
        "shift" => "shift",
        _ => "pos",
    }
}

/// The NATS subject of event `name` of `store`: `<domain>.<store>.<name>`, except the device
/// domain, whose events are already named after it (`device.<store>.enrolled`).
pub fn subject(store: uuid::Uuid, name: &str) -> String {
    let domain = domain(name);
    match name.strip_prefix("device.") {
        Some(rest) if domain == "device" => format!("device.{store}.{rest}"),
        _ => format!("{domain}.{store}.{name}"),
    }
}

/// The CloudEvents type of event `name`.
pub fn event_type(name: &str) -> String {
    format!("dz.pos.{name}.v1")
}

/// The dead-letter subject of an event published on `subject` (`dlq.<subject>`).
pub fn dlq_subject(subject: &str) -> String {
    format!("{DLQ_PREFIX}.{subject}")
}

/// Starts the relay of this process when `POS_NATS_URL` is set: connects in the background,
/// creates or updates the streams once NATS answers, then relays the outbox and watches for
/// consumers' poison messages. Nothing here waits for NATS: sync goes on without it.
pub async fn start(
    pool: sqlx::PgPool,
    settings: &crate::Settings,
    stats: std::sync::Arc<stats::RelayStats>,
) -> Result<Option<tokio::task::JoinHandle<()>>, nats::NatsError> {
    let Some(url) = settings.nats_url.clone() else {
        return Ok(None);
    };
    let sink = nats::NatsSink::connect(&url).await?;
    let streams = nats::StreamSettings::of(settings);
    let config = relay::RelayConfig::of(settings);
    stats
        .enabled
        .store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(Some(tokio::spawn(async move {
        let watching = tokio::spawn(follow_connection(sink.clone(), stats.clone()));
        loop {
            match sink.ensure_streams(&streams).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "events: streams not ready; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
        let advisories = tokio::spawn(advisory::watch(pool.clone(), sink.clone()));
        relay::Relay {
            pool,
            sink: std::sync::Arc::new(sink),
            stats,
            config,
        }
        .run()
        .await;
        advisories.abort();
        watching.abort();
    })))
}

/// Keeps the connection gauge up to date.
async fn follow_connection(sink: nats::NatsSink, stats: std::sync::Arc<stats::RelayStats>) {
    use sink::Sink;
    loop {
        stats
            .connected
            .store(sink.connected(), std::sync::atomic::Ordering::Relaxed);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn subjects_follow_the_platform_domains_with_the_store() {
        let s = Uuid::from_u128(7);
        assert_eq!(
            subject(s, "sale.completed"),
            format!("transaction.{s}.sale.completed")
        );
        assert_eq!(
            subject(s, "payment.captured"),
            format!("payment.{s}.payment.captured")
        );
        assert_eq!(subject(s, "stock.low"), format!("inventory.{s}.stock.low"));
        assert_eq!(
            subject(s, "product.updated"),
            format!("catalog.{s}.product.updated")
        );
        assert_eq!(
            subject(s, "staff.changed"),
            format!("user.{s}.staff.changed")
        );
        assert_eq!(subject(s, "device.revoked"), format!("device.{s}.revoked"));
        assert_eq!(
            subject(s, "shift.closed"),
            format!("shift.{s}.shift.closed")
        );
        for name in NAMES {
            assert!(DOMAINS.contains(&domain(name)), "{name}");
        }
        assert_eq!(event_type("sale.completed"), "dz.pos.sale.completed.v1");
    }
}
