//! The worker's SQL interface (`sql/worker/*.sql`, docs/workflow.md "Durable jobs"), one method
//! per `worker.*` function, over a deadpool-postgres pool whose connections run
//! `SET ROLE kea_worker` once after connecting.
//!
//! Every query casts its parameters and results explicitly: the Rust types below then hold
//! whatever integer or float widths the SQL functions declare.

use std::time::Duration;

use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::Value;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

/// SQLSTATE of the job functions when the job is not (or no longer) this worker's.
const LEASE_LOST: &str = "KJ404";

/// Why a call to the queue failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// KJ404: the lease expired and another worker has the job, or it was cancelled.
    #[error("job {0} is no longer this worker's (lease lost)")]
    LeaseLost(i64),
    /// Any other database error (down, restarted, a bug in SQL).
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
    /// No connection from the pool in time.
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
}

impl QueueError {
    /// The SQLSTATE and message, for the job's `errors` column.
    pub fn describe(&self) -> String {
        match self {
            QueueError::Db(e) => match e.as_db_error() {
                Some(d) => format!("{}: {}", d.code().code(), d.message()),
                None => e.to_string(),
            },
            other => other.to_string(),
        }
    }

    /// A data error from SQL (e.g. a timestamp it could not parse), as opposed to the database
    /// being unreachable.
    pub fn sqlstate(&self) -> Option<&SqlState> {
        match self {
            QueueError::Db(e) => e.code(),
            _ => None,
        }
    }
}

/// A claimed job, as `worker.claim` returns it.
#[derive(Debug, Clone)]
pub struct Job {
    pub merchant_id: i64,
    pub id: i64,
    pub kind: String,
    pub args: Value,
    /// Attempts so far, this one included (1 on the first run).
    pub attempt: i32,
    pub max_attempts: i32,
    pub unique_key: Option<String>,
}

/// The pool and this worker's name (`locked_by`).
#[derive(Clone)]
pub struct Queue {
    pool: Pool,
    worker: String,
}

/// Builds the pool; connections are made lazily, so the worker starts with the database down.
pub fn pool(pg: tokio_postgres::Config, size: usize) -> Result<Pool, Box<dyn std::error::Error>> {
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        // A session-level SET ROLE: the login role (kea_authenticator) may run nothing of the
        // worker's, and a pooled connection keeps the role for its whole life. ALTER ROLE
        // kea_worker SET statement_timeout applies at login only, so it is applied here.
        .post_create(Hook::async_fn(|client, _| {
            Box::pin(async move {
                client
                    .batch_execute(
                        "set role kea_worker;
                         select set_config('statement_timeout', coalesce(
                                  (select substr(c, length('statement_timeout=') + 1)
                                     from pg_db_role_setting d, unnest(d.setconfig) c
                                    where d.setrole = 'kea_worker'::regrole
                                      and d.setdatabase in (0, (select oid from pg_database
                                                                 where datname = current_database()))
                                      and c like 'statement_timeout=%'
                                    order by d.setdatabase desc limit 1),
                                  current_setting('statement_timeout')), false)",
                    )
                    .await
                    .map_err(HookError::Backend)
            })
        }))
        .build()?)
}

