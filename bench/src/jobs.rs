//! `scripts/bench jobs`: kea's durable jobs (docs/workflow.md) against two baselines measured
//! in the same run on the same database server.
//!
//! - **kea**: the release `kea-worker` draining pre-inserted `noop` jobs (a Rust no-op) at each
//!   concurrency: batched claims (`worker.claim`), handlers run concurrently, batched
//!   completion (`worker.complete`, which moves the rows to `app.jobs_done`). Twice per
//!   concurrency: without prefetch (`KEA_WORKER_PREFETCH=0`: claims only for free handler
//!   slots) and with a prefetch equal to graphile-worker batched's local queue size,
//!   `max(500, concurrency + 1)` (or `--prefetch N`). The end of a drain is read from the
//!   worker's Prometheus counter (`kea_worker_jobs_completed_total`), not by polling the
//!   table, so the measurement takes no CPU from the worker; the SQL check afterwards is the
//!   truth.
//! - **naive**: pgbench, one job claimed with `FOR UPDATE SKIP LOCKED` in one transaction and
//!   completed (moved to `app.jobs_done`) in another (bench/sql/naive_claim.sql), on the same
//!   tables.
//! - **graphile-worker** (npm, pinned by bench/graphile/package-lock.json, run by Node on the
//!   same server): the same number of no-op jobs at the same concurrency, unbatched (its
//!   defaults) and with its batching on (local queue, batched completion).
//!
//! Throughput is jobs / (last completion - first start). Insert-to-start latency is the time
//! from a job's insert to its claim, with jobs inserted one per transaction at a steady pace.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::cpu;
use crate::stats::{ms, percentile};

#[derive(clap::Args)]
pub struct Args {
    /// No-op jobs pre-inserted for each throughput measurement.
    #[arg(long, default_value_t = 100_000)]
    jobs: usize,
    /// Concurrent handlers (kea-worker's KEA_WORKER_CONCURRENCY, pgbench clients,
    /// graphile-worker's concurrency), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    concurrency: Vec<usize>,
    /// Jobs inserted per second, one per transaction, for the latency measurements.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Seconds of paced inserts per latency measurement.
    #[arg(long, default_value_t = 5)]
    latency_seconds: u64,
    /// kea-worker's fallback poll for the poll-only latency measurement (milliseconds).
    #[arg(long, default_value_t = 100)]
    poll_ms: u64,
    /// The worker's login (kea_authenticator) to the bench database.
    #[arg(long, env = "KEA_DATABASE_URL")]
    database_url: String,
    /// The kea-worker binary (scripts/bench passes target/release, or target/debug with --smoke).
    #[arg(long, default_value = "target/release/kea-worker")]
    worker: PathBuf,
    #[arg(long, default_value = "/usr/lib/postgresql/15/bin/pgbench")]
    pgbench: String,
    #[arg(long, default_value = "node")]
    node: String,
    /// Where bench/graphile is installed (`npm ci` by scripts/bench).
    #[arg(long, default_value = "bench/graphile")]
    graphile_dir: PathBuf,
    /// Skip graphile-worker (e.g. no Node.js).
    #[arg(long)]
    no_graphile: bool,
    /// kea-worker's KEA_WORKER_PREFETCH (jobs claimed ahead of free handler slots) for the
    /// prefetch run; unset = graphile-worker batched's local queue size,
    /// max(500, concurrency + 1). The other kea run has no prefetch.
    #[arg(long)]
    prefetch: Option<usize>,
    /// Seconds, small counts, figures printed but not judged (scripts/test): 500 jobs at
    /// concurrency 2 (the naive loop and graphile-worker unbatched do a few hundred a second),
    /// 1 s of latency at 100 jobs/s. Every check of a full run still runs
    /// (each job completed exactly once, every latency job seen).
    #[arg(long)]
    smoke: bool,
}

/// One drain: how fast, and the machine's CPU per job.
#[derive(Clone, Copy, Default)]
struct Drain {
    jobs_per_s: f64,
    cpu_us: Option<f64>,
}

