//! `scripts/bench soak`: many callers at once, with human pauses, for a minute or more, through
//! the whole workflow: the real gateway, orders confirmed by voice, scripted agents accepting
//! and approving over `/rpc`, `kea-worker` delivering to the POS and Twilio stand-ins
//! (`kea-standins`). Optionally one PostgreSQL restart in the middle (`--restart-cmd`, which
//! scripts/bench points at a cluster of the soak's own).
//!
//! Prints calls completed, turns, errors (must be 0: a webhook that failed, was not 200, or
//! was not TwiML; and, with no restart, any apology), turn latency p50/p99/max, job lag (from
//! due to started, POS and texts), orders delivered and texted, and database growth per 1,000
//! calls. Fails when there were errors, or orders confirmed but not delivered once.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kea_gateway::simulator::{parse, CallSpec, Caller, Verb};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::stats::{ms, percentile};

#[derive(clap::Args)]
pub struct Args {
    /// Callers on the line at once.
    #[arg(long, default_value_t = 200)]
    callers: usize,
    /// How long callers keep calling.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// A caller's pause between turns, in ms (min,max).
    #[arg(long, default_value = "1000,3000")]
    pause_ms: String,
    /// Agents approving orders over /rpc.
    #[arg(long, default_value_t = 8)]
    agents: usize,
    /// Run once, halfway: restarts PostgreSQL (scripts/bench: pg_ctl of the soak's cluster).
    #[arg(long)]
    restart_cmd: Option<String>,
    /// Where kea-gateway, kea-worker and kea-standins are.
    #[arg(long)]
    bin_dir: PathBuf,
    /// Seconds, a few callers (scripts/test).
    #[arg(long)]
    smoke: bool,
}

const STORE: &str = "+15550007001";
const POS_SECRET: &str = "kea-soak-pos-secret";

struct Tally {
    latencies: Mutex<Vec<Duration>>,
    turns: AtomicU64,
    calls: AtomicU64,
    confirmed: AtomicU64,
    apologies: AtomicU64,
    /// When the first and the last apology were heard (the outage as callers lived it).
    apologised: Mutex<Option<(Instant, Instant)>>,
    errors: Mutex<Vec<String>>,
}

fn free_addr() -> Result<String, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    Ok(format!("127.0.0.1:{port}"))
}

