//! Configuration, from the environment (or flags): docs/workflow.md "Running workers".

use std::time::Duration;

use clap::Parser;

/// Where the gateway and scripts log in when nothing else is said.
const DEFAULT_DATABASE_URL: &str = "postgres://kea_authenticator:kea@127.0.0.1:5432/kea";

#[derive(Debug, Clone, Parser)]
#[command(
    name = "kea-worker",
    about = "Runs kea's durable jobs: POS tickets, text messages, timeouts"
)]
pub struct Config {
    /// Database login of the worker (falls back to KEA_DATABASE_URL); the worker then runs
    /// `SET ROLE kea_worker` on every connection.
    #[arg(long, env = "KEA_WORKER_DATABASE_URL")]
    pub worker_database_url: Option<String>,
    /// The gateway's login, used when KEA_WORKER_DATABASE_URL is not set.
    #[arg(long, env = "KEA_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide = true)]
    pub database_url: String,
    /// Handlers running at once.
    #[arg(long, env = "KEA_WORKER_CONCURRENCY", default_value_t = 16)]
    pub concurrency: usize,
    /// Jobs claimed ahead of the free handler slots and held ready (a local queue): with a
    /// deep queue each claim then fetches a batch even at concurrency 1. 0 claims only for
    /// free slots, so no job waits on a busy worker while another is idle.
    #[arg(long, env = "KEA_WORKER_PREFETCH", default_value_t = 0)]
    pub prefetch: usize,
    /// Threads running the worker. 1 (the default) runs everything on one thread: handlers wait
    /// on the network, and a job's hand-offs (claim loop, handler, completer) then cost no
    /// cross-thread wake-ups, which took 3x the CPU per job (docs/benchmarks.md, "Jobs"). Run
    /// more worker processes for more CPU, or give this a higher number.
    #[arg(long, env = "KEA_WORKER_THREADS", default_value_t = 1)]
    pub threads: usize,
    /// Lease of a claimed job, in seconds; heartbeats every third of it.
    #[arg(long, env = "KEA_WORKER_LEASE_S", default_value_t = 10.0)]
    pub lease_s: f32,
    /// Fallback poll, in milliseconds (NOTIFY is only a wake-up).
    #[arg(long, env = "KEA_WORKER_POLL_MS", default_value_t = 1000)]
    pub poll_ms: u64,
    /// Where `/metrics` is served (`off` serves nothing).
    #[arg(long, env = "KEA_WORKER_METRICS", default_value = "127.0.0.1:9187")]
    pub metrics: String,
    /// How long SIGTERM waits for running handlers before releasing their jobs.
    #[arg(long, env = "KEA_WORKER_SHUTDOWN_S", default_value_t = 10.0)]
    pub shutdown_s: f32,
    /// Timeout of one HTTP request to a POS or to Twilio, in seconds.
    #[arg(long, env = "KEA_WORKER_HTTP_TIMEOUT_S", default_value_t = 10.0)]
    pub http_timeout_s: f32,
    /// Seconds Twilio's message list may lag behind a send: a retried text that is not
    /// listed is looked up again this much later before it is sent (0: once only).
    #[arg(long, env = "KEA_WORKER_SMS_SETTLE_S", default_value_t = 5.0)]
    pub sms_settle_s: f32,
    /// Name of this worker in `locked_by` (default: host:pid:random).
    #[arg(long, env = "KEA_WORKER_ID")]
    pub worker_id: Option<String>,
    /// Twilio account SID (Messages API).
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub twilio_account_sid: Option<String>,
    /// Twilio auth token (Messages API basic auth).
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: Option<String>,
    /// Base URL of Twilio's REST API (a local stand-in in tests and the demo).
    #[arg(
        long,
        env = "KEA_TWILIO_API_URL",
        default_value = "https://api.twilio.com"
    )]
    pub twilio_api_url: String,
    /// Base URL of Square's API, for Square connections without a base URL of their own.
    #[arg(
        long,
        env = "KEA_SQUARE_API_URL",
        default_value = "https://connect.squareup.com"
    )]
    pub square_api_url: String,
    /// Public base URL of the gateway: text messages get `{KEA_PUBLIC_URL}/twilio/sms/status`
    /// as their StatusCallback.
    #[arg(long, env = "KEA_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl Config {
    /// The URL the worker logs in with.
    pub fn effective_database_url(&self) -> &str {
        self.worker_database_url
            .as_deref()
            .filter(|u| !u.is_empty())
            .unwrap_or(&self.database_url)
    }

    /// The lease as a duration (never below 100 ms, so heartbeats stay sane).
    pub fn lease(&self) -> Duration {
        Duration::from_secs_f32(self.lease_s.max(0.1))
    }

    /// This worker's name: unique per process, readable in `app.jobs.locked_by`.
    pub fn worker_name(&self) -> String {
        if let Some(id) = self.worker_id.as_deref().filter(|s| !s.is_empty()) {
            return id.to_string();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "worker".into());
        format!("{host}:{}:{:04x}", std::process::id(), fastrand::u16(..))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_url_falls_back_to_the_gateway_url() {
        let c = Config::parse_from(["kea-worker", "--database-url", "postgres://a@h/db"]);
        assert_eq!(c.effective_database_url(), "postgres://a@h/db");
        let c = Config::parse_from([
            "kea-worker",
            "--database-url",
            "postgres://a@h/db",
            "--worker-database-url",
            "postgres://w@h/db",
        ]);
        assert_eq!(c.effective_database_url(), "postgres://w@h/db");
    }

    #[test]
    fn worker_names_differ_between_configs() {
        let c = Config::parse_from(["kea-worker"]);
        assert!(c.worker_name().contains(&std::process::id().to_string()));
        let named = Config::parse_from(["kea-worker", "--worker-id", "w1"]);
        assert_eq!(named.worker_name(), "w1");
    }
}
