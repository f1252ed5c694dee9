//! What every request reads: the configuration, the pool and its shares, the store directory,
//! the metrics, the events hub and the cached catalog, built once at start-up.

use std::sync::Arc;
use std::time::Duration;

use crate::budget::Share;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::db;
use crate::directory::Directory;
use crate::event_hub::Hub;
use crate::lanes::Pool;
use crate::metrics::Metrics;
use crate::stream_limits::StreamLimits;

pub struct AppState {
    pub config: Config,
    pub pool: Pool,
    pub directory: Directory,
    pub metrics: Metrics,
    /// Live task events for `GET /events` (one LISTEN connection, fanned out).
    pub events: Hub,
    /// The pool's shares for `/rpc` and anonymous requests (webhooks use the pool directly).
    pub shares: db::Shares,
    pub health: db::Health,
    /// Connections that requests which may wait (`/rpc`, `/openapi.json`, `/events`) may hold
    /// while they are answered: the rest of the cap is the webhooks' (docs/security.md).
    pub others: Share,
    /// How many `/events` streams may be open, per subject, per peer and in all.
    pub streams: Arc<StreamLimits>,
    /// The `api` functions `/rpc` resolves calls against, cached (see [`Catalog`]).
    pub catalog: Arc<Catalog>,
}

/// Builds the state: pool and directory, once the secrets are not development ones
/// ([`crate::secrets`]) (the directory loads in the background, so the gateway
/// starts and answers fallbacks even while the database is down).
pub fn build_state(
    config: Config,
) -> Result<Arc<AppState>, Box<dyn std::error::Error + Send + Sync>> {
    crate::secrets::check(&config)?;
    let pg: tokio_postgres::Config = config
        .database_url
        .parse()
        .map_err(|e| format!("KEA_DATABASE_URL: {e}\n  what to do: check KEA_DATABASE_URL"))?;
    let home_wait = Duration::from_millis(config.lane_wait_ms);
    let pool = Pool::new(config.pool_size, home_wait, || {
        deadpool_postgres::Manager::from_connect(
            pg.clone(),
            crate::pg_notices::Connector,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        )
    })?;
    let directory = Directory::default();
    directory.spawn_refresher(pool.clone(), std::time::Duration::from_secs(30));
    let events = Hub::new(&config.database_url);
    let catalog = Arc::new(Catalog::default());
    catalog.spawn_listener(&config.database_url);
    let budgets = config.budgets();
    tracing::info!(?budgets, "budgets (docs/security.md)");
    let metrics = Metrics::default();
    Ok(Arc::new(AppState {
        events,
        shares: db::Shares::new(&budgets),
        health: db::Health::default(),
        others: Share::new(budgets.other_connections, 0, Duration::ZERO),
        streams: StreamLimits::new(&budgets, metrics.events_streams.clone()),
        catalog,
        config,
        pool,
        directory,
        metrics,
    }))
}