async fn wait_http(url: &str, child: &mut Child, what: &str) -> Result<(), String> {
    let t0 = Instant::now();
    loop {
        if reqwest::get(url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        if let Ok(Some(s)) = child.try_wait() {
            return Err(format!("{what} exited at start ({s})"));
        }
        if t0.elapsed() > Duration::from_secs(20) {
            return Err(format!("{what} did not answer {url}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn spawn(bin: &PathBuf, env: &[(&str, String)], log: &str) -> Result<Child, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{log}: {e}"))?;
    let mut cmd = Command::new(bin);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::null())
        .stderr(out)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting {} ({e}): build it first", bin.display()))
}

/// One turn: the TwiML's next action, or None when kea hung up or transferred.
fn next_action(twiml: &str, tally: &Tally, restarting: bool) -> Result<Option<String>, String> {
    let verbs = parse(twiml).map_err(|e| format!("TwiML that does not parse ({e}): {twiml}"))?;
    for v in verbs {
        match v {
            Verb::Gather { action, .. } => return Ok(Some(action)),
            Verb::Dial { .. } => {
                tally.apologies.fetch_add(1, Ordering::Relaxed);
                let now = Instant::now();
                let mut w = tally.apologised.lock().unwrap();
                *w = Some(w.map_or((now, now), |(first, _)| (first, now)));
                if !restarting {
                    return Err(format!("an apology with no fault injected: {twiml}"));
                }
                return Ok(None);
            }
            _ => {}
        }
    }
    Ok(None)
}

async fn caller(
    url: String,
    n: usize,
    until: Instant,
    pause: (u64, u64),
    tally: Arc<Tally>,
    restarting: bool,
) {
    let mut k = 0u32;
    while Instant::now() < until {
        k += 1;
        let mut spec = CallSpec::new(
            &url,
            &std::env::var("TWILIO_AUTH_TOKEN").unwrap_or_default(),
            STORE,
            &[],
        );
        spec.from = format!("+1551{:03}{:04}", n % 1000, k % 10_000);
        let mut c = Caller::new(spec, |_, _| {});
        let r = post(
            &mut c,
            "/twilio/voice",
            &[("CallStatus", "ringing")],
            &tally,
        )
        .await;
        let says = ["a large pepperoni pizza", "that's all", "yes"];
        let mut twiml = match r {
            Ok(t) => t,
            Err(e) => {
                tally.errors.lock().unwrap().push(e);
                continue;
            }
        };
        let mut ended = false;
        for said in says {
            let action = match next_action(&twiml, &tally, restarting) {
                Ok(Some(a)) => a,
                Ok(None) => {
                    ended = true;
                    break;
                }
                Err(e) => {
                    tally.errors.lock().unwrap().push(e);
                    ended = true;
                    break;
                }
            };
            let wait = pause.0 + fastrand_u64() % (pause.1 - pause.0 + 1);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            let r = post(
                &mut c,
                &action,
                &[("SpeechResult", said), ("Confidence", "0.93")],
                &tally,
            )
            .await;
            match r {
                Ok(t) => twiml = t,
                Err(e) => {
                    tally.errors.lock().unwrap().push(e);
                    ended = true;
                    break;
                }
            }
        }
        if !ended {
            if let Err(e) = next_action(&twiml, &tally, restarting) {
                tally.errors.lock().unwrap().push(e);
            } else if twiml.contains("<Hangup") {
                tally.confirmed.fetch_add(1, Ordering::Relaxed);
            }
        }
        tally.calls.fetch_add(1, Ordering::Relaxed);
        // A caller who was put through, or hung up, calls again after a pause, not at once.
        let wait = pause.0 + fastrand_u64() % (pause.1 - pause.0 + 1);
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
}

/// One webhook, timed.
async fn size(db: &tokio_postgres::Client) -> i64 {
    db.query_one("select pg_database_size(current_database())", &[])
        .await
        .map(|r| r.get::<_, i64>(0))
        .unwrap_or(0)
}

async fn post(
    c: &mut Caller,
    path: &str,
    extra: &[(&str, &str)],
    tally: &Tally,
) -> Result<String, String> {
    let t0 = Instant::now();
    let r = c.post(path, extra).await;
    tally.latencies.lock().unwrap().push(t0.elapsed());
    tally.turns.fetch_add(1, Ordering::Relaxed);
    r
}

fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish()
}

async fn rpc(url: &str, name: &str, body: Value, token: &str) -> Result<Value, String> {
    let r = reqwest::Client::new()
        .post(format!("{url}/rpc/{name}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("/rpc/{name}: {e}"))?;
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        Ok(v)
    } else {
        Err(format!("/rpc/{name}: {status} {v}"))
    }
}

/// A scripted agent: takes every task offered and approves it, until `stop`.
async fn agent(url: String, token: String, stop: Arc<AtomicBool>, approved: Arc<AtomicU64>) {
    while !stop.load(Ordering::Relaxed) {
        if let Ok(tasks) = rpc(&url, "my_tasks", json!({}), &token).await {
            for t in tasks.as_array().cloned().unwrap_or_default() {
                let id = t["task_id"].clone();
                let _ = rpc(&url, "accept_task", json!({"task_id": id}), &token).await;
                if rpc(&url, "approve_order", json!({"task_id": id}), &token)
                    .await
                    .is_ok()
                {
                    approved.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn run(admin_url: &str, mut a: Args) -> Result<(), String> {
    if a.smoke {
        a.callers = a.callers.min(10);
        a.seconds = a.seconds.min(6);
        a.pause_ms = "50,200".into();
        a.agents = a.agents.min(2);
    }
    let pause: Vec<u64> = a
        .pause_ms
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    let pause = match pause[..] {
        [lo, hi] if lo <= hi => (lo, hi),
        _ => return Err("--pause-ms MIN,MAX".into()),
    };
    let mut db = crate::connect(admin_url).await?;
    let e = |e: tokio_postgres::Error| e.to_string();
    let database_url = std::env::var("KEA_DATABASE_URL")
        .map_err(|_| "KEA_DATABASE_URL unset (scripts/bench sets it)")?;

    // The stand-ins, the gateway and a worker.
    let (pos_addr, sq_addr, tw_addr) = (free_addr()?, free_addr()?, free_addr()?);
    let mut standins = spawn(
        &a.bin_dir.join("kea-standins"),
        &[
            ("KEA_STANDIN_POS", pos_addr.clone()),
            ("KEA_STANDIN_SQUARE", sq_addr),
            ("KEA_STANDIN_TWILIO", tw_addr.clone()),
            ("KEA_STANDIN_POS_SECRET", POS_SECRET.into()),
            ("KEA_LOG", "warn".into()),
        ],
        "/tmp/kea-soak-standins.log",
    )?;
    wait_http(
        &format!("http://{pos_addr}/_received"),
        &mut standins,
        "kea-standins",
    )
    .await?;
    let listen = free_addr()?;
    let mut gateway = spawn(
        &a.bin_dir.join("kea-gateway"),
        &[
            ("KEA_LISTEN", listen.clone()),
            ("KEA_POOL_SIZE", "32".into()),
            ("KEA_LOG", "warn".into()),
        ],
        "/tmp/kea-soak-gateway.log",
    )?;
    let url = format!("http://{listen}");
    wait_http(&format!("{url}/healthz"), &mut gateway, "kea-gateway").await?;

    let merchant: i64 = db
        .query_one(
            "insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
             values ('soak', 'Soak Pizza', 825, '+15550007099') returning id",
            &[],
        )
        .await
        .map_err(e)?
        .get(0);
    db.execute(
        "insert into app.phone_numbers values ($1, $2)",
        &[&STORE, &merchant],
    )
    .await
    .map_err(e)?;
    db.execute(
        "insert into app.opening_hours select $1, d, '00:00', '24:00' from generate_series(0, 6) d",
        &[&merchant],
    )
    .await
    .map_err(e)?;
    let menu: Value =
        serde_json::from_str(include_str!("../../migrations/seed/tonys_pizza.menu.json"))
            .map_err(|e| e.to_string())?;
    db.execute("select api.import_menu($1, $2)", &[&merchant, &menu])
        .await
        .map_err(e)?;
    let pos_url = format!("http://{pos_addr}/orders");
    db.execute(
        "select api.connect_pos($1, 'webhook', $2, $3, null)",
        &[&merchant, &pos_url, &POS_SECRET],
    )
    .await
    .map_err(e)?;
    let mut tokens = Vec::new();
    for k in 0..a.agents {
        let email = format!("soak-agent-{k}@soak.example");
        let id: i64 = db
            .query_one(
                "select app.upsert_agent($1, $2, 'soak-agent-password', $3, 20)",
                &[
                    &email,
                    &format!("Agent {k}"),
                    &json!({"merchants": [merchant]}),
                ],
            )
            .await
            .map_err(e)?
            .get(0);
        db.execute("select app.set_agent_activity($1, 'available')", &[&id])
            .await
            .map_err(e)?;
        let token: String = db
            .query_one(
                "select app.sign_jwt(jsonb_build_object('role', 'kea_agent', 'agent_id', $1::bigint,
                         'sub', 'agent:' || $1, 'exp', extract(epoch from now())::bigint + 86400))",
                &[&id],
            )
            .await
            .map_err(e)?
            .get(0);
        tokens.push(token);
    }
    let mut worker = spawn(
        &a.bin_dir.join("kea-worker"),
        &[
            ("KEA_WORKER_DATABASE_URL", database_url.clone()),
            ("KEA_TWILIO_API_URL", format!("http://{tw_addr}")),
            ("KEA_WORKER_METRICS", "off".into()),
            ("KEA_WORKER_LEASE_S", "5".into()),
            ("KEA_LOG", "warn".into()),
        ],
        "/tmp/kea-soak-worker.log",
    )?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let Ok(Some(s)) = worker.try_wait() {
        return Err(format!(
            "kea-worker exited at start ({s}): see /tmp/kea-soak-worker.log"
        ));
    }
    let size_before = size(&db).await;

    let tally = Arc::new(Tally {
        latencies: Mutex::new(Vec::new()),
        turns: AtomicU64::new(0),
        calls: AtomicU64::new(0),
        confirmed: AtomicU64::new(0),
        apologies: AtomicU64::new(0),
        apologised: Mutex::new(None),
        errors: Mutex::new(Vec::new()),
    });
    let started = Instant::now();
    let until = started + Duration::from_secs(a.seconds);
    let restarting = a.restart_cmd.is_some();
    let approved = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..a.callers {
        tasks.spawn(caller(
            url.clone(),
            n,
            until,
            pause,
            tally.clone(),
            restarting,
        ));
    }
    let stop_agents = Arc::new(AtomicBool::new(false));
    let mut agents = tokio::task::JoinSet::new();
    for t in &tokens {
        agents.spawn(agent(
            url.clone(),
            t.clone(),
            stop_agents.clone(),
            approved.clone(),
        ));
    }
    if let Some(cmd) = a.restart_cmd.clone() {
        tokio::time::sleep(Duration::from_secs(a.seconds / 2)).await;
        let t0 = Instant::now();
        let out = Command::new("bash")
            .args(["-c", &cmd])
            .output()
            .await
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("{cmd}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        println!(
            "    PostgreSQL restarted at {} s ({} ms)",
            a.seconds / 2,
            t0.elapsed().as_millis()
        );
    }
    while tasks.join_next().await.is_some() {}
    // The agents approve what the last calls confirmed, then stop.
    let approving = Instant::now();
    while approved.load(Ordering::Relaxed) < tally.confirmed.load(Ordering::Relaxed)
        && approving.elapsed() < Duration::from_secs(30)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_agents.store(true, Ordering::Relaxed);
    while agents.join_next().await.is_some() {}
    if restarting {
        // This connection did not outlive the restart.
        db = crate::connect(admin_url).await?;
    }
    let elapsed = started.elapsed();
    // Wait for the worker to deliver what was approved.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (verified, delivered, texted) = loop {
        let r = db
            .query_one(
                "select count(*) filter (where status not in ('pending_verification', 'in_verification', 'abandoned')),
                        count(*) filter (where status = 'accepted_by_pos'),
                        count(*) filter (where exists (select 1 from app.jobs_done j where j.kind = 'sms'
                                                          and (j.args->>'order_id')::bigint = o.id))
                   from app.orders o where merchant_id = $1",
                &[&merchant],
            )
            .await
            .map_err(e)?;
        let (v, d, t): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        if (d == v && t == v) || Instant::now() > deadline {
            break (v, d, t);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let size_after = size(&db).await;
    let lag = db
        .query(
            "select kind, count(*),
                    percentile_cont(0.5) within group (order by extract(epoch from attempted_at - greatest(created_at, run_at))),
                    percentile_cont(0.99) within group (order by extract(epoch from attempted_at - greatest(created_at, run_at))),
                    max(attempt)
               from app.jobs_done where merchant_id = $1 and kind in ('pos_order', 'sms') group by kind order by kind",
            &[&merchant],
        )
        .await
        .map_err(e)?;
    let received: Value = reqwest::get(format!("http://{pos_addr}/_received"))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let mismatches: i64 = received["orders"]
        .as_array()
        .map(|os| {
            os.iter()
                .map(|o| o["mismatches"].as_i64().unwrap_or(0))
                .sum()
        })
        .unwrap_or(0);
    let pos_orders = received["orders"].as_array().map_or(0, Vec::len) as i64;
    let _ = gateway.kill().await;
    let _ = worker.kill().await;
    let _ = standins.kill().await;

    let mut lat = tally.latencies.lock().unwrap().clone();
    let apology_window = tally
        .apologised
        .lock()
        .unwrap()
        .map(|(first, last)| last.duration_since(first));
    let calls = tally.calls.load(Ordering::Relaxed);
    let errors = tally.errors.lock().unwrap().clone();
    println!(
        "soak: {} callers, pauses {}-{} ms, {:.0} s{}",
        a.callers,
        pause.0,
        pause.1,
        elapsed.as_secs_f32(),
        if restarting {
            ", one PostgreSQL restart"
        } else {
            ""
        }
    );
    println!(
        "    calls completed {calls}, turns {}, confirmed {}, errors {}, apologies {}",
        tally.turns.load(Ordering::Relaxed),
        tally.confirmed.load(Ordering::Relaxed),
        errors.len(),
        tally.apologies.load(Ordering::Relaxed)
    );
    if let Some(w) = apology_window {
        println!(
            "    apologies heard over {} ms (first to last)",
            w.as_millis()
        );
    }
    println!(
        "    turn latency ms: p50 {} p99 {} max {}",
        ms(percentile(&mut lat, 50.0)),
        ms(percentile(&mut lat, 99.0)),
        ms(lat.iter().max().copied().unwrap_or_default())
    );
    println!(
        "    orders approved over /rpc {}, verified {verified}, at the POS {delivered} ({pos_orders} POS orders, {mismatches} changed tickets), texted {texted}",
        approved.load(Ordering::Relaxed)
    );
    for r in &lag {
        let (kind, n, p50, p99, max_attempt): (String, i64, f64, f64, i32) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        println!(
            "    job lag {kind}: {n} jobs, p50 {:.1} ms, p99 {:.1} ms, most attempts {max_attempt}",
            p50 * 1000.0,
            p99 * 1000.0
        );
    }
    if calls > 0 {
        println!(
            "    database growth: {:.2} MB per 1,000 calls ({:.1} MB in all)",
            (size_after - size_before) as f64 / 1e6 / calls as f64 * 1000.0,
            (size_after - size_before) as f64 / 1e6
        );
    }
    if !errors.is_empty() {
        return Err(format!(
            "{} errors, e.g.: {}",
            errors.len(),
            errors[..errors.len().min(3)].join(" | ")
        ));
    }
    if calls == 0 || verified == 0 {
        return Err("no call ended in an order".into());
    }
    if delivered != verified || texted != verified || pos_orders != delivered || mismatches != 0 {
        return Err(format!(
            "{verified} orders verified, {delivered} accepted by the POS ({pos_orders} there), {texted} texted"
        ));
    }
    Ok(())
}
