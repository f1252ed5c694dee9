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
}
