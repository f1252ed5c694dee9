//! Square's CreateOrder (`POST /v2/orders`) as far as kea uses it: Bearer token checked,
//! `idempotency_key` and `order.location_id` required, one order per key (the same key with
//! the same body answers the first order again; with another body, Square's error), and
//! Square's answer shape (`{"order": {"id", "state": "OPEN", "line_items", "total_money", ...}}`).

use std::collections::HashMap;
use std::sync::Mutex;

use hyper::Method;
use serde_json::{json, Map, Value};

use super::{Reply, Request, Role};
use crate::dates::{self, now_unix};

struct Order {
    key: String,
    request: Value,
    answer: Value,
    deliveries: u32,
}

/// Square's state.
pub struct Square {
    token: String,
    orders: Mutex<(Vec<Order>, HashMap<String, usize>)>,
}

fn error(status: u16, category: &str, code: &str, detail: &str, field: Option<&str>) -> Reply {
    let mut e = json!({"category": category, "code": code, "detail": detail});
    if let Some(f) = field {
        e["field"] = f.into();
    }
    Reply::new(status, json!({"errors": [e]}))
}

fn amount(v: &Value) -> i64 {
    v.get("amount").and_then(Value::as_i64).unwrap_or(0)
}

fn quantity(v: &Value) -> i64 {
    v.get("quantity")
        .and_then(Value::as_str)
        .and_then(|q| q.parse().ok())
        .unwrap_or(1)
}

impl Square {
    pub fn new(token: &str) -> Square {
        Square {
            token: token.to_string(),
            orders: Mutex::new((Vec::new(), HashMap::new())),
        }
    }

    /// The order Square would create: ids, uids, totals (ad-hoc prices only: a catalog
    /// stand-in has no catalog, so catalog lines count zero).
    fn create(&self, n: usize, order: &Value) -> Value {
        let currency = "USD";
        let now = dates::rfc3339(now_unix());
        let mut total = 0;
        let empty = Vec::new();
        let lines: Vec<Value> = order
            .get("line_items")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mods: i64 = l
                    .get("modifiers")
                    .and_then(Value::as_array)
                    .map(|ms| {
                        ms.iter()
                            .map(|m| amount(&m["base_price_money"]) * quantity(m))
                            .sum()
                    })
                    .unwrap_or(0);
                let line_total = (amount(&l["base_price_money"]) + mods) * quantity(l);
                total += line_total;
                let mut l = l.clone();
                l["uid"] = format!("line-{n}-{i}").into();
                l["total_money"] = json!({"amount": line_total, "currency": currency});
                l
            })
            .collect();
        let fulfillments: Vec<Value> = order
            .get("fulfillments")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut f = f.clone();
                f["uid"] = format!("ful-{n}-{i}").into();
                f
            })
            .collect();
        json!({"order": {
            "id": format!("SQ{n:06}{:016X}", fastrand::u64(..)),
            "location_id": order["location_id"],
            "reference_id": order.get("reference_id"),
            "source": order.get("source"),
            "line_items": lines,
            "fulfillments": fulfillments,
            "state": "OPEN",
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "total_money": {"amount": total, "currency": currency},
            "total_tax_money": {"amount": 0, "currency": currency},
            "net_amount_due_money": {"amount": total, "currency": currency},
        }})
    }
}

