//! Configuration, from the environment (or flags): see README "Configuration".

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "kea-gateway",
    about = "kea's HTTP gateway: Twilio webhooks and /rpc"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KEA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Where `/metrics` is served, apart from the public listener (`off`: nowhere).
    #[arg(long, env = "KEA_METRICS_LISTEN", default_value = "127.0.0.1:9188")]
    pub metrics_listen: String,
    /// PostgreSQL connection URL (the kea_authenticator role).
    #[arg(
        long,
        env = "KEA_DATABASE_URL",
        default_value = "postgres://kea_authenticator:kea@127.0.0.1:5432/kea"
    )]
    pub database_url: String,
    /// Twilio auth token: the key of X-Twilio-Signature.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: String,
    /// Base URL Twilio signs (e.g. https://kea.example.com behind a TLS proxy). Without it the
    /// URL is rebuilt from the Host header as http://.
    #[arg(long, env = "KEA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// HS256 secret for /rpc bearer tokens (JWT with a `role` claim).
    #[arg(long, env = "KEA_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Database connections in the pool.
    #[arg(long, env = "KEA_POOL_SIZE", default_value_t = 16)]
    pub pool_size: usize,
    /// Milliseconds a webhook waits for a database connection that served its merchant lately
    /// (its backend likely holds the merchant's menu compiled, `crate::lanes`) when all such are
    /// held, before taking another. 0 (the default): never waits while another is free.
    #[arg(long, env = "KEA_LANE_WAIT_MS", default_value_t = 0)]
    pub lane_wait_ms: u64,
    /// Most connections held open at once. A new connection past the cap closes the oldest one
    /// with no request in progress (idle, or still sending its headers); when every connection
    /// is busy, the new one is closed at once. Connections are always accepted, so the kernel's
    /// accept queue never fills up behind idle sockets.
    #[arg(long, env = "KEA_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Milliseconds a client has to send a whole request head, counted from when the connection
    /// is ready for one (accept, or the end of the previous response): stops slowloris.
    #[arg(long, env = "KEA_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Milliseconds a connection may stay silent with no request in progress before it is
    /// closed (keep-alive idle timeout; also applies before the first request).
    #[arg(long, env = "KEA_IDLE_TIMEOUT_MS", default_value_t = 5_000)]
    pub idle_timeout_ms: u64,
    /// Milliseconds to receive a request's body once its head has arrived; then 408.
    #[arg(long, env = "KEA_BODY_TIMEOUT_MS", default_value_t = 10_000)]
    pub body_timeout_ms: u64,
    /// Milliseconds one webhook's SQL call may take (pool wait included) before it is
    /// cancelled, its connection discarded, and the apology answered. Twilio waits 15 s in all.
    #[arg(long, env = "KEA_SQL_BUDGET_MS", default_value_t = 8_000)]
    pub sql_budget_ms: u64,
    #[command(flatten)]
    pub limits: Limits,
    #[command(flatten)]
    pub security: Security,
}

/// Who the clients are and which secrets may run (docs/security.md).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Security {
    /// Addresses of the proxies in front of the gateway (comma-separated IPs): from them, the
    /// client is the last address in X-Forwarded-For that is not one of them. Sign-ins are
    /// throttled per client address only when the client is known: a peer that is neither a
    /// listed proxy nor loopback, or the address such a proxy forwarded.
    #[arg(long, env = "KEA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A development machine: the repository's own secrets and short ones are taken (with a
    /// warning) instead of refused. Never in production.
    #[arg(long, env = "KEA_DEV", value_parser = clap::builder::FalseyValueParser::new())]
    pub dev: bool,
}

/// What each kind of traffic may hold, so that none can take what Twilio's webhooks need
/// (docs/security.md, "Connection budgets and pools"). Unset values follow the cap and the pool.
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// Open connections kept for webhooks: `/rpc`, `/openapi.json` and `/events` being answered
    /// may hold at most KEA_MAX_CONNECTIONS minus this many (then 503). Default: a quarter of
    /// the cap.
    #[arg(long, env = "KEA_WEBHOOK_CONNECTIONS")]
    pub webhook_connections: Option<usize>,
    /// Most `/events` streams open at once. Default: a quarter of the cap.
    #[arg(long, env = "KEA_EVENTS_MAX")]
    pub events_max: Option<usize>,
    /// Most `/events` streams of one token subject (the `sub` claim) at once.
    #[arg(long, env = "KEA_EVENTS_PER_SUBJECT", default_value_t = 4)]
    pub events_per_subject: usize,
    /// Most `/events` streams from one peer address at once (0: no limit, behind a proxy).
    #[arg(long, env = "KEA_EVENTS_PER_PEER", default_value_t = 32)]
    pub events_per_peer: usize,
    /// Database connections only webhooks use. Default: a quarter of the pool, at least 1.
    #[arg(long, env = "KEA_POOL_WEBHOOKS")]
    pub pool_webhooks: Option<usize>,
    /// Database connections anonymous requests (`/rpc` without a token, `/openapi.json`) may
    /// hold at once. Default: an eighth of the pool, at least 1.
    #[arg(long, env = "KEA_POOL_ANON")]
    pub pool_anon: Option<usize>,
    /// Requests of each `/rpc` share that may wait for a database connection; more get 503.
    #[arg(long, env = "KEA_POOL_QUEUE", default_value_t = 32)]
    pub pool_queue: usize,
}

