//! `sms` jobs through Twilio's Messages API.
//!
//! The Messages API has no idempotency key, so a worker that died between Twilio's answer and
//! the job's completion leaves no trace but the message itself. Every attempt after the first
//! therefore lists what was sent to the number since the job began and takes a message whose
//! body carries the order's reference as already sent; the list being eventually consistent,
//! a miss is only believed after a second look `KEA_WORKER_SMS_SETTLE_S` later.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use super::{excerpt, retry_after, Ctx, Outcome};
use crate::dates::{self, now_unix};
use crate::queue::{Job, QueueError};

/// Twilio: the recipient replied STOP.
pub const OPTED_OUT: i64 = 21610;
/// Twilio: too many requests.
pub const TOO_MANY_REQUESTS: i64 = 20429;
/// The reason `worker.sms_skipped` records as an opt-out (and adds to `app.sms_opt_outs`).
pub const OPTED_OUT_REASON: &str = "opted_out";
/// Pages of the Messages list read before giving up the look-up (and sending).
const MAX_PAGES: usize = 10;

/// The message of a job, from `worker.sms_message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub to: String,
    pub from: String,
    pub body: String,
    /// What identifies this order in the body (e.g. its order number).
    pub reference: String,
    pub opted_out: bool,
    /// The first day a message may have been sent (`YYYY-MM-DD`, UTC), for `DateSent>=`.
    pub since: String,
}

impl Message {
    /// Reads `{to, from, body, reference, opted_out}` (and `since` or `enqueued_at`, when SQL
    /// gives one); None when to, from or body is missing.
    pub fn from_json(v: &Value) -> Option<Message> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        // Without the job's start, two days back covers a retry across midnight.
        let since = text("since")
            .or_else(|| text("enqueued_at"))
            .map(|s| s.chars().take(10).collect())
            .unwrap_or_else(|| dates::date(now_unix() - 2 * 86_400));
        Some(Message {
            to: text("to").filter(|s| !s.is_empty())?,
            from: text("from").filter(|s| !s.is_empty())?,
            body: text("body").filter(|s| !s.is_empty())?,
            reference: text("reference").unwrap_or_default(),
            opted_out: v.get("opted_out").and_then(Value::as_bool).unwrap_or(false),
            since,
        })
    }
}

/// What Twilio's answer to a send means.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Sent {
        sid: String,
        status: String,
    },
    /// 21610: never retried, the job completes without a text.
    OptedOut(String),
    Retry(String, Option<f32>),
    Dead(String),
}

/// 2xx with a sid: sent; 21610: opted out; 20429, 408, 429 and 5xx: retried; other 4xx: dead.
pub fn classify(status: u16, body: &[u8], retry_after_s: Option<f32>) -> Verdict {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = v.get("code").and_then(Value::as_i64);
    let message = v
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| excerpt(body));
    match (status, code) {
        (200..=299, _) => match v.get("sid").and_then(Value::as_str) {
            Some(sid) if !sid.is_empty() => Verdict::Sent {
                sid: sid.to_string(),
                status: v
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("queued")
                    .to_string(),
            },
            // Taken, but unreadable: the retry's look-up finds it if it was sent.
            _ => Verdict::Retry(
                format!("Twilio answered {status} without a sid"),
                retry_after_s,
            ),
        },
        (_, Some(OPTED_OUT)) => Verdict::OptedOut(format!("Twilio {OPTED_OUT}: {message}")),
        (_, Some(TOO_MANY_REQUESTS)) | (408 | 429 | 500..=599, _) => Verdict::Retry(
            format!(
                "Twilio answered {status} ({}): {message}",
                code.unwrap_or(0)
            ),
            retry_after_s,
        ),
        (400..=499, _) => Verdict::Dead(format!(
            "Twilio refused the message ({status}, {}): {message}",
            code.unwrap_or(0)
        )),
        _ => Verdict::Retry(format!("Twilio answered {status}"), retry_after_s),
    }
}

/// The sid and status of a listed message whose body carries `reference`.
pub fn find_sent(list: &Value, reference: &str) -> Option<(String, String)> {
    list.get("messages")?.as_array()?.iter().find_map(|m| {
        let body = m.get("body").and_then(Value::as_str)?;
        if !body.contains(reference) {
            return None;
        }
        Some((
            m.get("sid").and_then(Value::as_str)?.to_string(),
            m.get("status")
                .and_then(Value::as_str)
                .unwrap_or("sent")
                .to_string(),
        ))
    })
}

/// The Messages resource of the account.
fn messages_url(base: &str, sid: &str) -> String {
    format!(
        "{}/2010-04-01/Accounts/{sid}/Messages.json",
        base.trim_end_matches('/')
    )
}