impl Role for Square {
    fn name(&self) -> &'static str {
        "square"
    }

    fn handle(&self, req: &Request) -> Reply {
        if req.path != "/v2/orders" || req.method != Method::POST {
            return error(
                404,
                "INVALID_REQUEST_ERROR",
                "NOT_FOUND",
                "only POST /v2/orders here",
                None,
            );
        }
        let bearer = req
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "));
        if bearer != Some(self.token.as_str()) {
            return error(
                401,
                "AUTHENTICATION_ERROR",
                "UNAUTHORIZED",
                "This request could not be authorized.",
                None,
            );
        }
        let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
            return error(
                400,
                "INVALID_REQUEST_ERROR",
                "INVALID_CONTENT_TYPE",
                "the body is not JSON",
                None,
            );
        };
        let Some(key) = body.get("idempotency_key").and_then(Value::as_str) else {
            return error(
                400,
                "INVALID_REQUEST_ERROR",
                "MISSING_REQUIRED_PARAMETER",
                "Field must be set",
                Some("idempotency_key"),
            );
        };
        let order = &body["order"];
        if order.get("location_id").and_then(Value::as_str).is_none() {
            return error(
                400,
                "INVALID_REQUEST_ERROR",
                "MISSING_REQUIRED_PARAMETER",
                "Field must be set",
                Some("order.location_id"),
            );
        }
        let mut guard = self.orders.lock().unwrap_or_else(|p| p.into_inner());
        let (orders, by_key) = &mut *guard;
        if let Some(&i) = by_key.get(key) {
            if orders[i].request != body {
                return error(
                    400,
                    "INVALID_REQUEST_ERROR",
                    "IDEMPOTENCY_KEY_REUSED",
                    "The idempotency key was used with another request",
                    Some("idempotency_key"),
                );
            }
            orders[i].deliveries += 1;
            return Reply::new(200, orders[i].answer.clone());
        }
        let answer = self.create(orders.len() + 1, order);
        tracing::info!(key, order_id = %answer["order"]["id"], "Square took an order");
        by_key.insert(key.to_string(), orders.len());
        orders.push(Order {
            key: key.to_string(),
            request: body,
            answer: answer.clone(),
            deliveries: 1,
        });
        Reply::new(200, answer)
    }

    fn error(&self, status: u16) -> Reply {
        let (category, code) = match status {
            429 => ("RATE_LIMIT_ERROR", "RATE_LIMITED"),
            500..=599 => ("API_ERROR", "SERVICE_UNAVAILABLE"),
            _ => ("INVALID_REQUEST_ERROR", "BAD_REQUEST"),
        };
        error(status, category, code, "stand-in fault", None)
    }

    fn received(&self) -> Map<String, Value> {
        let guard = self.orders.lock().unwrap_or_else(|p| p.into_inner());
        let orders: Vec<Value> = guard
            .0
            .iter()
            .map(|o| {
                json!({"pos_order_id": o.answer["order"]["id"], "idempotency_key": o.key,
                       "deliveries": o.deliveries, "request": o.request})
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

    fn post(token: &str, body: Value) -> Request {
        let mut headers = hyper::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        Request {
            method: Method::POST,
            path: "/v2/orders".into(),
            query: vec![],
            headers,
            body: body.to_string().into(),
        }
    }

    #[test]
    fn one_order_per_key() {
        let sq = Square::new("tok");
        let body = json!({"idempotency_key": "kea-order-1", "order": {"location_id": "L1",
            "line_items": [{"name": "Knots", "quantity": "2",
                            "base_price_money": {"amount": 599, "currency": "USD"}}]}});
        assert_eq!(sq.handle(&post("bad", body.clone())).status, 401);
        let first = sq.handle(&post("tok", body.clone()));
        assert_eq!(first.status, 200);
        assert_eq!(first.body["order"]["state"], "OPEN");
        assert_eq!(first.body["order"]["total_money"]["amount"], 1198);
        assert_eq!(sq.handle(&post("tok", body.clone())).body, first.body);
        let mut changed = body.clone();
        changed["order"]["line_items"][0]["quantity"] = "3".into();
        let reused = sq.handle(&post("tok", changed));
        assert_eq!(reused.status, 400);
        assert_eq!(reused.body["errors"][0]["code"], "IDEMPOTENCY_KEY_REUSED");
        let no_location = json!({"idempotency_key": "k2", "order": {}});
        assert_eq!(sq.handle(&post("tok", no_location)).status, 400);
        assert_eq!(sq.received()["orders"][0]["deliveries"], 2);
    }
}
