//! What every stand-in does around its role: record each request, answer the control
//! endpoints tests use, and play faults.
//!
//! | endpoint | effect |
//! |---|---|
//! | `GET /_received` | every request received (with the status answered), and the role's records |
//! | `POST /_fail?status=503&count=N[&retry_after=S]` | the next N requests answer `status` (with `Retry-After: S`) |
//! | `POST /_down?seconds=S[&status=503]` | every request answers `status` for S seconds |
//! | `POST /_hold?ms=M[&count=N]` | each answer (or the next N) is held M ms after the request was processed (0: off) |
//! | `POST /_drop?count=N` | the next N requests are processed, then their connection is closed with no answer |
//! | `POST /_garbage?count=N[&status=200]` | the next N requests are processed, then answered `status` with a body that is not JSON (nor UTF-8) |
//! | `POST /_refuse?status=422` | every request answers `status` until `/_reset` |
//! | `POST /_reset` | no more faults (records are kept) |
//!
//! A request is processed (and recorded) before it is held, dropped or garbled: as with a real
//! service, a client that dies waiting, or cannot read the answer, has still had its effect.
//! Each recorded request carries `at_ms`, milliseconds since the stand-in started, so a test
//! can tell which requests overlapped.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::{json, Value};

use super::{Reply, Request, Role};

/// The faults in force.
#[derive(Debug, Default, Clone)]
struct Faults {
    /// (status, requests left)
    fail: Option<(u16, u32)>,
    /// Retry-After seconds sent with the counted failures.
    retry_after: Option<u32>,
    down_until: Option<(Instant, u16)>,
    hold: Duration,
    /// Answers left to hold (None: every one).
    hold_left: Option<u32>,
    /// Connections left to close instead of answering.
    drop_left: u32,
    /// (status, answers left) to send with a body that is not JSON.
    garbage: Option<(u16, u32)>,
    refuse: Option<u16>,
}

impl Faults {
    /// The status to answer instead of the role's, consuming one failure if counted.
    fn take(&mut self, now: Instant) -> Option<u16> {
        if let Some(s) = self.refuse {
            return Some(s);
        }
        if let Some((until, s)) = self.down_until {
            if now < until {
                return Some(s);
            }
            self.down_until = None;
        }
        if let Some((s, left)) = self.fail {
            self.fail = (left > 1).then(|| (s, left - 1));
            return Some(s);
        }
        None
    }

    /// How long to hold this answer, consuming one hold if counted.
    fn take_hold(&mut self) -> Duration {
        match self.hold_left {
            None => self.hold,
            Some(0) => Duration::ZERO,
            Some(n) => {
                self.hold_left = Some(n - 1);
                self.hold
            }
        }
    }

    /// What becomes of an answer the role (or a fault) gave: dropped, garbled, or sent.
    fn mangle(&mut self, mut reply: Reply) -> Reply {
        if self.drop_left > 0 {
            self.drop_left -= 1;
            reply.drop = true;
        } else if let Some((status, left)) = self.garbage {
            self.garbage = (left > 1).then_some((status, left - 1));
            reply.status = status;
            reply.raw = Some(bytes::Bytes::from_static(
                b"<html>\xff\xfe 502 Bad Gateway</ht\x00",
            ));
        }
        reply
    }
}

/// A stand-in: its role, its faults and what it received.
pub struct Stand {
    role: Arc<dyn Role>,
    faults: Mutex<Faults>,
    log: Mutex<Vec<Value>>,
    started: Instant,
}

