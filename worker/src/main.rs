//! kea-worker: see lib.rs for the map of modules and docs/workflow.md for configuration.

mod secrets;

use clap::Parser;
use kea_worker::Config;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = Config::parse();
    if let Err(e) = secrets::check(&config, secrets::dev_flag()) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    let runtime = match config.threads {
        0 | 1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    };
    match runtime {
        Ok(rt) => rt.block_on(run(config)),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(2);
        }
    }
}

async fn run(config: Config) {
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
