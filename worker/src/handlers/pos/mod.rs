//! `pos_order` jobs: fetch the ticket, send it through the merchant's kind of POS
//! ([`webhook`] or [`square`]), record the answer. Both POS kinds answer a [`PosResult`]; what
//! it means for the order is decided here once.

pub mod square;
pub mod webhook;

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use super::{Ctx, Outcome};
use crate::queue::{Job, QueueError};

/// What a POS made of the ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum PosResult {
    /// The POS has the order (perhaps from an earlier attempt, recognised by its key).
    Taken {
        pos_order_id: Option<String>,
        /// Accepted at once (else it was received and acceptance comes later).
        accepted: bool,
        ready_at: Option<String>,
        response: Value,
    },
    /// Try again later (the POS is down, slow or busy).
    Retry {
        error: String,
        retry_after_s: Option<f32>,
    },
    /// The POS will never take this ticket as it is.
    Refused { error: String, response: Value },
}

impl PosResult {
    /// What a POS's answer (or its absence) means, for either kind: `classify` reads the
    /// status, body and Retry-After of an answer; no answer, or one whose body was cut (the POS
    /// may have taken the order; the idempotency key makes a retry safe), is retried.
    pub async fn from_answer(
        sent: reqwest::Result<reqwest::Response>,
        who: &str,
        classify: impl FnOnce(u16, &[u8], Option<f32>) -> PosResult,
    ) -> PosResult {
        match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                let after = super::retry_after(r.headers());
                match r.bytes().await {
                    Ok(b) => classify(status, &b, after),
                    Err(e) => PosResult::Retry {
                        error: format!("reading the answer of {who}: {e}"),
                        retry_after_s: None,
                    },
                }
            }
            Err(e) => PosResult::Retry {
                error: super::transport_error(who, &e),
                retry_after_s: None,
            },
        }
    }
}

/// The merchant's POS connection, from the ticket (`api.connect_pos`).
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub kind: String,
    pub base_url: Option<String>,
    pub secret: String,
    pub location_id: Option<String>,
}

impl Connection {
    /// Reads `ticket.connection`; None when it is missing or has no kind.
    pub fn from_ticket(ticket: &Value) -> Option<Connection> {
        let c = ticket.get("connection")?;
        let text = |k: &str| {
            c.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Some(Connection {
            kind: text("kind")?,
            base_url: text("base_url"),
            secret: text("secret").unwrap_or_default(),
            location_id: text("location_id"),
        })
    }
}

/// The key the POS recognises repeats by: the ticket's, else `kea-order-<order id>`; the same
/// on every attempt, never one per attempt.
pub fn idempotency_key(ticket: &Value, job: &Job) -> String {
    if let Some(k) = ticket
        .get("idempotency_key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
    {
        return k.to_string();
    }
    let order_id = ticket
        .pointer("/order/id")
        .or_else(|| job.args.get("order_id"))
        .and_then(Value::as_i64)
        .unwrap_or(job.id);
    format!("kea-order-{order_id}")
}

/// Runs a `pos_order` job.
pub async fn handle(ctx: &Ctx, job: &Job, touched: &AtomicBool) -> Result<Outcome, QueueError> {
    let Some(ticket) = ctx.queue.pos_ticket(job.id).await? else {
        return Ok(Outcome::dead(
            "worker.pos_ticket returned nothing (order or POS connection missing)",
        ));
    };
    let Some(connection) = Connection::from_ticket(&ticket) else {
        return Ok(Outcome::dead("the ticket has no POS connection kind"));
    };
    let key = idempotency_key(&ticket, job);
    touched.store(true, Ordering::SeqCst);
    let result = match connection.kind.as_str() {
        "webhook" => webhook::send(ctx, &connection, &key, &ticket).await,
        "square" => square::send(ctx, &connection, &key, &ticket).await,
        other => return Ok(Outcome::dead(format!("unknown POS kind {other:?}"))),
    };
    record(ctx, job, result).await
}

/// Turns the POS's answer into the job's end.
async fn record(ctx: &Ctx, job: &Job, result: PosResult) -> Result<Outcome, QueueError> {
    match result {
        PosResult::Taken {
            pos_order_id,
            accepted,
            ready_at,
            response,
        } => {
            let q = &ctx.queue;
            let id = pos_order_id.as_deref();
            match q
                .pos_delivered(job.id, id, accepted, ready_at.as_deref(), &response)
                .await
            {
                // A ready time PostgreSQL cannot read (class 22, data exception) must not
                // keep the order from moving on: record it without.
                Err(e)
                    if ready_at.is_some()
                        && e.sqlstate().is_some_and(|s| s.code().starts_with("22")) =>
                {
                    tracing::warn!(job = job.id, ready_at, error = %e.describe(), "unreadable ready time from the POS");
                    q.pos_delivered(job.id, id, accepted, None, &response)
                        .await?;
                }
                other => other?,
            }
            Ok(Outcome::Recorded("completed".into()))
        }
        PosResult::Retry {
            error,
            retry_after_s,
        } => Ok(Outcome::retry(error, retry_after_s)),
        PosResult::Refused { error, response } => {
            ctx.queue.pos_refused(job.id, &error, &response).await?;
            Ok(Outcome::Recorded("dead".into()))
        }
    }
}

/// The body as JSON, or its text when it is not JSON, for `response` columns.
pub fn response_json(status: u16, body: &[u8]) -> Value {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => serde_json::json!({"http_status": status, "body": v}),
        Err(_) => {
            serde_json::json!({"http_status": status, "text": super::excerpt(body)})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(args: Value) -> Job {
        Job {
            merchant_id: 1,
            id: 99,
            kind: "pos_order".into(),
            args,
            attempt: 1,
            max_attempts: 5,
            unique_key: None,
        }
    }

    #[test]
    fn the_key_is_the_tickets_or_the_orders() {
        let j = job(json!({"order_id": 12}));
        assert_eq!(
            idempotency_key(&json!({"idempotency_key": "kea-order-12"}), &j),
            "kea-order-12"
        );
        assert_eq!(
            idempotency_key(&json!({"order": {"id": 7}}), &j),
            "kea-order-7"
        );
        assert_eq!(idempotency_key(&json!({}), &j), "kea-order-12");
    }

    #[test]
    fn connections_need_a_kind() {
        let t = json!({"connection": {"kind": "webhook", "base_url": "http://pos", "secret": "s",
                                      "location_id": null}});
        let c = Connection::from_ticket(&t).unwrap();
        assert_eq!(c.kind, "webhook");
        assert_eq!(c.base_url.as_deref(), Some("http://pos"));
        assert_eq!(c.location_id, None);
        assert!(Connection::from_ticket(&json!({"connection": {"kind": ""}})).is_none());
        assert!(Connection::from_ticket(&json!({})).is_none());
    }
}
