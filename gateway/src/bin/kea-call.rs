//! kea-call (scripts/call): places a simulated phone call against a running gateway, signed
//! as Twilio would, and prints the conversation (and with --json the order as JSON).

use clap::Parser;
use kea_gateway::simulator::{self, CallSpec, Caller};
use serde_json::Value;

#[derive(Parser, Debug)]
#[command(
    name = "scripts/call",
    about = "Place a simulated call through a running kea gateway",
    // Clap's own usage line would list the options set from the environment (--url,
    // --jwt-secret) as if they were required.
    override_usage = "scripts/call --to <NUMBER> [--say <TEXT>]... [OPTIONS]",
    after_help = "Special utterances: \"<silence>\", \"<press 0>\", \"<hangup>\".\n\
                  A number no merchant has: the caller hears kea's apology, and kea-call says so \
                  and exits 1 (scripts/init's demo merchant, Tony's Pizza, is +15555550100)."
)]
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
    /// The base URL the gateway verifies signatures against (its KEA_PUBLIC_URL), if set.
    #[arg(long, env = "KEA_PUBLIC_URL")]
    public_url: Option<String>,
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    auth_token: String,
    /// Secret of the gateway's /rpc tokens, to read the order back with --json.
    #[arg(long, env = "KEA_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// DialCallStatus to report when kea transfers the call (completed, no-answer, busy...).
    #[arg(long, default_value = "completed")]
    dial_status: String,
    /// Speech recognition confidence to report (0.0-1.0).
    #[arg(long, default_value_t = 0.93)]
    confidence: f32,
    /// Don't print the transcript.
    #[arg(long)]
    quiet: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = run(args).await {
        eprintln!("error: {e}");
        eprintln!(
            "  what to do: start the gateway (scripts/serve), check --url and TWILIO_AUTH_TOKEN"
        );
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let spec = CallSpec {
        to: args.to.clone(),
        from: args.from.clone(),
        says: args.says.clone(),
        url: args.url.clone(),
        public_url: args.public_url.clone(),
        auth_token: args.auth_token.clone(),
        dial_status: args.dial_status.clone(),
        confidence: args.confidence,
        send_status: true,
    };
    let quiet = args.quiet;
    let caller = Caller::new(spec, move |who, text| {
        if !quiet {
            println!("  {who:<7} {text}");
        }
    });
    if !quiet {
        println!(
            "Calling {} from {} (call {})",
            args.to,
            args.from,
            caller.call_sid()
        );
    }
    let transcript = caller.run().await?;
    if !quiet {
        println!("  ({})", transcript.ended_by);
    }
    // The call as kea kept it (when this secret is the gateway's): none at all, and no transfer,
    // means api.twilio_voice found no merchant for the number and answered its apology.
    let summary = match args.jwt_secret.as_deref() {
        Some(secret) => {
            Some(simulator::call_summary(&args.url, secret, &transcript.call_sid).await)
        }
        None => None,
    };
    if matches!(summary, Some(Ok(Value::Null))) && transcript.ended_by != "transferred" {
        eprintln!(
            "error: no merchant has the number {} (see scripts/call --help)",
            args.to
        );
        std::process::exit(1);
    }
    if args.json {
        let summary = summary
            .ok_or("--json needs KEA_JWT_SECRET (the gateway's) to read the order back")??;
        if !quiet {
            print_order(&summary["order"]);
        }
        println!(
            "{}",
            serde_json::to_string(&summary["order"]).unwrap_or_default()
        );
    }
    Ok(())
}

fn print_order(order: &Value) {
    if order.is_null() {
        println!("No order was placed.");
        return;
    }
    let money = |v: &Value| format!("${:.2}", v.as_i64().unwrap_or(0) as f64 / 100.0);
    println!(
        "Order {} ({}):",
        order["id"],
        order["status"].as_str().unwrap_or("?")
    );
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
                let q = m["qualifier"]
                    .as_str()
                    .map(|q| format!("{q} "))
                    .unwrap_or_default();
                let no = if m["negated"].as_bool() == Some(true) {
                    "no "
                } else {
                    ""
                };
                format!("{no}{q}{}", m["name"].as_str().unwrap_or("?"))
            })
            .collect();
        let mods = if mods.is_empty() {
            String::new()
        } else {
            format!(" ({})", mods.join(", "))
        };
        println!(
            "  {} x {name}{mods}  {}",
            l["quantity"],
            money(&l["line_total_cents"])
        );
    }
    println!(
        "  subtotal {}, tax {}, total {}",
        money(&order["subtotal_cents"]),
        money(&order["tax_cents"]),
        money(&order["total_cents"])
    );
}
