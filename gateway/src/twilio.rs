//! Twilio voice webhooks: check the signature, make one SQL call, answer its TwiML.
//!
//! Whatever fails after the signature check (database down, timeout, a bug in SQL), Twilio
//! still gets 200 with valid TwiML that apologises and dials the store: a caller never hears
//! "an application error has occurred". Parameters are cleaned and checked first
//! ([`crate::params`]); a webhook without a `CallSid` gets that answer without touching SQL. An
//! SQL call past its budget (`KEA_SQL_BUDGET_MS`, 8 s: Twilio waits 15 s) is cancelled and its
//! connection discarded.

use std::time::Duration;

use bytes::Bytes;
use hyper::header::HeaderMap;
use hyper::{StatusCode, Uri};
use kea_core::twiml::{self, Voice};
use serde_json::Value;

use crate::reply::Reply;
use crate::state::AppState;
use crate::{params, signature};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Webhook {
    /// POST /twilio/voice: the call connected.
    Voice,
    /// POST /twilio/voice/gather?turn=N: speech, keys, or nothing.
    Gather,
    /// POST /twilio/voice/dial?turn=N: a transfer's result.
    Dial,
    /// POST /twilio/voice/status: call progress and end.
    Status,
    /// POST /twilio/sms: a text to the store's number (STOP, START, HELP...).
    Sms,
    /// POST /twilio/sms/status: the progress of a text kea sent.
    SmsStatus,
}

impl Webhook {
    pub fn from_path(path: &str) -> Option<Webhook> {
        match path {
            "/twilio/voice" => Some(Webhook::Voice),
            "/twilio/voice/gather" => Some(Webhook::Gather),
            "/twilio/voice/dial" => Some(Webhook::Dial),
            "/twilio/voice/status" => Some(Webhook::Status),
            "/twilio/sms" => Some(Webhook::Sms),
            "/twilio/sms/status" => Some(Webhook::SmsStatus),
            _ => None,
        }
    }

    pub fn route(self) -> &'static str {
        match self {
            Webhook::Voice => "twilio_voice",
            Webhook::Gather => "twilio_gather",
            Webhook::Dial => "twilio_dial",
            Webhook::Status => "twilio_status",
            Webhook::Sms => "twilio_sms",
            Webhook::SmsStatus => "twilio_sms_status",
        }
    }

    /// Voice webhooks belong to a call; the messaging ones do not.
    fn is_voice(self) -> bool {
        !matches!(self, Webhook::Sms | Webhook::SmsStatus)
    }
}

pub async fn handle(
    state: &AppState,
    hook: Webhook,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();

    let Some(sig) = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
    else {
        state.metrics.bad_signatures.inc();
        return Reply::text(StatusCode::FORBIDDEN, "missing X-Twilio-Signature\n");
    };
    let url = signed_url(state, uri, headers);
    if !signature::validate(&state.config.twilio_auth_token, &url, &params, sig) {
        state.metrics.bad_signatures.inc();
        tracing::warn!(%url, "refused webhook: signature does not match");
        return Reply::text(StatusCode::FORBIDDEN, "invalid X-Twilio-Signature\n");
    }

    let object = params::normalise(params);
    let to = object
        .get("To")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if hook.is_voice() && !object.contains_key("CallSid") {
        // Without a CallSid there is no call to find or start: the caller is apologised to and
        // put through to the store (known from `To`), and nothing is written.
        return fallback(state, hook, &to, "no CallSid");
    }
    let turn = params::turn(uri.query());
    let budget = Duration::from_millis(state.config.sql_budget_ms);
    match sql_call(state, hook, &to, Value::Object(object), turn, budget).await {
        Ok(twiml) => Reply::xml(twiml),
        Err(e) => fallback(state, hook, &to, &describe(&*e)),
    }
}

