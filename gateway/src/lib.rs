//! kea's gateway: HTTP in, one SQL call per request, HTTP out.
//!
//! The modules in the order a request meets them (handlers depend on the shared modules below
//! them, never on `server` nor on each other):
//! - [`server`]: accepts connections and routes each request to its handler; shuts down
//!   gracefully. [`connections`]: the cap that sheds idle and slow-body connections, and the
//!   idle and header timeouts; [`budget`]: the shares that keep connections for webhooks
//!   (docs/security.md).
//! - [`client_addr`]: who the client is (the peer, or what a trusted proxy forwarded).
//! - Handlers:
//!   - [`twilio`]: a voice webhook becomes one `api.twilio_*` call whose text is the TwiML
//!     reply; any failure still answers TwiML that apologises and transfers (see [`directory`]).
//!     [`signature`] checks `X-Twilio-Signature` before anything reaches the database;
//!     [`params`] cleans webhook parameters of what SQL or XML cannot take, at the edge.
//!   - [`rpc`]: PostgREST-style `POST /rpc/{function}` for agents and POS callbacks (JWT roles).
//!   - [`openapi`]: `GET /openapi.json`, the `api` functions the caller may call.
//!   - [`events`]: `GET /events`, live task events as server-sent events, from the
//!     [`event_hub`] (LISTEN kea_tasks); [`stream_limits`]: how many streams per token subject,
//!     per peer and in all.
//!   - [`pages`]: the agent console (`/console`) and merchant page (`/merchant`), embedded.
//! - What the handlers share:
//!   - [`auth`]: the bearer token (JWT) checked, its role, whether it was revoked.
//!   - [`catalog`]: the `api` functions as the database's catalog describes them.
//!   - [`reply`]: the answer, and the whole error answer (PostgREST's body, `WWW-Authenticate`);
//!     [`http_error`]: the one place SQLSTATEs become HTTP statuses.
//!   - [`state`]: what every request reads, built at start-up from [`config`] (checked by
//!     [`secrets`]: no development secrets unless `KEA_DEV=1`).
//!   - [`db`]: the pool's shares (webhooks any connection, `/rpc` and anonymous requests less);
//!     [`pg_notices`]: its connections log PostgreSQL's warnings as warnings.
//!   - [`metrics`]: Prometheus counters and latencies at `GET /metrics`; `GET /healthz`.
//! - [`simulator`]: a caller speaking Twilio's webhooks, for tests and benchmarks.

pub mod server;

pub mod budget;
pub mod client_addr;
pub mod connections;

pub mod directory;
pub mod event_hub;
pub mod events;
pub mod openapi;
pub mod pages;
pub mod params;
pub mod rpc;
pub mod signature;
pub mod stream_limits;
pub mod twilio;

pub mod auth;
pub mod catalog;
pub mod config;
pub mod db;
pub mod http_error;
pub mod lanes;
pub mod metrics;
pub mod pg_notices;
pub mod reply;
pub mod secrets;
pub mod state;

pub mod simulator;

pub use config::Config;
pub use server::run;
pub use state::AppState;
