//! What every stand-in does around its role: record each request, answer the control
//! endpoints tests use, and play faults.
//!
//! | endpoint | effect |
//! |---|---|
//! | `GET /_received` | every request received (with the status answered), and the role's records |
//! | `POST /_fail?status=503&count=N` | the next N requests answer `status` |
//! | `POST /_down?seconds=S[&status=503]` | every request answers `status` for S seconds |
//! | `POST /_hold?ms=M` | each answer is held M ms after the request was processed (0: off) |
//! | `POST /_refuse?status=422` | every request answers `status` until `/_reset` |
//! | `POST /_reset` | no more faults (records are kept) |
//!
//! A request is processed (and recorded) before it is held: as with a real service, a client
//! that dies waiting has still had its effect.

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
    down_until: Option<(Instant, u16)>,
    hold: Duration,
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
}

/// A stand-in: its role, its faults and what it received.
pub struct Stand {
    role: Arc<dyn Role>,
    faults: Mutex<Faults>,
    log: Mutex<Vec<Value>>,
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
        let (fault, hold) = {
            let mut f = self.faults();
            (f.take(Instant::now()), f.hold)
        };
        let reply = match fault {
            Some(status) => self.role.error(status),
            None => self.role.handle(&req),
        };
        self.record(&req, reply.status);
        if !hold.is_zero() {
            tokio::time::sleep(hold).await;
        }
        reply
    }

    fn record(&self, req: &Request, status: u16) {
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
            "headers": headers, "body": body, "status": status,
        });
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
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
                self.faults().fail = (count > 0).then_some((status, count));
                ok(json!({"fail": {"status": status, "count": count}}))
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
                self.faults().hold = Duration::from_millis(ms);
                ok(json!({"hold_ms": ms}))
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
}
