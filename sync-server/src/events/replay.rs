//! `sync-server events replay --store S (--since TIME | --from SEQ)`: the kept outbox rows of
//! a store published again, in order, under their own ids. Within the stream's duplicate
//! window the stream drops them (counted as duplicates); after it they are stored again and
//! consumers drop them by id. Replaying what the stream still holds is the stream's own job
//! (a consumer created with a start sequence or time): see `docs/events.md`.

use sqlx::PgPool;
use uuid::Uuid;

use super::cloudevent::{Row, SELECT};
use super::sink::{Outcome, Outgoing, Sink};

/// Where the replay starts.
#[derive(Clone, Debug)]
pub enum From {
    /// The store's event sequence number (`storeseq`).
    Seq(i64),
    /// A time Postgres reads (`2026-12-01T08:00:00Z`).
    Time(String),
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Replayed {
    pub sent: usize,
    pub stored: usize,
    pub duplicates: usize,
    pub failed: usize,
}

const PAGE: i64 = 1000;

pub async fn replay(
    pool: &PgPool,
    sink: &impl Sink,
    store: Uuid,
    from: &From,
) -> Result<Replayed, sqlx::Error> {
    let mut after: i64 = match from {
        From::Seq(seq) => seq.saturating_sub(1),
        From::Time(t) => {
            sqlx::query_scalar(
                "SELECT coalesce(min(store_seq) - 1, 0)::int8 FROM outbox
             WHERE store_id = $1 AND occurred_at >= $2::timestamptz",
            )
            .bind(store)
            .bind(t)
            .fetch_one(pool)
            .await?
        }
    };
    let mut done = Replayed::default();
    loop {
        let sql = format!(
            "SELECT {SELECT} FROM outbox WHERE store_id = $1 AND store_seq > $2
             AND dead_at IS NULL ORDER BY store_seq LIMIT $3"
        );
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store)
            .bind(after)
            .bind(PAGE)
            .fetch_all(pool)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(done);
        };
        after = last.store_seq;
        let batch: Vec<Outgoing> = rows
            .iter()
            .filter_map(|r| {
                r.body().ok().map(|body| Outgoing {
                    id: r.id,
                    subject: r.subject.clone(),
                    body,
                })
            })
            .collect();
        done.sent += batch.len();
        for o in sink.publish(&batch).await {
            match o {
                Outcome::Stored { duplicate, .. } => {
                    done.stored += 1;
                    done.duplicates += usize::from(duplicate);
                }
                Outcome::Refused(_) | Outcome::Failed(_) => done.failed += 1,
            }
        }
        if done.failed > 0 {
            return Ok(done);
        }
    }
}
