//! The test harness: a real gateway (in-process, on a free loopback port) against the real
//! `kea_test` database that scripts/test creates, plus a superuser connection to set up
//! merchants and check what was stored.
//!
//! Every test makes its own merchant with its own phone number, so tests run in parallel
//! without seeing each other's calls.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use kea_gateway::simulator::{CallSpec, Caller, Transcript};
use kea_gateway::{server, Config};
use tokio::sync::oneshot;
use tokio_postgres::{Client, NoTls};

pub const AUTH_TOKEN: &str = "kea-test-auth-token";
pub const JWT_SECRET: &str = "kea-test-jwt-secret";
/// The demo menu, also used by tests (migrations/seed/tonys_pizza.menu.json).
pub const TONYS_MENU: &str = include_str!("../../migrations/seed/tonys_pizza.menu.json");

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through scripts/test (it creates the kea_test database)")
    })
}

/// A superuser connection to the test database: kea_test, or the database
/// `KEA_TEST_ADMIN_URL` names (a Citus coordinator's, `scripts/test --citus`).
pub async fn admin() -> Client {
    let config: tokio_postgres::Config = env("KEA_TEST_ADMIN_URL")
        .parse()
        .expect("KEA_TEST_ADMIN_URL");
    admin_to(config.get_dbname().unwrap_or("kea_test")).await
}

