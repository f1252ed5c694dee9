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
    /// Most connections served at once; more wait in the accept queue.
    #[arg(long, env = "KEA_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
}
