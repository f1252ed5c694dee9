//! The calls every side places, and the HTTP callers that place them through a server.

use std::time::{Duration, Instant};

use kea_gateway::simulator::{CallSpec, Caller};

use crate::cpu;

/// The bench merchant's number (Twilio's `To`) and the callers' (`From`).
pub const STORE: &str = "+15550009000";
pub const FROM: &str = "+15551110000";

/// What each call's caller says after the greeting, in order: an order that makes kea ask a
/// question, the answer, "that's all" (kea reads the order back), then "yes" (kea saves the
/// order and hangs up). All the same length, so a pgbench client walks them with one turn
/// counter. Caller k's n-th call says `CALLS[(k + n) % 3]`, on every side.
pub const CALLS: [[&str; 4]; 3] = [
    ["a pepperoni pizza and a coke", "large", "that's all", "yes"],
    [
        "a garden salad and garlic knots",
        "italian",
        "that's it",
        "yes",
    ],
    [
        "two sausage pizzas and a brownie",
        "medium",
        "that's all",
        "yes",
    ],
];
/// Requests per call: the greeting (turn 0) and one per utterance.
pub const TURNS: usize = 5;

/// The call every HTTP caller (and the pgbench script's parameters) is made of.
pub fn spec(url: &str, auth_token: &str) -> CallSpec {
    CallSpec {
        from: FROM.into(),
        confidence: 0.9,
        ..CallSpec::new(url, auth_token, STORE, &[])
    }
}

/// What a round of HTTP callers did.
pub struct Load {
    /// Every request's round trip.
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
    /// CPU used over the round (µs per request): the whole machine, the server process, the
    /// load generator (this process), the server's PostgreSQL backends.
    pub machine_us: Option<f64>,
    pub server_us: Option<f64>,
    pub loadgen_us: Option<f64>,
    pub backends_us: Option<f64>,
}

/// When each caller posts its next turn.
#[derive(Clone, Copy)]
pub enum Pace {
    /// As soon as the last one is answered.
    BackToBack,
    /// This long after the last one is answered, as a person would.
    Pause(Duration),
    /// All callers together offer this many turns a second, spread evenly: caller k posts its
    /// i-th turn at `start + (k + i * clients) / rate` (or at once when it is behind). Two servers
    /// measured at the same offered rate wake up as often per turn, so their CPU per turn
    /// compares without the kernel's per-wakeup cost moving with their throughput.
    Rate(f64),
}

/// CPU used so far by all of `pids`; None if any is gone.
fn all(pids: &[String]) -> Option<Duration> {
    pids.iter().map(|p| cpu::process(p)).sum()
}

/// `clients` callers placing calls one after another through the server at `url` for
/// `duration`, posting turns as `pace` says.
/// Call sids are `BENCH-{tag}-{caller}-{call}`. Every answer is checked ([`check_answer`]).
/// `backends` are the process ids of the server's database connections.
#[allow(clippy::too_many_arguments)]
pub async fn load(
    url: &str,
    server_pid: Option<&str>,
    backends: &[String],
    auth_token: &str,
    tag: &str,
    clients: usize,
    pace: Pace,
    duration: Duration,
) -> Result<Load, String> {
    let before = (
        cpu::machine(),
        server_pid.and_then(cpu::process),
        cpu::process("self"),
        all(backends),
    );
    let deadline = Instant::now() + duration;
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..clients {
        let mut caller = Caller::new(spec(url, auth_token), |_, _| {});
        let tag = tag.to_string();
        let schedule = match pace {
            Pace::Rate(rate) => Some((
                tokio::time::Instant::from_std(t0) + Duration::from_secs_f64(k as f64 / rate),
                Duration::from_secs_f64(clients as f64 / rate),
            )),
            _ => None,
        };
        tasks.push(tokio::spawn(async move {
            let mut call = 0usize;
            let mut sent = 0u32;
            'calls: while Instant::now() < deadline {
                call += 1;
                // One HTTP client (a kept-alive connection) for all of a caller's calls.
                caller = caller.with_call_sid(format!("BENCH-{tag}-{k}-{call}"));
                let says = CALLS[(k + call) % CALLS.len()];
                for turn in 0..TURNS {
                    if let Some((start, every)) = schedule {
                        tokio::time::sleep_until(start + every * sent).await;
                        sent += 1;
                    }
                    if (turn > 0 || schedule.is_some()) && Instant::now() >= deadline {
                        break 'calls;
                    }
                    let body = if turn == 0 {
                        caller
                            .post("/twilio/voice", &[("CallStatus", "ringing")])
                            .await?
                    } else {
                        caller
                            .post(
                                &format!("/twilio/voice/gather?turn={turn}"),
                                &[("SpeechResult", says[turn - 1]), ("Confidence", "0.90")],
                            )
                            .await?
                    };
                    check_answer(&body, turn, says, caller.call_sid())?;
                    if let Pace::Pause(pause) = pace {
                        tokio::time::sleep(pause).await;
                    }
                }
            }
            Ok::<Vec<Duration>, String>(caller.latencies().to_vec())
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.map_err(|e| e.to_string())??);
    }
    let elapsed = t0.elapsed();
    let after = (
        cpu::machine(),
        server_pid.and_then(cpu::process),
        cpu::process("self"),
        all(backends),
    );
    let n = latencies.len() as f64;
    Ok(Load {
        latencies,
        elapsed,
        machine_us: cpu::per_op(before.0, after.0, n),
        server_us: cpu::per_op(before.1, after.1, n),
        loadgen_us: cpu::per_op(before.2, after.2, n),
        backends_us: cpu::per_op(before.3, after.3, n),
    })
}

/// Turn `turn` of a call must be answered with a prompt while the call goes on, and with the
/// hang-up once "yes" saved the order; never with a transfer.
fn check_answer(body: &str, turn: usize, says: [&str; 4], sid: &str) -> Result<(), String> {
    let last = turn == TURNS - 1;
    let ok = !body.contains("<Dial")
        && if last {
            body.contains("<Hangup")
        } else {
            body.contains("<Gather")
        };
    if ok {
        return Ok(());
    }
    let said = if turn == 0 {
        "(the call connects)"
    } else {
        says[turn - 1]
    };
    Err(format!(
        "unexpected answer to turn {turn} of call {sid} ({said:?}); wanted {}: {body}",
        if last { "the hang-up" } else { "a prompt" }
    ))
}
