//! Twilio's Messages API, as kea uses it: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! (basic auth, form `To`, `From`, `Body`, `StatusCallback`; 201 with a `sid` and
//! `status: queued`), and `GET` of the same resource listing what was sent, filtered by `To`
//! and `DateSent>=YYYY-MM-DD`, in Twilio's list shape. Numbers in the opted-out list answer
//! error 21610, as after a STOP.
//!
//! `POST /_strict?lag_ms=L&queued_ms=Q&page_max=P` makes it as awkward as Twilio is: a new
//! message is not listed at all for L ms (the list is eventually consistent), then listed as
//! `queued` with no `date_sent` (so `DateSent>=` does not match it) for Q ms more; lists come
//! in pages of at most P (`PageSize` is honoured up to Twilio's 1000, default 50) linked by
//! `next_page_uri`. Faults (`/_fail?status=429&retry_after=S`) answer in Twilio's error shape
//! with `Retry-After`.

use std::collections::HashSet;
use std::sync::Mutex;

use base64::Engine;
use hyper::Method;
use serde_json::{json, Map, Value};

use super::{Reply, Request, Role};
use crate::dates;

struct Sent {
    /// Milliseconds since the Unix epoch when Twilio took it.
    at_ms: u64,
    json: Value,
}

/// How far behind the truth the list is (`/_strict`).
#[derive(Debug, Clone, Copy, Default)]
struct Strict {
    lag_ms: u64,
    queued_ms: u64,
    page_max: Option<usize>,
}

