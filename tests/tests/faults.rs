//! Faults with the real gateway, worker and PostgreSQL (issue 18 §2), each test on a cluster of
//! its own (tests/tests/support/cluster.rs), so stopping PostgreSQL or holding its locks never
//! disturbs the other tests on the shared one:
//!
//! - PostgreSQL restarts in the middle of 50 calls;
//! - one of two `kea-gateway` processes on one database is SIGKILLed in the middle of requests;
//! - the POS and Twilio's Messages API are slow (30 s), drop connections and answer garbage;
//! - a turn waits on a lock past the gateway's budget.
//!
//! Callers are driven turn by turn through the simulator's signed requests; the gateway runs
//! in-process (the binary where it is killed), the worker in-process against local stand-ins
//! for the POS and Twilio.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kea_gateway::simulator::{parse, CallSpec, Caller, Verb};
use kea_tests::{merchant, start_gateway_configured, Gateway, Merchant, AUTH_TOKEN, JWT_SECRET};
use kea_worker::standins::{self, pos_webhook::PosWebhook, twilio::Twilio};
use serde_json::Value;
use support::cluster::Cluster;
use tokio::sync::watch;
use tokio_postgres::Client;

const POS_SECRET: &str = "kea-faults-pos-secret";
const TWILIO_SID: &str = "ACfaults000000000000000000000000000";
const TWILIO_TOKEN: &str = "kea-faults-twilio-token";

/// A caller on the line, one turn at a time.
struct Phone {
    caller: Caller,
    /// Where the last TwiML's `<Gather>` posts the next turn (None: kea hung up or transferred).
    action: Option<String>,
    pub from: String,
}

/// What an answer was: a question (with what kea said), a transfer (the apology), or the end.
#[derive(Debug, PartialEq)]
enum Answer {
    Question(String),
    Transfer(String),
    End(String),
}

fn read(twiml: &str) -> (Answer, Option<String>) {
    let verbs = parse(twiml).unwrap_or_else(|e| panic!("TwiML that does not parse ({e}): {twiml}"));
    let mut said = String::new();
    for v in verbs {
        match v {
            Verb::Say(t) => said.push_str(&t),
            Verb::Gather { action, prompts } => {
                said.push_str(&prompts.join(" "));
                return (Answer::Question(said), Some(action));
            }
            Verb::Dial { number, .. } => return (Answer::Transfer(number), None),
            Verb::Redirect(_) | Verb::Hangup => {}
        }
    }
    (Answer::End(said), None)
}

static CALLERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Phone {
    /// Calls the merchant through `url`; returns the phone and the greeting.
    async fn dial(url: &str, m: &Merchant) -> (Phone, Answer) {
        let n = CALLERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let from = format!("+1554{:03}{:04}", std::process::id() % 1000, n % 10_000);
        let mut spec = CallSpec::new(url, AUTH_TOKEN, &m.number, &[]);
        spec.from = from.clone();
        let mut caller = Caller::new(spec, |_, _| {});
        let twiml = caller
            .post("/twilio/voice", &[("CallStatus", "ringing")])
            .await
            .unwrap_or_else(|e| panic!("the call did not connect: {e}"));
        let (answer, action) = read(&twiml);
        (
            Phone {
                caller,
                action,
                from,
            },
            answer,
        )
    }

    /// Says `words` at the current turn (through `url` when given: another gateway).
    async fn say(&mut self, words: &str) -> Result<Answer, String> {
        let action = self.action.clone().expect("kea is listening");
        let twiml = self
            .caller
            .post(&action, &[("SpeechResult", words), ("Confidence", "0.93")])
            .await?;
        let (answer, action) = read(&twiml);
        self.action = action;
        Ok(answer)
    }
}

