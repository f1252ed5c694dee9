//! One handler per job kind. A handler does the side effect and, when the end of the job must
//! be recorded with something else (the POS's order id, the message's sid), records it itself
//! through its `worker.*` function; otherwise it says what the runner should record.
//!
//! - `pos_order` → [`pos`]: the ticket from `worker.pos_ticket`, sent by [`pos::webhook`] or
//!   [`pos::square`] according to the merchant's connection.
//! - `sms` → [`sms`]: Twilio's Messages API, looked up first on a retry.
//! - `noop` → nothing to do: completed in the runner's batches (what the benchmark measures).
//! - any other kind → `worker.run_sql_job` (timeouts, sweeps): new SQL-only kinds need no
//!   change here.

pub mod pos;
pub mod sms;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::queue::{Job, Queue, QueueError};

/// What handlers need besides the job.
pub struct Ctx {
    pub queue: Queue,
    pub http: reqwest::Client,
    pub config: HandlerConfig,
}

/// The handlers' part of the configuration.
#[derive(Debug, Clone, Default)]
pub struct HandlerConfig {
    pub twilio_account_sid: Option<String>,
    pub twilio_auth_token: Option<String>,
    pub twilio_api_url: String,
    pub square_api_url: String,
    /// Base of the SMS StatusCallback (`{public_url}/twilio/sms/status`).
    pub public_url: Option<String>,
    /// How long Twilio's message list may take to show a message just sent: a retry that
    /// does not find its message looks again this much later before sending.
    pub sms_settle: Duration,
}

/// What became of a job, for the runner.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done, nothing else to record: the runner completes it with others in one statement.
    Complete,
    /// The handler recorded the end itself; the job's new state, for metrics.
    Recorded(String),
    /// The attempt failed: the runner calls `worker.fail`.
    Failed {
        error: String,
        retry: bool,
        /// When the other side said when to come back (Retry-After); None = SQL's backoff.
        retry_after_s: Option<f32>,
    },
}

impl Outcome {
    pub fn retry(error: impl Into<String>, retry_after_s: Option<f32>) -> Outcome {
        Outcome::Failed {
            error: error.into(),
            retry: true,
            retry_after_s,
        }
    }
    pub fn dead(error: impl Into<String>) -> Outcome {
        Outcome::Failed {
            error: error.into(),
            retry: false,
            retry_after_s: None,
        }
    }
}

/// Builds the HTTP client the handlers share (connection reuse per POS and for Twilio).
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("kea-worker/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a client with these settings builds")
}

/// Runs one job. `touched` is set once a request with a side effect may have left: from then
/// on, giving the job back on shutdown must count the attempt (see the runner).
pub async fn handle(ctx: &Ctx, job: &Job, touched: &AtomicBool) -> Result<Outcome, QueueError> {
    match job.kind.as_str() {
        "pos_order" => pos::handle(ctx, job, touched).await,
        "sms" => sms::handle(ctx, job, touched).await,
        "noop" => Ok(Outcome::Complete),
        _ => ctx.queue.run_sql_job(job.id).await.map(Outcome::Recorded),
    }
}

/// Seconds of a `Retry-After: <seconds>` header (the HTTP-date form is rare from APIs and is
/// left to SQL's backoff).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<f32> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f32>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
}

/// Why a request got no HTTP answer (refused, reset, timed out). Always worth retrying: the
/// other side may or may not have acted on it, and every request carries what lets it
/// recognise a repeat.
pub fn transport_error(what: &str, e: &reqwest::Error) -> String {
    let why = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    format!("{what}: {why}: {e}")
}

/// The start of a body, for error messages kept in `app.jobs.errors`.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(7.0));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt(b"oops"), "oops");
        assert_eq!(excerpt(&[b'x'; 400]).chars().count(), 301);
    }
}
