//! kea-call: places a simulated phone call against a running gateway, as Twilio would.
//!
//! Every request is signed with TWILIO_AUTH_TOKEN; the TwiML answers are followed (Gather
//! actions, Redirect, Dial, Hangup) and the `--say` utterances fed in order. Special
//! utterances: `<silence>` (say nothing), `<press N>` (keypad digits), `<hangup>`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use kea_gateway::signature;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;

#[derive(Parser, Debug)]
#[command(name = "scripts/call", about = "Place a simulated call through a running kea gateway")]
struct Args {
    /// The store's number (Twilio's `To`).
    #[arg(long)]
    to: String,
    /// The caller's number (`From`).
    #[arg(long, default_value = "+15551230000")]
    from: String,
    /// What the caller says, turn by turn (repeat the flag).
    #[arg(long = "say")]
    says: Vec<String>,
    /// Print the call's final order (lines, totals, status) as one JSON object on the last line.
    #[arg(long)]
    json: bool,
    /// Where the gateway listens.
    #[arg(long, env = "KEA_GATEWAY_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The base URL the gateway believes Twilio signs (its KEA_PUBLIC_URL), if set.
    #[arg(long, env = "KEA_PUBLIC_URL")]
    public_url: Option<String>,
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    auth_token: String,
    /// Secret for the /rpc token used to fetch the order with --json.
    #[arg(long, env = "KEA_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// DialCallStatus to report when kea transfers the call (completed, no-answer, busy...).
    #[arg(long, default_value = "completed")]
    dial_status: String,
    /// Speech recognition confidence to report.
    #[arg(long, default_value_t = 0.93)]
    confidence: f32,
    /// Don't print the transcript (useful with --json).
    #[arg(long)]
    quiet: bool,
}

/// The TwiML verbs kea uses.
#[derive(Debug)]
enum Verb {
    Say(String),
    Gather { action: String, prompts: Vec<String> },
    Redirect(String),
    Dial { number: String, action: Option<String> },
    Hangup,
}

struct Call {
    args: Args,
    http: reqwest::Client,
    sid: String,
    started: Instant,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let call = Call {
        sid: format!("CA{:032x}", nanos ^ (u128::from(std::process::id()) << 64)),
        http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("http client"),
        started: Instant::now(),
        args,
    };
    if let Err(e) = call.run().await {
        eprintln!("error: {e}");
        eprintln!("  what to do: start the gateway (scripts/serve) and check --url / TWILIO_AUTH_TOKEN");
        std::process::exit(1);
    }
}

impl Call {
    fn say(&self, who: &str, text: &str) {
        if !self.args.quiet {
            println!("  {who:<7} {text}");
        }
    }

