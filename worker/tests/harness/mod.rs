//! The worker tests' harness: the real `kea-worker` binary as child processes against the
//! `kea_test` database, stand-ins in the test process on free loopback ports, and orders made
//! through kea's own SQL (`kea.price_order`, `app.save_order`, the order status machine).
//!
//! Every worker claims every due job in its database. So the tests run in a database of their
//! own ([`database`]), where no other worker (another engineer's, another run of this
//! suite) takes their jobs and texts through its own Twilio, and one at a time (`serial`), so
//! that two tests' workers do not take each other's. Assertions count only the messages to
//! each test's own callers.

#![allow(dead_code)]

pub mod proxy;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kea_worker::standins::{self, pos_webhook::PosWebhook, square::Square, twilio::Twilio};
use serde_json::{json, Value};
use tokio_postgres::{Client, NoTls};

pub const POS_SECRET: &str = "kea-test-pos-secret";
pub const SQUARE_TOKEN: &str = "kea-test-square-token";
pub const TWILIO_SID: &str = "ACkeatest0000000000000000000000000";
pub const TWILIO_TOKEN: &str = "kea-test-twilio-token";

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Holds the other tests off until this one ends.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

fn env_url(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through scripts/test (it creates kea_test)")
    })
}

/// `url` with its database name replaced.
fn with_database(url: &str, dbname: &str) -> String {
    let (base, rest) = url.rsplit_once('/').expect("a URL with a database name");
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{base}/{dbname}{query}")
}

static DATABASE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// The database these tests run in, their own (`kea_worker_test_<pid>`), so that no other
/// worker on kea_test takes their jobs, and they take none of the jobs other tests left there.
/// Made by `scripts/create-db` (the checkout's schema, whoever is using kea_test meanwhile; a
/// copy of kea_test would need it idle), and never kea_test itself: if it cannot be made, the
/// tests fail saying why.
pub async fn database() -> &'static str {
    DATABASE
        .get_or_init(|| async {
            let admin_url = env_url("KEA_TEST_ADMIN_URL");
            let (pg, conn) = tokio_postgres::connect(&with_database(&admin_url, "postgres"), NoTls)
                .await
                .unwrap_or_else(|e| panic!("connecting to postgres as the test admin: {e}"));
            let driver = tokio::spawn(conn);
            // Databases left by earlier runs whose process is gone.
            let stale: Vec<String> = pg
                .query(
                    "select datname from pg_database where datname like 'kea\\_worker\\_test\\_%'",
                    &[],
                )
                .await
                .expect("listing databases")
                .iter()
                .map(|r| r.get(0))
                .collect();
            for name in stale {
                let pid = name.trim_start_matches("kea_worker_test_");
                if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = pg
                        .batch_execute(&format!("drop database if exists {name} with (force)"))
                        .await;
                }
            }
            drop(pg);
            let _ = driver.await;
            let name = format!("kea_worker_test_{}", std::process::id());
            let create_db =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/create-db");
            let out = tokio::process::Command::new(&create_db)
                .args([name.as_str(), "--fresh"])
                .output()
                .await
                .unwrap_or_else(|e| panic!("running {}: {e}", create_db.display()));
            assert!(
                out.status.success(),
                "scripts/create-db {name} failed, so the worker tests have no database of their \
                 own (they never use kea_test, where other workers would take their jobs):\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            name
        })
        .await
}

/// The login the workers use (kea_authenticator), to the tests' database.
pub async fn database_url() -> String {
    with_database(&env_url("KEA_TEST_DATABASE_URL"), database().await)
}

/// A superuser connection, after checking the worker's SQL is there.
pub async fn db() -> Client {
    let db = admin().await;
    let present: bool = db
        .query_one(
            "select to_regprocedure('worker.claim(text, integer, real)') is not null",
            &[],
        )
        .await
        .expect("querying the catalog")
        .get(0);
    assert!(present, "the tests' database has no worker.* functions");
    let _ = WORKER_URL.set(database_url().await);
    db
}

