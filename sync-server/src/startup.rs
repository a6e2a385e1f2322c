//! `Application::build` connects, migrates and binds; `run_until_stopped` serves. `main` and the
//! tests go through the same code.

use std::sync::Arc;

use axum::serve::ListenerExt;
use sqlx::postgres::PgPoolOptions;
use tokio::net::TcpListener;

use crate::routes::{router, AppState};
use crate::Settings;

pub struct Application {
    port: u16,
    listener: TcpListener,
    notifications: sqlx::postgres::PgListener,
    state: AppState,
    /// The outbox relay, when `POS_NATS_URL` is set.
    relay: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let pool = PgPoolOptions::new()
            .max_connections(settings.db_connections.max(2))
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(&settings.database_url)
            .await?;
        crate::MIGRATOR.run(&pool).await?;
        // Partitions for last month, this month and the next two, made ahead of any sale.
        sqlx::query(
            "SELECT pos_ensure_month((current_date + make_interval(months => m))::date)
             FROM generate_series(-1, 2) AS m",
        )
        .execute(&pool)
        .await?;
        let notifications = crate::live::Live::connect(&pool).await?;
        let listener = TcpListener::bind(settings.listen).await?;
        let port = listener.local_addr()?.port();
        let metrics: Arc<crate::metrics::Metrics> = Arc::default();
        let relay = crate::events::start(pool.clone(), &settings, metrics.events.clone()).await?;
        Ok(Application {
            port,
            listener,
            notifications,
            relay,
            state: AppState {
                pool,
                settings: Arc::new(settings.clone()),
                partitioned_days: Arc::default(),
                live: crate::live::Live::default(),
                metrics,
                rate: Arc::new(crate::rate::RateLimiter::new(
                    settings.rate_per_second,
                    settings.rate_burst,
                )),
                pushes: Arc::new(tokio::sync::Semaphore::new(
                    settings.max_concurrent_pushes.max(1),
                )),
            },
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &sqlx::PgPool {
        &self.state.pool
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let live = self.state.live.clone();
        let listening = tokio::spawn(
            live.clone()
                .run(self.notifications, self.state.pool.clone()),
        );
        let lagging = tokio::spawn(follow_heads(
            self.state.live.clone(),
            self.state.metrics.clone(),
        ));
        // Answers go out at once: a gzipped answer is written in pieces, and Nagle's algorithm
        // would hold the last one until the client's delayed acknowledgement (40 ms).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let sweeping = tokio::spawn(crate::portal::sweep_sessions(self.state.pool.clone()));
        // The caller's address is what the portal's lock-out counts failures by.
        let app = router(self.state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                // Live connections never end by themselves; a graceful stop would wait forever.
                live.close();
            })
            .await?;
        listening.abort();
        lagging.abort();
        if let Some(relay) = self.relay {
            relay.abort();
        }
        sweeping.abort();
        Ok(())
    }
}

/// Feeds every store head this process hears of to the feed-lag measure.
async fn follow_heads(live: crate::live::Live, metrics: Arc<crate::metrics::Metrics>) {
    use tokio::sync::broadcast::error::RecvError;
    let mut rx = live.subscribe();
    loop {
        match rx.recv().await {
            Ok(m) => {
                if let Some(store) = m.store {
                    metrics.feed.moved(store, m.head, std::time::Instant::now());
                }
            }
            // Missed heads only make the lag look smaller until the next push; carry on.
            Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
}
