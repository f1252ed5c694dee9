//! The gateway against its floor, measured fairly: short rounds in which the gateway and the
//! pass-through (and `--gateway-before`, an earlier build) take turns, each at the same offered
//! rate, and the median of the rounds' ratios.
//!
//! Back to back, each server runs as fast as it can, and the two rarely run at the same rate in
//! the same run. Most of either server's CPU is the kernel's (socket reads and writes, waking
//! and parking threads), and what a turn costs there falls as more requests arrive per wakeup,
//! so a ratio of back-to-back figures moves with the throughput each got, and with whatever
//! else ran on the shared cores meanwhile. At one offered rate both wake up as often per turn;
//! alternating in short rounds spreads the machine's other load over both; the median drops
//! the round a build or a test landed on.

use std::time::Duration;

use super::callers::Pace;
use super::{Bench, Figures, Over, Row};

/// The rounds at one client count.
pub struct Rounds {
    pub calls: usize,
    /// Turns a second offered to every server.
    pub rate: f64,
    pub gateway: Vec<Figures>,
    pub passthrough: Vec<Figures>,
    pub before: Vec<Figures>,
}

impl Rounds {
    /// The median over the rounds of the gateway's CPU per turn over the pass-through's, with
    /// the lowest and highest.
    pub fn ratio(&self) -> Option<(f64, f64, f64)> {
        spread(per_round(&self.gateway, &self.passthrough))
    }
}

/// Each round's server CPU per turn of `a` over `b`.
fn per_round(a: &[Figures], b: &[Figures]) -> Vec<f64> {
    a.iter()
        .zip(b)
        .filter_map(|(a, b)| Some(a.server_us? / b.server_us?))
        .collect()
}

/// Median, lowest and highest.
fn spread(mut v: Vec<f64>) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((median, v[0], v[n - 1]))
}

fn median(v: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    spread(v.collect::<Option<Vec<f64>>>()?).map(|(m, _, _)| m)
}

/// For every client count of `rows`: `--rounds` rounds at `--round-load` of the lower
/// back-to-back throughput of the gateway and the pass-through, the order of the servers
/// rotating from round to round so neither always runs first.
pub async fn alternating(b: &Bench<'_>, rows: &[Row]) -> Result<Vec<Rounds>, String> {
    let args = b.args;
    let seconds = Duration::from_secs(args.round_seconds);
    let mut servers = vec![Over::Gateway, Over::Passthrough];
    if args.gateway_before.is_some() {
        servers.push(Over::GatewayBefore);
    }
    let mut out = Vec::new();
    for r in rows {
        let rate = args.round_load * r.gateway.tps.min(r.passthrough.tps);
        let mut rounds = Rounds {
            calls: r.calls,
            rate,
            gateway: Vec::new(),
            passthrough: Vec::new(),
            before: Vec::new(),
        };
        for i in 0..args.rounds {
            for k in 0..servers.len() {
                let over = servers[(i + k) % servers.len()];
                let f = b
                    .over_http(over, r.calls, Pace::Rate(rate), seconds)
                    .await?;
                match over {
                    Over::Gateway => rounds.gateway.push(f),
                    Over::Passthrough => rounds.passthrough.push(f),
                    Over::GatewayBefore => rounds.before.push(f),
                }
            }
        }
        eprintln!(
            "    {} calls: {} rounds at {rate:.0} turns/s, gateway/pass-through {}",
            r.calls,
            args.rounds,
            rounds
                .ratio()
                .map_or("?".into(), |(m, _, _)| format!("{m:.2}x"))
        );
        out.push(rounds);
    }
    print(&out, args.gateway_before.is_some(), args.round_seconds);
    Ok(out)
}

fn print(all: &[Rounds], before: bool, seconds: u64) {
    let n = all.first().map_or(0, |r| r.gateway.len());
    println!(
        "The gateway against its floor at the same offered rate: {n} rounds of {seconds} s per client count, the servers"
    );
    println!(
        "taking turns; CPU per turn (µs) of the server process, medians over the rounds, and the median of the rounds' ratios:"
    );
    print!(
        "{:>5} | {:>9} | {:>15} | {:>8} | {:>12} | {:>24} | {:>15} | {:>15}",
        "calls",
        "offered/s",
        "served gw/pt",
        "gateway",
        "pass-through",
        "gw/pt median (min-max)",
        "backends gw/pt",
        "p99 ms gw/pt"
    );
    if before {
        print!(
            " | {:>14} | {:>24} | {:>9}",
            "gateway before", "before/pt (min-max)", "gw/before"
        );
    }
    println!();
    let us = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v:.0}"));
    let range = |x: Option<(f64, f64, f64)>| {
        x.map_or("?".to_string(), |(m, lo, hi)| {
            format!("{m:.2}x ({lo:.2}-{hi:.2})")
        })
    };
    for r in all {
        let server = |f: &[Figures]| median(f.iter().map(|x| x.server_us));
        let backends = |f: &[Figures]| median(f.iter().map(|x| x.backends_us));
        let tps = |f: &[Figures]| median(f.iter().map(|x| Some(x.tps)));
        let p99 = |f: &[Figures]| median(f.iter().map(|x| Some(x.p99.as_secs_f64() * 1e3)));
        print!(
            "{:>5} | {:>9.0} | {:>15} | {:>8} | {:>12} | {:>24} | {:>15} | {:>15}",
            r.calls,
            r.rate,
            format!("{} / {}", us(tps(&r.gateway)), us(tps(&r.passthrough))),
            us(server(&r.gateway)),
            us(server(&r.passthrough)),
            range(r.ratio()),
            format!(
                "{} / {}",
                us(backends(&r.gateway)),
                us(backends(&r.passthrough))
            ),
            format!(
                "{:.1} / {:.1}",
                p99(&r.gateway).unwrap_or(f64::NAN),
                p99(&r.passthrough).unwrap_or(f64::NAN)
            ),
        );
        if before {
            print!(
                " | {:>14} | {:>24} | {:>9}",
                us(server(&r.before)),
                range(spread(per_round(&r.before, &r.passthrough))),
                spread(per_round(&r.gateway, &r.before))
                    .map_or("?".into(), |(m, _, _)| format!("{m:.2}x"))
            );
        }
        println!();
    }
    println!("(served: turns/s each got, medians; an offered rate a server could not keep up with shows there)");
}