/// PostgreSQL's `text` and `jsonb` cannot hold U+0000, and what a POS or Twilio answers (an
/// error page, a JSON `"\u0000"`) may carry one: a call that stored it would fail, the attempt
/// would go unrecorded, and the job would wait for its lease instead of its backoff. Every
/// value from the other side goes through these before it reaches SQL.
pub fn pg_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', "\u{fffd}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// [`pg_text`] for every string (and key) of a JSON value.
pub fn pg_json(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(pg_text(s).into_owned()),
        Value::Array(a) => Value::Array(a.iter().map(pg_json).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (pg_text(k).into_owned(), pg_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn lease_lost(id: i64) -> impl Fn(tokio_postgres::Error) -> QueueError {
    move |e| match e.code() {
        Some(c) if c.code() == LEASE_LOST => QueueError::LeaseLost(id),
        _ => QueueError::Db(e),
    }
}

impl Queue {
    pub fn new(pool: Pool, worker: String) -> Queue {
        Queue { pool, worker }
    }

    /// This worker's name, as written in `locked_by`.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, QueueError> {
        Ok(self.pool.get().await?)
    }

    /// Up to `max` due jobs (and expired leases), now leased to this worker for `lease_s`.
    pub async fn claim(&self, max: usize, lease_s: f32) -> Result<Vec<Job>, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "select merchant_id::int8, id::int8, kind::text, args::jsonb, attempt::int4,
                        max_attempts::int4, unique_key::text
                   from worker.claim($1::text, $2::int4, $3::float4)",
            )
            .await?;
        let max = i32::try_from(max).unwrap_or(i32::MAX);
        let rows = c.query(&st, &[&self.worker, &max, &lease_s]).await?;
        Ok(rows
            .iter()
            .map(|r| Job {
                merchant_id: r.get(0),
                id: r.get(1),
                kind: r.get(2),
                args: r.get::<_, Option<Value>>(3).unwrap_or(Value::Null),
                attempt: r.get(4),
                max_attempts: r.get(5),
                unique_key: r.get(6),
            })
            .collect())
    }

    /// Extends the lease of every job this worker runs; returns how many.
    pub async fn heartbeat(&self, lease_s: f32) -> Result<i64, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("select worker.heartbeat($1::text, $2::float4)::int8")
            .await?;
        Ok(c.query_one(&st, &[&self.worker, &lease_s])
            .await?
            .get::<_, Option<i64>>(0)
            .unwrap_or(0))
    }

    /// Completes jobs whose handler succeeded with nothing else to record, in one statement.
    pub async fn complete(&self, ids: &[i64]) -> Result<i64, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("select worker.complete($1::text, $2::int8[])::int8")
            .await?;
        Ok(c.query_one(&st, &[&self.worker, &ids])
            .await?
            .get::<_, Option<i64>>(0)
            .unwrap_or(0))
    }

    /// A failed attempt: retried after `retry_after_s` (or SQL's backoff when None), or dead
    /// when `retry` is false or no attempts are left. Returns the job's new state.
    pub async fn fail(
        &self,
        id: i64,
        error: &str,
        retry: bool,
        retry_after_s: Option<f32>,
    ) -> Result<String, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "select worker.fail($1::text, $2::int8, $3::text, $4::bool, $5::float4)::text",
            )
            .await?;
        let error = pg_text(error);
        let row = c
            .query_one(&st, &[&self.worker, &id, &error, &retry, &retry_after_s])
            .await
            .map_err(lease_lost(id))?;
        Ok(row
            .get::<_, Option<String>>(0)
            .unwrap_or_else(|| "unknown".into()))
    }

    /// Gives jobs back without counting the attempt (graceful shutdown).
    pub async fn release(&self, ids: &[i64]) -> Result<i64, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("select worker.release($1::text, $2::int8[])::int8")
            .await?;
        Ok(c.query_one(&st, &[&self.worker, &ids])
            .await?
            .get::<_, Option<i64>>(0)
            .unwrap_or(0))
    }

    /// How long until the next scheduled job is due, by the database's clock (None: nothing
    /// scheduled). Negative when it is already due.
    pub async fn next_due(&self) -> Result<Option<Duration>, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "select extract(epoch from worker.next_due() - clock_timestamp())::float8",
            )
            .await?;
        let secs: Option<f64> = c.query_one(&st, &[]).await?.get(0);
        Ok(secs.map(|s| Duration::from_secs_f64(s.max(0.0))))
    }

    /// Runs a kind that lives in SQL alone; returns what SQL says happened (its new state).
    pub async fn run_sql_job(&self, id: i64) -> Result<String, QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("select worker.run_sql_job($1::text, $2::int8)::text")
            .await?;
        let row = c
            .query_one(&st, &[&self.worker, &id])
            .await
            .map_err(lease_lost(id))?;
        Ok(row
            .get::<_, Option<String>>(0)
            .unwrap_or_else(|| "completed".into()))
    }

    /// What the POS handler sends for a `pos_order` job (None: no ticket to send).
    pub async fn pos_ticket(&self, id: i64) -> Result<Option<Value>, QueueError> {
        self.json_of("select worker.pos_ticket($1::int8)::jsonb", id)
            .await
    }

    /// The POS took the order: completes the job and moves the order on, in one transaction.
    pub async fn pos_delivered(
        &self,
        id: i64,
        pos_order_id: Option<&str>,
        accepted: bool,
        ready_at: Option<&str>,
        response: &Value,
    ) -> Result<(), QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "select worker.pos_delivered($1::text, $2::int8, $3::text, $4::bool,
                                             $5::text::timestamptz, $6::jsonb)",
            )
            .await?;
        let pos_order_id = pos_order_id.map(pg_text);
        let ready_at = ready_at.map(pg_text);
        let response = pg_json(response);
        c.query_one(
            &st,
            &[
                &self.worker,
                &id,
                &pos_order_id,
                &accepted,
                &ready_at,
                &response,
            ],
        )
        .await
        .map_err(lease_lost(id))?;
        Ok(())
    }

    /// The POS refused for good: job dead, order failed, escalation task.
    pub async fn pos_refused(
        &self,
        id: i64,
        error: &str,
        response: &Value,
    ) -> Result<(), QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("select worker.pos_refused($1::text, $2::int8, $3::text, $4::jsonb)")
            .await?;
        let (error, response) = (pg_text(error), pg_json(response));
        c.query_one(&st, &[&self.worker, &id, &error, &response])
            .await
            .map_err(lease_lost(id))?;
        Ok(())
    }

    /// The text message of an `sms` job: `{to, from, body, reference, opted_out}`.
    pub async fn sms_message(&self, id: i64) -> Result<Option<Value>, QueueError> {
        self.json_of("select worker.sms_message($1::int8)::jsonb", id)
            .await
    }

    /// Twilio took the message (or had it already): completes the job, stores the message.
    pub async fn sms_sent(
        &self,
        id: i64,
        sid: &str,
        status: &str,
        found_existing: bool,
    ) -> Result<(), QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "select worker.sms_sent($1::text, $2::int8, $3::text, $4::text, $5::bool)",
            )
            .await?;
        let (sid, status) = (pg_text(sid), pg_text(status));
        c.query_one(&st, &[&self.worker, &id, &sid, &status, &found_existing])
            .await
            .map_err(lease_lost(id))?;
        Ok(())
    }

    /// The caller opted out: completed without sending.
    pub async fn sms_skipped(&self, id: i64, reason: &str) -> Result<(), QueueError> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("select worker.sms_skipped($1::text, $2::int8, $3::text)")
            .await?;
        c.query_one(&st, &[&self.worker, &id, &reason])
            .await
            .map_err(lease_lost(id))?;
        Ok(())
    }

    async fn json_of(&self, sql: &str, id: i64) -> Result<Option<Value>, QueueError> {
        let c = self.client().await?;
        let st = c.prepare_cached(sql).await?;
        let row = c.query_one(&st, &[&id]).await.map_err(lease_lost(id))?;
        Ok(row.get::<_, Option<Value>>(0).filter(|v| !v.is_null()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_never_reaches_sql() {
        assert_eq!(pg_text("ok"), "ok");
        assert_eq!(pg_text("a\0b"), "a\u{fffd}b");
        let v = serde_json::json!({"k\0": ["x\0", 1, {"y": "\0"}]});
        assert_eq!(
            pg_json(&v),
            serde_json::json!({"k\u{fffd}": ["x\u{fffd}", 1, {"y": "\u{fffd}"}]})
        );
    }
}