/// Runs an `sms` job.
pub async fn handle(ctx: &Ctx, job: &Job, touched: &AtomicBool) -> Result<Outcome, QueueError> {
    let Some(raw) = ctx.queue.sms_message(job.id).await? else {
        return Ok(Outcome::dead("worker.sms_message returned nothing"));
    };
    let Some(msg) = Message::from_json(&raw) else {
        return Ok(Outcome::dead(format!(
            "worker.sms_message lacks to, from or body: {raw}"
        )));
    };
    if msg.opted_out {
        ctx.queue.sms_skipped(job.id, OPTED_OUT_REASON).await?;
        return Ok(Outcome::Recorded("completed".into()));
    }
    let cfg = &ctx.config;
    let (Some(sid), Some(token)) = (
        cfg.twilio_account_sid.as_deref(),
        cfg.twilio_auth_token.as_deref(),
    ) else {
        return Ok(Outcome::retry(
            "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set to send texts",
            None,
        ));
    };
    let url = messages_url(&cfg.twilio_api_url, sid);
    if job.attempt > 1 && !msg.reference.is_empty() {
        let mut found = look_up(ctx, &cfg.twilio_api_url, &url, sid, token, &msg).await;
        // Twilio's message list is eventually consistent: a message an earlier attempt sent
        // a moment ago may not be listed yet. Not found once is not proof: look again once
        // the list has had time to settle (heartbeats keep the lease meanwhile).
        if matches!(found, Ok(None)) && !cfg.sms_settle.is_zero() {
            tokio::time::sleep(cfg.sms_settle).await;
            found = look_up(ctx, &cfg.twilio_api_url, &url, sid, token, &msg).await;
        }
        match found {
            Ok(Some((found_sid, status))) => {
                tracing::info!(
                    job = job.id,
                    sid = found_sid,
                    "the text was sent by an earlier attempt"
                );
                ctx.queue
                    .sms_sent(job.id, &found_sid, &status, true)
                    .await?;
                return Ok(Outcome::Recorded("completed".into()));
            }
            Ok(None) => {}
            // Sending blind could text the caller twice: wait for the list to answer.
            Err(outcome) => return Ok(outcome),
        }
    }
    let mut form = vec![
        ("To", msg.to.as_str()),
        ("From", msg.from.as_str()),
        ("Body", msg.body.as_str()),
    ];
    let callback = cfg
        .public_url
        .as_deref()
        .map(|p| format!("{}/twilio/sms/status", p.trim_end_matches('/')));
    if let Some(cb) = callback.as_deref() {
        form.push(("StatusCallback", cb));
    }
    touched.store(true, Ordering::SeqCst);
    let sent = ctx
        .http
        .post(&url)
        .basic_auth(sid, Some(token))
        .form(&form)
        .send()
        .await;
    let verdict = match sent {
        Ok(r) => {
            let status = r.status().as_u16();
            let after = retry_after(r.headers());
            match r.bytes().await {
                Ok(b) => classify(status, &b, after),
                Err(e) => Verdict::Retry(format!("reading Twilio's answer: {e}"), None),
            }
        }
        Err(e) => Verdict::Retry(super::transport_error("Twilio", &e), None),
    };
    Ok(match verdict {
        Verdict::Sent { sid, status } => {
            ctx.queue.sms_sent(job.id, &sid, &status, false).await?;
            Outcome::Recorded("completed".into())
        }
        Verdict::OptedOut(reason) => {
            tracing::info!(job = job.id, reason, "the caller opted out");
            ctx.queue.sms_skipped(job.id, OPTED_OUT_REASON).await?;
            Outcome::Recorded("completed".into())
        }
        Verdict::Retry(error, after) => Outcome::retry(error, after),
        Verdict::Dead(error) => Outcome::dead(error),
    })
}

/// Looks for the message among those sent to `msg.to` since `msg.since`, then, since a
/// message Twilio has not sent yet (queued behind the number's rate) has no `date_sent`, among
/// the latest ones to `msg.to` whatever their date. Err: the outcome for the job when a list
/// cannot be read.
async fn look_up(
    ctx: &Ctx,
    base: &str,
    url: &str,
    sid: &str,
    token: &str,
    msg: &Message,
) -> Result<Option<(String, String)>, Outcome> {
    // `DateSent>` with `=` between name and value is how Twilio spells "sent on or after".
    let since = [
        ("To", msg.to.as_str()),
        ("DateSent>", msg.since.as_str()),
        ("PageSize", "100"),
    ];
    if let Some(found) = list(
        ctx,
        base,
        ctx.http.get(url).query(&since),
        sid,
        token,
        msg,
        MAX_PAGES,
    )
    .await?
    {
        return Ok(Some(found));
    }
    let latest = [("To", msg.to.as_str()), ("PageSize", "100")];
    list(
        ctx,
        base,
        ctx.http.get(url).query(&latest),
        sid,
        token,
        msg,
        1,
    )
    .await
}

