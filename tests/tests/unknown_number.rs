//! A call to a number no merchant has: the caller hears kea's apology (valid TwiML), the
//! operator sees a warning naming the number (in the gateway's log, as a warning), and
//! `scripts/call` says so and fails.

use std::process::Command;
use std::sync::{Arc, Mutex};

use kea_gateway::simulator::{CallSpec, Caller};
use kea_tests::{
    admin, merchant, script, start_gateway, test_database_url, unique_number, AUTH_TOKEN,
    JWT_SECRET,
};
use tokio_postgres::{AsyncMessage, NoTls};

fn scripts_call(gateway_url: &str, to: &str, says: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(script("call"));
    cmd.args(["--to", to]);
    for s in says {
        cmd.args(["--say", s]);
    }
    cmd.env("KEA_GATEWAY_URL", gateway_url)
        .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        .env("KEA_JWT_SECRET", JWT_SECRET)
        .env_remove("KEA_PUBLIC_URL")
        .output()
        .expect("running scripts/call")
}

// Multi-threaded: the gateway runs in this process while the test waits on scripts/call.
#[tokio::test(flavor = "multi_thread")]
async fn scripts_call_says_when_no_merchant_has_the_number() {
    let gw = start_gateway().await;
    let nobody = unique_number();
    let out = scripts_call(&gw.url, &nobody, &["hi"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "no merchant has the number {nobody} (see scripts/call --help)"
        )),
        "{stderr}"
    );
    assert!(
        stdout.contains("Sorry"),
        "the caller hears the apology: {stdout}"
    );

    // A merchant's number: the same script succeeds and says nothing of the kind.
    let m = merchant(&admin().await, "").await;
    let out = scripts_call(&gw.url, &m.number, &["<hangup>"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("no merchant has"), "{stderr}");
}

#[tokio::test]
async fn twilio_voice_warns_with_the_unknown_number_and_still_answers_twiml() {
    let config: tokio_postgres::Config = test_database_url().parse().unwrap();
    let (client, mut conn) = config.connect(NoTls).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            match m {
                Ok(AsyncMessage::Notice(n)) => {
                    let _ = tx.send((n.severity().to_string(), n.message().to_string()));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let nobody = unique_number();
    let params = serde_json::json!({"To": nobody, "From": "+15551230000",
                                    "CallSid": "CAunknownnumber", "CallStatus": "ringing"});
    let twiml: String = client
        .query_one("select api.twilio_voice($1)", &[&params])
        .await
        .unwrap()
        .get(0);
    drop(client);
    let mut notices = Vec::new();
    while let Some(n) = rx.recv().await {
        notices.push(n);
    }
    assert!(
        twiml.starts_with("<?xml") && twiml.contains("<Say"),
        "{twiml}"
    );
    assert!(
        notices.contains(&(
            "WARNING".to_string(),
            format!("no merchant has the number {nobody}")
        )),
        "{notices:?}"
    );
}

/// What the process logs, kept for the test to read (the in-process gateway logs through the
/// global subscriber).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// tokio-postgres logs every notice at INFO; an operator alerting on warnings must see the SQL's
// warnings as warnings (gateway/src/pg_notices.rs). Only WARN and above are kept here, so the
// line is missing unless the gateway logs it at WARN.
#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_logs_the_sql_warning_as_a_warning() {
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber of this test binary");
    let gw = start_gateway().await;
    let nobody = unique_number();
    // The call itself ends with the apology (the test above checks what the caller hears).
    let _ = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &nobody, &["hi"]),
        |_, _| {},
    )
    .run()
    .await;
    let wanted = format!("no merchant has the number {nobody}");
    let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let text = String::from_utf8_lossy(&log.0.lock().unwrap()).to_string();
        if let Some(line) = text.lines().find(|l| l.contains(&wanted)) {
            assert!(line.contains("WARN"), "{line}");
            assert!(
                line.contains("code=\"01000\""),
                "the SQLSTATE is logged: {line}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < end,
            "no warning {wanted:?} in the gateway's log:\n{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
