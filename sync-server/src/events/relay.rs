//! The relay: a loop with one job — claim a store's pending events in order, publish them,
//! await the acks, mark them published. Woken by the commit of anything that wrote events
//! (`NOTIFY` on [`CHANNEL`]) and polling anyway, so a lost notification only delays.
//!
//! One relay owns a store's outbox at a time: it holds a Postgres advisory lock keyed by the
//! store on a connection of its own, so several server processes relaying one database never
//! interleave a store. Throughput comes from many stores in flight (a task per owned store) and
//! from pipelining a batch's publishes, never from giving up a store's order. If the lock
//! connection is lost, every store is given up at once (the locks went with it).
//!
//! What is published is one number per store (`outbox_cursors.published`): every event up to
//! it is on the stream or set aside as a dead letter, so a batch costs one row written, not one
//! per event. A crash after the publish and before the mark re-publishes the same ids; the
//! stream's duplicate window drops them (the ack says `duplicate`), and consumers dedupe by id
//! anyway.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgListener;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::cloudevent::{Row, SELECT};
use super::dlq;
use super::sink::{Outcome, Outgoing, Sink};
use super::stats::RelayStats;

/// Notified (payload: the store) by every transaction that writes outbox rows.
pub const CHANNEL: &str = "pos_outbox";
/// The advisory lock of a store's outbox: `pg_try_advisory_lock(LOCK_KEY)` with the store.
const LOCK_KEY: &str = "hashtextextended('pos_outbox:' || $1::text, 0)";
const PRUNE_EVERY: Duration = Duration::from_secs(600);

#[derive(Clone, Debug)]
pub struct RelayConfig {
    pub database_url: String,
    pub poll: Duration,
    pub batch: i64,
    pub stores: usize,
    pub retention: Duration,
    pub hold_before_mark: Duration,
}

impl RelayConfig {
    pub fn of(s: &crate::Settings) -> RelayConfig {
        RelayConfig {
            database_url: s.database_url.clone(),
            poll: s.relay_poll,
            batch: s.relay_batch,
            stores: s.relay_stores,
            retention: s.outbox_retention,
            hold_before_mark: s.relay_hold_before_mark,
        }
    }
}

pub struct Relay<S: Sink> {
    pub pool: PgPool,
    pub sink: Arc<S>,
    pub stats: Arc<RelayStats>,
    pub config: RelayConfig,
}

