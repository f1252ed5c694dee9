//! `GET /events`: live task events as server-sent events, for the agent console and the
//! merchant page (docs/console.md).
//!
//! One dedicated session connection per gateway `LISTEN`s on `kea_tasks` (never through a
//! transaction pooler: LISTEN needs a session), started with the first subscriber and
//! reconnected with backoff. Its notifications are fanned out to every subscriber over a
//! broadcast channel; each subscriber's task keeps only what its token may see:
//! - an agent (`kea_agent`, `agent_id`): events naming them, and later events of tasks they were
//!   told about (another agent took it, it was escalated or completed: `"yours": false`);
//! - a merchant (`kea_merchant`, `merchant_id`): the events of its own tasks.
//!
//! NOTIFY is a wake-up, not the truth: on connecting, after the listener reconnected, and when a
//! subscriber fell behind, it gets `{"event": "resync"}` and reloads through `/rpc`.
//!
//! The token is the one `/rpc` takes, in `Authorization: Bearer` (the console reads the stream
//! with `fetch`, so no token travels in a URL); the stream ends when the token expires. Streams
//! are limited per token subject, per peer and in all ([`crate::stream_limits`]): past a limit,
//! 429 with `Retry-After`.

use std::collections::HashSet;
use std::convert::Infallible;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc, watch};

use crate::auth;
use crate::connections::Serving;
use crate::reply::{error, Reply};
use crate::state::AppState;
use crate::stream_limits::Place;

/// Seconds a client refused for a stream limit is told to wait (`Retry-After`).
const RETRY_AFTER_LIMIT: u32 = 5;
/// A comment line this often keeps proxies and browsers from closing a quiet stream.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Who a stream is for, from the token.
#[derive(Debug, Clone, PartialEq)]
pub enum Audience {
    Agent(i64),
    Merchant(i64),
}

/// Decides, for one subscriber, what of each event it sees.
#[derive(Debug)]
pub struct Filter {
    audience: Audience,
    /// Tasks this agent was told about: their later events concern them too.
    known: HashSet<i64>,
}

impl Filter {
    pub fn new(audience: Audience) -> Filter {
        Filter {
            audience,
            known: HashSet::new(),
        }
    }

    /// The event as this subscriber sees it, or None.
    pub fn view(&mut self, event: &Value) -> Option<Value> {
        if event.get("event").and_then(Value::as_str) == Some("resync") {
            return Some(event.clone());
        }
        let task = event.get("task_id").and_then(Value::as_i64)?;
        match self.audience {
            Audience::Agent(me) => {
                let about = event.get("agent_id").and_then(Value::as_i64);
                let mut out = event.clone();
                let kind = event.get("event").and_then(Value::as_str).unwrap_or("");
                let done = matches!(kind, "completed" | "canceled" | "escalated");
                if about == Some(me) {
                    self.known.insert(task);
                    out["yours"] = json!(true);
                } else if self.known.contains(&task) {
                    // Another agent's doing, or the task moved on: it is gone from my list.
                    out["yours"] = json!(false);
                    out.as_object_mut()?.remove("agent_id");
                    if done || kind == "accepted" || kind == "offered" {
                        self.known.remove(&task);
                    }
                } else {
                    return None;
                }
                Some(out)
            }
            Audience::Merchant(mine) => {
                (event.get("merchant_id").and_then(Value::as_i64) == Some(mine)).then(|| {
                    let mut out = event.clone();
                    if let Some(o) = out.as_object_mut() {
                        o.remove("agent_id");
                    }
                    out
                })
            }
        }
    }
}

/// Who a token is for, as its streams are counted: the `sub` claim, or else its role and id.
fn subject(claims: &serde_json::Map<String, Value>, audience: &Audience) -> String {
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) => sub.to_string(),
        None => match audience {
            Audience::Agent(id) => format!("kea_agent:{id}"),
            Audience::Merchant(id) => format!("kea_merchant:{id}"),
        },
    }
}

/// The token's audience, expiry (seconds since the epoch), subject and claims, checked by
/// `/rpc`'s own [`auth::verify`]: HS256 with one of the configured secrets, `exp` and `nbf`.
type Authorized = (
    Audience,
    Option<u64>,
    String,
    serde_json::Map<String, Value>,
);

