//! Live notifications: "the feed of store S is at cursor N now". A push's transaction sends a
//! Postgres `NOTIFY` on [`CHANNEL`], which leaves only when it commits; every server process
//! listens and hands it to its live connections (`GET /v1/sync/live`). Going through Postgres
//! rather than a channel inside the process is what lets several servers run behind one
//! address: a terminal hears of a push whichever server took it.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::broadcast;
use uuid::Uuid;

pub const CHANNEL: &str = "pos_feed";
/// The head of the message that ends live connections.
pub const CLOSING: i64 = -1;

/// The feed of `store` moved to `head`, by a push of `origin`. A `None` store means "anything
/// may have moved" (notifications were lost while the listener reconnected).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedMoved {
    pub store: Option<Uuid>,
    pub head: i64,
    pub origin: Option<Uuid>,
}

/// The payload a push sends: `STORE HEAD ORIGIN`.
pub fn payload(store: Uuid, head: i64, origin: Uuid) -> String {
    format!("{store} {head} {origin}")
}

fn parse(payload: &str) -> Option<FeedMoved> {
    let mut parts = payload.split(' ');
    let store = Uuid::parse_str(parts.next()?).ok()?;
    let head = parts.next()?.parse().ok()?;
    let origin = parts.next().and_then(|o| Uuid::parse_str(o).ok());
    Some(FeedMoved {
        store: Some(store),
        head,
        origin,
    })
}

/// This process's side of the notifications.
#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<FeedMoved>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            tx: broadcast::channel(4096).0,
        }
    }
}

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<FeedMoved> {
        self.tx.subscribe()
    }

    /// Ends every live connection (the server is stopping; terminals reconnect elsewhere).
    pub fn close(&self) {
        let _ = self.tx.send(FeedMoved {
            store: None,
            head: CLOSING,
            origin: None,
        });
    }

    /// Connects and listens; done before the server takes requests, so no push it accepts
    /// goes unheard.
    pub async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(listener)
    }

    /// Relays notifications for as long as the server runs, reconnecting when the connection
    /// is lost. After a loss everyone is told to pull, since what was notified meanwhile is gone.
    pub async fn run(self, mut listener: PgListener, pool: PgPool) {
        loop {
            self.relay(&mut listener).await;
            self.wake_all();
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                match Live::connect(&pool).await {
                    Ok(l) => {
                        listener = l;
                        break;
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot listen for feed notifications"),
                }
            }
            self.wake_all();
        }
    }

    fn wake_all(&self) {
        let _ = self.tx.send(FeedMoved {
            store: None,
            head: 0,
            origin: None,
        });
    }

    async fn relay(&self, listener: &mut PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => match parse(n.payload()) {
                    // No live connection at the moment is no error.
                    Some(moved) => {
                        let _ = self.tx.send(moved);
                    }
                    None => tracing::warn!(payload = n.payload(), "unreadable feed notification"),
                },
                Ok(None) => {
                    tracing::warn!("feed notifications: connection lost, reconnecting");
                    self.wake_all();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "feed notifications stopped");
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back() {
        let (s, o) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(
            parse(&payload(s, 42, o)),
            Some(FeedMoved {
                store: Some(s),
                head: 42,
                origin: Some(o)
            })
        );
        assert_eq!(parse("nonsense"), None);
        assert_eq!(parse(&format!("{s} x {o}")), None);
    }
}
