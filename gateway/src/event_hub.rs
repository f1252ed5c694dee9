//! Live task events: one LISTEN connection on `kea_tasks` (a session of its own, not the
//! pool's: LISTEN needs a session), started with the first subscriber and reconnected with
//! backoff, fanned out to every subscriber over a broadcast channel. `/events` streams them.

use std::sync::{Arc, Once};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_postgres::AsyncMessage;

/// The NOTIFY channel of task changes (`app.notify_task`).
pub const CHANNEL: &str = "kea_tasks";
/// Events buffered per subscriber before it is told to resync instead.
const BACKLOG: usize = 256;

/// The fan-out point: one LISTEN connection, any number of subscribers.
pub struct Hub {
    database_url: String,
    events: broadcast::Sender<Arc<Value>>,
    started: Once,
    /// Set at shutdown: every stream ends, so open streams never hold the server up.
    closing: watch::Sender<bool>,
}

impl Hub {
    pub fn new(database_url: &str) -> Hub {
        Hub {
            database_url: database_url.to_string(),
            events: broadcast::channel(BACKLOG).0,
            started: Once::new(),
            closing: watch::channel(false).0,
        }
    }

    /// Tells every open stream to end when this turns true (at shutdown).
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Ends every open stream (called when the server shuts down).
    pub fn shutdown(&self) {
        self.closing.send_replace(true);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Value>> {
        self.started.call_once(|| {
            tokio::spawn(listen(self.database_url.clone(), self.events.clone()));
        });
        self.events.subscribe()
    }
}

/// Keeps one LISTEN session open, reconnecting with backoff (100 ms doubling to 10 s).
async fn listen(url: String, events: broadcast::Sender<Arc<Value>>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match listen_once(&url, &events).await {
            Ok(()) => tracing::warn!("events: the LISTEN connection closed"),
            Err(e) => tracing::warn!(error = %e, "events: the LISTEN connection failed"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(
    url: &str,
    events: &broadcast::Sender<Arc<Value>>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    // The connection must be polled by hand to see notifications (tokio::spawn(connection)
    // drops them); they go through a channel to this task.
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    let _ = tx.send(n.payload().to_string());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    });
    client.batch_execute(&format!("listen {CHANNEL}")).await?;
    tracing::info!("events: listening on {CHANNEL}");
    // Whatever happened while we were not listening is unknown: everyone reloads.
    let _ = events.send(Arc::new(json!({"event": "resync"})));
    while let Some(payload) = rx.recv().await {
        match serde_json::from_str::<Value>(&payload) {
            Ok(v) => {
                let _ = events.send(Arc::new(v));
            }
            Err(e) => tracing::warn!(error = %e, payload, "events: not JSON"),
        }
    }
    drop(client);
    driver.await.unwrap_or(Ok(()))
}