impl<S: Sink> Relay<S> {
    /// Relays for as long as the process runs.
    pub async fn run(self) {
        let this = Arc::new(self);
        loop {
            if let Err(e) = this.clone().own_stores().await {
                tracing::warn!(error = %e, "relay: lost its database connection; retrying");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Takes the stores with pending events that nobody else owns and relays each in a task of
    /// its own, until the lock connection fails.
    async fn own_stores(self: Arc<Self>) -> Result<(), sqlx::Error> {
        let mut locks = PgConnection::connect(&self.config.database_url).await?;
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Uuid>();
        let mut owned: HashMap<Uuid, JoinHandle<()>> = HashMap::new();
        let mut last_prune = Instant::now() - PRUNE_EVERY;
        let result = 'owning: loop {
            while let Ok(store) = done_rx.try_recv() {
                owned.remove(&store);
                if let Err(e) = unlock(&mut locks, store).await {
                    break 'owning Err(e);
                }
            }
            if let Err(e) = self.take_stores(&mut locks, &mut owned, &done_tx).await {
                break Err(e);
            }
            if last_prune.elapsed() >= PRUNE_EVERY {
                last_prune = Instant::now();
                if let Err(e) = prune(&self.pool, self.config.retention).await {
                    tracing::warn!(error = %e, "relay: pruning published events failed");
                }
            }
            tokio::select! {
                n = listener.try_recv() => match n {
                    // Woken by a commit; a lost listener connection comes back by itself.
                    Ok(_) => {}
                    Err(e) => break Err(e),
                },
                Some(store) = done_rx.recv() => {
                    owned.remove(&store);
                    if let Err(e) = unlock(&mut locks, store).await {
                        break Err(e);
                    }
                }
                _ = tokio::time::sleep(self.config.poll) => {}
            }
        };
        // The locks are gone or going with the connection: nobody may keep relaying.
        for (_, task) in owned.drain() {
            task.abort();
        }
        result
    }

    async fn take_stores(
        self: &Arc<Self>,
        locks: &mut PgConnection,
        owned: &mut HashMap<Uuid, JoinHandle<()>>,
        done: &mpsc::UnboundedSender<Uuid>,
    ) -> Result<(), sqlx::Error> {
        // With the bus down there is nothing to do but wait for the next wake or poll.
        if owned.len() >= self.config.stores || !self.sink.connected() {
            return Ok(());
        }
        // The stores with events past their cursor: one row of each table per store, so the
        // cost does not grow with the backlog.
        let pending: Vec<Uuid> = sqlx::query_scalar(
            "SELECT h.store_id FROM store_heads h
             LEFT JOIN outbox_cursors c ON c.store_id = h.store_id
             WHERE h.events > coalesce(c.published, 0)
             ORDER BY h.store_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for store in pending {
            if owned.len() >= self.config.stores || owned.contains_key(&store) {
                continue;
            }
            let sql = format!("SELECT pg_try_advisory_lock({LOCK_KEY})");
            let mine: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(store)
                .fetch_one(&mut *locks)
                .await?;
            if !mine {
                continue;
            }
            let this = self.clone();
            let done = done.clone();
            owned.insert(
                store,
                tokio::spawn(async move {
                    if let Err(e) = this.relay_store(store).await {
                        tracing::warn!(%store, error = %e, "relay: store paused");
                    }
                    let _ = done.send(store);
                }),
            );
        }
        Ok(())
    }

    /// Publishes a store's pending events, batch after batch, until none is left or the bus
    /// fails (the store is then given up and taken again at the next wake or poll).
    async fn relay_store(&self, store: Uuid) -> Result<(), RelayError> {
        // Three steps overlap: while a batch is published, the next one is read (past the last
        // event sent) and the cursor is moved past the one before (one move in flight).
        let mut marking: Option<JoinHandle<Result<(), sqlx::Error>>> = None;
        let published: i64 = sqlx::query_scalar(
            "SELECT coalesce((SELECT published FROM outbox_cursors WHERE store_id = $1), 0)",
        )
        .bind(store)
        .fetch_one(&self.pool)
        .await?;
        let mut rows = self.read_batch(store, published).await?;
        let result = loop {
            if !self.sink.connected() {
                break Ok(());
            }
            let Some(last) = rows.last() else {
                break Ok(());
            };
            let (published, next) =
                tokio::join!(self.publish(&rows), self.read_batch(store, last.store_seq));
            let (done_through, failed) = match published {
                Ok(done) => done,
                Err(e) => break Err(e),
            };
            if let Some(previous) = marking.take() {
                if let Err(e) = finish(previous).await {
                    break Err(e);
                }
            }
            if let Some(seq) = done_through {
                let pool = self.pool.clone();
                marking = Some(tokio::spawn(async move { mark(&pool, store, seq).await }));
            }
            if let Some(why) = failed {
                self.stats.failed(1);
                // A pause before the store is taken again, so a bus refusing everything at once
                // is not hammered.
                tokio::time::sleep(Duration::from_millis(500)).await;
                break Err(RelayError::Bus(why));
            }
            rows = match next {
                Ok(rows) => rows,
                Err(e) => break Err(e),
            };
        };
        if let Some(previous) = marking {
            finish(previous).await?;
        }
        result
    }

    /// A store's next events after `after` (its sequence), in order, dead letters included so
    /// the cursor moves past them.
    async fn read_batch(&self, store: Uuid, after: i64) -> Result<Vec<Row>, RelayError> {
        let sql = format!(
            "SELECT {SELECT} FROM outbox WHERE store_id = $1 AND store_seq > $3
             ORDER BY store_seq LIMIT $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store)
            .bind(self.config.batch)
            .bind(after)
            .fetch_all(&self.pool)
            .await?)
    }

    /// One batch of a store's events, in order: the sequence number up to which every event
    /// is on the stream or set aside (`None`: not even the first), and the failure that
    /// stopped it.
    async fn publish(&self, rows: &[Row]) -> Result<(Option<i64>, Option<String>), RelayError> {
        let mut batch = Vec::with_capacity(rows.len());
        let mut seqs = Vec::with_capacity(rows.len());
        for r in rows.iter().filter(|r| !r.dead) {
            match r.body() {
                Ok(body) => {
                    seqs.push(r.store_seq);
                    batch.push(Outgoing {
                        id: r.id,
                        subject: r.subject.clone(),
                        body,
                    });
                }
                Err(e) => {
                    let out = Outgoing {
                        id: r.id,
                        subject: r.subject.clone(),
                        body: r.payload.clone().into_bytes(),
                    };
                    dlq::dead(&self.pool, &*self.sink, r.store_id, &out, &e.to_string()).await?;
                    self.stats.dead_lettered(1);
                }
            }
        }
        let started = Instant::now();
        let outcomes = self.sink.publish(&batch).await;
        self.stats.publish_took(started.elapsed(), batch.len());
        if !self.config.hold_before_mark.is_zero() {
            tokio::time::sleep(self.config.hold_before_mark).await;
        }
        let (mut stored, mut duplicates) = (0, 0);
        let mut first_failed: Option<(i64, String)> = None;
        let mut failed = Vec::new();
        for ((e, seq), outcome) in batch.iter().zip(&seqs).zip(outcomes) {
            match outcome {
                Outcome::Stored { duplicate, .. } => {
                    duplicates += usize::from(duplicate);
                    stored += 1;
                }
                Outcome::Refused(why) => {
                    let store = rows.first().map(|r| r.store_id).unwrap_or_default();
                    tracing::warn!(event = %e.id, reason = %why, "relay: event refused, dead-lettered");
                    dlq::dead(&self.pool, &*self.sink, store, e, &why).await?;
                    self.stats.dead_lettered(1);
                }
                Outcome::Failed(why) => {
                    first_failed.get_or_insert((*seq, why));
                    failed.push(e.id);
                }
            }
        }
        self.stats.published(stored, duplicates);
        if !failed.is_empty() {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1)")
                .bind(&failed)
                .execute(&self.pool)
                .await?;
        }
        let first = rows.first().map_or(0, |r| r.store_seq);
        Ok(match first_failed {
            None => (rows.last().map(|r| r.store_seq), None),
            Some((seq, why)) => ((seq > first).then_some(seq - 1), Some(why)),
        })
    }
}

/// Moves a store's cursor up to `seq` (never back).
async fn mark(pool: &PgPool, store: Uuid, seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox_cursors (store_id, published) VALUES ($1, $2)
         ON CONFLICT (store_id) DO UPDATE
         SET published = greatest(outbox_cursors.published, excluded.published)",
    )
    .bind(store)
    .bind(seq)
    .execute(pool)
    .await?;
    Ok(())
}

