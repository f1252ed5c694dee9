//! A simulated caller: places a call against a running gateway as Twilio would (signed
//! webhooks, following the TwiML it gets back). Used by `scripts/call` (bin kea-call), the
//! demo, the tests and the benchmarks.
//!
//! Utterances are fed in order, one per `<Gather>`. Special ones: `<silence>` (say nothing),
//! `<press N>` (keypad digits), `<hangup>` (the caller hangs up).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;

use crate::signature;

/// Everything about one simulated call.
#[derive(Debug, Clone)]
pub struct CallSpec {
    /// The store's number (Twilio's `To`).
    pub to: String,
    /// The caller's number (`From`).
    pub from: String,
    pub says: Vec<String>,
    /// Where the gateway listens, e.g. http://127.0.0.1:8080.
    pub url: String,
    /// The base the gateway verifies signatures against (its KEA_PUBLIC_URL), when set.
    pub public_url: Option<String>,
    pub auth_token: String,
    /// DialCallStatus reported when kea transfers the call.
    pub dial_status: String,
    /// Speech confidence reported with every utterance.
    pub confidence: f32,
    /// Send the final status callback (`completed`) when the call ends.
    pub send_status: bool,
}

impl CallSpec {
    pub fn new(url: &str, auth_token: &str, to: &str, says: &[&str]) -> CallSpec {
        CallSpec {
            to: to.into(),
            from: "+15551230000".into(),
            says: says.iter().map(|s| s.to_string()).collect(),
            url: url.into(),
            public_url: None,
            auth_token: auth_token.into(),
            dial_status: "completed".into(),
            confidence: 0.93,
            send_status: true,
        }
    }
}

/// Who said what, in order; `who` is "kea" or "caller".
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub call_sid: String,
    pub lines: Vec<(String, String)>,
    pub ended_by: String,
    /// Webhook round trips, in order, as measured by the caller.
    pub latencies: Vec<Duration>,
}

impl Transcript {
    /// Everything kea said, one string per prompt.
    pub fn kea_said(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|(w, _)| w == "kea")
            .map(|(_, t)| t.as_str())
            .collect()
    }
}

/// The TwiML verbs kea uses.
#[derive(Debug, PartialEq)]
pub enum Verb {
    Say(String),
    Gather {
        action: String,
        prompts: Vec<String>,
    },
    Redirect(String),
    Dial {
        number: String,
        action: Option<String>,
    },
    Hangup,
}

/// Receives each transcript line as it happens: (who, text).
pub type LineSink = Box<dyn FnMut(&str, &str) + Send>;

pub struct Caller {
    spec: CallSpec,
    http: reqwest::Client,
    sid: String,
    started: Instant,
    transcript: Transcript,
    on_line: LineSink,
}

