//! Accepts connections, routes requests, shuts down gracefully.
//! `run` takes a bound listener so tests can bind port 0 and run the real server in-process.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use deadpool_postgres::Pool;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::directory::Directory;
use crate::metrics::Metrics;
use crate::twilio::Webhook;
use crate::{rpc, twilio};

/// Twilio's webhooks are a few KB; nothing kea serves needs more than this.
const MAX_BODY: usize = 64 * 1024;

pub struct AppState {
    pub config: Config,
    pub pool: Pool,
    pub directory: Directory,
    pub metrics: Metrics,
}

/// A response under construction.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
}

impl Reply {
    pub fn xml(body: String) -> Reply {
        Reply {
            status: StatusCode::OK,
            content_type: "text/xml; charset=utf-8",
            body: body.into(),
        }
    }
    pub fn text(status: StatusCode, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }
    pub fn json(status: StatusCode, v: &serde_json::Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: v.to_string().into(),
        }
    }
}

/// Serves until `shutdown` resolves, then lets open requests finish.
pub async fn run(listener: TcpListener, state: Arc<AppState>, shutdown: impl Future<Output = ()>) {
    let limit = Arc::new(Semaphore::new(state.config.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = limit.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let service = service_fn(move |req| {
            let state = state.clone();
            async move { Ok::<_, Infallible>(route(&state, req).await) }
        });
        let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down: waiting for open requests");
    graceful.shutdown().await;
}

async fn route(state: &AppState, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let hook = Webhook::from_path(&path);
    let (label, reply) = match (&parts.method, path.as_str(), hook) {
        (&Method::GET, "/healthz", _) => ("healthz", health(state).await),
        (&Method::GET, "/metrics", _) => (
            "metrics",
            Reply {
                status: StatusCode::OK,
                content_type: "application/openmetrics-text; version=1.0.0; charset=utf-8",
                body: state.metrics.encode().into(),
            },
        ),
        (&Method::POST, _, Some(hook)) => {
            let reply = match read_body(body).await {
                Ok(b) => twilio::handle(state, hook, &parts.uri, &parts.headers, b).await,
                Err(r) => r,
            };
            (hook.route(), reply)
        }
        (&Method::POST, p, None) if p.starts_with("/rpc/") => {
            let reply = match read_body(body).await {
                Ok(b) => rpc::handle(state, &p["/rpc/".len()..], &parts.headers, b).await,
                Err(r) => r,
            };
            ("rpc", reply)
        }
        (_, p, hook) if hook.is_some() || p.starts_with("/rpc/") => (
            "other",
            Reply::text(StatusCode::METHOD_NOT_ALLOWED, "use POST\n"),
        ),
        _ => ("other", Reply::text(StatusCode::NOT_FOUND, "not found\n")),
    };
    state.metrics.observe(
        label,
        reply.status.as_u16(),
        started.elapsed().as_secs_f64(),
    );
    Response::builder()
        .status(reply.status)
        .header(hyper::header::CONTENT_TYPE, reply.content_type)
        .body(Full::new(reply.body))
        .expect("static headers are valid")
}

async fn read_body(body: Incoming) -> Result<Bytes, Reply> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(_) => Err(Reply::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body too large or broken\n",
        )),
    }
}

async fn health(state: &AppState) -> Reply {
    let ok = match state.pool.get().await {
        Ok(c) => c.query_one("select 1", &[]).await.is_ok(),
        Err(_) => false,
    };
    if ok {
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

/// Builds the state: pool and directory (the directory loads in the background, so the gateway
/// starts and answers fallbacks even while the database is down).
pub fn build_state(
    config: Config,
) -> Result<Arc<AppState>, Box<dyn std::error::Error + Send + Sync>> {
    let pg: tokio_postgres::Config = config.database_url.parse()?;
    let manager = deadpool_postgres::Manager::from_config(
        pg,
        tokio_postgres::NoTls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(config.pool_size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()?;
    let directory = Directory::default();
    directory.spawn_refresher(pool.clone(), std::time::Duration::from_secs(30));
    Ok(Arc::new(AppState {
        config,
        pool,
        directory,
        metrics: Metrics::default(),
    }))
}
