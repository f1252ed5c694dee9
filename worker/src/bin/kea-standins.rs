//! kea-standins: the POS webhook receiver, Square and Twilio's Messages API on local ports,
//! for a developer with no POS or Twilio account, the demo and tests. Point the worker at
//! them with `KEA_TWILIO_API_URL`, `KEA_SQUARE_API_URL` and the merchant's POS base URL.

use std::sync::Arc;

use clap::Parser;
use kea_worker::standins::{self, pos_webhook::PosWebhook, square::Square, twilio::Twilio};

#[derive(Debug, Parser)]
#[command(
    name = "kea-standins",
    about = "Local stand-ins for the POS, Square and Twilio's Messages API"
)]
struct Args {
    /// Where the generic POS webhook receiver listens (any path takes a ticket).
    #[arg(long, env = "KEA_STANDIN_POS", default_value = "127.0.0.1:9101")]
    pos: String,
    /// The secret X-Kea-Signature is checked with (the merchant's `api.connect_pos` secret).
    #[arg(
        long,
        env = "KEA_STANDIN_POS_SECRET",
        default_value = "kea-dev-pos-secret"
    )]
    pos_secret: String,
    /// Minutes until the POS says an order is ready.
    #[arg(long, env = "KEA_STANDIN_PREP_MINUTES", default_value_t = 20)]
    prep_minutes: i64,
    /// Where the Square stand-in listens (`POST /v2/orders`).
    #[arg(long, env = "KEA_STANDIN_SQUARE", default_value = "127.0.0.1:9102")]
    square: String,
    /// The Bearer token Square accepts.
    #[arg(
        long,
        env = "KEA_STANDIN_SQUARE_TOKEN",
        default_value = "kea-dev-square-token"
    )]
    square_token: String,
    /// Where the Twilio stand-in listens (`/2010-04-01/Accounts/{sid}/Messages.json`).
    #[arg(long, env = "KEA_STANDIN_TWILIO", default_value = "127.0.0.1:9103")]
    twilio: String,
    /// The account SID it serves.
    #[arg(
        long,
        env = "TWILIO_ACCOUNT_SID",
        default_value = "AC00000000000000000000000000000000"
    )]
    twilio_account_sid: String,
    /// The auth token it accepts.
    #[arg(
        long,
        env = "TWILIO_AUTH_TOKEN",
        default_value = "kea-dev-auth-token",
        hide_env_values = true
    )]
    twilio_auth_token: String,
    /// Numbers that answer 21610 (opted out), comma-separated.
    #[arg(long, env = "KEA_STANDIN_OPTED_OUT", value_delimiter = ',')]
    opted_out: Vec<String>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KEA_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let a = Args::parse();
    let roles: Vec<(&str, &str, Arc<dyn standins::Role>)> = vec![
        (
            "pos",
            &a.pos,
            Arc::new(PosWebhook::new(&a.pos_secret, a.prep_minutes)),
        ),
        ("square", &a.square, Arc::new(Square::new(&a.square_token))),
        (
            "twilio",
            &a.twilio,
            Arc::new(Twilio::new(
                &a.twilio_account_sid,
                &a.twilio_auth_token,
                &a.opted_out,
            )),
        ),
    ];
    for (name, addr, role) in roles {
        match standins::start(addr, role).await {
            // One line per role, which scripts read for the addresses.
            Ok(r) => println!("{name} {}", r.url),
            Err(e) => {
                eprintln!("error: cannot listen on {addr} for the {name} stand-in: {e}\n  what to do: set KEA_STANDIN_{} to a free address", name.to_uppercase());
                std::process::exit(2);
            }
        }
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}