/// A superuser connection to the tests' database.
pub async fn admin() -> Client {
    let url = with_database(&env_url("KEA_TEST_ADMIN_URL"), database().await);
    let (client, conn) = tokio_postgres::connect(&url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to the test database as the test admin: {e}"));
    tokio::spawn(conn);
    client
}

/// A merchant of the test's own.
pub struct Merchant {
    pub id: i64,
    pub number: String,
    pub menu_id: i64,
}

/// Tony's menu (migrations/seed/), which every merchant of these tests sells.
const TONYS_MENU: &str = include_str!("../../../migrations/seed/tonys_pizza.menu.json");

static NUMBERS: AtomicU32 = AtomicU32::new(0);

/// A merchant with Tony's menu, its own Twilio number (the texts' From) and no POS yet.
pub async fn merchant(db: &Client) -> Merchant {
    let n = NUMBERS.fetch_add(1, Ordering::Relaxed);
    let number = format!("+1558{:03}{:04}", std::process::id() % 1000, n % 10_000);
    let slug = format!("worker-test-{}-{}", std::process::id(), n);
    let id: i64 = db
        .query_one(
            "insert into app.merchants (slug, name, tax_rate_bp, transfer_number, prep_minutes)
             values ($1, 'Worker Test Pizza', 825, '+15555550199', 20) returning id",
            &[&slug],
        )
        .await
        .expect("creating a merchant")
        .get(0);
    db.execute(
        "insert into app.phone_numbers (e164, merchant_id) values ($1, $2)",
        &[&number, &id],
    )
    .await
    .expect("the merchant's number");
    let menu: Value = serde_json::from_str(TONYS_MENU).expect("Tony's menu is JSON");
    let menu_id: i64 = db
        .query_one("select api.import_menu($1, $2)", &[&id, &menu])
        .await
        .expect("importing the menu")
        .get(0);
    Merchant {
        id,
        number,
        menu_id,
    }
}

/// The merchant's POS is the generic webhook at `url`.
pub async fn connect_webhook(db: &Client, m: &Merchant, url: &str) {
    connect(db, m, "webhook", Some(url), POS_SECRET, None).await;
}

/// The merchant's POS is Square (base URL from KEA_SQUARE_API_URL).
pub async fn connect_square(db: &Client, m: &Merchant, location: &str) {
    connect(db, m, "square", None, SQUARE_TOKEN, Some(location)).await;
}

/// `api.connect_pos`; while it fails, the row it would write (reported, not hidden).
async fn connect(
    db: &Client,
    m: &Merchant,
    kind: &str,
    url: Option<&str>,
    secret: &str,
    location: Option<&str>,
) {
    let args: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
        [&m.id, &kind, &url, &secret, &location];
    if let Err(e) = db
        .execute("select api.connect_pos($1, $2, $3, $4, $5)", &args)
        .await
    {
        eprintln!("api.connect_pos failed ({e:?}); writing app.pos_connections directly");
        db.execute(
            "insert into app.pos_connections (merchant_id, kind, base_url, secret, location_id)
             values ($1, $2, $3, $4, $5)",
            &args,
        )
        .await
        .expect("inserting the POS connection");
    }
}

static CALLERS: AtomicU32 = AtomicU32::new(0);

/// A caller's number no other test (or test process) uses.
pub fn caller_number() -> String {
    let n = CALLERS.fetch_add(1, Ordering::Relaxed);
    format!("+1557{:03}{:04}", std::process::id() % 1000, n % 10_000)
}

/// Saves an order from `phone` as a confirmed call would (pending_verification, with its
/// verification task): two garlic knots, for pickup.
pub async fn order(db: &Client, m: &Merchant, phone: &str) -> i64 {
    let cart = json!([{"item": "garlic_knots", "quantity": 2, "modifiers": []}]);
    let details = json!({"name": "Sam", "phone": phone, "fulfillment": "pickup"});
    db.query_one(
        "select app.save_order($1, null, kea.price_order($2, $3, $4), 'pending_verification')",
        &[&m.id, &m.menu_id, &cart, &details],
    )
    .await
    .expect("app.save_order")
    .get(0)
}

/// An agent approves the orders: each becomes `verified`, which enqueues its POS job.
pub async fn verify(db: &Client, ids: &[i64]) {
    if ids.is_empty() {
        return;
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    db.batch_execute(&format!(
        "begin;
         select app.act_as('agent', 'test', 'approved by the test');
         update app.orders set status = 'verified' where id in ({list});
         commit;"
    ))
    .await
    .expect("verifying orders");
}

/// A running stand-in and its URL.
pub struct Stand {
    pub url: String,
}

impl Stand {
    /// `GET /_received`.
    pub async fn received(&self) -> Value {
        reqwest::get(format!("{}/_received", self.url))
            .await
            .expect("GET /_received")
            .json()
            .await
            .expect("/_received is JSON")
    }
    /// `POST /_<what>` (e.g. `hold?ms=100`).
    pub async fn control(&self, what: &str) {
        let r = reqwest::Client::new()
            .post(format!("{}/_{what}", self.url))
            .send()
            .await
            .expect("control endpoint");
        assert!(r.status().is_success(), "/_{what}: {}", r.status());
    }
}

pub async fn start(role: Arc<dyn standins::Role>) -> Stand {
    let r = standins::start("127.0.0.1:0", role)
        .await
        .expect("starting a stand-in");
    Stand { url: r.url }
}

pub async fn pos_standin() -> Stand {
    start(Arc::new(PosWebhook::new(POS_SECRET, 20))).await
}
pub async fn square_standin() -> Stand {
    start(Arc::new(Square::new(SQUARE_TOKEN))).await
}
pub async fn twilio_standin() -> Stand {
    start(Arc::new(Twilio::new(TWILIO_SID, TWILIO_TOKEN, &[]))).await
}

/// A `kea-worker` process.
pub struct Worker {
    pub name: String,
    child: Child,
}

/// What a worker is pointed at.
pub struct Targets<'a> {
    pub twilio: &'a Stand,
    pub square: Option<&'a Stand>,
}

static WORKER_URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Starts the real binary with a short lease and poll; `extra` overrides (e.g. concurrency).
pub fn spawn_worker(name: &str, to: &Targets, extra: &[(&str, &str)]) -> Worker {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kea-worker"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "KEA_WORKER_DATABASE_URL",
            WORKER_URL
                .get()
                .expect("db() runs before any worker starts"),
        )
        .env("KEA_WORKER_ID", name)
        // The tests' secrets are short development values (worker/src/secrets.rs).
        .env("KEA_DEV", "1")
        .env("KEA_WORKER_LEASE_S", "1")
        .env("KEA_WORKER_POLL_MS", "200")
        .env("KEA_WORKER_CONCURRENCY", "4")
        .env("KEA_WORKER_METRICS", "off")
        .env("KEA_WORKER_SHUTDOWN_S", "2")
        .env("KEA_WORKER_HTTP_TIMEOUT_S", "5")
        // The strict Twilio stand-in lists a message at most ~1 s after it was sent.
        .env("KEA_WORKER_SMS_SETTLE_S", "1.5")
        .env("TWILIO_ACCOUNT_SID", TWILIO_SID)
        .env("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
        .env("KEA_TWILIO_API_URL", &to.twilio.url)
        .env(
            "KEA_SQUARE_API_URL",
            to.square.map_or("http://127.0.0.1:9", |s| s.url.as_str()),
        )
        .env(
            "KEA_LOG",
            std::env::var("KEA_TEST_WORKER_LOG").unwrap_or_else(|_| "warn".into()),
        );
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting kea-worker");
    Worker {
        name: name.to_string(),
        child,
    }
}

impl Worker {
    /// SIGKILL: no chance to finish, release or complete anything.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM: graceful shutdown.
    pub fn term(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
    }

    /// Waits for the process to exit; None if it is still running after `within`.
    pub async fn exited(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + within;
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            if Instant::now() > end {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill9();
        }
    }
}

/// Polls `check` every 50 ms until it holds; panics with `what` after `within`.
pub async fn wait_for<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Counts rows of a query with one bigint[] parameter.
pub async fn count(db: &Client, sql: &str, ids: &[i64]) -> i64 {
    db.query_one(sql, &[&ids])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// Orders of `ids` in `status`.
pub async fn orders_in(db: &Client, ids: &[i64], status: &str) -> i64 {
    db.query_one(
        "select count(*) from app.orders where id = any($1) and status = $2",
        &[&ids, &status],
    )
    .await
    .expect("counting orders")
    .get(0)
}

/// Confirmation texts of `ids` whose job has completed.
pub async fn texts_done(db: &Client, ids: &[i64]) -> i64 {
    count(
        db,
        "select count(*) from app.jobs_all where kind = 'sms' and state = 'completed'
            and (args->>'order_id')::bigint = any($1) and args->>'template' = 'confirmation'",
        ids,
    )
    .await
}

/// Messages the Twilio stand-in took for order `id` to `phone` (the body carries "order #id:").
pub fn texts_for(received: &Value, phone: &str, id: i64) -> usize {
    let reference = format!("order #{id}:");
    received["messages"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter(|m| {
                    m["to"] == phone && m["body"].as_str().unwrap_or("").contains(&reference)
                })
                .count()
        })
        .unwrap_or(0)
}

/// Every request the POS stand-in received for order `id` (the first and every repeat,
/// whatever was answered).
pub fn pos_requests_for(received: &Value, id: i64) -> Vec<Value> {
    let key = format!("kea-order-{id}");
    received["requests"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["headers"]["idempotency-key"] == key.as_str())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Repeats of one key whose ticket differed from the first (the POS stand-in refuses them).
pub fn pos_mismatches(received: &Value) -> i64 {
    received["orders"]
        .as_array()
        .map(|os| {
            os.iter()
                .map(|o| o["mismatches"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

/// The worker's URL to the tests' database, through `proxy` (a network between them that a
/// test can cut).
pub async fn database_url_via(proxy: &proxy::Proxy) -> String {
    let url = database_url().await;
    let (head, tail) = url.rsplit_once('@').expect("a URL with a host");
    let (_, path) = tail.split_once('/').expect("a URL with a database");
    format!("{head}@127.0.0.1:{}/{path}", proxy.port)
}

/// The database's host:port from the tests' URL.
pub async fn database_addr() -> String {
    let url = database_url().await;
    let (_, tail) = url.rsplit_once('@').expect("a URL with a host");
    let (addr, _) = tail.split_once('/').expect("a URL with a database");
    if addr.contains(':') {
        addr.to_string()
    } else {
        format!("{addr}:5432")
    }
}

/// The backend pids and wait events of a worker's sessions running `like` (e.g.
/// `%worker.heartbeat%`): (pid, wait_event_type).
pub async fn worker_sessions(db: &Client, worker: &str, like: &str) -> Vec<(i32, Option<String>)> {
    db.query(
        "select pid, wait_event_type from pg_stat_activity
          where application_name = 'kea-worker ' || $1 and state = 'active' and query like $2",
        &[&worker, &like],
    )
    .await
    .expect("pg_stat_activity")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// Waits until a worker's session running `like` waits on a lock; returns its backend pid.
pub async fn wait_for_lock_wait(db: &Client, worker: &str, like: &str, within: Duration) -> i32 {
    let end = Instant::now() + within;
    loop {
        let s = worker_sessions(db, worker, like).await;
        if let Some((pid, _)) = s.iter().find(|(_, w)| w.as_deref() == Some("Lock")) {
            return *pid;
        }
        assert!(
            Instant::now() < end,
            "worker {worker} never waited on a lock running {like}: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// POS orders (after dedup) the stand-in holds for key `kea-order-<id>`.
pub fn pos_orders_for(received: &Value, id: i64) -> Vec<Value> {
    let key = format!("kea-order-{id}");
    received["orders"]
        .as_array()
        .map(|os| {
            os.iter()
                .filter(|o| o["idempotency_key"] == key.as_str())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}