impl Caller {
    /// `on_line` sees each transcript line as it happens (scripts/call prints them).
    pub fn new(spec: CallSpec, on_line: impl FnMut(&str, &str) + Send + 'static) -> Caller {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let counter = NEXT_SID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sid = format!(
            "CA{:016x}{:08x}{:08x}",
            nanos as u64,
            std::process::id(),
            counter
        );
        Caller {
            spec,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                // The gateway closes a connection idle for 5 s (KEA_IDLE_TIMEOUT_MS); a caller
                // that reuses one at that very moment sends into a closing socket and gets
                // "error sending request". Dropping idle connections well before the server
                // does takes the race away (it failed a fault test once, under load).
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .expect("building an HTTP client"),
            started: Instant::now(),
            transcript: Transcript {
                call_sid: sid.clone(),
                ..Transcript::default()
            },
            sid,
            on_line: Box::new(on_line),
        }
    }

    pub fn call_sid(&self) -> &str {
        &self.sid
    }

    /// Continues a call that already exists (benchmarks set calls up in SQL).
    pub fn with_call_sid(mut self, sid: impl Into<String>) -> Caller {
        self.sid = sid.into();
        self.transcript.call_sid = self.sid.clone();
        self
    }

    /// Round-trip time of every webhook posted so far, in order.
    pub fn latencies(&self) -> &[Duration] {
        &self.transcript.latencies
    }

    fn line(&mut self, who: &str, text: &str) {
        (self.on_line)(who, text);
        self.transcript
            .lines
            .push((who.to_string(), text.to_string()));
    }

    /// Places the whole call and returns its transcript.
    pub async fn run(mut self) -> Result<Transcript, String> {
        let mut says = self.spec.says.clone().into_iter();
        let mut twiml = self
            .post("/twilio/voice", &[("CallStatus", "ringing")])
            .await?;
        let mut ended_by = "kea hung up".to_string();
        'call: loop {
            let mut next: Option<String> = None;
            for verb in parse(&twiml)? {
                match verb {
                    Verb::Say(t) => self.line("kea", &t),
                    Verb::Gather { action, prompts } => {
                        for p in &prompts {
                            self.line("kea", p);
                        }
                        let Some(utterance) = says.next() else {
                            ended_by = "caller hung up (nothing left to say)".into();
                            break 'call;
                        };
                        let extra: Vec<(&str, String)> = match utterance.as_str() {
                            "<silence>" => {
                                self.line("caller", "(silence)");
                                vec![]
                            }
                            "<hangup>" => {
                                ended_by = "caller hung up".into();
                                break 'call;
                            }
                            u if u.starts_with("<press ") => {
                                let digits = u
                                    .trim_start_matches("<press ")
                                    .trim_end_matches('>')
                                    .to_string();
                                self.line("caller", &format!("(presses {digits})"));
                                vec![("Digits", digits)]
                            }
                            u => {
                                self.line("caller", u);
                                vec![
                                    ("SpeechResult", u.to_string()),
                                    ("Confidence", format!("{:.2}", self.spec.confidence)),
                                ]
                            }
                        };
                        let extra: Vec<(&str, &str)> =
                            extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        next = Some(self.post(&action, &extra).await?);
                        break;
                    }
                    Verb::Redirect(url) => {
                        next = Some(self.post(&url, &[]).await?);
                        break;
                    }
                    Verb::Dial { number, action } => {
                        let status = self.spec.dial_status.clone();
                        self.line(
                            "kea",
                            &format!("(transfers the call to {number}: {status})"),
                        );
                        match action {
                            Some(a) => {
                                next = Some(
                                    self.post(&a, &[("DialCallStatus", status.as_str())])
                                        .await?,
                                );
                                break;
                            }
                            None => {
                                ended_by = "transferred".into();
                                break 'call;
                            }
                        }
                    }
                    Verb::Hangup => break 'call,
                }
            }
            match next {
                Some(t) => twiml = t,
                None => break,
            }
        }
        if self.spec.send_status {
            let duration = self.started.elapsed().as_secs().max(1).to_string();
            self.post(
                "/twilio/voice/status",
                &[
                    ("CallStatus", "completed"),
                    ("CallDuration", duration.as_str()),
                ],
            )
            .await?;
        }
        self.transcript.ended_by = ended_by;
        Ok(self.transcript)
    }

    /// POSTs a signed webhook with the call's standard parameters plus `extra`.
    pub async fn post(
        &mut self,
        path_or_url: &str,
        extra: &[(&str, &str)],
    ) -> Result<String, String> {
        let path = match url::Url::parse(path_or_url) {
            Ok(u) => format!(
                "{}{}",
                u.path(),
                u.query().map(|q| format!("?{q}")).unwrap_or_default()
            ),
            Err(_) => path_or_url.to_string(),
        };
        let params = self.params(extra);
        let base = self.spec.url.trim_end_matches('/').to_string();
        let signed_base = self
            .spec
            .public_url
            .as_deref()
            .unwrap_or(&base)
            .trim_end_matches('/')
            .to_string();
        let sig = signature::sign(
            &self.spec.auth_token,
            &format!("{signed_base}{path}"),
            &params,
        );
        let t0 = Instant::now();
        let resp = self
            .http
            .post(format!("{base}{path}"))
            .header("X-Twilio-Signature", sig)
            .form(&params)
            .send()
            .await
            .map_err(|e| format!("POST {base}{path}: {}", with_causes(&e)))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| e.to_string())?;
        self.transcript.latencies.push(t0.elapsed());
        if !status.is_success() {
            return Err(format!("POST {path} answered {status}: {}", body.trim()));
        }
        Ok(body)
    }

    /// Twilio's parameters for this call, plus `extra` (which may override CallStatus).
    pub fn params(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let status = extra
            .iter()
            .find(|(k, _)| *k == "CallStatus")
            .map_or("in-progress", |(_, v)| *v);
        let mut params: Vec<(String, String)> = [
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", self.sid.as_str()),
            ("CallStatus", status),
            ("Called", self.spec.to.as_str()),
            ("Caller", self.spec.from.as_str()),
            ("Direction", "inbound"),
            ("From", self.spec.from.as_str()),
            ("To", self.spec.to.as_str()),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        params.extend(
            extra
                .iter()
                .filter(|(k, _)| *k != "CallStatus")
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        params
    }
}

static NEXT_SID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The call's summary (turns and order) through `/rpc/call_summary`, with a service token
/// (an operator's: it reads any call) signed by `jwt_secret`, valid for a minute.
pub async fn call_summary(url: &str, jwt_secret: &str, call_sid: &str) -> Result<Value, String> {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs()
        + 60;
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({"role": "kea_service", "sub": "kea-call", "exp": exp,
                            "aud": crate::auth::AUDIENCE}),
        &jsonwebtoken::EncodingKey::from_secret(jwt_secret.as_bytes()),
    )
    .map_err(|e| e.to_string())?;
    let resp = reqwest::Client::new()
        .post(format!("{}/rpc/call_summary", url.trim_end_matches('/')))
        .bearer_auth(token)
        .json(&serde_json::json!({"call_sid": call_sid}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let v: Value = resp.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("/rpc/call_summary answered {status}: {v}"));
    }
    Ok(v)
}

