//! The baselines through pgbench: the same calls straight to the api functions, the reference
//! turn and `SELECT 1`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use kea_gateway::simulator::Caller;

use super::callers::{spec, CALLS, TURNS};
use crate::cpu;
use crate::stats::percentile;

/// The pgbench scripts of a run.
pub struct Scripts {
    /// The calls, one turn per pgbench transaction.
    pub api: PathBuf,
    /// `bench.reference_turn` on the client's call BENCH-REF-k.
    pub reference: PathBuf,
    pub one: PathBuf,
}

impl Scripts {
    /// The api script walks each client's calls as the HTTP callers do: `step` counts 0 (the
    /// greeting, `api.twilio_voice`) to 4, `call` numbers the client's calls (both start from
    /// `-D step=4 -D call=0`, see [`api_vars`]; pgbench keeps a client's variables from one
    /// transaction to the next), and every gather passes its turn number, as the gateway does
    /// from kea's action URL. The parameters are the ones the HTTP callers send (all of
    /// Twilio's, not only the ones a turn reads), so every side parses the same request.
    pub fn write(dir: &Path, merchant: i64, auth_token: &str) -> Result<Scripts, String> {
        let utterances = CALLS
            .iter()
            .flatten()
            .map(|u| format!("'{}'", u.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(", ");
        let caller = Caller::new(spec("", auth_token), |_, _| {});
        let params = |extra: &[(&str, &str)]| {
            caller
                .params(extra)
                .into_iter()
                .map(|(k, v)| match k.as_str() {
                    "CallSid" => {
                        format!("'{k}', 'BENCH-' || :tag || '-' || :client_id || '-' || :call")
                    }
                    "SpeechResult" => format!("'{k}', (array[{utterances}])[:u]"),
                    _ => format!("'{k}', '{v}'"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let api = format!(
            "\\set step (:step + 1) % {TURNS}\n\
             \\if :step = 0\n\
             \\set call :call + 1\n\
             select api.twilio_voice(jsonb_build_object({voice}));\n\
             \\else\n\
             \\set u ((:client_id + :call) % {n}) * {per} + :step\n\
             select api.twilio_gather(jsonb_build_object({gather}), :step);\n\
             \\endif\n",
            voice = params(&[("CallStatus", "ringing")]),
            gather = params(&[("SpeechResult", ""), ("Confidence", "0.90")]),
            n = CALLS.len(),
            per = TURNS - 1,
        );
        let reference =
            format!("select bench.reference_turn({merchant}, 'BENCH-REF-' || :client_id);\n");
        let write = |name: &str, body: &str| -> Result<PathBuf, String> {
            let p = dir.join(name);
            std::fs::write(&p, body).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(p)
        };
        Ok(Scripts {
            api: write("api.sql", &api)?,
            reference: write("reference.sql", &reference)?,
            one: write("one.sql", "select 1;\n")?,
        })
    }

    /// The same scripts with each client pausing `pause_ms` after every turn.
    pub fn paced(&self, dir: &Path, pause_ms: u64) -> Result<Scripts, String> {
        let paced = |script: &Path| -> Result<PathBuf, String> {
            let body = std::fs::read_to_string(script).map_err(|e| e.to_string())?;
            let name = script.file_name().unwrap_or_default().to_string_lossy();
            let path = dir.join(format!("paced_{name}"));
            std::fs::write(&path, format!("{body}\\sleep {pause_ms} ms\n"))
                .map_err(|e| e.to_string())?;
            Ok(path)
        };
        Ok(Scripts {
            api: paced(&self.api)?,
            reference: paced(&self.reference)?,
            one: paced(&self.one)?,
        })
    }
}

/// The api script's starting variables: call sids `BENCH-{tag}-{client}-{call}`.
pub fn api_vars(tag: &str) -> Vec<String> {
    ["step=4", "call=0", &format!("tag={tag}")]
        .iter()
        .flat_map(|v| ["-D".to_string(), v.to_string()])
        .collect()
}

/// What one pgbench run did.
pub struct Run {
    pub tps: f64,
    /// Every transaction's latency, from pgbench's per-transaction log.
    pub latencies: Vec<Duration>,
    /// Busy CPU of the whole machine per transaction (µs).
    pub machine_us: Option<f64>,
}

impl Run {
    pub fn p(&mut self, p: f64) -> Duration {
        percentile(&mut self.latencies, p)
    }
}

/// Runs `script` with `clients` clients for `seconds`, logging every transaction under `dir`.
pub fn run(
    pgbench: &str,
    admin_url: &str,
    script: &Path,
    clients: usize,
    seconds: u64,
    dir: &Path,
    vars: &[String],
) -> Result<Run, String> {
    let tag = script.file_stem().unwrap_or_default().to_string_lossy();
    let prefix = dir.join(format!("log-{tag}-{clients}"));
    // The servers talk to PostgreSQL without TLS; so does pgbench, for a like comparison.
    let url = if admin_url.contains("sslmode=") {
        admin_url.to_string()
    } else if admin_url.contains('?') {
        format!("{admin_url}&sslmode=disable")
    } else {
        format!("{admin_url}?sslmode=disable")
    };
    let busy_before = cpu::machine();
    let out = Command::new(pgbench)
        .args(["-n", "-M", "prepared", "-c", &clients.to_string()])
        .args(["-j", &clients.min(2).to_string()])
        .args(vars)
        .args(["-T", &seconds.to_string(), "-l", "--log-prefix"])
        .arg(&prefix)
        .arg("-f")
        .arg(script)
        .arg(&url)
        .output()
        .map_err(|e| format!("running {pgbench}: {e}"))?;
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
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .ok_or_else(|| format!("no tps in pgbench output: {stdout}"))?;
    // Per-transaction logs, one per thread: "client_id transaction_no latency_us script_no
    // epoch us".
    let mut latencies = Vec::new();
    let logs = format!("log-{tag}-{clients}.");
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&logs) {
            let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
            latencies.extend(
                text.lines()
                    .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok())
                    .map(Duration::from_micros),
            );
            let _ = std::fs::remove_file(entry.path());
        }
    }
    if latencies.is_empty() {
        return Err(format!(
            "pgbench ran no transaction of {}: {stdout}",
            script.display()
        ));
    }
    let n = latencies.len() as f64;
    Ok(Run {
        tps,
        latencies,
        machine_us: cpu::per_op(busy_before, busy_after, n),
    })
}
