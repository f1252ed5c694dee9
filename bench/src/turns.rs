//! `scripts/bench turns`: dialog turns per second and latency at several concurrencies,
//! through the gateway (signed HTTP) and, in the same run, three pgbench baselines: the same
//! api turn function called directly, a minimal reference turn (lock the call row, insert a
//! turn row, update the call row: bench/sql/reference_turn.sql) and `SELECT 1`.
//!
//! Every turn is a correction on a one-line cart ("make that two", "actually a medium"...), so
//! the call state stays the same size however long the run: each turn extracts, runs the
//! dialog, renders TwiML and writes the turn and the call, as a real turn does.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kea_gateway::simulator::{CallSpec, Caller};

use crate::cpu;
use crate::stats::{ms, percentile};

const STORE: &str = "+15550009000";
const UTTERANCES: [&str; 4] = [
    "make that two",
    "actually a medium",
    "make that three",
    "actually a large",
];

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent calls (pgbench clients), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    clients: Vec<usize>,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The running gateway (release build) to measure.
    #[arg(long, env = "KEA_BENCH_GATEWAY_URL")]
    gateway: String,
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    auth_token: String,
    #[arg(long, default_value = "/usr/lib/postgresql/15/bin/pgbench")]
    pgbench: String,
    /// Also measure latency with each caller pausing this long between turns, as people do
    /// (0 = skip).
    #[arg(long, default_value_t = 1000)]
    pause_ms: u64,
    /// The gateway's process id, to report its CPU time per turn.
    #[arg(long, env = "KEA_BENCH_GATEWAY_PID")]
    gateway_pid: Option<String>,
}

struct Figures {
    tps: f64,
    p50: Duration,
    p99: Duration,
    /// Busy CPU of the whole machine per turn (µs), everything included.
    machine_us: Option<f64>,
    /// Through the gateway: the gateway's and the load generator's own shares of it.
    gateway_us: Option<f64>,
    loadgen_us: Option<f64>,
}

