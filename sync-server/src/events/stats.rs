//! The relay's counters for `/metrics`: events published, failed batches, dead letters,
//! re-publishes the stream dropped as duplicates, publish latency, and whether NATS is
//! reachable. The backlog and the age of its oldest event are read from Postgres at each
//! scrape (`metrics.rs`), so they are the same whichever server is asked.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::metrics::Histogram;

/// Seconds from sending a batch to its last ack.
const PUBLISH_BUCKETS: &[f64] = &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
pub struct RelayStats {
    /// A relay runs in this process.
    pub enabled: AtomicBool,
    pub connected: AtomicBool,
    published: AtomicU64,
    duplicates: AtomicU64,
    failed: AtomicU64,
    dead_lettered: AtomicU64,
    latency: Mutex<Histogram>,
}

impl RelayStats {
    pub fn published(&self, n: usize, duplicates: usize) {
        self.published.fetch_add(n as u64, Ordering::Relaxed);
        self.duplicates
            .fetch_add(duplicates as u64, Ordering::Relaxed);
    }

    pub fn failed(&self, n: usize) {
        self.failed.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn dead_lettered(&self, n: usize) {
        self.dead_lettered.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn publish_took(&self, took: Duration, events: usize) {
        if events == 0 {
            return;
        }
        if let Ok(mut h) = self.latency.lock() {
            h.observe(PUBLISH_BUCKETS, took.as_secs_f64());
        }
    }

    pub fn render(&self, out: &mut String) {
        let mut one = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        one(
            "pos_events_relay_enabled",
            "gauge",
            "1 when this process relays the outbox to NATS.",
            u64::from(self.enabled.load(Ordering::Relaxed)),
        );
        one(
            "pos_events_nats_connected",
            "gauge",
            "1 when the relay's NATS connection is up.",
            u64::from(self.connected.load(Ordering::Relaxed)),
        );
        one(
            "pos_events_published_total",
            "counter",
            "Events the stream acknowledged.",
            load(&self.published),
        );
        one(
            "pos_events_duplicates_total",
            "counter",
            "Re-published events the stream dropped as duplicates (by message id).",
            load(&self.duplicates),
        );
        one(
            "pos_events_failed_total",
            "counter",
            "Batches a store's relay stopped on (bus down, timeout); retried.",
            load(&self.failed),
        );
        one(
            "pos_events_dead_lettered_total",
            "counter",
            "Events set aside as dead letters.",
            load(&self.dead_lettered),
        );
        if let Ok(h) = self.latency.lock() {
            out.push_str("# TYPE pos_events_publish_seconds histogram\n");
            h.render(out, "pos_events_publish_seconds", "", PUBLISH_BUCKETS);
        }
    }
}
