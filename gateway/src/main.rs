//! kea-gateway: see lib.rs for the map of modules and README for configuration.

use clap::Parser;
use kea_gateway::{server, Config};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    let listen = config.listen.clone();
    let state = match server::build_state(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = state.catalog.reload_on_sigusr1() {
        tracing::warn!(error = %e, "no SIGUSR1 handler: the catalog reloads on NOTIFY only");
    }
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {listen}: {e}\n  what to do: set KEA_LISTEN to a free address");
            std::process::exit(2);
        }
    };
    let metrics_listen = state.config.metrics_listen.clone();
    if metrics_listen != "off" && !metrics_listen.is_empty() {
        match tokio::net::TcpListener::bind(&metrics_listen).await {
            Ok(l) => {
                tracing::info!(address = %metrics_listen, "metrics at /metrics");
                tokio::spawn(server::serve_metrics(l, state.clone()));
            }
            Err(e) => {
                eprintln!("error: cannot serve metrics on {metrics_listen}: {e}\n  what to do: set KEA_METRICS_LISTEN to a free address (or off)");
                std::process::exit(2);
            }
        }
    }
    tracing::info!(address = %listener.local_addr().map(|a| a.to_string()).unwrap_or(listen), "kea-gateway listening");
    server::run(listener, state, shutdown_signal()).await;
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}
