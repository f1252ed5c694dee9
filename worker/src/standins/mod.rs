//! Local stand-ins for what kea talks to outside the machine: a generic POS webhook receiver
//! ([`pos_webhook`]), Square's Orders API ([`square`]) and Twilio's Messages API
//! ([`twilio`]). Each is a small hyper server that checks what the real one checks
//! (signature, credentials, idempotency keys) and answers in the real one's shape. What a
//! developer runs with no POS or Twilio account, and what tests and the demo point the
//! worker at.
//!
//! Every stand-in also serves the control endpoints of [`control`]: `GET /_received`,
//! `POST /_fail`, `/_down`, `/_hold`, `/_refuse`, `/_reset`.

pub mod control;
pub mod pos_webhook;
pub mod square;
pub mod twilio;

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Method, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

use control::Stand;

/// Larger bodies are refused: nothing kea sends comes near.
const MAX_BODY: usize = 1024 * 1024;

/// A request, read whole.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    /// The first query value named `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A JSON answer (or, as a fault, a body that is not JSON, or no answer at all).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// `Retry-After` seconds.
    pub retry_after: Option<u32>,
    /// Sent instead of `body` (a fault).
    pub raw: Option<Bytes>,
    /// Close the connection without answering (a fault).
    pub drop: bool,
}

impl Reply {
    pub fn new(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body,
            retry_after: None,
            raw: None,
            drop: false,
        }
    }
}

/// One stand-in: what it answers, and how it says it is failing.
pub trait Role: Send + Sync + 'static {
    /// For logs.
    fn name(&self) -> &'static str;
    /// Answers a request that is not a control endpoint (and no fault applies).
    fn handle(&self, req: &Request) -> Reply;
    /// An error answer in this service's shape, for the fault endpoints.
    fn error(&self, status: u16) -> Reply;
    /// What it keeps (orders, messages), merged into `GET /_received`.
    fn received(&self) -> serde_json::Map<String, Value>;
    /// Role-specific control endpoints (`/_...`); None: not one of its own.
    fn control(&self, _req: &Request) -> Option<Reply> {
        None
    }
}

/// A running stand-in.
pub struct Running {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub stand: Arc<Stand>,
}

/// Binds `addr` and serves `role` in the background.
pub async fn start(addr: &str, role: Arc<dyn Role>) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let stand = Arc::new(Stand::new(role));
    tokio::spawn(serve(listener, stand.clone()));
    Ok(Running { url, stand })
}

/// Serves until the process ends.
pub async fn serve(listener: TcpListener, stand: Arc<Stand>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let stand = stand.clone();
        let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let stand = stand.clone();
            async move {
                let reply = match read(req).await {
                    Ok(r) => stand.answer(r).await,
                    Err(reply) => reply,
                };
                if reply.drop {
                    // An error from the service closes the connection with no answer.
                    return Err(Dropped);
                }
                let mut answer = Response::builder()
                    .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK))
                    .header(hyper::header::CONTENT_TYPE, "application/json");
                if let Some(s) = reply.retry_after {
                    answer = answer.header(hyper::header::RETRY_AFTER, s.to_string());
                }
                let body = reply
                    .raw
                    .unwrap_or_else(|| Bytes::from(reply.body.to_string()));
                Ok::<_, Dropped>(
                    answer
                        .body(Full::new(body))
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

/// The `/_drop` fault: the connection is closed instead of answered.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped (stand-in fault)")
    }
}

impl std::error::Error for Dropped {}

async fn read(req: hyper::Request<hyper::body::Incoming>) -> Result<Request, Reply> {
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, MAX_BODY)
        .collect()
        .await
        .map_err(|_| Reply::new(413, serde_json::json!({"error": "body too large"})))?
        .to_bytes();
    let query = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    Ok(Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query,
        headers: parts.headers,
        body,
    })
}
