//! LISTEN `kea_jobs` on a session connection of its own, and wake the runner on each
//! notification. A notification is only a hint (the runner polls anyway), so losing the
//! connection loses nothing: the listener reconnects with backoff and wakes the runner once it
//! is back, for whatever was enqueued meanwhile.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{watch, Notify};
use tokio_postgres::{AsyncMessage, NoTls};

use crate::backoff::Backoff;
use crate::metrics::Metrics;

/// The channel `app.enqueue` notifies, with the job's kind as payload.
pub const CHANNEL: &str = "kea_jobs";

/// A half-open TCP connection (a database host gone without a FIN) would otherwise keep the
/// listener waiting forever; a query this often finds out.
const PING_EVERY: Duration = Duration::from_secs(30);

/// Listens until `stop` turns true. `wake` is notified for every notification and after each
/// (re)connection.
pub async fn run(
    config: tokio_postgres::Config,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(30));
    let mut first = true;
    loop {
        if *stop.borrow() {
            return;
        }
        if !first {
            metrics.reconnects.inc();
        }
        first = false;
        match listen_once(&config, &wake, &metrics, &mut stop, &mut backoff).await {
            Ended::Stopped => return,
            Ended::Lost(why) => {
                let delay = backoff.next_delay();
                tracing::warn!(error = %why, retry_in_ms = delay.as_millis() as u64, "LISTEN connection lost");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

enum Ended {
    Stopped,
    Lost(String),
}

/// One connection's life: connect, LISTEN, route notifications until it breaks.
async fn listen_once(
    config: &tokio_postgres::Config,
    wake: &Notify,
    metrics: &Metrics,
    stop: &mut watch::Receiver<bool>,
    backoff: &mut Backoff,
) -> Ended {
    let (client, mut connection) = match config.connect(NoTls).await {
        Ok(pair) => pair,
        Err(e) => return Ended::Lost(e.to_string()),
    };
    // Polling the connection ourselves is what delivers notifications: a spawned
    // `connection` future would drop them (see the pgrx-pipeline note).
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let listen = client.batch_execute("listen kea_jobs");
    tokio::pin!(listen);
    let mut listening = false;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            done = &mut listen, if !listening => match done {
                Ok(()) => {
                    listening = true;
                    backoff.reset();
                    tracing::info!(channel = CHANNEL, "listening");
                    // Jobs enqueued while we were away sent notifications nobody heard.
                    wake.notify_one();
                }
                Err(e) => return Ended::Lost(e.to_string()),
            },
            message = messages.next() => match message {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if n.channel() == CHANNEL {
                        metrics.notifications.inc();
                        wake.notify_one();
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Ended::Lost(e.to_string()),
                None => return Ended::Lost("connection closed".into()),
            },
            _ = ping.tick(), if listening => {
                // The ping's reply arrives through `messages`, which this loop keeps polling.
                let alive = tokio::time::timeout(Duration::from_secs(10), async {
                    let q = client.simple_query("select 1");
                    tokio::pin!(q);
                    loop {
                        tokio::select! {
                            r = &mut q => return r.is_ok(),
                            m = messages.next() => match m {
                                Some(Ok(AsyncMessage::Notification(n))) if n.channel() == CHANNEL => {
                                    metrics.notifications.inc();
                                    wake.notify_one();
                                }
                                Some(Ok(_)) => {}
                                _ => return false,
                            },
                        }
                    }
                })
                .await
                .unwrap_or(false);
                if !alive {
                    return Ended::Lost("ping failed".into());
                }
            }
            _ = stop.changed() => return Ended::Stopped,
        }
    }
}
