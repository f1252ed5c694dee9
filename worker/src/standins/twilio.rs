//! Twilio's Messages API, as kea uses it: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! (basic auth, form `To`, `From`, `Body`, `StatusCallback`; 201 with a `sid` and
//! `status: queued`), and `GET` of the same resource listing what was sent, filtered by `To`
//! and `DateSent>=YYYY-MM-DD`, in Twilio's list shape. Numbers in the opted-out list answer
//! error 21610, as after a STOP.

use std::collections::HashSet;
use std::sync::Mutex;

use base64::Engine;
use hyper::Method;
use serde_json::{json, Map, Value};

use super::{Reply, Request, Role};
use crate::dates::{now_unix, Utc};

struct Sent {
    at: i64,
    json: Value,
}

/// The account's state.
pub struct Twilio {
    account_sid: String,
    auth_token: String,
    opted_out: Mutex<HashSet<String>>,
    messages: Mutex<Vec<Sent>>,
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
        let mut messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        let at = now_unix();
        let date = Utc::from_unix(at).rfc2822();
        // Random, as Twilio's: kea keeps sids unique across every test and demo run.
        let sid = format!("SM{:032x}", fastrand::u128(..));
        let json = json!({
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": from, "body": body,
            "status": "queued", "direction": "outbound-api", "num_segments": "1", "num_media": "0",
            "date_created": date, "date_updated": date, "date_sent": date,
            "error_code": null, "error_message": null, "price": null, "price_unit": "USD",
            "api_version": "2010-04-01", "messaging_service_sid": null,
            "status_callback": field("StatusCallback"),
            "uri": format!("/2010-04-01/Accounts/{}/Messages/{sid}.json", self.account_sid),
        });
        tracing::info!(to, sid, body, "text message");
        messages.push(Sent {
            at,
            json: json.clone(),
        });
        Reply::new(201, json)
    }

    fn list(&self, req: &Request) -> Reply {
        let to = req.query("To");
        // `DateSent>=2024-05-01` parses as the name `DateSent>` and the value `2024-05-01`.
        let since = req
            .query("DateSent>")
            .or_else(|| req.query("DateSent>="))
            .unwrap_or("");
        let messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        let listed: Vec<Value> = messages
            .iter()
            .rev()
            .filter(|m| to.is_none_or(|t| m.json["to"] == t))
            .filter(|m| Utc::from_unix(m.at).date().as_str() >= since)
            .map(|m| m.json.clone())
            .collect();
        let uri = self.resource();
        Reply::new(
            200,
            json!({
                "messages": listed, "end": listed.len().saturating_sub(1), "first_page_uri": uri,
                "next_page_uri": null, "page": 0, "page_size": listed.len().max(50),
                "previous_page_uri": null, "start": 0, "uri": uri,
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
            429 => twilio_error(429, 20429, "Too Many Requests"),
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

    /// `POST /_opt_out?number=+1...` (and `/_opt_in`): as if the number had texted STOP.
    fn control(&self, req: &Request) -> Option<Reply> {
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
        let today = Utc::from_unix(now_unix()).date();
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
}