/// A superuser connection to another database of the test cluster (one a test creates).
pub async fn admin_to(dbname: &str) -> Client {
    let mut config: tokio_postgres::Config = env("KEA_TEST_ADMIN_URL")
        .parse()
        .expect("KEA_TEST_ADMIN_URL");
    config.dbname(dbname);
    let (client, conn) = config
        .connect(NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to {dbname} as the test admin: {e}"));
    tokio::spawn(conn);
    client
}

/// A new empty database of the test cluster (dropped first if a run left it behind).
pub async fn fresh_database(name: &str) {
    let a = admin().await;
    // One statement each: neither may run in a transaction block.
    a.batch_execute(&format!("drop database if exists {name} with (force)"))
        .await
        .unwrap();
    a.batch_execute(&format!("create database {name}"))
        .await
        .unwrap();
}

/// Drops a database a test made (whoever is still connected).
pub async fn drop_database(name: &str) {
    let _ = admin()
        .await
        .batch_execute(&format!("drop database if exists {name} with (force)"))
        .await;
}

pub struct Gateway {
    pub url: String,
    /// Where its `/metrics` is served (a listener of its own, as `KEA_METRICS_LISTEN`).
    pub metrics_url: String,
    pub state: Arc<server::AppState>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the real gateway on 127.0.0.1:0 against `database_url`.
pub async fn start_gateway_with(database_url: &str) -> Gateway {
    start_gateway_configured(database_url, |_| {}).await
}

/// Like `start_gateway_with`, with a chance to change the configuration first (timeouts,
/// caps, pool size).
pub async fn start_gateway_configured(
    database_url: &str,
    edit: impl FnOnce(&mut Config),
) -> Gateway {
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        metrics_listen: "127.0.0.1:0".into(),
        database_url: database_url.into(),
        twilio_auth_token: AUTH_TOKEN.into(),
        public_url: None,
        jwt_secret: Some(JWT_SECRET.into()),
        pool_size: 8,
        max_connections: 256,
        header_timeout_ms: 10_000,
        idle_timeout_ms: 5_000,
        body_timeout_ms: 10_000,
        sql_budget_ms: 8_000,
        lane_wait_ms: 0,
        limits: Default::default(),
        // The tests' own secrets are in scripts/dev-secrets.txt: a development gateway.
        security: kea_gateway::config::Security {
            dev: true,
            ..Default::default()
        },
    };
    edit(&mut config);
    let state = server::build_state(config).expect("gateway state");
    // Load the store directory now rather than waiting for the background refresh.
    let _ = state.directory.refresh(&state.pool).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a port");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a metrics port");
    let metrics_url = format!(
        "http://{}",
        metrics_listener.local_addr().expect("local addr")
    );
    tokio::spawn(server::serve_metrics(metrics_listener, state.clone()));
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server::run(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    Gateway {
        url,
        metrics_url,
        state,
        stop: Some(stop),
    }
}

pub async fn start_gateway() -> Gateway {
    start_gateway_with(&env("KEA_TEST_DATABASE_URL")).await
}

/// A script of the checkout's `scripts/` folder, as a newcomer runs it.
pub fn script(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts")
        .join(name)
}

/// The gateway's database URL for tests (`KEA_TEST_DATABASE_URL`).
pub fn test_database_url() -> String {
    env("KEA_TEST_DATABASE_URL")
}

/// A merchant of the test's own, with Tony's menu, a unique Twilio number and a transfer number.
pub struct Merchant {
    pub id: i64,
    pub number: String,
    pub transfer_number: String,
    pub menu_id: i64,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A number no other test (or test process) uses: +1 556 NNN NNNN, counting up from a start
/// drawn per process from its id and the clock. (The process id modulo 1000 alone, with every
/// process counting from 0, gave two of the suite's ~30 test processes the same numbers, and
/// merchant slugs, about every other run.)
pub fn unique_number() -> String {
    static START: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        (std::process::id().wrapping_mul(7919) ^ nanos) % 9_000_000
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("+1556{:07}", (start + n) % 10_000_000)
}

/// Creates a merchant. `settings` is SQL assignments for app.merchants (e.g.
/// "offers_delivery = true"), or "" for the defaults; hours are all day unless changed.
pub async fn merchant(db: &Client, settings: &str) -> Merchant {
    merchant_with_menu(db, settings, TONYS_MENU).await
}

/// Like `merchant`, with another menu document (kea's menu JSON, e.g. a
/// `tests/venues/<name>/menu.json`) imported through `api.import_menu`.
pub async fn merchant_with_menu(db: &Client, settings: &str, menu_document: &str) -> Merchant {
    let number = unique_number();
    let transfer = "+15555550199".to_string();
    let slug = format!("test-{}", number.trim_start_matches('+'));
    let row = db
        .query_one(
            "insert into app.merchants (slug, name, tax_rate_bp, transfer_number, prep_minutes)
             values ($1, 'Test Pizza', 825, $2, 20) returning id",
            &[&slug, &transfer],
        )
        .await
        .expect("creating a merchant");
    let id: i64 = row.get(0);
    if !settings.is_empty() {
        db.execute(
            &format!("update app.merchants set {settings} where id = $1"),
            &[&id],
        )
        .await
        .expect("merchant settings");
    }
    db.execute(
        "insert into app.phone_numbers (e164, merchant_id) values ($1, $2)",
        &[&number, &id],
    )
    .await
    .expect("phone number");
    db.execute(
        "insert into app.opening_hours (merchant_id, weekday, opens, closes)
         select $1, d, '00:00', '24:00' from generate_series(0, 6) d",
        &[&id],
    )
    .await
    .expect("hours");
    let menu: serde_json::Value = serde_json::from_str(menu_document).expect("menu json");
    let menu_id: i64 = db
        .query_one("select api.import_menu($1, $2)", &[&id, &menu])
        .await
        .expect("importing the menu")
        .get(0);
    Merchant {
        id,
        number,
        transfer_number: transfer,
        menu_id,
    }
}

/// Places a call through the gateway and returns its transcript.
pub async fn call(gw: &Gateway, m: &Merchant, says: &[&str]) -> Transcript {
    call_with(gw, m, says, |_| {}).await
}

/// Like `call`, with a chance to change the spec (caller ID, dial status, confidence...).
pub async fn call_with(
    gw: &Gateway,
    m: &Merchant,
    says: &[&str],
    edit: impl FnOnce(&mut CallSpec),
) -> Transcript {
    let mut spec = CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, says);
    edit(&mut spec);
    Caller::new(spec, |_, _| {})
        .run()
        .await
        .unwrap_or_else(|e| panic!("the call failed: {e}"))
}

/// The call's summary (turns and order) as the agents' /rpc sees it.
pub async fn summary(gw: &Gateway, call_sid: &str) -> serde_json::Value {
    kea_gateway::simulator::call_summary(&gw.url, JWT_SECRET, call_sid)
        .await
        .expect("call summary")
}

/// The gateway's Prometheus metrics text (from its metrics listener).
pub async fn metrics(gw: &Gateway) -> String {
    reqwest::get(format!("{}/metrics", gw.metrics_url))
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics body")
}

/// A PostgREST-style call to the gateway's `/rpc/{f}` with a bearer token, as the consoles
/// make it: the status and the JSON answer (null when the body is not JSON).
pub async fn rpc(
    gw: &Gateway,
    f: &str,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/{f}", gw.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("rpc");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// A `kea_agent` token for an agent (`app.upsert_agent`'s id), valid for an hour, signed by the
/// database (`app.sign_jwt`).
pub async fn agent_token(db: &Client, agent_id: i64) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let claims = serde_json::json!({"role": "kea_agent", "agent_id": agent_id,
                                    "sub": format!("agent:{agent_id}"), "exp": exp});
    db.query_one("select app.sign_jwt($1)", &[&claims])
        .await
        .expect("signing")
        .get(0)
}