async fn finish(marking: JoinHandle<Result<(), sqlx::Error>>) -> Result<(), RelayError> {
    match marking.await {
        Ok(r) => Ok(r?),
        Err(e) => Err(RelayError::Bus(format!("marking stopped: {e}"))),
    }
}

/// How many events wait for the relay, over every store, and how long the oldest has waited
/// (seconds); a store's own waiting events are found from its cursor, one probe per store.
pub async fn backlog(pool: &PgPool) -> Result<(i64, f64), sqlx::Error> {
    sqlx::query_as(
        "SELECT coalesce(sum(h.events - coalesce(c.published, 0)), 0)::int8,
                coalesce(extract(epoch FROM now() - min(o.created_at)), 0)::float8
         FROM store_heads h
         LEFT JOIN outbox_cursors c ON c.store_id = h.store_id
         LEFT JOIN LATERAL (SELECT created_at FROM outbox
                            WHERE store_id = h.store_id AND store_seq > coalesce(c.published, 0)
                              AND dead_at IS NULL
                            ORDER BY store_seq LIMIT 1) o ON true
         WHERE h.events > coalesce(c.published, 0)",
    )
    .fetch_one(pool)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("the bus did not take an event: {0}")]
    Bus(String),
}

async fn unlock(locks: &mut PgConnection, store: Uuid) -> Result<(), sqlx::Error> {
    let sql = format!("SELECT pg_advisory_unlock({LOCK_KEY})");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(store)
        .execute(locks)
        .await?;
    Ok(())
}

/// Deletes published rows older than the retention period, a slice at a time so no single
/// statement holds many row locks.
pub async fn prune(pool: &PgPool, retention: Duration) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let done = sqlx::query(
            "DELETE FROM outbox WHERE id IN (
                 SELECT o.id FROM outbox o
                 JOIN outbox_cursors c ON c.store_id = o.store_id AND o.store_seq <= c.published
                 WHERE o.created_at < now() - make_interval(secs => $1) LIMIT 5000)",
        )
        .bind(retention.as_secs_f64())
        .execute(pool)
        .await?;
        total += done.rows_affected();
        if done.rows_affected() < 5000 {
            return Ok(total);
        }
    }
}
