//! A generic POS taking kea's signed webhook: checks `X-Kea-Signature` against its secret
//! (401 when wrong), keeps one order per `Idempotency-Key` (a repeat gets the first answer
//! and is counted as a delivery, not a new order), and answers
//! `{"order_id": "pos-N", "status": "accepted", "ready_at": "..."}`. A repeat whose ticket
//! differs from the first is refused (422, as Stripe-style APIs refuse a key reused for
//! another request) and counted in the order's `mismatches`: a retry must send what the first
//! attempt sent.

use std::collections::HashMap;
use std::sync::Mutex;

use hyper::Method;
use serde_json::{json, Map, Value};

use super::{Reply, Request, Role};
use crate::dates::{self, now_unix};
use crate::handlers::pos::webhook::{verify, SIGNATURE_HEADER};

/// One order the POS took.
#[derive(Debug, Clone)]
struct Order {
    key: String,
    answer: Value,
    /// Requests that carried this key (the first one and its repeats).
    deliveries: u32,
    /// Repeats whose ticket was not the first one's.
    mismatches: u32,
    ticket: Value,
}

/// The POS's state.
pub struct PosWebhook {
    secret: String,
    prep_minutes: i64,
    orders: Mutex<(Vec<Order>, HashMap<String, usize>)>,
}

impl PosWebhook {
    pub fn new(secret: &str, prep_minutes: i64) -> PosWebhook {
        PosWebhook {
            secret: secret.to_string(),
            prep_minutes,
            orders: Mutex::new((Vec::new(), HashMap::new())),
        }
    }
}

impl Role for PosWebhook {
    fn name(&self) -> &'static str {
        "pos"
    }

    fn handle(&self, req: &Request) -> Reply {
        if req.method != Method::POST {
            return Reply::new(405, json!({"error": "POST the ticket"}));
        }
        let signed = req
            .header(SIGNATURE_HEADER)
            .is_some_and(|sig| verify(self.secret.as_bytes(), &req.body, sig));
        if !signed {
            return Reply::new(401, json!({"error": "missing or wrong X-Kea-Signature"}));
        }
        let Some(key) = req.header("idempotency-key").filter(|k| !k.is_empty()) else {
            return Reply::new(400, json!({"error": "Idempotency-Key is required"}));
        };
        let Ok(ticket) = serde_json::from_slice::<Value>(&req.body) else {
            return Reply::new(400, json!({"error": "the body is not JSON"}));
        };
        let mut guard = self.orders.lock().unwrap_or_else(|p| p.into_inner());
        let (orders, by_key) = &mut *guard;
        if let Some(&i) = by_key.get(key) {
            orders[i].deliveries += 1;
            if orders[i].ticket != ticket {
                orders[i].mismatches += 1;
                return Reply::new(
                    422,
                    json!({"error": "Idempotency-Key reused with a different ticket"}),
                );
            }
            return Reply::new(200, orders[i].answer.clone());
        }
        let answer = json!({
            "order_id": format!("pos-{}", orders.len() + 1),
            "status": "accepted",
            "ready_at": dates::rfc3339(now_unix() + self.prep_minutes * 60),
        });
        tracing::info!(key, order_id = %answer["order_id"], "POS took an order");
        by_key.insert(key.to_string(), orders.len());
        orders.push(Order {
            key: key.to_string(),
            answer: answer.clone(),
            deliveries: 1,
            mismatches: 0,
            ticket,
        });
        Reply::new(200, answer)
    }

    fn error(&self, status: u16) -> Reply {
        Reply::new(
            status,
            json!({"error": format!("the POS answers {status} (stand-in fault)")}),
        )
    }

    fn received(&self) -> Map<String, Value> {
        let guard = self.orders.lock().unwrap_or_else(|p| p.into_inner());
        let orders: Vec<Value> = guard
            .0
            .iter()
            .map(|o| {
                json!({"pos_order_id": o.answer["order_id"], "idempotency_key": o.key,
                       "deliveries": o.deliveries, "mismatches": o.mismatches,
                       "ticket": o.ticket})
            })
            .collect();
        let mut m = Map::new();
        m.insert("orders".into(), orders.into());
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::pos::webhook::signature;

    fn post(body: &str, sig: Option<String>, key: Option<&str>) -> Request {
        let mut headers = hyper::HeaderMap::new();
        if let Some(s) = sig {
            headers.insert("x-kea-signature", s.parse().unwrap());
        }
        if let Some(k) = key {
            headers.insert("idempotency-key", k.parse().unwrap());
        }
        Request {
            method: Method::POST,
            path: "/orders".into(),
            query: vec![],
            headers,
            body: body.to_string().into(),
        }
    }

    #[test]
    fn checks_the_signature_and_dedups_by_key() {
        let pos = PosWebhook::new("s3cret", 20);
        let body = r#"{"order": {"id": 1}}"#;
        let sig = || Some(signature(b"s3cret", body.as_bytes()));
        assert_eq!(pos.handle(&post(body, None, Some("k1"))).status, 401);
        let wrong = Some(signature(b"nope", body.as_bytes()));
        assert_eq!(pos.handle(&post(body, wrong, Some("k1"))).status, 401);
        assert_eq!(pos.handle(&post(body, sig(), None)).status, 400);
        let first = pos.handle(&post(body, sig(), Some("k1")));
        assert_eq!(first.status, 200);
        assert_eq!(first.body["order_id"], "pos-1");
        assert_eq!(first.body["status"], "accepted");
        let again = pos.handle(&post(body, sig(), Some("k1")));
        assert_eq!(again.body, first.body);
        let other = pos.handle(&post(body, sig(), Some("k2")));
        assert_eq!(other.body["order_id"], "pos-2");
        let other_body = r#"{"order": {"id": 2}}"#;
        let other_sig = Some(signature(b"s3cret", other_body.as_bytes()));
        let changed = pos.handle(&post(other_body, other_sig, Some("k1")));
        assert_eq!(changed.status, 422, "a key reused for another ticket");
        let r = pos.received();
        assert_eq!(r["orders"][0]["deliveries"], 3);
        assert_eq!(r["orders"][0]["mismatches"], 1);
        assert_eq!(r["orders"][1]["deliveries"], 1);
        assert_eq!(r["orders"][1]["mismatches"], 0);
    }
}
