//! kea's gateway: HTTP in, one SQL call per request, HTTP out.
//!
//! Requests flow through these modules:
//! - [`server`]: accepts connections, routes each request, shuts down gracefully;
//!   [`connections`]: the cap that sheds idle and slow-body connections, and the idle and header
//!   timeouts; [`budget`]: the shares that keep connections for webhooks (docs/security.md).
//! - [`secrets`]: refuses the repository's development secrets unless `KEA_DEV=1`.
//! - [`client_addr`]: who the client is (the peer, or what a trusted proxy forwarded).
//! - [`signature`]: checks `X-Twilio-Signature` before anything reaches the database.
//! - [`params`]: webhook parameters cleaned of what SQL or XML cannot take, at the edge.
//! - [`twilio`]: a voice webhook becomes one `api.twilio_*` call whose text is the TwiML reply;
//!   any failure still answers TwiML that apologises and transfers (see [`directory`]).
//! - [`rpc`]: PostgREST-style `POST /rpc/{function}` for agents and POS callbacks (JWT roles).
//! - [`events`]: `GET /events`, live task events (LISTEN kea_tasks) as server-sent events;
//!   [`stream_limits`]: how many streams per token subject, per peer and in all.
//! - [`pages`]: the agent console (`/console`) and merchant page (`/merchant`), embedded.
//! - [`openapi`]: the `api` functions from the catalog, for /rpc and `GET /openapi.json`.
//! - [`http_error`]: the one place SQLSTATEs become HTTP statuses.
//! - [`db`]: the pool's shares (webhooks any connection, `/rpc` and anonymous requests less).
//! - [`metrics`]: Prometheus counters and latencies at `GET /metrics`; `GET /healthz`.

pub mod budget;
pub mod client_addr;
pub mod config;
pub mod connections;
pub mod db;
pub mod directory;
pub mod events;
pub mod http_error;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod params;
pub mod rpc;
pub mod secrets;
pub mod server;
pub mod signature;
pub mod simulator;
pub mod stream_limits;
pub mod twilio;

pub use config::Config;
pub use server::{run, AppState};