/// The worker, in-process, against the stand-ins; stopped when the sender is dropped.
fn worker(
    database_url: &str,
    twilio: &str,
    lease_s: f32,
    http_timeout_s: f32,
) -> watch::Sender<bool> {
    let (stop, stopped) = watch::channel(false);
    let config = kea_worker::Config {
        worker_database_url: Some(database_url.into()),
        database_url: database_url.into(),
        concurrency: 8,
        prefetch: 0,
        lease_s,
        poll_ms: 200,
        metrics: "off".into(),
        shutdown_s: 1.0,
        http_timeout_s,
        sms_settle_s: 1.0,
        worker_id: Some(format!("faults-{}", std::process::id())),
        threads: 1,
        twilio_account_sid: Some(TWILIO_SID.into()),
        twilio_auth_token: Some(TWILIO_TOKEN.into()),
        twilio_api_url: twilio.into(),
        square_api_url: "http://127.0.0.1:9".into(),
        public_url: None,
    };
    tokio::spawn(async move {
        if let Err(e) = kea_worker::run(config, stopped, |_| {}).await {
            panic!("the worker stopped: {e}");
        }
    });
    stop
}

struct Stands {
    pos: standins::Running,
    twilio: standins::Running,
}

async fn stand_ins() -> Stands {
    Stands {
        pos: standins::start("127.0.0.1:0", Arc::new(PosWebhook::new(POS_SECRET, 20)))
            .await
            .expect("the POS stand-in"),
        twilio: standins::start(
            "127.0.0.1:0",
            Arc::new(Twilio::new(TWILIO_SID, TWILIO_TOKEN, &[])),
        )
        .await
        .expect("the Twilio stand-in"),
    }
}

async fn control(url: &str, what: &str) {
    let r = reqwest::Client::new()
        .post(format!("{url}/_{what}"))
        .send()
        .await
        .expect("a stand-in's control endpoint");
    assert!(r.status().is_success(), "/_{what}");
}

async fn received(url: &str) -> Value {
    reqwest::get(format!("{url}/_received"))
        .await
        .expect("/_received")
        .json()
        .await
        .expect("JSON")
}

/// An agent approves the orders (as `api.approve_order` would: verified, the POS job queued).
async fn approve(db: &Client, ids: &[i64]) {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    db.batch_execute(&format!(
        "begin;
         select app.act_as('agent', 'faults', 'approved by the test');
         update app.orders set status = 'verified' where id in ({list});
         commit;"
    ))
    .await
    .expect("approving orders");
}

async fn orders_of(db: &Client, m: &Merchant) -> Vec<(i64, String)> {
    db.query(
        "select id, customer_phone from app.orders where merchant_id = $1
            and status <> 'abandoned' order by id",
        &[&m.id],
    )
    .await
    .expect("orders")
    .iter()
    .map(|r| (r.get(0), r.get::<_, Option<String>>(1).unwrap_or_default()))
    .collect()
}