/// Runs the webhook's SQL call within `budget` (waiting for a pooled connection included). A
/// call that runs past it is cancelled on the server and its connection is taken out of the
/// pool and closed: handing it to the next request would make that one wait behind (or be
/// cancelled with) a statement nobody is waiting for any more.
async fn sql_call(
    state: &AppState,
    hook: Webhook,
    to: &str,
    params: Value,
    turn: Option<i32>,
    budget: Duration,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let deadline = tokio::time::Instant::now() + budget;
    // The merchant's lane: its backend has compiled its menu already (crate::lanes).
    let client = tokio::time::timeout_at(deadline, state.pool.get_for(to))
        .await
        .map_err(|_| "timed out waiting for a database connection")??;
    let cancel = client.cancel_token();
    let outcome = tokio::time::timeout_at(deadline, query(&client, hook, &params, turn)).await;
    match outcome {
        Ok(result) => result,
        Err(_) => {
            state.metrics.sql_cancelled.inc();
            // Dropping the client closes its connection once the cancelled statement returns.
            drop(deadpool_postgres::Object::take(client.into_object()));
            tokio::spawn(async move {
                if let Err(e) = cancel.cancel_query(tokio_postgres::NoTls).await {
                    tracing::warn!(error = %e, "could not cancel an SQL call past its budget");
                }
            });
            Err(format!("timed out after {budget:?}; cancelled").into())
        }
    }
}

async fn query(
    client: &deadpool_postgres::Client,
    hook: Webhook,
    params: &Value,
    turn: Option<i32>,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let row = match hook {
        Webhook::Voice => {
            let stmt = client.prepare_cached("select api.twilio_voice($1)").await?;
            client.query_one(&stmt, &[params]).await?
        }
        Webhook::Gather | Webhook::Dial => {
            let stmt = client
                .prepare_cached("select api.twilio_gather($1, $2)")
                .await?;
            client.query_one(&stmt, &[params, &turn]).await?
        }
        Webhook::Status | Webhook::Sms | Webhook::SmsStatus => {
            let sql = match hook {
                Webhook::Status => "select api.twilio_status($1)",
                Webhook::Sms => "select api.twilio_sms($1)",
                _ => "select api.twilio_sms_status($1)",
            };
            let stmt = client.prepare_cached(sql).await?;
            client.query_one(&stmt, &[params]).await?
        }
    };
    Ok(row.try_get::<_, String>(0)?)
}

/// The URL Twilio signed: the configured public base (deployments behind TLS proxies), or
/// what this request says about itself.
fn signed_url(state: &AppState, uri: &Uri, headers: &HeaderMap) -> String {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    match &state.config.public_url {
        Some(base) => format!("{}{}", base.trim_end_matches('/'), path),
        None => {
            let host = headers
                .get(hyper::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}{path}")
        }
    }
}

/// What went wrong, for the log: a database error says its SQLSTATE, message, detail and hint
/// (tokio-postgres displays it as only "db error").
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    match e
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(tokio_postgres::Error::as_db_error)
    {
        Some(db) => {
            let mut s = format!("{} {}", db.code().code(), db.message());
            if let Some(d) = db.detail() {
                s.push_str(&format!(" (detail: {d})"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!(" (hint: {h})"));
            }
            s
        }
        None => e.to_string(),
    }
}

fn fallback(state: &AppState, hook: Webhook, to: &str, error: &str) -> Reply {
    state.metrics.fallbacks.inc();
    tracing::error!(
        route = hook.route(),
        to,
        error,
        "webhook failed; answering the apology TwiML"
    );
    if matches!(hook, Webhook::Status | Webhook::Sms | Webhook::SmsStatus) {
        // Nobody hears a status callback, and a text gets no reply rather than a wrong one:
        // acknowledge it and let Twilio move on.
        return Reply::xml(r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#.into());
    }
    let store = state.directory.get(to);
    let voice = store
        .as_ref()
        .map(|s| Voice {
            voice: s.voice.clone(),
            language: s.language.clone(),
        })
        .unwrap_or_default();
    let number = store.as_ref().and_then(|s| s.transfer_number.clone());
    Reply::xml(twiml::apology(&voice, number.as_deref()))
}
