//! CPU time from /proc: where a turn's CPU goes when everything shares the same cores.
//!
//! Throughput ratios alone hide that the load generator and the gateway run on the cores
//! PostgreSQL needs; these figures put a number on each.

use std::time::Duration;

/// CPU time (user + system) used so far by process `pid` ("self" for this one), all its
/// threads, the exited ones included. Read from the process's CPU clock (nanoseconds) where the
/// system gives one: /proc/PID/stat counts in ticks of 10 ms, which over a short round of a
/// server spending 40 ms was ±25%, more than the difference measured.
pub fn process(pid: &str) -> Option<Duration> {
    clock(pid).or_else(|| ticks(pid))
}

fn clock(pid: &str) -> Option<Duration> {
    let id = if pid == "self" {
        libc::CLOCK_PROCESS_CPUTIME_ID
    } else {
        let pid: libc::pid_t = pid.parse().ok()?;
        let mut id: libc::clockid_t = 0;
        // SAFETY: writes one clockid_t into `id`, which lives across the call.
        if unsafe { libc::clock_getcpuclockid(pid, &mut id) } != 0 {
            return None;
        }
        id
    };
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes one timespec into `t`, which lives across the call.
    if unsafe { libc::clock_gettime(id, &mut t) } != 0 {
        return None;
    }
    Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

fn ticks(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks_to_duration(ticks))
}

/// Busy CPU time of the whole machine so far (all cores, everything but idle and iowait).
pub fn machine() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = cpu
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let busy: u64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, x)| x)
        .sum();
    Some(ticks_to_duration(busy))
}

fn ticks_to_duration(ticks: u64) -> Duration {
    // SAFETY: sysconf only reads a constant of the running system.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_nanos(ticks * 1_000_000_000 / hz)
}

/// CPU used between two readings, per operation, in microseconds.
pub fn per_op(before: Option<Duration>, after: Option<Duration>, ops: f64) -> Option<f64> {
    let used = after?.checked_sub(before?)?;
    (ops > 0.0).then(|| used.as_secs_f64() * 1e6 / ops)
}

/// The machine's load averages (1, 5 and 15 minutes) as /proc/loadavg gives them: how busy
/// the shared cores were while a figure was taken.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