pub async fn run(admin_url: &str, args: Args) -> Result<(), String> {
    let db = crate::connect(admin_url).await?;
    let max = args.clients.iter().copied().max().unwrap_or(1);
    let merchant = setup(&db, max).await?;
    let work = std::env::temp_dir().join(format!("kea-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let scripts = write_scripts(&args, &work, merchant)?;
    let settings: Vec<String> = db
        .query("select name || '=' || setting from pg_settings where name in ('synchronous_commit', 'fsync', 'max_connections', 'shared_buffers') order by 1", &[])
        .await
        .map_err(|e| e.to_string())?
        .iter()
        .map(|r| r.get(0))
        .collect();
    println!("PostgreSQL settings: {}", settings.join(", "));
    println!(
        "{} s per measurement; turns are corrections on a one-line cart; release builds",
        args.seconds
    );
    println!();
    println!(
        "{:>7} | {:>26} | {:>26} | {:>26} | {:>10} | {:>9} | {:>9}",
        "calls",
        "gateway: turns/s p50 p99",
        "api direct: tps p50 p99",
        "reference: tps p50 p99",
        "SELECT 1",
        "api/ref",
        "gw/api"
    );
    // Warm up first (the gateway's pool connects, its backends compile the menu): pgbench's
    // figures leave out connecting, so these should too.
    gateway_load_for(&db, &args, max, Duration::ZERO, Duration::from_secs(1)).await?;
    let mut cpu_lines = Vec::new();
    for &c in &args.clients {
        settle(&db).await?;
        let gw = gateway_load(&db, &args, c, Duration::ZERO).await?;
        settle(&db).await?;
        let api = pgbench(&args, admin_url, &scripts.0, c, &work, "api")?;
        settle(&db).await?;
        let reference = pgbench(&args, admin_url, &scripts.1, c, &work, "ref")?;
        let one = pgbench(&args, admin_url, &scripts.2, c, &work, "one")?;
        cpu_lines.push(cpu_line(c, &gw, &api, &reference));
        let f = |x: &Figures| format!("{:>8.0} {:>7} {:>7}", x.tps, ms(x.p50), ms(x.p99));
        println!(
            "{:>7} | {:>26} | {:>26} | {:>26} | {:>10.0} | {:>8.0}% | {:>8.0}%",
            c,
            f(&gw),
            f(&api),
            f(&reference),
            one.tps,
            100.0 * api.tps / reference.tps,
            100.0 * gw.tps / api.tps
        );
    }
    println!("(latencies in ms; api/ref = the real turn's throughput as a share of the reference turn's;");
    println!(" gw/api = through the gateway as a share of calling the api function directly)");
    println!();
    println!("CPU per turn, whole machine (µs; all processes share the same cores):");
    for line in cpu_lines {
        println!("{line}");
    }
    if args.pause_ms > 0 {
        // The same pause in pgbench scripts; pgbench counts the pause in each latency, so it is
        // taken off again.
        let pause = Duration::from_millis(args.pause_ms);
        let paced = |script: &str, name: &str| -> Result<String, String> {
            let body = std::fs::read_to_string(script).map_err(|e| e.to_string())?;
            let path = work.join(name);
            std::fs::write(&path, format!("{body}\\sleep {} ms\n", args.pause_ms))
                .map_err(|e| e.to_string())?;
            Ok(path.to_string_lossy().to_string())
        };
        let api_paced = paced(&scripts.0, "api_paced.sql")?;
        let ref_paced = paced(&scripts.1, "reference_paced.sql")?;
        println!();
        println!(
            "each caller pausing {} ms between turns, as people do (latency of the turn alone):",
            args.pause_ms
        );
        println!(
            "{:>7} | {:>10} | {:>17} | {:>17} | {:>17}",
            "calls", "turns/s", "gateway p50 p99", "api p50 p99", "reference p50 p99"
        );
        for &c in &args.clients {
            settle(&db).await?;
            let gw = gateway_load(&db, &args, c, pause).await?;
            settle(&db).await?;
            let api = pgbench(&args, admin_url, &api_paced, c, &work, "apip")?;
            settle(&db).await?;
            let reference = pgbench(&args, admin_url, &ref_paced, c, &work, "refp")?;
            let less = |d: Duration| ms(d.saturating_sub(pause));
            println!(
                "{:>7} | {:>10.0} | {:>8} {:>8} | {:>8} {:>8} | {:>8} {:>8}",
                c,
                gw.tps,
                ms(gw.p50),
                ms(gw.p99),
                less(api.p50),
                less(api.p99),
                less(reference.p50),
                less(reference.p99)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// A merchant with Tony's menu on STORE and, per client k, two live calls with one line in the
/// cart: BENCH-SQL-k (pgbench) and BENCH-GW-k (gateway). Returns the merchant id.
async fn setup(db: &tokio_postgres::Client, clients: usize) -> Result<i64, String> {
    let e = |e: tokio_postgres::Error| e.to_string();
    db.batch_execute(include_str!("../sql/reference_turn.sql"))
        .await
        .map_err(e)?;
    let merchant: i64 = db
        .query_one(
            "with ins as (insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
                          values ('bench-turns', 'Bench Pizza', 825, '+15550009001')
                          on conflict (slug) do nothing returning id)
             select id from ins union all select id from app.merchants where slug = 'bench-turns'",
            &[],
        )
        .await
        .map_err(e)?
        .get(0);
    db.execute(
        "insert into app.phone_numbers values ($1, $2) on conflict do nothing",
        &[&STORE, &merchant],
    )
    .await
    .map_err(e)?;
    db.execute(
        "insert into app.opening_hours select $1, d, '00:00', '24:00' from generate_series(0, 6) d on conflict do nothing",
        &[&merchant],
    )
    .await
    .map_err(e)?;
    let has_menu: bool = db
        .query_one(
            "select exists (select 1 from app.menus where merchant_id = $1 and active)",
            &[&merchant],
        )
        .await
        .map_err(e)?
        .get(0);
    if !has_menu {
        let menu: serde_json::Value =
            serde_json::from_str(include_str!("../../migrations/seed/tonys_pizza.menu.json"))
                .map_err(|e| e.to_string())?;
        db.execute("select api.import_menu($1, $2)", &[&merchant, &menu])
            .await
            .map_err(e)?;
    }
    // Fresh calls every run, so earlier runs' turns do not pile up on them.
    db.execute(
        "delete from app.orders where merchant_id = $1",
        &[&merchant],
    )
    .await
    .map_err(e)?;
    db.execute("delete from app.calls where merchant_id = $1", &[&merchant])
        .await
        .map_err(e)?;
    for k in 0..clients {
        for kind in ["SQL", "GW"] {
            let p = serde_json::json!({"CallSid": format!("BENCH-{kind}-{k}"), "To": STORE, "From": "+15551110000"});
            db.query_one("select api.twilio_voice($1)", &[&p])
                .await
                .map_err(e)?;
            let mut q = p.clone();
            q["SpeechResult"] = "a large cheese pizza".into();
            db.query_one("select api.twilio_gather($1, 1)", &[&q])
                .await
                .map_err(e)?;
        }
    }
    db.batch_execute("vacuum analyze app.calls, app.turns")
        .await
        .map_err(e)?;
    Ok(merchant)
}

fn cpu_line(calls: usize, gw: &Figures, api: &Figures, reference: &Figures) -> String {
    let us = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v:.0}"));
    let rest = match (gw.machine_us, gw.gateway_us, gw.loadgen_us) {
        (Some(m), Some(g), Some(l)) => format!("{:.0}", m - g - l),
        _ => "?".to_string(),
    };
    format!(
        "{calls:>7} calls: gateway path {} (gateway {}, load generator {}, PostgreSQL and the rest {}); api direct {} (pgbench included); reference {}",
        us(gw.machine_us),
        us(gw.gateway_us),
        us(gw.loadgen_us),
        rest,
        us(api.machine_us),
        us(reference.machine_us)
    )
}

/// pgbench scripts: (api turn, reference turn, select 1).
fn write_scripts(
    args: &Args,
    dir: &Path,
    merchant: i64,
) -> Result<(String, String, String), String> {
    let utterances = UTTERANCES
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(", ");
    // The parameters the gateway's callers send (all of Twilio's, not only the ones the turn
    // reads), so both sides parse the same request.
    let caller = Caller::new(bench_call(args), |_, _| {});
    let params = caller
        .params(&[("Confidence", "0.90")])
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "CallSid" => format!("'{k}', 'BENCH-SQL-' || :client_id"),
            _ => format!("'{k}', '{v}'"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let api = format!(
        "\\set u random(1, {n})\n\
         select api.twilio_gather(jsonb_build_object({params}, \
         'SpeechResult', (array[{utterances}])[:u]), null);\n",
        n = UTTERANCES.len()
    );
    let reference =
        format!("select bench.reference_turn({merchant}, 'BENCH-SQL-' || :client_id);\n");
    let one = "select 1;\n".to_string();
    let mut paths = Vec::new();
    for (name, body) in [
        ("api.sql", api),
        ("reference.sql", reference),
        ("one.sql", one),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| e.to_string())?;
        paths.push(p.to_string_lossy().to_string());
    }
    Ok((paths[0].clone(), paths[1].clone(), paths[2].clone()))
}

fn pgbench(
    args: &Args,
    admin_url: &str,
    script: &str,
    clients: usize,
    dir: &Path,
    tag: &str,
) -> Result<Figures, String> {
    let prefix = dir.join(format!("{tag}-{clients}"));
    // The gateway talks to PostgreSQL without TLS; so does pgbench, for a like comparison.
    let url = if admin_url.contains("sslmode=") {
        admin_url.to_string()
    } else if admin_url.contains('?') {
        format!("{admin_url}&sslmode=disable")
    } else {
        format!("{admin_url}?sslmode=disable")
    };
    let busy_before = cpu::machine();
    let out = Command::new(&args.pgbench)
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(2).to_string(),
        ])
        .args([
            "-T",
            &args.seconds.to_string(),
            "-f",
            script,
            "-l",
            "--log-prefix",
        ])
        .arg(&prefix)
        .arg(&url)
        .output()
        .map_err(|e| format!("running {}: {e}", args.pgbench))?;
    let busy_after = cpu::machine();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "pgbench failed: {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let tps = stdout
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| {
            l["tps = ".len()..]
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .ok_or_else(|| format!("no tps in pgbench output: {stdout}"))?;
    // Per-transaction logs: "client_id transaction_no latency_us script_no epoch us".
    let mut lat = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(&format!("{tag}-{clients}.")) {
            let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
            lat.extend(
                text.lines()
                    .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok())
                    .map(Duration::from_micros),
            );
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let transactions = lat.len() as f64;
    Ok(Figures {
        tps,
        p50: percentile(&mut lat, 50.0),
        p99: percentile(&mut lat, 99.0),
        machine_us: cpu::per_op(busy_before, busy_after, transactions),
        gateway_us: None,
        loadgen_us: None,
    })
}

/// The call every bench caller (and the pgbench script's parameters) is made of.
fn bench_call(args: &Args) -> CallSpec {
    CallSpec {
        from: "+15551110000".into(),
        confidence: 0.9,
        ..CallSpec::new(&args.gateway, &args.auth_token, STORE, &[])
    }
}

/// `clients` concurrent calls, each posting signed gather webhooks back to back (`pause` zero)
/// or pausing between turns like a person.
async fn gateway_load(
    db: &tokio_postgres::Client,
    args: &Args,
    clients: usize,
    pause: Duration,
) -> Result<Figures, String> {
    gateway_load_for(db, args, clients, pause, Duration::from_secs(args.seconds)).await
}

async fn gateway_load_for(
    db: &tokio_postgres::Client,
    args: &Args,
    clients: usize,
    pause: Duration,
    duration: Duration,
) -> Result<Figures, String> {
    // Each call goes on from the turn it is at: an earlier measurement moved it on, and a
    // lower turn number would be answered as a Twilio retry (stored TwiML, no work).
    let next_turns = gateway_turns(db, clients).await?;
    let before: u32 = next_turns.iter().sum();
    let gateway_pid = args.gateway_pid.as_deref();
    let cpu_before = (
        cpu::machine(),
        gateway_pid.and_then(cpu::process),
        cpu::process("self"),
    );
    let deadline = Instant::now() + duration;
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for (k, mut turn) in next_turns.into_iter().enumerate() {
        let mut caller =
            Caller::new(bench_call(args), |_, _| {}).with_call_sid(format!("BENCH-GW-{k}"));
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let path = format!("/twilio/voice/gather?turn={turn}");
                let said = UTTERANCES[turn as usize % UTTERANCES.len()];
                let body = caller
                    .post(&path, &[("SpeechResult", said), ("Confidence", "0.90")])
                    .await?;
                if !body.contains("<Gather") {
                    return Err(format!("unexpected answer: {body}"));
                }
                turn += 1;
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
            Ok::<Vec<Duration>, String>(caller.latencies().to_vec())
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu_after = (
        cpu::machine(),
        gateway_pid.and_then(cpu::process),
        cpu::process("self"),
    );
    // Every request must have been a new turn, none answered as a retry.
    let done: u32 = gateway_turns(db, clients).await?.iter().sum::<u32>() - before;
    if done as usize != all.len() {
        return Err(format!(
            "{} requests but {done} new turns: some were answered as retries",
            all.len()
        ));
    }
    let turns = all.len() as f64;
    Ok(Figures {
        tps: turns / elapsed,
        p50: percentile(&mut all, 50.0),
        p99: percentile(&mut all, 99.0),
        machine_us: cpu::per_op(cpu_before.0, cpu_after.0, turns),
        gateway_us: cpu::per_op(cpu_before.1, cpu_after.1, turns),
        loadgen_us: cpu::per_op(cpu_before.2, cpu_after.2, turns),
    })
}

/// Every measurement starts from the same state: the turn log vacuumed and analysed (so
/// autovacuum is unlikely to start mid-measurement) and a checkpoint just done (so no
/// measurement has one, and each pays the same full-page writes after it). The durability
/// settings themselves stay at PostgreSQL's defaults.
async fn settle(db: &tokio_postgres::Client) -> Result<(), String> {
    // Two statements: VACUUM cannot share a query string (an implicit transaction).
    for sql in ["vacuum analyze app.calls, app.turns", "checkpoint"] {
        db.batch_execute(sql).await.map_err(|e| {
            let why = e
                .as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string());
            format!("{sql} before a measurement: {why}")
        })?;
    }
    Ok(())
}

/// The next turn number of each gateway call BENCH-GW-0..clients.
async fn gateway_turns(db: &tokio_postgres::Client, clients: usize) -> Result<Vec<u32>, String> {
    let sids: Vec<String> = (0..clients).map(|k| format!("BENCH-GW-{k}")).collect();
    let rows = db
        .query(
            "select next_turn from unnest($1::text[]) with ordinality s(sid, n)
               join app.calls c on c.call_sid = s.sid order by s.n",
            &[&sids],
        )
        .await
        .map_err(|e| e.to_string())?;
    if rows.len() != clients {
        return Err(format!("{} of {clients} bench calls found", rows.len()));
    }
    Ok(rows.iter().map(|r| r.get::<_, i32>(0) as u32).collect())
}