impl Default for Limits {
    /// The defaults above (what the gateway runs with when no variable is set).
    fn default() -> Self {
        Limits {
            webhook_connections: None,
            events_max: None,
            events_per_subject: 4,
            events_per_peer: 32,
            pool_webhooks: None,
            pool_anon: None,
            pool_queue: 32,
        }
    }
}

/// The limits in numbers, for this cap and pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Connections `/rpc`, `/openapi.json` and `/events` may hold while being answered.
    pub other_connections: usize,
    pub events_max: usize,
    pub events_per_subject: usize,
    /// 0: no limit.
    pub events_per_peer: usize,
    /// Database connections `/rpc` calls with a token may hold at once.
    pub pool_token: usize,
    /// Database connections anonymous requests may hold at once.
    pub pool_anon: usize,
    pub pool_queue: usize,
}

impl Config {
    pub fn budgets(&self) -> Budgets {
        let cap = self.max_connections.max(1);
        let l = &self.limits;
        let webhooks = l.webhook_connections.unwrap_or(cap / 4).min(cap - 1);
        let pool = self.pool_size.max(1);
        let pool_webhooks = l.pool_webhooks.unwrap_or(pool / 4).max(1);
        // A pool smaller than its webhook share still lets /rpc have one connection.
        let pool_rpc = pool.saturating_sub(pool_webhooks).max(1);
        let pool_anon = l.pool_anon.unwrap_or(pool / 8).clamp(1, pool_rpc);
        Budgets {
            other_connections: cap - webhooks,
            events_max: l.events_max.unwrap_or(cap / 4).max(1),
            events_per_subject: l.events_per_subject.max(1),
            events_per_peer: l.events_per_peer,
            pool_token: pool_rpc.saturating_sub(pool_anon).max(1),
            pool_anon,
            pool_queue: l.pool_queue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max_connections: usize, pool_size: usize) -> Config {
        let mut c = Config::parse_from(["kea-gateway", "--twilio-auth-token", "t"]);
        c.max_connections = max_connections;
        c.pool_size = pool_size;
        c.limits = Limits::default();
        c
    }

    #[test]
    fn unset_budgets_follow_the_cap_and_the_pool() {
        let b = config(1024, 16).budgets();
        assert_eq!((b.other_connections, b.events_max), (768, 256));
        assert_eq!(
            (b.pool_token, b.pool_anon),
            (10, 2),
            "4 of 16 kept for webhooks"
        );
        let b = config(4, 4).budgets();
        assert_eq!((b.other_connections, b.events_max), (3, 1));
        assert_eq!((b.pool_token, b.pool_anon), (2, 1));
        // Nothing below one, whatever is configured.
        let mut c = config(1, 1);
        c.limits.webhook_connections = Some(5);
        c.limits.pool_webhooks = Some(5);
        let b = c.budgets();
        assert_eq!((b.other_connections, b.pool_token, b.pool_anon), (1, 1, 1));
    }

    #[test]
    fn kea_dev_is_a_flag_and_proxies_a_list() {
        let c = Config::parse_from([
            "kea-gateway",
            "--twilio-auth-token",
            "t",
            "--dev",
            "--trusted-proxies",
            "10.0.0.1,::1",
        ]);
        assert!(c.security.dev);
        assert_eq!(c.security.trusted_proxies.len(), 2);
        // Off unless set: the tests run with KEA_DEV=1 in their environment (scripts/lib.sh),
        // which clap reads too, so the expectation follows the environment.
        let set = std::env::var("KEA_DEV").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        assert_eq!(config(1, 1).security.dev, set, "off unless set");
    }

    #[test]
    fn the_clap_defaults_are_the_default_limits() {
        let parsed = Config::parse_from(["kea-gateway", "--twilio-auth-token", "t"]).limits;
        let d = Limits::default();
        assert_eq!(
            (
                parsed.events_per_subject,
                parsed.events_per_peer,
                parsed.pool_queue
            ),
            (d.events_per_subject, d.events_per_peer, d.pool_queue)
        );
    }
}