fn status_param(req: &Request, default: u16) -> u16 {
    req.query("status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

impl Stand {
    pub fn new(role: Arc<dyn Role>) -> Stand {
        Stand {
            role,
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(Vec::new()),
            started: Instant::now(),
        }
    }

    /// The role, for tests that read its records directly.
    pub fn role(&self) -> &Arc<dyn Role> {
        &self.role
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What `GET /_received` answers.
    pub fn received(&self) -> Value {
        let mut out = self.role.received();
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner()).clone();
        out.insert("requests".into(), Value::Array(log));
        Value::Object(out)
    }

    /// Answers one request: a control endpoint, a fault, or the role.
    pub async fn answer(&self, req: Request) -> Reply {
        if req.path.starts_with("/_") {
            return self.control(&req);
        }
        let (fault, retry_after, hold) = {
            let mut f = self.faults();
            (f.take(Instant::now()), f.retry_after, f.take_hold())
        };
        let at_ms = self.started.elapsed().as_millis() as u64;
        let mut reply = match fault {
            Some(status) => {
                let mut r = self.role.error(status);
                r.retry_after = retry_after.or(r.retry_after);
                r
            }
            None => self.role.handle(&req),
        };
        reply = self.faults().mangle(reply);
        let answer = if reply.drop {
            "dropped".to_string()
        } else if reply.raw.is_some() {
            "garbage".to_string()
        } else {
            "json".to_string()
        };
        let index = self.record(&req, reply.status, at_ms, &answer);
        if !hold.is_zero() {
            tokio::time::sleep(hold).await;
        }
        // When the answer left (or the connection closed): a test sees which runs overlapped.
        if let Some(entry) = self
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(index)
        {
            entry["done_ms"] = (self.started.elapsed().as_millis() as u64).into();
        }
        reply
    }

    /// Records a request; returns its index in the log.
    fn record(&self, req: &Request, status: u16, at_ms: u64, answer: &str) -> usize {
        let text = String::from_utf8_lossy(&req.body).into_owned();
        let body = serde_json::from_str::<Value>(&text).unwrap_or_else(|_| {
            let form: serde_json::Map<String, Value> = form_urlencoded::parse(text.as_bytes())
                .into_owned()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            if form.is_empty() {
                Value::String(text)
            } else {
                Value::Object(form)
            }
        });
        let headers: serde_json::Map<String, Value> = ["idempotency-key", "x-kea-signature"]
            .iter()
            .filter_map(|h| Some((h.to_string(), Value::String(req.header(h)?.to_string()))))
            .collect();
        let query: serde_json::Map<String, Value> = req
            .query
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let entry = json!({
            "method": req.method.as_str(), "path": req.path, "query": query,
            "headers": headers, "body": body, "status": status, "at_ms": at_ms,
            "answer": answer,
        });
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.push(entry);
        log.len() - 1
    }

    fn control(&self, req: &Request) -> Reply {
        let ok = |what: Value| Reply::new(200, json!({"ok": true, "now": what}));
        match (&req.method, req.path.as_str()) {
            (&Method::GET, "/_received") => Reply::new(200, self.received()),
            (&Method::POST, "/_fail") => {
                let count = req
                    .query("count")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1u32);
                let status = status_param(req, 503);
                let retry_after = req.query("retry_after").and_then(|s| s.parse().ok());
                let mut f = self.faults();
                f.fail = (count > 0).then_some((status, count));
                f.retry_after = retry_after;
                ok(json!({"fail": {"status": status, "count": count, "retry_after": retry_after}}))
            }
            (&Method::POST, "/_down") => {
                let secs: f64 = req
                    .query("seconds")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(5.0);
                let status = status_param(req, 503);
                self.faults().down_until = Some((
                    Instant::now() + Duration::from_secs_f64(secs.max(0.0)),
                    status,
                ));
                ok(json!({"down": {"seconds": secs, "status": status}}))
            }
            (&Method::POST, "/_hold") => {
                let ms: u64 = req.query("ms").and_then(|s| s.parse().ok()).unwrap_or(0);
                let count: Option<u32> = req.query("count").and_then(|s| s.parse().ok());
                let mut f = self.faults();
                f.hold = Duration::from_millis(ms);
                f.hold_left = count;
                ok(json!({"hold_ms": ms, "count": count}))
            }
            (&Method::POST, "/_drop") => {
                let count: u32 = req.query("count").and_then(|s| s.parse().ok()).unwrap_or(1);
                self.faults().drop_left = count;
                ok(json!({"drop": count}))
            }
            (&Method::POST, "/_garbage") => {
                let count: u32 = req.query("count").and_then(|s| s.parse().ok()).unwrap_or(1);
                let status = status_param(req, 200);
                self.faults().garbage = (count > 0).then_some((status, count));
                ok(json!({"garbage": {"status": status, "count": count}}))
            }
            (&Method::POST, "/_refuse") => {
                let status = status_param(req, 422);
                self.faults().refuse = (status != 0).then_some(status);
                ok(json!({"refuse": status}))
            }
            (&Method::POST, "/_reset") => {
                *self.faults() = Faults::default();
                ok(json!({}))
            }
            _ => self
                .role
                .control(req)
                .unwrap_or_else(|| Reply::new(404, json!({"error": "no such control endpoint"}))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_in_order_of_precedence() {
        let now = Instant::now();
        let mut f = Faults {
            fail: Some((503, 2)),
            ..Faults::default()
        };
        assert_eq!(f.take(now), Some(503));
        assert_eq!(f.take(now), Some(503));
        assert_eq!(f.take(now), None);
        f.down_until = Some((now + Duration::from_secs(1), 502));
        assert_eq!(f.take(now), Some(502));
        assert_eq!(f.take(now + Duration::from_secs(2)), None);
        f.refuse = Some(422);
        assert_eq!(f.take(now), Some(422));
        assert_eq!(f.take(now), Some(422));
    }

    #[test]
    fn counted_holds_drops_and_garbage_run_out() {
        let mut f = Faults {
            hold: Duration::from_millis(5),
            hold_left: Some(1),
            drop_left: 1,
            garbage: Some((200, 1)),
            ..Faults::default()
        };
        assert_eq!(f.take_hold(), Duration::from_millis(5));
        assert_eq!(f.take_hold(), Duration::ZERO);
        let first = f.mangle(Reply::new(200, json!({})));
        assert!(first.drop && first.raw.is_none());
        let second = f.mangle(Reply::new(201, json!({})));
        assert!(!second.drop && second.raw.is_some());
        assert_eq!(second.status, 200);
        let third = f.mangle(Reply::new(201, json!({})));
        assert!(!third.drop && third.raw.is_none());
    }
}