fn authorize(state: &AppState, req: &Request<Incoming>) -> Result<Authorized, Reply> {
    let token = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|a| a.to_str().ok())
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "PGRST301",
                "expected Authorization: Bearer <jwt>",
            )
        })?;
    let claims = auth::verify(token, &auth::secrets(state.config.jwt_secret.as_deref()))?;
    let id = |k: &str| claims.get(k).and_then(Value::as_i64);
    let exp = claims.get("exp").and_then(Value::as_u64);
    let audience = match (
        claims.get("role").and_then(Value::as_str),
        id("agent_id"),
        id("merchant_id"),
    ) {
        (Some("kea_agent"), Some(agent), _) => Audience::Agent(agent),
        (Some("kea_merchant"), _, Some(merchant)) => Audience::Merchant(merchant),
        _ => {
            return Err(error(
                StatusCode::FORBIDDEN,
                "42501",
                "events are for agents (agent_id) and merchants (merchant_id)",
            ))
        }
    };
    let subject = subject(&claims, &audience);
    Ok((audience, exp, subject, claims))
}

/// A token revoked since it was signed (`app.token_revoked`) gets no stream: 401. The check
/// takes a connection of the token share for a moment; a database that cannot answer is 503.
async fn still_valid(
    state: &AppState,
    claims: &serde_json::Map<String, Value>,
) -> Result<(), Reply> {
    if !auth::revocable(claims) {
        return Ok(());
    }
    let client = match state.shares.get(&state.pool, crate::db::Who::Token).await {
        Ok(c) => c,
        Err(crate::db::Refused::Busy(who)) => return Err(Reply::budget_full(state, who.share())),
        Err(crate::db::Refused::Pool(e)) => {
            return Err(error(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", &e))
        }
    };
    match auth::revoked(&**client, claims).await {
        Ok(None) => Ok(()),
        Ok(Some(why)) => Err(error(StatusCode::UNAUTHORIZED, "KA401", &why)),
        Err(e) => Err(error(
            crate::http_error::status_for(&e),
            "PGRST000",
            "the token could not be checked",
        )),
    }
}

/// An answer other than the stream (refused), as a response.
fn refusal(state: &AppState, reply: Reply) -> Response<BoxBody<Bytes, Infallible>> {
    state.metrics.observe("events", reply.status.as_u16(), 0.0);
    let mut response = Response::builder()
        .status(reply.status)
        .header(hyper::header::CONTENT_TYPE, reply.content_type);
    if let Some(seconds) = reply.retry_after {
        response = response.header(hyper::header::RETRY_AFTER, seconds);
    }
    response
        .body(http_body_util::Full::new(reply.body).boxed())
        .expect("static headers are valid")
}

/// Answers `GET /events` from `peer` (or the client a trusted proxy at `peer` forwarded): a stream that lives as long as the client, the token and
/// the server. It holds the connection's `serving` guard, so the idle timeout leaves it alone,
/// its place among the streams and its place among the connections not kept for webhooks.
pub async fn handle(
    state: &Arc<AppState>,
    req: Request<Incoming>,
    serving: Serving,
    peer: IpAddr,
) -> Response<BoxBody<Bytes, Infallible>> {
    serving.working();
    let (audience, exp, subject, claims) = match authorize(state, &req) {
        Ok(a) => a,
        Err(reply) => return refusal(state, reply),
    };
    if let Err(reply) = still_valid(state, &claims).await {
        return refusal(state, reply);
    }
    // Behind a trusted proxy every stream comes from the proxy: count the client it forwarded.
    let client =
        crate::client_addr::client(peer, req.headers(), &state.config.security.trusted_proxies)
            .unwrap_or(peer);
    let place = match state.streams.admit(&subject, client) {
        Ok(p) => p,
        Err(limit) => {
            state.metrics.count_events_refused(limit.name());
            let reply = error(
                StatusCode::TOO_MANY_REQUESTS,
                "KG429",
                &format!("too many /events streams open ({} limit)", limit.name()),
            );
            return refusal(state, reply.retry_after(RETRY_AFTER_LIMIT));
        }
    };
    let Ok(connection) = state.others.try_enter() else {
        return refusal(state, Reply::budget_full(state, "connections"));
    };
    state.metrics.observe("events", 200, 0.0);
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let events = state.events.subscribe();
    let closing = state.events.closing();
    tokio::spawn(pump(audience, exp, events, closing, tx));
    Response::builder()
        .status(StatusCode::OK)
        .header(hyper::header::CONTENT_TYPE, "text/event-stream")
        .header(hyper::header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(
            Stream {
                rx,
                _held: (serving, place, connection),
            }
            .boxed(),
        )
        .expect("static headers are valid")
}

/// Moves one subscriber's events into its stream until the client leaves, the token expires or
/// the server shuts down.
async fn pump(
    audience: Audience,
    exp: Option<u64>,
    mut events: broadcast::Receiver<Arc<Value>>,
    mut closing: watch::Receiver<bool>,
    tx: mpsc::Sender<Bytes>,
) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let expires = tokio::time::Instant::now()
        + Duration::from_secs(exp.map_or(u64::MAX / 4, |e| e.saturating_sub(now)));
    let who = match audience {
        Audience::Agent(id) => json!({"event": "ready", "agent_id": id}),
        Audience::Merchant(id) => json!({"event": "ready", "merchant_id": id}),
    };
    let mut filter = Filter::new(audience);
    if tx
        .send(Bytes::from(format!("retry: 2000\ndata: {who}\n\n")))
        .await
        .is_err()
    {
        return;
    }
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    loop {
        let frame = tokio::select! {
            got = events.recv() => match got {
                Ok(ev) => match filter.view(&ev) {
                    Some(v) => format!("data: {v}\n\n"),
                    None => continue,
                },
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    format!("data: {}\n\n", json!({"event": "resync"}))
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = heartbeat.tick() => ": ping\n\n".to_string(),
            _ = tokio::time::sleep_until(expires) => {
                let _ = tx.send(Bytes::from(format!("data: {}\n\n", json!({"event": "expired"})))).await;
                break;
            }
            _ = async { let _ = closing.wait_for(|c| *c).await; } => break,
            _ = tx.closed() => break,
        };
        if tx.send(Bytes::from(frame)).await.is_err() {
            break;
        }
    }
}

/// The response body: frames from the subscriber's task, ending when it does.
struct Stream {
    rx: mpsc::Receiver<Bytes>,
    /// Given back when the stream ends: the connection is idle again, and the stream's places.
    _held: (Serving, Place, tokio::sync::OwnedSemaphorePermit),
}

impl Body for Stream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx
            .poll_recv(cx)
            .map(|b| b.map(|bytes| Ok(Frame::data(bytes))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, task: i64, merchant: i64, agent: Option<i64>) -> Value {
        json!({"event": kind, "task_id": task, "merchant_id": merchant, "order_id": 1, "agent_id": agent})
    }

    #[test]
    fn an_agent_sees_its_own_offers_and_what_became_of_them() {
        let mut f = Filter::new(Audience::Agent(7));
        assert!(f.view(&ev("created", 1, 1, None)).is_none());
        assert!(f.view(&ev("offered", 1, 1, Some(8))).is_none());
        let mine = f.view(&ev("offered", 2, 1, Some(7))).expect("my offer");
        assert_eq!(mine["yours"], true);
        // The offer timed out (mine), went to agent 8, who accepted: I hear of it once.
        assert_eq!(
            f.view(&ev("timeout", 2, 1, Some(7))).unwrap()["yours"],
            true
        );
        let gone = f.view(&ev("offered", 2, 1, Some(8))).expect("taken");
        assert_eq!(gone["yours"], false);
        assert!(gone.get("agent_id").is_none(), "who took it is not told");
        assert!(f.view(&ev("accepted", 2, 1, Some(8))).is_none());
        assert_eq!(
            f.view(&json!({"event": "resync"})).unwrap()["event"],
            "resync"
        );
    }

    #[test]
    fn a_merchant_sees_its_own_tasks_only() {
        let mut f = Filter::new(Audience::Merchant(3));
        assert!(f.view(&ev("created", 1, 4, None)).is_none());
        let v = f.view(&ev("completed", 2, 3, Some(9))).expect("own task");
        assert!(v.get("agent_id").is_none());
    }
}
