//! kea's worker: runs the durable jobs of `app.jobs` (docs/workflow.md) and ships the local
//! stand-ins for the systems it talks to.
//!
//! Jobs flow through these modules:
//! - [`config`]: the environment (docs/workflow.md "Running workers").
//! - [`listener`]: `LISTEN kea_jobs` on a session connection of its own; wakes the runner.
//! - [`queue`]: the `worker.*` SQL functions over a pool whose sessions `SET ROLE kea_worker`.
//! - [`runner`]: claims in batches, runs handlers concurrently, heartbeats, completes in
//!   batches, shuts down gracefully.
//! - [`handlers`]: one per kind: the POS (signed webhook or Square), Twilio's Messages API,
//!   and the kinds that live in SQL alone.
//! - [`metrics`]: Prometheus text at `/metrics`.
//! - [`standins`]: small HTTP servers playing the POS, Square and Twilio for tests and the
//!   demo (`kea-standins`).

pub mod backoff;
pub mod config;
pub mod dates;
pub mod handlers;
pub mod listener;
pub mod metrics;
pub mod queue;
pub mod runner;
pub mod standins;

pub use config::Config;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

/// Runs a worker until `stop` turns true: the listener, the runner and (unless `metrics` is
/// `off`) the metrics endpoint, whose bound address is returned through `on_metrics` before
/// any job runs.
pub async fn run(
    config: Config,
    stop: watch::Receiver<bool>,
    on_metrics: impl FnOnce(Option<std::net::SocketAddr>),
) -> Result<(), Box<dyn std::error::Error>> {
    let worker = config.worker_name();
    let mut pg: tokio_postgres::Config = config.effective_database_url().parse()?;
    // pg_stat_activity then tells which worker a session is (and which one LISTENs).
    pg.application_name(format!("kea-worker {worker}"));
    let mut listen_pg = pg.clone();
    listen_pg.application_name(format!("kea-worker {worker} listen"));
    // The handlers, the claim loop, the completer and the heartbeat each hold one at a time.
    let pool = queue::pool(pg, config.concurrency.max(1) + 4)?;
    let metrics = Arc::new(metrics::Metrics::default());
    let bound = if config.metrics == "off" || config.metrics.is_empty() {
        None
    } else {
        let listener = tokio::net::TcpListener::bind(&config.metrics)
            .await
            .map_err(|e| format!("cannot serve metrics on {}: {e}", config.metrics))?;
        let addr = listener.local_addr()?;
        tokio::spawn(metrics::serve(listener, metrics.clone()));
        Some(addr)
    };
    on_metrics(bound);
    if config.twilio_account_sid.is_none() || config.twilio_auth_token.is_none() {
        tracing::warn!(
            "TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN unset: text messages will wait and retry"
        );
    }
    let http_timeout = Duration::from_secs_f32(config.http_timeout_s.max(0.1));
    let ctx = Arc::new(handlers::Ctx {
        queue: queue::Queue::new(pool, worker.clone()),
        http: handlers::http_client(http_timeout),
        config: handlers::HandlerConfig {
            twilio_account_sid: config.twilio_account_sid.clone(),
            twilio_auth_token: config.twilio_auth_token.clone(),
            twilio_api_url: config.twilio_api_url.clone(),
            square_api_url: config.square_api_url.clone(),
            public_url: config.public_url.clone(),
            sms_settle: Duration::from_secs_f32(config.sms_settle_s.max(0.0)),
        },
    });
    let wake = Arc::new(Notify::new());
    let listening = tokio::spawn(listener::run(
        listen_pg,
        wake.clone(),
        metrics.clone(),
        stop.clone(),
    ));
    tracing::info!(
        worker,
        concurrency = config.concurrency,
        lease_s = config.lease_s,
        "kea-worker running"
    );
    runner::run(
        ctx,
        metrics,
        wake,
        runner::RunnerConfig {
            concurrency: config.concurrency.max(1),
            max_batch: config.concurrency.max(1) + config.prefetch,
            prefetch: config.prefetch,
            lease: config.lease(),
            poll: Duration::from_millis(config.poll_ms.max(1)),
            shutdown_grace: Duration::from_secs_f32(config.shutdown_s.max(0.0)),
            // A handler makes a few requests (an SMS retry lists, then sends) and SQL calls.
            job_timeout: http_timeout * 4 + Duration::from_secs(30),
        },
        stop,
    )
    .await;
    let _ = listening.await;
    Ok(())
}
