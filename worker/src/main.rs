//! kea-worker: see lib.rs for the map of modules and docs/workflow.md for configuration.

use clap::Parser;
use kea_worker::Config;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("signal received: shutting down");
        let _ = stop_tx.send(true);
    });
    let result = kea_worker::run(config, stop, |addr| {
        if let Some(addr) = addr {
            tracing::info!(address = %addr, "metrics at /metrics");
        }
    })
    .await;
    if let Err(e) = result {
        eprintln!("error: {e}\n  what to do: check KEA_WORKER_DATABASE_URL / KEA_DATABASE_URL and KEA_WORKER_METRICS");
        std::process::exit(2);
    }
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}
