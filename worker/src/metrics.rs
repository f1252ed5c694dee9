//! Prometheus metrics, served as text at `GET /metrics` on `KEA_WORKER_METRICS`.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

/// The label of per-kind series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

/// Everything the worker counts.
pub struct Metrics {
    registry: Registry,
    /// Jobs claimed, by kind.
    pub claimed: Family<KindLabel, Counter>,
    /// Jobs completed (sent, skipped for an opt-out, or done in SQL), by kind.
    pub completed: Family<KindLabel, Counter>,
    /// Failed attempts that will be retried, by kind.
    pub failed: Family<KindLabel, Counter>,
    /// Jobs that died (refused for good or out of attempts), by kind.
    pub dead: Family<KindLabel, Counter>,
    /// Jobs whose lease was lost before the handler could record its end, by kind.
    pub lease_lost: Family<KindLabel, Counter>,
    /// Seconds a handler ran, by kind.
    pub handler_seconds: Family<KindLabel, Histogram>,
    /// Jobs given back on shutdown.
    pub released: Counter,
    /// NOTIFY kea_jobs wake-ups received.
    pub notifications: Counter,
    /// Fallback polls (woken by the timer, not by a notification).
    pub polls: Counter,
    /// Times the LISTEN connection was lost and made again.
    pub reconnects: Counter,
    /// Calls to the queue that failed for a database error.
    pub db_errors: Counter,
    /// Claims made (each takes a batch): jobs claimed per claim shows the batching.
    pub claims: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kea_worker");
        let handler_seconds = Family::<KindLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        let m = Metrics {
            registry: Registry::default(),
            claimed: Family::default(),
            completed: Family::default(),
            failed: Family::default(),
            dead: Family::default(),
            lease_lost: Family::default(),
            handler_seconds,
            released: Counter::default(),
            notifications: Counter::default(),
            polls: Counter::default(),
            reconnects: Counter::default(),
            db_errors: Counter::default(),
            claims: Counter::default(),
        };
        registry.register(
            "claims",
            "Claims made (each takes a batch of jobs)",
            m.claims.clone(),
        );
        registry.register("jobs_claimed", "Jobs claimed", m.claimed.clone());
        registry.register("jobs_completed", "Jobs completed", m.completed.clone());
        registry.register(
            "jobs_failed",
            "Failed attempts to be retried",
            m.failed.clone(),
        );
        registry.register(
            "jobs_dead",
            "Jobs dead (refused or out of attempts)",
            m.dead.clone(),
        );
        registry.register(
            "jobs_lease_lost",
            "Jobs whose lease was lost mid-run",
            m.lease_lost.clone(),
        );
        registry.register(
            "handler_seconds",
            "Time a handler ran",
            m.handler_seconds.clone(),
        );
        registry.register(
            "jobs_released",
            "Jobs given back on shutdown",
            m.released.clone(),
        );
        registry.register(
            "notifications",
            "NOTIFY kea_jobs received",
            m.notifications.clone(),
        );
        registry.register("polls", "Fallback polls", m.polls.clone());
        registry.register(
            "reconnects",
            "LISTEN connection re-made",
            m.reconnects.clone(),
        );
        registry.register(
            "db_errors",
            "Queue calls failed on a database error",
            m.db_errors.clone(),
        );
        Metrics { registry, ..m }
    }
}

/// Shorthand for a kind label.
pub fn kind(kind: &str) -> KindLabel {
    KindLabel {
        kind: kind.to_string(),
    }
}

impl Metrics {
    /// Counts a job's end by the state SQL reported for it.
    pub fn ended(&self, job_kind: &str, state: &str) {
        let family = match state {
            "retryable" | "available" => &self.failed,
            "dead" | "discarded" => &self.dead,
            _ => &self.completed,
        };
        family.get_or_create(&kind(job_kind)).inc();
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Serves `/metrics` (and `/healthz`) until the process ends.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let metrics = metrics.clone();
            async move {
                let (status, body) = match req.uri().path() {
                    "/metrics" => (StatusCode::OK, metrics.encode()),
                    "/healthz" => (StatusCode::OK, "ok\n".to_string()),
                    _ => (StatusCode::NOT_FOUND, "not found\n".to_string()),
                };
                Ok::<_, Infallible>(
                    Response::builder()
                        .status(status)
                        .header(
                            hyper::header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )
                        .body(Full::new(Bytes::from(body)))
                        .expect("static headers are valid"),
                )
            }
        });
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_counted_by_state() {
        let m = Metrics::default();
        m.ended("sms", "completed");
        m.ended("sms", "retryable");
        m.ended("pos_order", "dead");
        let text = m.encode();
        assert!(text.contains("kea_worker_jobs_completed_total{kind=\"sms\"} 1"));
        assert!(text.contains("kea_worker_jobs_failed_total{kind=\"sms\"} 1"));
        assert!(text.contains("kea_worker_jobs_dead_total{kind=\"pos_order\"} 1"));
    }
}