/// Every drain at one concurrency.
struct Drains {
    concurrency: usize,
    /// kea-worker without prefetch.
    kea: Drain,
    /// kea-worker with `prefetch` jobs claimed ahead of free handler slots.
    kea_prefetch: Drain,
    prefetch: usize,
    naive: Drain,
    graphile: Option<Drain>,
    graphile_batched: Option<Drain>,
}

/// The prefetch of the second kea run at concurrency `c`: `--prefetch`, or graphile-worker
/// batched's local queue size (bench/graphile/bench.mjs).
fn prefetch_for(args: &Args, c: usize) -> usize {
    args.prefetch.unwrap_or_else(|| (c + 1).max(500))
}

pub async fn run(admin_url: &str, mut args: Args) -> Result<(), String> {
    if args.smoke {
        args.jobs = 500;
        args.concurrency = vec![2];
        args.latency_seconds = 1;
        args.rate = 100;
    }
    let db = crate::connect(admin_url).await?;
    let work = std::env::temp_dir().join(format!("kea-bench-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let naive_script = work.join("naive_claim.sql");
    std::fs::write(&naive_script, include_str!("../sql/naive_claim.sql"))
        .map_err(|e| e.to_string())?;
    if !args.worker.exists() {
        return Err(format!(
            "{} not found (cargo build --release -p kea_worker)",
            args.worker.display()
        ));
    }
    let graphile = !args.no_graphile;
    if graphile {
        node(&args, admin_url, &["migrate"]).await?;
    }
    let settings: Vec<String> = db
        .query("select name || '=' || setting from pg_settings where name in ('synchronous_commit', 'fsync', 'max_connections', 'shared_buffers') order by 1", &[])
        .await
        .map_err(e)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    println!("PostgreSQL settings: {}", settings.join(", "));
    println!(
        "{} no-op jobs per drain; throughput = jobs / (last completion - first start); {}",
        args.jobs,
        if args.smoke {
            "debug builds (smoke run: figures printed, not judged)"
        } else {
            "release builds"
        }
    );
    // The prefetch column's name: one number when every concurrency has the same.
    let prefetches: Vec<usize> = args
        .concurrency
        .iter()
        .map(|&c| prefetch_for(&args, c))
        .collect();
    let pf_label = match prefetches.first() {
        Some(&p) if prefetches.iter().all(|&q| q == p) => format!("kea (prefetch {p})"),
        _ => "kea (prefetch)".to_string(),
    };
    println!(
        "kea-worker threads: {}",
        std::env::var("KEA_WORKER_THREADS").unwrap_or_else(|_| "the worker's default (1)".into())
    );
    println!("kea = kea-worker with KEA_WORKER_PREFETCH=0 (claims only for free handler slots)");
    println!(
        "{pf_label} = kea-worker with KEA_WORKER_PREFETCH={}",
        match args.prefetch {
            Some(p) => format!("{p} (--prefetch)"),
            None => "max(500, concurrency + 1), graphile batched's local queue size".into(),
        }
    );
    println!("{}", graphile_version(&args));
    println!();

    let mut drains = Vec::new();
    let mut port = 19300u16;
    for &c in &args.concurrency {
        let prefetch = prefetch_for(&args, c);
        port += 1;
        let kea = kea_drain(&db, &args, c, 0, port).await?;
        port += 1;
        let kea_prefetch = kea_drain(&db, &args, c, prefetch, port).await?;
        let naive = naive_drain(&db, &args, admin_url, &naive_script, c).await?;
        let (gw, gwb) = if graphile {
            (
                Some(graphile_drain(&db, &args, admin_url, c, false).await?),
                Some(graphile_drain(&db, &args, admin_url, c, true).await?),
            )
        } else {
            (None, None)
        };
        eprintln!(
            "    concurrency {c}: kea {:.0}, kea prefetch {prefetch} {:.0}, naive {:.0}, graphile {} / {} jobs/s",
            kea.jobs_per_s,
            kea_prefetch.jobs_per_s,
            naive.jobs_per_s,
            gw.map_or("-".into(), |d| format!("{:.0}", d.jobs_per_s)),
            gwb.map_or("-".into(), |d| format!("{:.0}", d.jobs_per_s))
        );
        drains.push(Drains {
            concurrency: c,
            kea,
            kea_prefetch,
            prefetch,
            naive,
            graphile: gw,
            graphile_batched: gwb,
        });
    }

    let latency_c = args.concurrency.iter().copied().max().unwrap_or(16);
    port += 1;
    let listen = kea_latency(&db, &args, latency_c, port, true).await?;
    port += 1;
    let poll = kea_latency(&db, &args, latency_c, port, false).await?;
    let (gw_lat, gwb_lat) = if graphile {
        (
            Some(graphile_latency(&db, &args, admin_url, latency_c, false).await?),
            Some(graphile_latency(&db, &args, admin_url, latency_c, true).await?),
        )
    } else {
        (None, None)
    };

    let fmt = |d: Option<Drain>| d.map_or("-".to_string(), |d| format!("{:.0}", d.jobs_per_s));
    let ratio = |a: Drain, b: Option<Drain>| {
        b.map_or("-".to_string(), |b| {
            format!("{:.2}x", a.jobs_per_s / b.jobs_per_s)
        })
    };
    let pf_w = pf_label.len().max(9);
    println!(
        "Jobs claimed and completed per second, {} pre-inserted no-op jobs:",
        args.jobs
    );
    println!(
        "{:>11} | {:>9} | {:>pf_w$} | {:>15} | {:>18} | {:>16} | {:>17} | {:>12} | {:>17}",
        "concurrency",
        "kea",
        pf_label,
        "naive (pgbench)",
        "graphile unbatched",
        "graphile batched",
        "kea pf/gw batched",
        "kea pf/naive",
        "kea/gw unbatched"
    );
    for d in &drains {
        let pf = if pf_label == "kea (prefetch)" {
            format!("{:.0} ({})", d.kea_prefetch.jobs_per_s, d.prefetch)
        } else {
            format!("{:.0}", d.kea_prefetch.jobs_per_s)
        };
        println!(
            "{:>11} | {:>9.0} | {:>pf_w$} | {:>15.0} | {:>18} | {:>16} | {:>17} | {:>12} | {:>17}",
            d.concurrency,
            d.kea.jobs_per_s,
            pf,
            d.naive.jobs_per_s,
            fmt(d.graphile),
            fmt(d.graphile_batched),
            ratio(d.kea_prefetch, d.graphile_batched),
            ratio(d.kea_prefetch, Some(d.naive)),
            ratio(d.kea, d.graphile)
        );
    }
    println!(
        "(kea pf = {pf_label}; kea/gw unbatched, both without a local queue, is for information)"
    );
    println!();
    println!("CPU per job, whole machine (µs; PostgreSQL, the worker and the load share 2 cores):");
    let us = |d: Option<Drain>| {
        d.and_then(|d| d.cpu_us)
            .map_or("-".to_string(), |v| format!("{v:.0}"))
    };
    println!(
        "{:>11} | {:>9} | {:>pf_w$} | {:>15} | {:>18} | {:>16}",
        "concurrency", "kea", pf_label, "naive (pgbench)", "graphile unbatched", "graphile batched"
    );
    for d in &drains {
        println!(
            "{:>11} | {:>9} | {:>pf_w$} | {:>15} | {:>18} | {:>16}",
            d.concurrency,
            us(Some(d.kea)),
            us(Some(d.kea_prefetch)),
            us(Some(d.naive)),
            us(d.graphile),
            us(d.graphile_batched)
        );
    }
    println!();
    println!(
        "Insert-to-start latency (ms): {} jobs/s for {} s, one insert per transaction, concurrency {latency_c}:",
        args.rate, args.latency_seconds
    );
    println!("{:>32} | {:>8} | {:>8} | {:>8}", "", "p50", "p99", "max");
    let lat_line = |name: &str, l: &mut Vec<Duration>| {
        let max = l.iter().max().copied().unwrap_or_default();
        println!(
            "{:>32} | {:>8} | {:>8} | {:>8}",
            name,
            ms(percentile(l, 50.0)),
            ms(percentile(l, 99.0)),
            ms(max)
        );
    };
    let (mut listen, mut poll) = (listen, poll);
    lat_line("kea, LISTEN (app.enqueue)", &mut listen);
    lat_line(&format!("kea, poll-only ({} ms)", args.poll_ms), &mut poll);
    if let (Some(mut a), Some(mut b)) = (gw_lat.clone(), gwb_lat.clone()) {
        lat_line("graphile unbatched (add_job)", &mut a);
        lat_line("graphile batched (add_job)", &mut b);
    }
    println!("(kea, without prefetch: attempted_at - created_at; graphile-worker: locked_at -");
    println!(" created_at; both the database's clock. Poll-only: jobs inserted without NOTIFY,");
    println!(" worker polling every {} ms.)", args.poll_ms);

    // Targets of issue 10.
    println!();
    if args.smoke {
        println!("Targets (issue 10): not judged in a smoke run.");
        let _ = std::fs::remove_dir_all(&work);
        return Ok(());
    }
    println!("Targets (issue 10; kea measured with prefetch, {pf_label}):");
    let mut missed = Vec::new();
    for d in &drains {
        let (c, kea) = (d.concurrency, d.kea_prefetch.jobs_per_s);
        if let Some(gwb) = d.graphile_batched {
            if kea < gwb.jobs_per_s {
                missed.push(format!(
                    "kea (prefetch {}) >= graphile batched at concurrency {c}: {kea:.0} < {:.0}",
                    d.prefetch, gwb.jobs_per_s
                ));
            }
        }
        if kea < 10.0 * d.naive.jobs_per_s {
            missed.push(format!(
                "kea (prefetch {}) >= 10x naive at concurrency {c}: {:.1}x",
                d.prefetch,
                kea / d.naive.jobs_per_s
            ));
        }
    }
    let p50 = percentile(&mut listen, 50.0);
    if p50 >= Duration::from_millis(5) {
        missed.push(format!("LISTEN p50 < 5 ms: {} ms", ms(p50)));
    }
    if let Some(mut g) = gw_lat {
        let g50 = percentile(&mut g, 50.0);
        if p50 > g50 {
            missed.push(format!(
                "LISTEN p50 no slower than graphile-worker's: {} > {} ms",
                ms(p50),
                ms(g50)
            ));
        }
    }
    if missed.is_empty() {
        println!("  all met");
    } else {
        for m in missed {
            println!("  NOT MET: {m}");
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

fn e(err: tokio_postgres::Error) -> String {
    err.as_db_error()
        .map_or(err.to_string(), |d| d.message().to_string())
}

/// Empty queue tables, then `insert` (if any), then vacuum, analyze and a checkpoint: every
/// measurement starts from the same state.
async fn reset(db: &tokio_postgres::Client, insert: Option<&str>) -> Result<(), String> {
    db.batch_execute("truncate app.jobs, app.jobs_done, app.job_keys")
        .await
        .map_err(e)?;
    db.batch_execute(
        "do $$ begin if to_regclass('graphile_worker._private_jobs') is not null then
             truncate graphile_worker._private_jobs, graphile_worker._private_job_queues;
         end if; end $$",
    )
    .await
    .map_err(e)?;
    if let Some(sql) = insert {
        db.batch_execute(sql).await.map_err(e)?;
    }
    for sql in ["vacuum analyze app.jobs", "checkpoint"] {
        db.batch_execute(sql).await.map_err(e)?;
    }
    if insert.is_some_and(|s| s.contains("graphile_worker")) {
        db.batch_execute("vacuum analyze graphile_worker._private_jobs")
            .await
            .map_err(e)?;
    }
    Ok(())
}

fn insert_kea(n: usize) -> String {
    format!(
        "insert into app.jobs (merchant_id, kind) select 0, 'noop' from generate_series(1, {n})"
    )
}

/// jobs/s of the noop jobs moved to app.jobs_done: count / (last finished_at - first
/// attempted_at); every job must be completed exactly once, and none left in app.jobs.
async fn kea_figure(
    db: &tokio_postgres::Client,
    n: usize,
    cpu_us: Option<f64>,
) -> Result<Drain, String> {
    let row = db
        .query_one(
            "select count(*),
                    count(distinct id),
                    count(*) filter (where attempt <> 1),
                    extract(epoch from max(finished_at) - min(attempted_at))::float8,
                    (select count(*) from app.jobs where kind = 'noop')
               from app.jobs_done where kind = 'noop'",
            &[],
        )
        .await
        .map_err(e)?;
    let (done, distinct, retried, secs, left): (i64, i64, i64, Option<f64>, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    if done as usize != n || distinct != done || retried != 0 || left != 0 {
        return Err(format!(
            "{done} of {n} jobs completed ({distinct} distinct), {retried} attempted more than once, {left} left in app.jobs"
        ));
    }
    let secs = secs.ok_or("no timings")?;
    Ok(Drain {
        jobs_per_s: n as f64 / secs,
        cpu_us,
    })
}

/// A kea-worker process, killed if dropped.
struct Worker {
    child: Child,
    /// Its metrics endpoint, 127.0.0.1:port.
    port: u16,
}

impl Worker {
    fn start(
        args: &Args,
        concurrency: usize,
        prefetch: usize,
        poll_ms: u64,
        port: u16,
        listen: bool,
    ) -> Result<Self, String> {
        let log = std::fs::File::create(format!("/tmp/kea-bench-worker-{port}.log"))
            .map_err(|e| e.to_string())?;
        let child = Command::new(&args.worker)
            .env("KEA_WORKER_DATABASE_URL", &args.database_url)
            .env("KEA_WORKER_CONCURRENCY", concurrency.to_string())
            .env("KEA_WORKER_POLL_MS", poll_ms.to_string())
            .env("KEA_WORKER_LEASE_S", "10")
            .env("KEA_WORKER_METRICS", format!("127.0.0.1:{port}"))
            .env("KEA_WORKER_LISTEN", if listen { "true" } else { "false" })
            .env("KEA_LOG", "warn")
            .env("KEA_WORKER_PREFETCH", prefetch.to_string())
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", args.worker.display()))?;
        Ok(Worker { child, port })
    }

    /// SIGTERM, and wait for the graceful exit.
    async fn stop(mut self) -> Result<(), String> {
        if let Some(pid) = self.child.id() {
            // SAFETY: a signal to our own child process.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        match tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await {
            Ok(Ok(_)) => Ok(()),
            _ => {
                let _ = self.child.kill().await;
                Err("kea-worker did not stop within 20 s of SIGTERM".into())
            }
        }
    }
}

/// Sum of `kea_worker_jobs_completed_total{kind="noop"}` on the worker's metrics endpoint;
/// None while it does not answer (not listening yet).
async fn noop_completed(http: &reqwest::Client, port: u16) -> Option<u64> {
    let r = http
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .ok()?
        .error_for_status()
        .ok()?;
    let body = r.text().await.ok()?;
    Some(
        body.lines()
            .filter(|l| {
                l.starts_with("kea_worker_jobs_completed_total{") && l.contains("kind=\"noop\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as u64,
    )
}

/// Waits until the worker reports `n` noop jobs completed (or died, or `limit` passed). The
/// counter counts a batch once its completion transaction committed; the worker's metrics
/// are polled rather than the table, which would take CPU from the worker being measured.
async fn wait_drained(worker: &mut Worker, n: usize, limit: Duration) -> Result<(), String> {
    let t0 = Instant::now();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| e.to_string())?;
    loop {
        let done = noop_completed(&http, worker.port).await.unwrap_or(0);
        if done as usize >= n {
            return Ok(());
        }
        if let Ok(Some(status)) = worker.child.try_wait() {
            return Err(format!(
                "kea-worker exited ({status}) with {done} of {n} jobs completed; see /tmp/kea-bench-worker-{}.log",
                worker.port
            ));
        }
        if t0.elapsed() > limit {
            return Err(format!(
                "{done} of {n} jobs completed after {} s (kea-worker metrics on 127.0.0.1:{})",
                limit.as_secs(),
                worker.port
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn kea_drain(
    db: &tokio_postgres::Client,
    args: &Args,
    c: usize,
    prefetch: usize,
    port: u16,
) -> Result<Drain, String> {
    reset(db, Some(&insert_kea(args.jobs))).await?;
    let busy = cpu::machine();
    let mut w = Worker::start(args, c, prefetch, 1000, port, true)?;
    let drained = wait_drained(&mut w, args.jobs, Duration::from_secs(600)).await;
    let busy_after = cpu::machine();
    w.stop().await?;
    drained?;
    kea_figure(
        db,
        args.jobs,
        cpu::per_op(busy, busy_after, args.jobs as f64),
    )
    .await
}

async fn naive_drain(
    db: &tokio_postgres::Client,
    args: &Args,
    admin_url: &str,
    script: &Path,
    c: usize,
) -> Result<Drain, String> {
    reset(db, Some(&insert_kea(args.jobs))).await?;
    let per_client = args.jobs.div_ceil(c);
    let busy = cpu::machine();
    let out = tokio::process::Command::new(&args.pgbench)
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &c.to_string(),
            "-j",
            &c.min(2).to_string(),
        ])
        .args(["-t", &per_client.to_string(), "-f"])
        .arg(script)
        .arg(no_tls(admin_url))
        .output()
        .await
        .map_err(|e| format!("running {}: {e}", args.pgbench))?;
    let busy_after = cpu::machine();
    if !out.status.success() {
        return Err(format!(
            "pgbench failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    kea_figure(
        db,
        args.jobs,
        cpu::per_op(busy, busy_after, args.jobs as f64),
    )
    .await
}

/// pgbench and Node talk to PostgreSQL without TLS, as kea-worker does.
fn no_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

fn node_command(args: &Args, admin_url: &str, argv: &[&str]) -> Command {
    let mut cmd = Command::new(&args.node);
    cmd.current_dir(&args.graphile_dir)
        .arg("bench.mjs")
        .args(argv)
        .env("GRAPHILE_BENCH_URL", no_tls(admin_url))
        .kill_on_drop(true);
    cmd
}

/// Runs bench.mjs to the end; its last stdout line.
async fn node(args: &Args, admin_url: &str, argv: &[&str]) -> Result<String, String> {
    let out = node_command(args, admin_url, argv)
        .output()
        .await
        .map_err(|e| format!("running {}: {e}", args.node))?;
    if !out.status.success() {
        return Err(format!(
            "node bench.mjs {}: {}{}",
            argv.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string())
}

fn graphile_version(args: &Args) -> String {
    let p = args
        .graphile_dir
        .join("node_modules/graphile-worker/package.json");
    let v = std::fs::read_to_string(p)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let node = std::process::Command::new(&args.node)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "?".into());
    format!("graphile-worker {v} on Node.js {node}; batched = localQueue size max(500, concurrency + 1), completeJobBatchDelay 0")
}

async fn graphile_drain(
    db: &tokio_postgres::Client,
    args: &Args,
    admin_url: &str,
    c: usize,
    batched: bool,
) -> Result<Drain, String> {
    let insert = format!(
        "select count(*) from graphile_worker.add_jobs(array(
           select row('noop', '{{}}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
             from generate_series(1, {})))",
        args.jobs
    );
    reset(db, Some(&insert)).await?;
    let busy = cpu::machine();
    let line = node(
        args,
        admin_url,
        &[
            "drain",
            "--jobs",
            &args.jobs.to_string(),
            "--concurrency",
            &c.to_string(),
            "--batched",
            if batched { "1" } else { "0" },
        ],
    )
    .await?;
    let busy_after = cpu::machine();
    let v: serde_json::Value =
        serde_json::from_str(&line).map_err(|err| format!("bench.mjs said {line:?}: {err}"))?;
    let secs = v["seconds"].as_f64().ok_or("no seconds from bench.mjs")?;
    Ok(Drain {
        jobs_per_s: args.jobs as f64 / secs,
        // Node's start-up and migrations check are in this figure too.
        cpu_us: cpu::per_op(busy, busy_after, args.jobs as f64),
    })
}

/// Inserts `rate` jobs a second for `seconds`, each in its own transaction, on a steady
/// schedule (a late insert goes at once; the schedule does not slip).
async fn paced_inserts(
    db: &tokio_postgres::Client,
    sql: &str,
    rate: u32,
    seconds: u64,
) -> Result<usize, String> {
    let stmt = db.prepare(sql).await.map_err(e)?;
    let n = rate as u64 * seconds;
    let every = Duration::from_secs_f64(1.0 / rate as f64);
    let t0 = tokio::time::Instant::now();
    for i in 0..n {
        tokio::time::sleep_until(t0 + every * i as u32).await;
        db.execute(&stmt, &[]).await.map_err(e)?;
    }
    Ok(n as usize)
}

async fn kea_latency(
    db: &tokio_postgres::Client,
    args: &Args,
    c: usize,
    port: u16,
    listen: bool,
) -> Result<Vec<Duration>, String> {
    reset(db, None).await?;
    let poll = if listen { 1000 } else { args.poll_ms };
    // Without prefetch: at this pace the worker is idle between jobs either way.
    let mut w = Worker::start(args, c, 0, poll, port, listen)?;
    // Its pool and its LISTEN connection up before the first insert.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Poll-only: the same row without app.enqueue's NOTIFY, so only the poll finds it.
    let sql = if listen {
        "select app.enqueue(0, 'noop')"
    } else {
        "insert into app.jobs (merchant_id, kind) values (0, 'noop')"
    };
    let n = paced_inserts(db, sql, args.rate, args.latency_seconds).await?;
    let drained = wait_drained(&mut w, n, Duration::from_secs(60)).await;
    w.stop().await?;
    drained?;
    let rows = db
        .query(
            "select (extract(epoch from attempted_at - created_at) * 1e6)::int8
               from app.jobs_done where kind = 'noop'",
            &[],
        )
        .await
        .map_err(e)?;
    if rows.len() != n {
        return Err(format!("{} of {n} latency jobs completed", rows.len()));
    }
    Ok(rows
        .iter()
        .map(|r| Duration::from_micros(r.get::<_, i64>(0).max(0) as u64))
        .collect())
}

async fn graphile_latency(
    db: &tokio_postgres::Client,
    args: &Args,
    admin_url: &str,
    c: usize,
    batched: bool,
) -> Result<Vec<Duration>, String> {
    reset(db, None).await?;
    let n = args.rate as u64 * args.latency_seconds;
    let mut child = node_command(
        args,
        admin_url,
        &[
            "latency",
            "--jobs",
            &n.to_string(),
            "--concurrency",
            &c.to_string(),
            "--batched",
            if batched { "1" } else { "0" },
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit())
    .spawn()
    .map_err(|e| format!("running {}: {e}", args.node))?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .map_err(|_| "bench.mjs latency did not get ready in 30 s".to_string())?
        .map_err(|e| e.to_string())?;
    if first.as_deref() != Some("ready") {
        return Err(format!("bench.mjs latency said {first:?}"));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    paced_inserts(
        db,
        "select graphile_worker.add_job('noop')",
        args.rate,
        args.latency_seconds,
    )
    .await?;
    let last = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .map_err(|_| "bench.mjs latency did not finish".to_string())?
        .map_err(|e| e.to_string())?
        .ok_or("bench.mjs latency said nothing")?;
    let _ = child.wait().await;
    let v: serde_json::Value =
        serde_json::from_str(&last).map_err(|err| format!("bench.mjs said {last:?}: {err}"))?;
    let lat: Vec<Duration> = v["latencies_us"]
        .as_array()
        .ok_or("no latencies from bench.mjs")?
        .iter()
        .filter_map(|x| x.as_f64())
        .map(|us| Duration::from_micros(us.max(0.0) as u64))
        .collect();
    if lat.len() as u64 != n {
        return Err(format!("{} of {n} graphile latency jobs", lat.len()));
    }
    Ok(lat)
}