/// Every order is at the POS once and its caller texted once, within `within`.
async fn delivered_once(db: &Client, s: &Stands, orders: &[(i64, String)], within: Duration) {
    let ids: Vec<i64> = orders.iter().map(|o| o.0).collect();
    let end = Instant::now() + within;
    loop {
        let done: i64 = db
            .query_one(
                "select count(*) from app.orders o where o.id = any($1) and o.status = 'accepted_by_pos'
                    and exists (select 1 from app.jobs_done j where j.kind = 'sms'
                                   and (j.args->>'order_id')::bigint = o.id)",
                &[&ids],
            )
            .await
            .map(|r| r.get(0))
            .unwrap_or(0);
        if done == ids.len() as i64 {
            break;
        }
        assert!(
            Instant::now() < end,
            "{done} of {} orders accepted by the POS and texted",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let at_pos = received(&s.pos.url).await;
    let texts = received(&s.twilio.url).await;
    for (id, phone) in orders {
        let key = format!("kea-order-{id}");
        let n = at_pos["orders"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["idempotency_key"] == key.as_str())
            .count();
        assert_eq!(n, 1, "order {id} at the POS");
        let reference = format!("order #{id}:");
        let t = texts["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| {
                m["to"] == phone.as_str() && m["body"].as_str().unwrap_or("").contains(&reference)
            })
            .count();
        assert_eq!(t, 1, "texts for order {id} to {phone}");
    }
}

async fn healthz(url: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{url}/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

async fn gateway(cluster: &Cluster) -> Gateway {
    start_gateway_configured(&cluster.url("kea_authenticator"), |c| {
        c.pool_size = 16;
        c.sql_budget_ms = 3_000;
    })
    .await
}

async fn connect_pos(db: &Client, m: &Merchant, url: &str) {
    db.execute(
        "select api.connect_pos($1, 'webhook', $2, $3, null)",
        &[&m.id, &url, &POS_SECRET],
    )
    .await
    .expect("api.connect_pos");
}

/// 50 calls in the middle of their order when PostgreSQL stops for a few seconds and starts
/// again: every webhook during the outage gets 200 with valid TwiML (the apology, transferring
/// to the store's number, from the gateway's in-memory directory), /healthz says 503; the
/// pools and the LISTEN sessions come back on their own; the calls that did not speak during
/// the outage go on where they were and end in orders; every order confirmed before the outage
/// (approved, its POS job in flight at the stop) and after it reaches the POS once, and every
/// caller is texted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarting_mid_call() {
    let cluster = Cluster::start().await;
    let db = cluster.admin().await;
    let m = merchant(&db, "").await;
    let s = stand_ins().await;
    connect_pos(&db, &m, &s.pos.url).await;
    control(&s.pos.url, "hold?ms=1500").await;
    let gw = gateway(&cluster).await;
    let _worker = worker(&cluster.url("kea_authenticator"), &s.twilio.url, 2.0, 5.0);
    let merchant_token: String = db
        .query_one(
            "select app.sign_jwt(jsonb_build_object('role', 'kea_merchant', 'merchant_id', $1::bigint,
                                                    'exp', extract(epoch from now())::bigint + 3600))",
            &[&m.id],
        )
        .await
        .expect("a merchant token")
        .get(0);
    let events = reqwest::Client::new()
        .get(format!("{}/events", gw.url))
        .bearer_auth(&merchant_token)
        .send()
        .await
        .expect("GET /events");
    assert_eq!(events.status(), 200);

    // Ten orders confirmed and approved before the outage: their POS jobs are in flight.
    let mut before = Vec::new();
    for _ in 0..10 {
        let (mut p, _) = Phone::dial(&gw.url, &m).await;
        p.say("a large pepperoni pizza").await.unwrap();
        p.say("that's all").await.unwrap();
        let end = p.say("yes").await.unwrap();
        assert!(matches!(end, Answer::End(_)), "{end:?}");
        before.push(p.from.clone());
    }
    let confirmed = orders_of(&db, &m).await;
    assert_eq!(confirmed.len(), 10);
    approve(&db, &confirmed.iter().map(|o| o.0).collect::<Vec<_>>()).await;

    // Fifty calls with a pizza in the cart.
    let mut phones = Vec::new();
    for _ in 0..50 {
        let (mut p, greeting) = Phone::dial(&gw.url, &m).await;
        assert!(matches!(greeting, Answer::Question(_)), "{greeting:?}");
        let a = p.say("a large pepperoni pizza").await.unwrap();
        assert!(matches!(a, Answer::Question(_)), "{a:?}");
        phones.push(p);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(healthz(&gw.url).await, 200);

    // The outage: twenty callers speak while PostgreSQL is down.
    let stopped = Instant::now();
    cluster.stop();
    let mut outage_latency = Duration::ZERO;
    let (speaking, quiet) = phones.split_at_mut(20);
    for p in speaking.iter_mut() {
        let t0 = Instant::now();
        let a = p
            .say("that's all")
            .await
            .unwrap_or_else(|e| panic!("a webhook failed during the outage: {e}"));
        outage_latency = outage_latency.max(t0.elapsed());
        assert_eq!(
            a,
            Answer::Transfer(m.transfer_number.clone()),
            "the apology transfers to the store"
        );
    }
    // /healthz keeps a result for a second: within a few it says the database is gone.
    let asked = Instant::now();
    while healthz(&gw.url).await != 503 {
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "/healthz still 200 five seconds into the outage"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2).saturating_sub(stopped.elapsed())).await;
    cluster.start_again();
    let down_for = stopped.elapsed();
    let back = Instant::now();
    cluster.ready(Duration::from_secs(30)).await;
    let db = cluster.admin().await;
    while healthz(&gw.url).await != 200 {
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "/healthz never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let healthy_after = back.elapsed();
    // The worker's and the gateway's LISTEN sessions come back by themselves.
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let listening: Vec<String> = db
            .query(
                "select application_name || ': ' || query from pg_stat_activity
                  where query ilike 'listen %'",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        if listening.iter().any(|q| q.contains("kea_jobs"))
            && listening.iter().any(|q| q.contains("kea_tasks"))
        {
            break;
        }
        assert!(
            Instant::now() < end,
            "LISTEN sessions after the restart: {listening:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(events);

    // The quiet thirty go on where they were: the read-back has their pizza, then "yes".
    for p in quiet.iter_mut() {
        let a = p.say("that's all").await.expect("a turn after the restart");
        match &a {
            Answer::Question(said) => assert!(said.contains("Pepperoni"), "{said}"),
            other => panic!("the call did not go on where it was: {other:?}"),
        }
        let end = p.say("yes").await.expect("the confirmation");
        assert!(matches!(end, Answer::End(_)), "{end:?}");
    }
    let all = orders_of(&db, &m).await;
    assert_eq!(all.len(), 40, "10 orders before the outage and 30 after");
    let after: Vec<i64> = all
        .iter()
        .map(|o| o.0)
        .filter(|id| !confirmed.iter().any(|c| c.0 == *id))
        .collect();
    approve(&db, &after).await;
    control(&s.pos.url, "hold?ms=0").await;
    delivered_once(&db, &s, &all, Duration::from_secs(60)).await;
    let transferred: i64 = db
        .query_one(
            "select count(*) from app.calls where merchant_id = $1 and next_turn = 2",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        transferred, 20,
        "the calls that heard the apology kept their state"
    );
    println!(
        "PostgreSQL down {:.1} s: 20 webhooks answered the apology (slowest {} ms), /healthz 503; \
         healthy {} ms after the start; 40 orders at the POS once and texted once",
        down_for.as_secs_f32(),
        outage_latency.as_millis(),
        healthy_after.as_millis()
    );
}

/// A `kea-gateway` process: the binary, as deployed, on a port of its own; SIGKILLed when
/// dropped.
struct GatewayProcess {
    url: String,
    child: std::process::Child,
}

/// The `kea-gateway` binary of this checkout, built (as scripts/test builds it) once per
/// process: tests of this package do not get other packages' binaries from cargo.
fn gateway_binary() -> &'static std::path::Path {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        // The test runs as target/<profile>/deps/<test>: the binaries are in target/<profile>.
        let exe = std::env::current_exe().expect("the test's own path");
        let dir = exe
            .parent()
            .and_then(|d| d.parent())
            .expect("target/<profile>");
        let mut build =
            std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()));
        // Without what cargo sets for this test's run: build scripts watching them (ring's
        // CARGO_MANIFEST_DIR, CARGO_PKG_*) would rebuild and dirty the shared target.
        for (k, _) in std::env::vars() {
            if k.starts_with("CARGO_PKG_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "OUT_DIR",
                ]
                .contains(&k.as_str())
            {
                build.env_remove(k);
            }
        }
        build
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .args([
                "build",
                "-q",
                "-p",
                "kea_gateway",
                "-p",
                "kea_worker",
                "--bins",
            ]);
        if dir.ends_with("release") {
            build.arg("--release");
        }
        let out = build.output().expect("cargo build");
        assert!(
            out.status.success(),
            "cargo build -p kea_gateway: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("kea-gateway")
    })
}

