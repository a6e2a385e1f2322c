//! `/metrics` in Prometheus' text format: requests and their latencies by route and status,
//! push batch sizes, entries applied and rejected, requests refused by the rate limit, and the
//! feed lag (`feed_lag.rs`). Counters live in this process; a scraper
//! adds up the servers behind one address.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::routes::AppState;

const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const BATCH_BUCKETS: &[f64] = &[1.0, 10.0, 50.0, 100.0, 500.0, 1000.0, 5000.0];

#[derive(Default)]
pub(crate) struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    pub(crate) fn observe(&mut self, bounds: &[f64], v: f64) {
        if self.counts.len() != bounds.len() {
            self.counts = vec![0; bounds.len()];
        }
        for (c, b) in self.counts.iter_mut().zip(bounds) {
            if v <= *b {
                *c += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }

    pub(crate) fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, b) in bounds.iter().enumerate() {
            let c = self.counts.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Default)]
struct Counts {
    /// (method, route, status) → requests.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency in seconds.
    latency: BTreeMap<(String, String), Histogram>,
    batch: Histogram,
    applied: u64,
    rejected: u64,
    rate_limited: u64,
}

#[derive(Default)]
pub struct Metrics {
    counts: Mutex<Counts>,
    /// How far the terminals pulling from this server are behind their store's feed.
    pub feed: crate::feed_lag::FeedLag,
    /// The outbox relay's counters, when this process relays.
    pub events: Arc<crate::events::stats::RelayStats>,
}

impl Metrics {
    fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        if let Ok(mut c) = self.counts.lock() {
            *c.requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
            c.latency
                .entry((method.to_owned(), route.to_owned()))
                .or_default()
                .observe(LATENCY_BUCKETS, took.as_secs_f64());
        }
    }

    /// A push of `entries` new entries, of which `rejected` were refused.
    pub fn push(&self, entries: usize, rejected: usize) {
        if let Ok(mut c) = self.counts.lock() {
            c.batch.observe(BATCH_BUCKETS, entries as f64);
            c.applied += (entries - rejected.min(entries)) as u64;
            c.rejected += rejected as u64;
        }
    }

    /// A request refused by the per-device rate limit.
    pub fn rate_limited(&self) {
        if let Ok(mut c) = self.counts.lock() {
            c.rate_limited += 1;
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(c) = self.counts.lock() else {
            return out;
        };
        out.push_str("# TYPE pos_http_requests_total counter\n");
        for ((method, route, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "pos_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# TYPE pos_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &c.latency {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            h.render(
                &mut out,
                "pos_http_request_duration_seconds",
                &labels,
                LATENCY_BUCKETS,
            );
        }
        out.push_str("# TYPE pos_push_batch_entries histogram\n");
        c.batch
            .render(&mut out, "pos_push_batch_entries", "", BATCH_BUCKETS);
        let mut one = |name: &str, kind: &str, help: &str, value: &dyn std::fmt::Display| {
            if !help.is_empty() {
                let _ = writeln!(out, "# HELP {name} {help}");
            }
            let _ = writeln!(out, "# TYPE {name} {kind}\n{name} {value}");
        };
        one("pos_entries_applied_total", "counter", "", &c.applied);
        one("pos_entries_rejected_total", "counter", "", &c.rejected);
        one("pos_rate_limited_total", "counter", "", &c.rate_limited);
        drop(c);
        let lag = self.feed.measure(Instant::now());
        let seconds = format!("{:.3}", lag.max_seconds);
        one(
            "pos_feed_lag_seconds",
            "gauge",
            "Age of the oldest feed entry an active terminal has not pulled.",
            &seconds,
        );
        one("pos_feed_lag_entries", "gauge", "", &lag.max_entries);
        one("pos_feed_terminals_behind", "gauge", "", &lag.behind);
        one("pos_feed_terminals_active", "gauge", "", &lag.active);
        self.events.render(&mut out);
        out
    }
}

/// Counts and times every request by its route (the pattern, never the raw path).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let resp = next.run(req).await;
    state
        .metrics
        .request(&method, &route, resp.status().as_u16(), started.elapsed());
    resp
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = state.metrics.render();
    outbox_backlog(&state.pool, &mut out).await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
}

/// The events not yet published, and how long the oldest has waited. Read from Postgres at
/// each scrape; left out (not failed) when the database does not answer within a second, so
/// `/metrics` stays up with it down.
async fn outbox_backlog(pool: &sqlx::PgPool, out: &mut String) {
    let query = async {
        let (backlog, age) = crate::events::relay::backlog(pool).await?;
        let dead: i64 =
            sqlx::query_scalar("SELECT count(*) FROM dead_letters WHERE retried_at IS NULL")
                .fetch_one(pool)
                .await?;
        Ok::<_, sqlx::Error>((backlog, age, dead))
    };
    let Ok(Ok((backlog, age, dead))) = tokio::time::timeout(Duration::from_secs(1), query).await
    else {
        return;
    };
    let _ = writeln!(
        out,
        "# HELP pos_outbox_backlog Events not yet published.\n# TYPE pos_outbox_backlog gauge\npos_outbox_backlog {backlog}\n\
         # HELP pos_outbox_oldest_unpublished_seconds Age of the oldest event not yet published.\n\
         # TYPE pos_outbox_oldest_unpublished_seconds gauge\npos_outbox_oldest_unpublished_seconds {age:.3}\n\
         # HELP pos_outbox_dead Dead letters not retried.\n# TYPE pos_outbox_dead gauge\npos_outbox_dead {dead}"
    );
}
