//! Accepts connections, routes each request to its handler, shuts down gracefully.
//! `run` takes a bound listener so tests can bind port 0 and run the real server in-process.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::connections::{Admission, Registry, Serving, Watched, CLOSE_GRACE};
use crate::reply::Reply;
use crate::twilio::Webhook;
use crate::{client_addr, events, openapi, pages, rpc, twilio};

// The state is built and owned by `state`; re-exported where the binary and the tests take it.
pub use crate::state::{build_state, AppState};

/// Twilio's webhooks are a few KB; nothing kea serves needs more than this.
const MAX_BODY: usize = 64 * 1024;

/// Serves until `shutdown` resolves, then lets open requests finish.
pub async fn run(listener: TcpListener, state: Arc<AppState>, shutdown: impl Future<Output = ()>) {
    let registry = Arc::new(Registry::default());
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(at_least_100ms(state.config.header_timeout_ms));
    tokio::pin!(shutdown);
    loop {
        // Always accept: the cap is applied to accepted connections (see `connections`).
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    // Out of file descriptors, typically: give closing connections a moment
                    // rather than spinning on the error.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let (admission, admitted) = registry.admit(state.config.max_connections);
        match admission {
            Admission::Admitted => {}
            Admission::ShedIdle => state.metrics.count_shed("idle"),
            Admission::ShedBody => state.metrics.count_shed("body"),
            Admission::Refused => {
                state.metrics.connections_refused.inc();
            }
        }
        // Counted after what it shed: a scrape never sees more accepted past the cap than shed.
        state.metrics.connections_accepted.inc();
        let Some((id, conn)) = admitted else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service_state = state.clone();
        let service_conn = conn.clone();
        let service = service_fn(move |req| {
            let state = service_state.clone();
            let conn = service_conn.clone();
            async move {
                let serving = conn.serving();
                // A stream, not one reply: it keeps the guard (busy) for as long as it lasts.
                if req.method() == Method::GET && req.uri().path() == "/events" {
                    let peer = peer.ip();
                    return Ok::<_, Infallible>(events::handle(&state, req, serving, peer).await);
                }
                Ok(route(&state, req, &serving, peer.ip())
                    .await
                    .map(BodyExt::boxed))
            }
        });
        let served =
            http.serve_connection(TokioIo::new(Watched::new(stream, conn.clone())), service);
        let idle_timeout = at_least_100ms(state.config.idle_timeout_ms);
        let registry = registry.clone();
        let metrics_state = state.clone();
        tokio::spawn(async move {
            tokio::pin!(served);
            // Runs the connection until it ends, closing it gracefully when asked to (shed,
            // shutdown) or when it has been idle for `idle_timeout`, and dropping it if it has
            // not finished CLOSE_GRACE later with nothing in progress.
            let mut closing: Option<tokio::time::Instant> = None;
            loop {
                let now = tokio::time::Instant::now();
                let idle_at = now + idle_timeout.saturating_sub(conn.idle_for());
                let grace_at = closing.map_or(now + idle_timeout, |t| t + CLOSE_GRACE);
                tokio::select! {
                    ended = served.as_mut() => {
                        if let Err(e) = ended {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    _ = conn.close_requested(), if closing.is_none() => {
                        if conn.dropped() {
                            // Shed mid-body: nothing to finish, the request is dropped with it.
                            break;
                        }
                        served.as_mut().graceful_shutdown();
                        closing = Some(tokio::time::Instant::now());
                    }
                    _ = tokio::time::sleep_until(idle_at), if closing.is_none() => {
                        if !conn.busy() && conn.idle_for() >= idle_timeout {
                            metrics_state.metrics.connections_idle_closed.inc();
                            served.as_mut().graceful_shutdown();
                            closing = Some(tokio::time::Instant::now());
                        }
                    }
                    _ = tokio::time::sleep_until(grace_at), if closing.is_some() => {
                        if !conn.busy() {
                            break;
                        }
                        // A request still in service (at shutdown) may finish first.
                        closing = Some(tokio::time::Instant::now());
                    }
                }
            }
            registry.remove(id);
        });
    }
    tracing::info!("shutting down: waiting for open requests");
    state.events.shutdown();
    registry.close_all().await;
}

/// Serves `GET /metrics` (Prometheus text) on a listener of its own (`KEA_METRICS_LISTEN`):
/// the public listener does not answer it, so the internet does not read kea's numbers
/// (docs/security.md, "Information"). Plain and small: one scraper, no budgets.
pub async fn serve_metrics(listener: TcpListener, state: Arc<AppState>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let state = state.clone();
        let service = service_fn(move |req: Request<Incoming>| {
            let state = state.clone();
            async move {
                let (status, body) = match (req.method(), req.uri().path()) {
                    (&Method::GET, "/metrics") => (StatusCode::OK, state.metrics.encode()),
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
        let timer = at_least_100ms(10_000);
        tokio::spawn(async move {
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new()).header_read_timeout(timer);
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// A configured timeout; zero or tiny values would close every connection at once (or spin the
/// idle check), so nothing below 100 ms is taken.
fn at_least_100ms(ms: u64) -> Duration {
    Duration::from_millis(ms.max(100))
}

async fn route(
    state: &AppState,
    req: Request<Incoming>,
    serving: &Serving,
    peer: std::net::IpAddr,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let hook = Webhook::from_path(&path);
    let rpc = path.starts_with("/rpc/");
    let label = hook.map_or(if rpc { "rpc" } else { "other" }, Webhook::route);
    let has_body = parts.method == Method::POST && (hook.is_some() || rpc);
    // What may wait for the database counts against the connections not kept for webhooks;
    // pages and /healthz answer at once (a load balancer's checks must keep working in a flood).
    let counted = rpc || path == "/openapi.json";
    let (label, reply) = match receive(state, body, has_body, counted, serving).await {
        Err(reply) => (label, reply),
        Ok((body, _place)) => dispatch(state, &parts, &path, hook, body, peer).await,
    };
    state.metrics.observe(
        label,
        reply.status.as_u16(),
        started.elapsed().as_secs_f64(),
    );
    reply.into_response(label == "rpc")
}

/// The request's body (webhooks and `POST /rpc` have one), then, when `counted`, its place among
/// the connections not kept for webhooks. Until its body has arrived the connection may be shed
/// for room.
async fn receive(
    state: &AppState,
    body: Incoming,
    has_body: bool,
    counted: bool,
    serving: &Serving,
) -> Result<(Bytes, Option<tokio::sync::OwnedSemaphorePermit>), Reply> {
    let body = if has_body {
        read_body(body, at_least_100ms(state.config.body_timeout_ms)).await?
    } else {
        Bytes::new()
    };
    serving.working();
    if !counted {
        return Ok((body, None));
    }
    match state.others.try_enter() {
        Ok(place) => Ok((body, Some(place))),
        Err(_) => Err(Reply::budget_full(state, "connections")),
    }
}

async fn dispatch(
    state: &AppState,
    parts: &hyper::http::request::Parts,
    path: &str,
    hook: Option<Webhook>,
    body: Bytes,
    peer: std::net::IpAddr,
) -> (&'static str, Reply) {
    let client =
        || client_addr::client(peer, &parts.headers, &state.config.security.trusted_proxies);
    match (&parts.method, path, hook) {
        (&Method::GET, "/healthz", _) => ("healthz", health(state).await),
        (&Method::GET, p, None) if pages::serves(p) => ("page", pages::reply(p)),
        (&Method::POST, _, Some(hook)) => (
            hook.route(),
            twilio::handle(state, hook, &parts.uri, &parts.headers, body).await,
        ),
        (&Method::POST, p, None) if p.starts_with("/rpc/") => {
            let f = &p["/rpc/".len()..];
            let reply = rpc::handle(
                state,
                &Method::POST,
                f,
                None,
                &parts.headers,
                body,
                client(),
            )
            .await;
            ("rpc", reply)
        }
        (&Method::GET, p, None) if p.starts_with("/rpc/") => {
            let f = &p["/rpc/".len()..];
            let q = parts.uri.query();
            let reply = rpc::handle(
                state,
                &Method::GET,
                f,
                q,
                &parts.headers,
                Bytes::new(),
                client(),
            )
            .await;
            ("rpc", reply)
        }
        (&Method::GET, "/openapi.json", _) => {
            ("openapi", openapi::serve(state, &parts.headers).await)
        }
        (_, p, hook) if hook.is_some() || p.starts_with("/rpc/") => (
            "other",
            Reply::text(StatusCode::METHOD_NOT_ALLOWED, "use POST\n"),
        ),
        _ => ("other", Reply::text(StatusCode::NOT_FOUND, "not found\n")),
    }
}

/// The request body, at most [`MAX_BODY`] bytes and within `timeout`: a client that sends its
/// headers and then its body one byte at a time is answered 408, not waited for.
async fn read_body(body: Incoming, timeout: Duration) -> Result<Bytes, Reply> {
    match tokio::time::timeout(timeout, Limited::new(body, MAX_BODY).collect()).await {
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(_)) => Err(Reply::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body too large or broken\n",
        )),
        Err(_) => Err(Reply::text(
            StatusCode::REQUEST_TIMEOUT,
            "body not received in time\n",
        )),
    }
}

async fn health(state: &AppState) -> Reply {
    if state.health.check(&state.pool).await {
        Reply::json(
            StatusCode::OK,
            &serde_json::json!({"status": "ok", "database": "ok"}),
        )
    } else {
        Reply::json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({"status": "degraded", "database": "unreachable"}),
        )
    }
}