impl GatewayProcess {
    async fn start(database_url: &str) -> GatewayProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = std::process::Command::new(gateway_binary())
            .env("KEA_LISTEN", &listen)
            .env("KEA_METRICS_LISTEN", "off")
            .env("KEA_DATABASE_URL", database_url)
            .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
            .env("KEA_JWT_SECRET", JWT_SECRET)
            .env("KEA_DEV", "1")
            .env("KEA_POOL_SIZE", "16")
            .env("KEA_LOG", "error")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("starting kea-gateway");
        let url = format!("http://{listen}");
        let end = Instant::now() + Duration::from_secs(30);
        while healthz(&url).await != 200 {
            if let Some(status) = child.try_wait().expect("the gateway's status") {
                panic!("kea-gateway exited at start: {status}");
            }
            assert!(Instant::now() < end, "kea-gateway never answered /healthz");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        GatewayProcess { url, child }
    }

    /// kill -9.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("the gateway's end");
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9),
            "{status}"
        );
    }
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two `kea-gateway` processes on one database, calls alternating between them as behind a
/// load balancer; every call's row is locked so that each has a turn waiting in PostgreSQL,
/// and one gateway is SIGKILLed. Its callers' requests fail (Twilio then posts the same turn
/// to its fallback URL: the survivor). The survivor answers every webhook with TwiML: its own
/// waiting turns once the locks go, the dead gateway's turns from `app.turns` when their
/// transaction committed after the death (PostgreSQL notices a client gone only when it
/// writes to it), afresh when the session died too. Every call goes on where it was to its
/// order; no turn is taken twice or missed, and each call has one order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_killed_mid_request() {
    let cluster = Cluster::start().await;
    let db = cluster.admin().await;
    let m = merchant(&db, "").await;
    let url = cluster.url("kea_authenticator");
    // The victim's sessions are told apart by their name.
    let mut victim =
        GatewayProcess::start(&format!("{url}?application_name=kea-gateway-victim")).await;
    let survivor = GatewayProcess::start(&url).await;

    const CALLS: usize = 12;
    let mut phones = Vec::new();
    for i in 0..CALLS {
        let gw = if i % 2 == 0 { &victim } else { &survivor };
        let (mut p, greeting) = Phone::dial(&gw.url, &m).await;
        assert!(matches!(greeting, Answer::Question(_)), "{greeting:?}");
        let a = p.say("a large pepperoni pizza").await.unwrap();
        assert!(matches!(a, Answer::Question(_)), "{a:?}");
        phones.push(p);
    }
    let sids: Vec<String> = phones
        .iter()
        .map(|p| p.caller.call_sid().to_string())
        .collect();
    let victims: Vec<String> = sids.iter().step_by(2).cloned().collect();
    // Every call's next turn waits on its row, on both gateways.
    let blocker = cluster.admin().await;
    blocker
        .batch_execute(&format!(
            "begin; select 1 from app.calls where merchant_id = {} for update",
            m.id
        ))
        .await
        .unwrap();
    let in_flight: Vec<_> = phones
        .into_iter()
        .map(|mut p| {
            tokio::spawn(async move {
                let a = p.say("that's all").await;
                (p, a)
            })
        })
        .collect();
    let waiting_on_locks = || async {
        db.query_one(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock'
                and query like '%twilio_gather%'",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
    };
    let end = Instant::now() + Duration::from_secs(10);
    while waiting_on_locks().await != CALLS as i64 {
        assert!(
            Instant::now() < end,
            "{} turns waiting on the call locks",
            waiting_on_locks().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The death.
    victim.kill();
    // Its sessions stay until PostgreSQL writes to them; half of those waiting are ended now,
    // as when the connection dies with the machine.
    let ended: i64 = db
        .query_one(
            "select count(pg_terminate_backend(pid)) from (
               select pid from pg_stat_activity where wait_event_type = 'Lock'
                  and application_name = 'kea-gateway-victim'
                order by pid limit $1) w",
            &[&((CALLS / 4) as i64)],
        )
        .await
        .unwrap()
        .get(0);
    blocker.batch_execute("rollback").await.unwrap();
    let mut phones = Vec::new();
    for (i, h) in in_flight.into_iter().enumerate() {
        let (p, a) = h.await.unwrap();
        if i % 2 == 0 {
            assert!(a.is_err(), "call {i}: the dead gateway answered {a:?}");
        } else {
            match a {
                Ok(Answer::Question(said)) => assert!(said.contains("Pepperoni"), "{said}"),
                other => panic!("call {i}: the survivor's own turn: {other:?}"),
            }
        }
        phones.push(p);
    }
    // The dead gateway's sessions left alive take their turns and go once they find no client.
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let left: i64 = db
            .query_one(
                "select count(*) from pg_stat_activity where application_name = 'kea-gateway-victim'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if left == 0 {
            break;
        }
        assert!(Instant::now() < end, "{left} sessions of the dead gateway");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let committed: i64 = db
        .query_one(
            "select count(*) from app.calls where call_sid = any($1) and next_turn = 3",
            &[&victims],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        committed + ended,
        (CALLS / 2) as i64,
        "the dead gateway's turns whose sessions were left alive committed"
    );
    // Twilio posts each failed turn again, to the survivor: the call goes on where it was.
    let mut slowest = Duration::ZERO;
    for (i, p) in phones.iter_mut().enumerate() {
        if i % 2 == 0 {
            let mut spec = CallSpec::new(&survivor.url, AUTH_TOKEN, &m.number, &[]);
            spec.from = p.from.clone();
            p.caller = Caller::new(spec, |_, _| {}).with_call_sid(p.caller.call_sid().to_string());
            let t0 = Instant::now();
            let a = p.say("that's all").await.expect("the survivor answers");
            slowest = slowest.max(t0.elapsed());
            match &a {
                Answer::Question(said) => assert!(said.contains("Pepperoni"), "{said}"),
                other => panic!("call {i} did not go on where it was: {other:?}"),
            }
        }
        let end = p.say("yes").await.expect("the confirmation");
        assert!(matches!(end, Answer::End(_)), "call {i}: {end:?}");
    }
    // Each call: its turns 0..3 once each, what the caller said in order, one order, confirmed.
    for sid in &sids {
        let r = db
            .query_one(
                "select c.next_turn,
                        (select array_agg(coalesce(t.speech, t.event) order by t.seq, t.ctid)
                           from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id),
                        (select array_agg(t.seq order by t.seq, t.ctid)
                           from app.turns t where t.merchant_id = c.merchant_id and t.call_id = c.id),
                        (select array_agg(o.status order by o.id)
                           from app.orders o where o.merchant_id = c.merchant_id and o.call_id = c.id),
                        c.order_id is not null
                   from app.calls c where c.call_sid = $1",
                &[sid],
            )
            .await
            .unwrap();
        let (next, said, seqs, orders, linked): (i32, Vec<String>, Vec<i32>, Vec<String>, bool) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        assert_eq!(
            (next, seqs, said),
            (
                4,
                vec![0, 1, 2, 3],
                ["start", "a large pepperoni pizza", "that's all", "yes"]
                    .map(String::from)
                    .to_vec()
            ),
            "call {sid}'s turns"
        );
        assert_eq!(
            (orders, linked),
            (vec!["pending_verification".to_string()], true),
            "call {sid}'s order"
        );
    }
    println!(
        "kea-gateway SIGKILLed holding {} turns: {ended} of their sessions ended, {committed} \
         committed after its death; the survivor answered their retries within {} ms",
        CALLS / 2,
        slowest.as_millis()
    );
}

/// Slow and failing neighbours: the POS and Twilio's Messages API answer after 30 s, then drop
/// the connection, then answer garbage. With a 1 s HTTP timeout every job times out, backs off
/// and dies only after its attempts (3 here); orders the POS never took are `failed`, for a
/// person. Calls meanwhile go through the gateway untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_and_failing_neighbours() {
    let cluster = Cluster::start().await;
    let db = cluster.admin().await;
    let with_pos = merchant(&db, "").await;
    // No POS: an approved order is texted at once.
    let texting = merchant(&db, "").await;
    let s = stand_ins().await;
    connect_pos(&db, &with_pos, &s.pos.url).await;
    for url in [&s.pos.url, &s.twilio.url] {
        control(url, "hold?ms=30000").await;
    }
    let gw = gateway(&cluster).await;
    let _worker = worker(&cluster.url("kea_authenticator"), &s.twilio.url, 2.0, 1.0);
    let order_call = |m: &Merchant| {
        let url = gw.url.clone();
        let m = Merchant {
            id: m.id,
            number: m.number.clone(),
            transfer_number: m.transfer_number.clone(),
            menu_id: m.menu_id,
        };
        async move {
            let t0 = Instant::now();
            let (mut p, _) = Phone::dial(&url, &m).await;
            p.say("a large pepperoni pizza").await.unwrap();
            let rb = p.say("that's all").await.unwrap();
            assert!(
                matches!(rb, Answer::Question(ref s) if s.contains("Pepperoni")),
                "{rb:?}"
            );
            assert!(matches!(p.say("yes").await.unwrap(), Answer::End(_)));
            t0.elapsed()
        }
    };
    for _ in 0..3 {
        order_call(&with_pos).await;
        order_call(&texting).await;
    }
    let mut ids: Vec<i64> = orders_of(&db, &with_pos)
        .await
        .iter()
        .map(|o| o.0)
        .collect();
    ids.extend(orders_of(&db, &texting).await.iter().map(|o| o.0));
    approve(&db, &ids).await;
    db.execute(
        "update app.jobs set max_attempts = 3 where (args->>'order_id')::bigint = any($1)",
        &[&ids],
    )
    .await
    .unwrap();
    let attempts_failed = |n: i32| {
        let db = &db;
        let ids = &ids;
        async move {
            db.query_one(
                "select count(*) from app.jobs where (args->>'order_id')::bigint = any($1)
                    and jsonb_array_length(errors) >= $2",
                &[ids, &n],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
                == ids.len() as i64
        }
    };
    // Calls while every job hangs on its neighbour: answered as usual.
    let mut slowest = Duration::ZERO;
    for _ in 0..2 {
        slowest = slowest.max(order_call(&texting).await);
    }
    let end = Instant::now() + Duration::from_secs(60);
    let wait = |n: i32| async move {
        while !attempts_failed(n).await {
            assert!(
                Instant::now() < end,
                "jobs never reached {n} failed attempts"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    wait(1).await;
    for url in [&s.pos.url, &s.twilio.url] {
        control(url, "hold?ms=0").await;
        control(url, "drop?count=1000").await;
    }
    wait(2).await;
    for url in [&s.pos.url, &s.twilio.url] {
        control(url, "drop?count=0").await;
        control(url, "garbage?count=1000&status=502").await;
    }
    wait(3).await;
    let rows = db
        .query(
            "select kind, state, attempt, errors from app.jobs
              where (args->>'order_id')::bigint = any($1) order by kind, id",
            &[&ids],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), ids.len());
    for r in &rows {
        let (kind, state, attempt): (String, String, i32) = (r.get(0), r.get(1), r.get(2));
        assert_eq!((state.as_str(), attempt), ("dead", 3), "a {kind} job");
        let errors: Value = r.get(3);
        let why: Vec<String> = errors
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let t = e["error"].as_str().unwrap_or("");
                if t.contains("timed out") {
                    "timeout"
                } else if t.contains("answered 502") {
                    "garbage 502"
                } else if t.contains("request failed")
                    || t.contains("connection")
                    || t.contains("closed")
                {
                    "dropped"
                } else {
                    "other"
                }
                .to_string()
            })
            .collect();
        assert_eq!(
            why,
            ["timeout", "dropped", "garbage 502"],
            "{kind}: {errors}"
        );
    }
    let failed: i64 = db
        .query_one(
            "select count(*) from app.orders where id = any($1) and status = 'failed'",
            &[&ids],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        failed, 3,
        "orders the POS never took are failed, for a person"
    );
    println!(
        "{} jobs died after 3 attempts (timeout, dropped, garbage 502); a whole call while \
         they hung: {} ms at most",
        rows.len(),
        slowest.as_millis()
    );
}

/// Posts "that's all" at `action`: the answer must be the apology, within Twilio's 15 s (it
/// then plays its own error to the caller); returns how long it took.
async fn apology(p: &mut Phone, action: &str, m: &Merchant) -> Duration {
    p.action = Some(action.to_string());
    let t0 = Instant::now();
    let a = tokio::time::timeout(Duration::from_secs(15), p.say("that's all"))
        .await
        .unwrap_or_else(|_| panic!("no answer within Twilio's 15 s"))
        .expect("an answer");
    assert_eq!(a, Answer::Transfer(m.transfer_number.clone()));
    t0.elapsed()
}

/// A turn held past its budget by a lock another session holds on the call: the caller hears
/// the apology within Twilio's 15 s, the turn is cancelled without a trace, and once the lock
/// is gone the same turn, posted again, goes on. Two budgets stop it: `kea_authenticator`'s
/// `statement_timeout` (5 s) under the gateway's default 8 s, and the gateway's own (2 s on a
/// second gateway), which must cancel the statement on the server: a turn merely abandoned
/// would wait on and commit once the lock goes, after the caller heard the apology.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_turn_past_its_budget() {
    let cluster = Cluster::start().await;
    let db = cluster.admin().await;
    let m = merchant(&db, "").await;
    let url = cluster.url("kea_authenticator");
    let gw = start_gateway_configured(&url, |_| {}).await;
    let quick = start_gateway_configured(&url, |c| c.sql_budget_ms = 2_000).await;
    let (mut p, _) = Phone::dial(&gw.url, &m).await;
    p.say("a large pepperoni pizza").await.unwrap();
    let action = p.action.clone().unwrap();
    let sid = p.caller.call_sid().to_string();
    let blocker = cluster.admin().await;
    blocker
        .batch_execute(&format!(
            "begin; select 1 from app.calls where call_sid = '{sid}' for update"
        ))
        .await
        .unwrap();
    let by_statement_timeout = apology(&mut p, &action, &m).await;
    // The same turn through the gateway whose budget ends first.
    let on_gw = std::mem::replace(
        &mut p.caller,
        Caller::new(
            {
                let mut spec = CallSpec::new(&quick.url, AUTH_TOKEN, &m.number, &[]);
                spec.from = p.from.clone();
                spec
            },
            |_, _| {},
        )
        .with_call_sid(sid.clone()),
    );
    let by_gateway = apology(&mut p, &action, &m).await;
    assert!(
        by_gateway < Duration::from_secs(4),
        "the gateway's 2 s budget answered after {by_gateway:?}, not before the statement_timeout"
    );
    // Cancelled on the server: nothing waits on the lock any more.
    let end = Instant::now() + Duration::from_secs(2);
    loop {
        let waiting: i64 = db
            .query_one(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock'
                    and query like '%twilio_gather%'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting == 0 {
            break;
        }
        assert!(
            Instant::now() < end,
            "a turn past the gateway's budget still waits on the lock: not cancelled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    blocker.batch_execute("rollback").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let turns: i64 = db
        .query_one(
            "select count(*) from app.turns t join app.calls c on c.merchant_id = t.merchant_id and c.id = t.call_id
              where c.call_sid = $1",
            &[&sid],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(turns, 2, "the cancelled turns left nothing");
    p.caller = on_gw;
    p.action = Some(action);
    let again = p.say("that's all").await.unwrap();
    assert!(
        matches!(again, Answer::Question(ref s) if s.contains("Pepperoni")),
        "{again:?}"
    );
    assert!(matches!(p.say("yes").await.unwrap(), Answer::End(_)));
    println!(
        "a turn held on a lock: the apology after {} ms (statement_timeout), {} ms (the \
         gateway's 2 s budget, cancelled on the server)",
        by_statement_timeout.as_millis(),
        by_gateway.as_millis()
    );
}