    async fn run(&self) -> Result<(), String> {
        if !self.args.quiet {
            println!("Calling {} from {} (call {})", self.args.to, self.args.from, self.sid);
        }
        let mut says = self.args.says.iter();
        let mut twiml = self.post("/twilio/voice", &[("CallStatus", "ringing")]).await?;
        let mut ended_by = "kea hung up";
        'call: loop {
            let verbs = parse(&twiml)?;
            let mut next: Option<String> = None;
            for verb in verbs {
                match verb {
                    Verb::Say(t) => self.say("kea", &t),
                    Verb::Gather { action, prompts } => {
                        for p in &prompts {
                            self.say("kea", p);
                        }
                        let Some(utterance) = says.next() else {
                            ended_by = "caller hung up (nothing left to say)";
                            break 'call;
                        };
                        let extra = match utterance.as_str() {
                            "<silence>" => {
                                self.say("caller", "(silence)");
                                vec![]
                            }
                            "<hangup>" => {
                                ended_by = "caller hung up";
                                break 'call;
                            }
                            u if u.starts_with("<press ") => {
                                let digits = u.trim_start_matches("<press ").trim_end_matches('>');
                                self.say("caller", &format!("(presses {digits})"));
                                vec![("Digits", digits.to_string())]
                            }
                            u => {
                                self.say("caller", u);
                                vec![("SpeechResult", u.to_string()), ("Confidence", format!("{:.2}", self.args.confidence))]
                            }
                        };
                        let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        next = Some(self.post(&action, &extra).await?);
                        break;
                    }
                    Verb::Redirect(url) => {
                        next = Some(self.post(&url, &[]).await?);
                        break;
                    }
                    Verb::Dial { number, action } => {
                        self.say("kea", &format!("(transfers the call to {number}: {})", self.args.dial_status));
                        match action {
                            Some(a) => {
                                let status = self.args.dial_status.clone();
                                next = Some(self.post(&a, &[("DialCallStatus", status.as_str())]).await?);
                                break;
                            }
                            None => {
                                ended_by = "transferred";
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
        let duration = self.started.elapsed().as_secs().max(1).to_string();
        self.post("/twilio/voice/status", &[("CallStatus", "completed"), ("CallDuration", duration.as_str())])
            .await?;
        if !self.args.quiet {
            println!("  ({ended_by})");
        }
        if self.args.json {
            let summary = self.summary().await?;
            if !self.args.quiet {
                print_order(&summary["order"]);
            }
            println!("{}", serde_json::to_string(&summary["order"]).unwrap_or_default());
        }
        Ok(())
    }

    /// POSTs a signed webhook, with the call's standard parameters plus `extra`.
    async fn post(&self, path_or_url: &str, extra: &[(&str, &str)]) -> Result<String, String> {
        let path = if path_or_url.starts_with("http") {
            let u = url::Url::parse(path_or_url).map_err(|e| e.to_string())?;
            format!("{}{}", u.path(), u.query().map(|q| format!("?{q}")).unwrap_or_default())
        } else {
            path_or_url.to_string()
        };
        let status = extra.iter().find(|(k, _)| *k == "CallStatus").map_or("in-progress", |(_, v)| *v);
        let mut params: Vec<(String, String)> = [
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", self.sid.as_str()),
            ("CallStatus", status),
            ("Called", self.args.to.as_str()),
            ("Caller", self.args.from.as_str()),
            ("Direction", "inbound"),
            ("From", self.args.from.as_str()),
            ("To", self.args.to.as_str()),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        params.extend(extra.iter().filter(|(k, _)| *k != "CallStatus").map(|(k, v)| (k.to_string(), v.to_string())));
        let base = self.args.url.trim_end_matches('/');
        let signed_base = self.args.public_url.as_deref().unwrap_or(base).trim_end_matches('/');
        let sig = signature::sign(&self.args.auth_token, &format!("{signed_base}{path}"), &params);
        let resp = self
            .http
            .post(format!("{base}{path}"))
            .header("X-Twilio-Signature", sig)
            .form(&params)
            .send()
            .await
            .map_err(|e| format!("POST {base}{path}: {e}"))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("POST {path} answered {status}: {}", body.trim()));
        }
        Ok(body)
    }

    async fn summary(&self) -> Result<Value, String> {
        let secret = self.args.jwt_secret.as_deref().ok_or("--json needs KEA_JWT_SECRET (the gateway's) to read the order")?;
        let token = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &serde_json::json!({"role": "kea_agent", "sub": "kea-call"}),
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .map_err(|e| e.to_string())?;
        let base = self.args.url.trim_end_matches('/');
        let resp = self
            .http
            .post(format!("{base}/rpc/call_summary"))
            .bearer_auth(token)
            .json(&serde_json::json!({"p_call_sid": self.sid}))
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
}

fn print_order(order: &Value) {
    if order.is_null() {
        println!("No order was placed.");
        return;
    }
    let money = |v: &Value| format!("${:.2}", v.as_i64().unwrap_or(0) as f64 / 100.0);
    println!("Order {} ({}):", order["id"], order["status"].as_str().unwrap_or("?"));
    for l in order["lines"].as_array().into_iter().flatten() {
        let mut name = l["name"].as_str().unwrap_or("?").to_string();
        if let Some(v) = l["variation_name"].as_str() {
            name = format!("{v} {name}");
        }
        let mods: Vec<String> = l["modifiers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let q = m["qualifier"].as_str().map(|q| format!("{q} ")).unwrap_or_default();
                let no = if m["negated"].as_bool() == Some(true) { "no " } else { "" };
                format!("{no}{q}{}", m["name"].as_str().unwrap_or("?"))
            })
            .collect();
        let mods = if mods.is_empty() { String::new() } else { format!(" ({})", mods.join(", ")) };
        println!("  {} x {name}{mods}  {}", l["quantity"], money(&l["line_total_cents"]));
    }
    println!(
        "  subtotal {}, tax {}, total {}",
        money(&order["subtotal_cents"]),
        money(&order["tax_cents"]),
        money(&order["total_cents"])
    );
}

/// The verbs of a TwiML document, in order.
fn parse(xml: &str) -> Result<Vec<Verb>, String> {
    let mut reader = Reader::from_str(xml);
    let mut verbs = Vec::new();
    let mut stack: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut text = String::new();
    let mut gather_prompts: Vec<String> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| format!("the gateway answered invalid TwiML: {e}\n{xml}"))? {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                let attrs = e
                    .attributes()
                    .filter_map(Result::ok)
                    .map(|a| (String::from_utf8_lossy(a.key.as_ref()).to_string(), a.unescape_value().map(|v| v.to_string()).unwrap_or_default()))
                    .collect();
                if name == "Gather" {
                    gather_prompts.clear();
                }
                stack.push((name, attrs));
                text.clear();
            }
            Event::Empty(e) => {
                if e.name().as_ref() == b"Hangup" {
                    verbs.push(Verb::Hangup);
                }
            }
            Event::Text(t) => text.push_str(&t.unescape().map_err(|e| e.to_string())?),
            Event::End(_) => {
                let Some((name, attrs)) = stack.pop() else { continue };
                let attr = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
                let inside_gather = stack.iter().any(|(n, _)| n == "Gather");
                match name.as_str() {
                    "Say" if inside_gather => gather_prompts.push(text.trim().to_string()),
                    "Say" => verbs.push(Verb::Say(text.trim().to_string())),
                    "Gather" => verbs.push(Verb::Gather {
                        action: attr("action").unwrap_or_else(|| "/twilio/voice/gather".into()),
                        prompts: std::mem::take(&mut gather_prompts),
                    }),
                    "Redirect" => verbs.push(Verb::Redirect(text.trim().to_string())),
                    "Dial" => verbs.push(Verb::Dial { number: text.trim().to_string(), action: attr("action") }),
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(verbs)
}