/// Reads up to `pages` pages of a Messages list for one whose body carries the reference.
async fn list(
    ctx: &Ctx,
    base: &str,
    mut request: reqwest::RequestBuilder,
    sid: &str,
    token: &str,
    msg: &Message,
    pages: usize,
) -> Result<Option<(String, String)>, Outcome> {
    for _ in 0..pages {
        let r = request
            .basic_auth(sid, Some(token))
            .send()
            .await
            .map_err(|e| Outcome::retry(super::transport_error("listing messages", &e), None))?;
        let status = r.status().as_u16();
        let after = retry_after(r.headers());
        let body = r
            .bytes()
            .await
            .map_err(|e| Outcome::retry(format!("reading the message list: {e}"), None))?;
        if !(200..300).contains(&status) {
            return Err(match classify(status, &body, after) {
                Verdict::Dead(e) => Outcome::dead(format!("listing messages: {e}")),
                Verdict::Retry(e, a) => Outcome::retry(format!("listing messages: {e}"), a),
                other => Outcome::retry(format!("listing messages: {other:?}"), after),
            });
        }
        let list: Value = serde_json::from_slice(&body)
            .map_err(|e| Outcome::retry(format!("the message list is not JSON: {e}"), None))?;
        if let Some(found) = find_sent(&list, &msg.reference) {
            return Ok(Some(found));
        }
        match list.get("next_page_uri").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => {
                request = ctx
                    .http
                    .get(format!("{}{next}", base.trim_end_matches('/')));
            }
            _ => return Ok(None),
        }
    }
    if pages == 1 {
        return Ok(None);
    }
    Err(Outcome::retry(
        format!("more than {pages} pages of messages to {}", msg.to),
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_are_classified() {
        assert_eq!(
            classify(201, br#"{"sid": "SM1", "status": "queued"}"#, None),
            Verdict::Sent {
                sid: "SM1".into(),
                status: "queued".into()
            }
        );
        let stop = br#"{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}"#;
        assert!(matches!(classify(400, stop, None), Verdict::OptedOut(_)));
        let busy = br#"{"code": 20429, "message": "Too Many Requests", "status": 429}"#;
        assert_eq!(
            classify(429, busy, Some(3.0)),
            Verdict::Retry(
                "Twilio answered 429 (20429): Too Many Requests".into(),
                Some(3.0)
            )
        );
        assert!(matches!(
            classify(503, b"down", None),
            Verdict::Retry(_, None)
        ));
        assert!(matches!(classify(500, b"", None), Verdict::Retry(..)));
        let bad_to = br#"{"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}"#;
        assert!(matches!(classify(400, bad_to, None), Verdict::Dead(_)));
        let auth = br#"{"code": 20003, "message": "Authenticate", "status": 401}"#;
        assert!(matches!(classify(401, auth, None), Verdict::Dead(_)));
        assert!(matches!(classify(201, b"{}", None), Verdict::Retry(..)));
    }

    #[test]
    fn a_listed_message_with_the_reference_counts_as_sent() {
        let list = json!({"messages": [
            {"sid": "SM1", "status": "delivered", "body": "Tony's: order 41 is ready"},
            {"sid": "SM2", "status": "sent", "body": "Tony's: order 42 confirmed, $18.99"},
        ], "next_page_uri": null});
        assert_eq!(
            find_sent(&list, "order 42"),
            Some(("SM2".into(), "sent".into()))
        );
        assert_eq!(find_sent(&list, "order 43"), None);
        assert_eq!(find_sent(&json!({}), "x"), None);
    }

    #[test]
    fn messages_need_to_from_and_body() {
        let m = Message::from_json(&json!({"to": "+1", "from": "+2", "body": "hi",
                                           "reference": "#12", "opted_out": false,
                                           "since": "2024-05-01T10:00:00Z"}))
        .unwrap();
        assert_eq!(m.since, "2024-05-01");
        assert_eq!(m.reference, "#12");
        assert!(Message::from_json(&json!({"to": "+1", "body": "hi"})).is_none());
        let d = Message::from_json(&json!({"to": "+1", "from": "+2", "body": "hi"})).unwrap();
        assert_eq!(d.since.len(), 10);
        assert!(!d.opted_out);
    }
}