/// The verbs of a TwiML document, in order; nested `<Say>`s of a `<Gather>` are its prompts.
pub fn parse(xml: &str) -> Result<Vec<Verb>, String> {
    let mut reader = Reader::from_str(xml);
    let mut verbs = Vec::new();
    let mut stack: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut text = String::new();
    let mut prompts: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the gateway answered invalid TwiML: {e}\n{xml}"))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                let attrs = e
                    .attributes()
                    .filter_map(Result::ok)
                    .map(|a| {
                        let key = String::from_utf8_lossy(a.key.as_ref()).to_string();
                        let value = a
                            .unescape_value()
                            .map(|v| v.to_string())
                            .unwrap_or_default();
                        (key, value)
                    })
                    .collect();
                stack.push((name, attrs));
                text.clear();
            }
            Event::Empty(e) if e.name().as_ref() == b"Hangup" => verbs.push(Verb::Hangup),
            Event::Text(t) => text.push_str(&t.unescape().map_err(|e| e.to_string())?),
            Event::End(_) => {
                let Some((name, attrs)) = stack.pop() else {
                    continue;
                };
                let attr = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
                let in_gather = stack.iter().any(|(n, _)| n == "Gather");
                match name.as_str() {
                    "Say" if in_gather => prompts.push(text.trim().to_string()),
                    "Say" => verbs.push(Verb::Say(text.trim().to_string())),
                    "Gather" => verbs.push(Verb::Gather {
                        action: attr("action").unwrap_or_else(|| "/twilio/voice/gather".into()),
                        prompts: std::mem::take(&mut prompts),
                    }),
                    "Redirect" => verbs.push(Verb::Redirect(text.trim().to_string())),
                    "Dial" => verbs.push(Verb::Dial {
                        number: text.trim().to_string(),
                        action: attr("action"),
                    }),
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed TwiML element: {xml}"));
    }
    Ok(verbs)
}

/// An error and its causes, outermost first: reqwest's own message ("error sending request")
/// says nothing of why (refused, reset, closed before the answer).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut said = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        said.push_str(": ");
        said.push_str(&c.to_string());
        cause = c.source();
    }
    said
}