/// The account's state.
pub struct Twilio {
    account_sid: String,
    auth_token: String,
    opted_out: Mutex<HashSet<String>>,
    messages: Mutex<Vec<Sent>>,
    strict: Mutex<Strict>,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn twilio_error(status: u16, code: i64, message: &str) -> Reply {
    Reply::new(
        status,
        json!({"code": code, "message": message,
               "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status}),
    )
}

impl Twilio {
    pub fn new(account_sid: &str, auth_token: &str, opted_out: &[String]) -> Twilio {
        Twilio {
            account_sid: account_sid.to_string(),
            auth_token: auth_token.to_string(),
            opted_out: Mutex::new(opted_out.iter().cloned().collect()),
            messages: Mutex::new(Vec::new()),
            strict: Mutex::new(Strict::default()),
        }
    }

    fn resource(&self) -> String {
        format!("/2010-04-01/Accounts/{}/Messages.json", self.account_sid)
    }

    fn authorised(&self, req: &Request) -> bool {
        let Some(b64) = req
            .header("authorization")
            .and_then(|a| a.strip_prefix("Basic "))
        else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
            return false;
        };
        decoded == format!("{}:{}", self.account_sid, self.auth_token).as_bytes()
    }

    fn send(&self, req: &Request) -> Reply {
        let form: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
        let field = |k: &str| {
            form.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let Some(to) = field("To") else {
            return twilio_error(400, 21604, "A 'To' phone number is required.");
        };
        let Some(from) = field("From") else {
            return twilio_error(400, 21603, "A 'From' phone number is required.");
        };
        let Some(body) = field("Body") else {
            return twilio_error(400, 21602, "Message body is required.");
        };
        if self
            .opted_out
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&to)
        {
            return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient");
        }
        let strict = *self.strict.lock().unwrap_or_else(|p| p.into_inner());
        let mut messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        let at_ms = now_ms();
        let date = dates::rfc2822((at_ms / 1000) as i64);
        // Twilio answers a create with no date_sent: the message is only queued.
        let date_sent = (strict.lag_ms + strict.queued_ms == 0).then(|| date.clone());
        // Random, as Twilio's: kea keeps sids unique across every test and demo run.
        let sid = format!("SM{:032x}", fastrand::u128(..));
        let json = json!({
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": from, "body": body,
            "status": "queued", "direction": "outbound-api", "num_segments": "1", "num_media": "0",
            "date_created": date, "date_updated": date, "date_sent": date_sent,
            "error_code": null, "error_message": null, "price": null, "price_unit": "USD",
            "api_version": "2010-04-01", "messaging_service_sid": null,
            "status_callback": field("StatusCallback"),
            "uri": format!("/2010-04-01/Accounts/{}/Messages/{sid}.json", self.account_sid),
        });
        tracing::info!(to, sid, body, "text message");
        messages.push(Sent {
            at_ms,
            json: json.clone(),
        });
        Reply::new(201, json)
    }

    /// A message as the list shows it `now`, with the date it was sent: None while not
    /// replicated yet; queued with no date_sent, then sent.
    fn listed(m: &Sent, now: u64, strict: Strict) -> Option<(Value, Option<String>)> {
        if now < m.at_ms + strict.lag_ms {
            return None;
        }
        let mut v = m.json.clone();
        let sent_at = m.at_ms + strict.lag_ms + strict.queued_ms;
        if now < sent_at {
            v["status"] = "queued".into();
            v["date_sent"] = Value::Null;
            return Some((v, None));
        }
        let sent = (sent_at / 1000) as i64;
        v["status"] = "sent".into();
        v["date_sent"] = dates::rfc2822(sent).into();
        Some((v, Some(dates::date(sent))))
    }

    fn list(&self, req: &Request) -> Reply {
        let to = req.query("To");
        // `DateSent>=2024-05-01` parses as the name `DateSent>` and the value `2024-05-01`.
        let since = req.query("DateSent>").or_else(|| req.query("DateSent>="));
        let strict = *self.strict.lock().unwrap_or_else(|p| p.into_inner());
        let page_size = req
            .query("PageSize")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(50)
            .clamp(1, 1000)
            .min(strict.page_max.unwrap_or(1000).max(1));
        let page = req
            .query("Page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(0);
        let now = now_ms();
        let messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        let all: Vec<Value> = messages
            .iter()
            .rev()
            .filter_map(|m| Self::listed(m, now, strict))
            .filter(|(m, _)| to.is_none_or(|t| m["to"] == t))
            // Filtering on DateSent leaves out what has not been sent yet.
            .filter(|(_, day)| since.is_none_or(|s| day.as_deref().is_some_and(|d| d >= s)))
            .map(|(m, _)| m)
            .collect();
        let start = page * page_size;
        let chunk: Vec<Value> = all.iter().skip(start).take(page_size).cloned().collect();
        let uri = self.resource();
        let page_uri = |n: usize, token: Option<&str>| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            if let Some(t) = to {
                q.append_pair("To", t);
            }
            if let Some(s) = since {
                q.append_pair("DateSent>", s);
            }
            q.append_pair("PageSize", &page_size.to_string());
            q.append_pair("Page", &n.to_string());
            if let Some(t) = token {
                q.append_pair("PageToken", t);
            }
            format!("{uri}?{}", q.finish())
        };
        let next = (start + page_size < all.len()).then(|| {
            let last = chunk.last().and_then(|m| m["sid"].as_str()).unwrap_or("");
            page_uri(page + 1, Some(&format!("PA{last}")))
        });
        let previous = (page > 0).then(|| page_uri(page - 1, None));
        Reply::new(
            200,
            json!({
                "messages": chunk, "end": (start + chunk.len()).saturating_sub(1),
                "first_page_uri": page_uri(0, None), "next_page_uri": next, "page": page,
                "page_size": page_size, "previous_page_uri": previous, "start": start,
                "uri": page_uri(page, None),
            }),
        )
    }
}

impl Role for Twilio {
    fn name(&self) -> &'static str {
        "twilio"
    }

    fn handle(&self, req: &Request) -> Reply {
        if req.path != self.resource() {
            return twilio_error(404, 20404, "The requested resource was not found");
        }
        if !self.authorised(req) {
            return twilio_error(401, 20003, "Authenticate");
        }
        match req.method {
            Method::POST => self.send(req),
            Method::GET => self.list(req),
            _ => twilio_error(405, 20004, "Method not allowed"),
        }
    }

    fn error(&self, status: u16) -> Reply {
        match status {
            429 => {
                let mut r = twilio_error(429, 20429, "Too Many Requests");
                r.retry_after = Some(1);
                r
            }
            500..=599 => twilio_error(status, 20500, "Internal Server Error"),
            _ => twilio_error(status, 21211, "Invalid 'To' Phone Number"),
        }
    }

    fn received(&self) -> Map<String, Value> {
        let messages: Vec<Value> = self
            .messages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|m| m.json.clone())
            .collect();
        let mut m = Map::new();
        m.insert("messages".into(), messages.into());
        m
    }

