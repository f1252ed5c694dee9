//! kea-bench: `scripts/bench extract|turns|jobs|autoverify|scale|soak ...` (`scripts/bench NAME
//! --help`: the options of each). Every figure is printed next to a baseline measured in the
//! same run on the same machine. Each takes `--smoke` (scripts/test): seconds, small counts,
//! figures printed but not judged; it still fails, as a full run does, when the benchmark no
//! longer measures what it says.

mod autoverify;
mod cpu;
mod extract;
mod jobs;
mod keyword_baseline;
mod scale;
mod soak;
mod stats;
mod turns;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "scripts/bench", about = "kea's benchmarks")]
struct Cli {
    /// Superuser URL of the kea database (scripts/bench sets it).
    #[arg(long, env = "KEA_ADMIN_URL")]
    admin_url: String,
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Extraction accuracy next to a keyword baseline, and throughput through SQL, on every
    /// venue (the shared FoodOrdering venues and tests/venues) or one.
    Extract(extract::Args),
    /// Dialog turns per second, latency and CPU per turn: through the gateway, through a
    /// minimal pass-through server (the gateway's floor), the api functions directly
    /// (pgbench), a minimal reference turn (pgbench) and SELECT 1 (pgbench).
    Turns(turns::Args),
    /// No-op jobs claimed and completed per second by kea-worker, the naive SKIP LOCKED loop
    /// (pgbench) and graphile-worker, and insert-to-start latency.
    Jobs(jobs::Args),
    /// Orders the auto-verify policy lets through without a person, and their precision, for a
    /// sweep of confidence thresholds, on the persona calls of tests/venues*/ through the gateway.
    Autoverify(autoverify::Args),
    /// Turn throughput and latency through the gateway at 10, 1,000 and 10,000 merchants with a
    /// million past calls and orders, next to the first size; on Citus next to one PostgreSQL;
    /// database size per 1,000 calls.
    Scale(scale::Args),
    /// Many callers with human pauses through the whole workflow (agents approving over /rpc,
    /// the worker delivering to stand-ins), optionally with a PostgreSQL restart in the middle:
    /// calls, turns, errors, latency, job lag, database growth per 1,000 calls.
    Soak(soak::Args),
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let result = match cli.what {
        What::Extract(a) => extract::run(&cli.admin_url, a).await,
        What::Turns(a) => turns::run(&cli.admin_url, a).await,
        What::Jobs(a) => jobs::run(&cli.admin_url, a).await,
        What::Autoverify(a) => autoverify::run(&cli.admin_url, a).await,
        What::Scale(a) => scale::run(&cli.admin_url, a).await,
        What::Soak(a) => soak::run(&cli.admin_url, a).await,
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A superuser connection.
pub async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("connecting to {url}: {e} (run scripts/init)"))?;
    tokio::spawn(conn);
    Ok(client)
}