    /// `POST /_opt_out?number=+1...` (and `/_opt_in`): as if the number had texted STOP;
    /// `POST /_strict?lag_ms=..&queued_ms=..&page_max=..` (see the module's comment).
    fn control(&self, req: &Request) -> Option<Reply> {
        if req.path == "/_strict" {
            let ms = |k: &str| req.query(k).and_then(|v| v.parse().ok()).unwrap_or(0);
            let strict = Strict {
                lag_ms: ms("lag_ms"),
                queued_ms: ms("queued_ms"),
                page_max: req.query("page_max").and_then(|v| v.parse().ok()),
            };
            *self.strict.lock().unwrap_or_else(|p| p.into_inner()) = strict;
            return Some(Reply::new(
                200,
                json!({"ok": true, "lag_ms": strict.lag_ms, "queued_ms": strict.queued_ms,
                       "page_max": strict.page_max}),
            ));
        }
        let number = req.query("number")?.to_string();
        let mut set = self.opted_out.lock().unwrap_or_else(|p| p.into_inner());
        match req.path.as_str() {
            "/_opt_out" => set.insert(number.clone()),
            "/_opt_in" => set.remove(&number),
            _ => return None,
        };
        Some(Reply::new(
            200,
            json!({"ok": true, "opted_out": set.contains(&number)}),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::now_unix;

    fn req(method: Method, query: &[(&str, &str)], auth: &str, body: &str) -> Request {
        let mut headers = hyper::HeaderMap::new();
        let b64 = base64::engine::general_purpose::STANDARD.encode(auth);
        headers.insert("authorization", format!("Basic {b64}").parse().unwrap());
        Request {
            method,
            path: "/2010-04-01/Accounts/AC1/Messages.json".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers,
            body: body.to_string().into(),
        }
    }

    #[test]
    fn sends_lists_and_refuses_opted_out_numbers() {
        let t = Twilio::new("AC1", "tok", &["+15550000002".to_string()]);
        let form = "To=%2B15550000001&From=%2B15550000009&Body=order+12+confirmed";
        assert_eq!(
            t.handle(&req(Method::POST, &[], "AC1:bad", form)).status,
            401
        );
        let sent = t.handle(&req(Method::POST, &[], "AC1:tok", form));
        assert_eq!(sent.status, 201);
        assert_eq!(sent.body["status"], "queued");
        assert!(sent.body["sid"].as_str().unwrap().starts_with("SM"));
        let stop = t.handle(&req(
            Method::POST,
            &[],
            "AC1:tok",
            "To=%2B15550000002&From=%2B15550000009&Body=x",
        ));
        assert_eq!(
            (stop.status, stop.body["code"].clone()),
            (400, json!(21610))
        );
        let today = dates::date(now_unix());
        let listed = t.handle(&req(
            Method::GET,
            &[("To", "+15550000001"), ("DateSent>", &today)],
            "AC1:tok",
            "",
        ));
        assert_eq!(listed.body["messages"][0]["body"], "order 12 confirmed");
        let later = t.handle(&req(
            Method::GET,
            &[("To", "+15550000001"), ("DateSent>", "2999-01-01")],
            "AC1:tok",
            "",
        ));
        assert_eq!(later.body["messages"], json!([]));
    }

    fn control(t: &Twilio, path: &str, query: &[(&str, &str)]) {
        let mut r = req(Method::POST, query, "AC1:tok", "");
        r.path = path.into();
        assert_eq!(t.control(&r).expect("a control endpoint").status, 200);
    }

    #[test]
    fn strict_lists_lag_leave_queued_messages_undated_and_page() {
        let t = Twilio::new("AC1", "tok", &[]);
        control(
            &t,
            "/_strict",
            &[("lag_ms", "300"), ("queued_ms", "300"), ("page_max", "2")],
        );
        let send = |n: u32| {
            let form = format!("To=%2B15550000001&From=%2B15550000009&Body=order+%23{n}%3A+hi");
            let r = t.handle(&req(Method::POST, &[], "AC1:tok", &form));
            assert_eq!(r.status, 201);
            assert_eq!(
                r.body["date_sent"],
                Value::Null,
                "a new message is only queued"
            );
        };
        for n in 0..5 {
            send(n);
        }
        let today = dates::date(now_unix());
        let list = |q: &[(&str, &str)]| t.handle(&req(Method::GET, q, "AC1:tok", "")).body;
        assert_eq!(
            list(&[("To", "+15550000001")])["messages"],
            json!([]),
            "not replicated yet"
        );
        std::thread::sleep(std::time::Duration::from_millis(350));
        let queued = list(&[("To", "+15550000001"), ("PageSize", "100")]);
        assert_eq!(
            queued["messages"].as_array().unwrap().len(),
            2,
            "pages of two"
        );
        assert_eq!(queued["messages"][0]["status"], "queued");
        assert_eq!(
            queued["messages"][0]["body"], "order #4: hi",
            "newest first"
        );
        let dated = list(&[("To", "+15550000001"), ("DateSent>", &today)]);
        assert_eq!(
            dated["messages"],
            json!([]),
            "queued messages have no date_sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut bodies = Vec::new();
        let mut page = list(&[
            ("To", "+15550000001"),
            ("DateSent>", &today),
            ("PageSize", "100"),
        ]);
        loop {
            for m in page["messages"].as_array().unwrap() {
                assert_eq!(m["status"], "sent");
                bodies.push(m["body"].as_str().unwrap().to_string());
            }
            let Some(next) = page["next_page_uri"].as_str() else {
                break;
            };
            let (path, query) = next.split_once('?').unwrap();
            assert_eq!(path, "/2010-04-01/Accounts/AC1/Messages.json");
            let q: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            page = list(&q);
        }
        assert_eq!(
            bodies.len(),
            5,
            "every message over three pages: {bodies:?}"
        );
    }
}
