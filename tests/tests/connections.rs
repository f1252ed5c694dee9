//! The gateway under idle and slow connections (issue 9, item 2): Twilio's requests keep being
//! answered while thousands of sockets sit open doing nothing or sending a byte at a time, and
//! each kind of idle or slow connection is closed by its timeout. Loopback only.

use std::time::{Duration, Instant};

use kea_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Idle sockets opened at once, and sockets sending their request head one byte at a time.
const IDLE: usize = 2_000;
const SLOWLORIS: usize = 50;
/// What a webhook or /healthz may take while they are held (Twilio allows 15 s in all).
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// Lets this process hold a few thousand sockets (both ends of each live here).
fn raise_open_file_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a valid struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn addr(gw: &Gateway) -> String {
    gw.url.trim_start_matches("http://").to_string()
}

async fn open_idle(addr: &str, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // Before the fix the gateway stopped accepting at its cap and the backlog filled up:
        // fail fast rather than wait for the kernel's connect timeout.
        let s = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
            .await
            .unwrap_or_else(|_| panic!("socket {i}: the gateway stopped accepting connections"))
            .expect("connecting an idle socket");
        out.push(s);
        // Lets the accept loop keep up, so the listen backlog never overflows into SYN retries.
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    out
}

/// A socket that sends a request head one byte every `every`, forever.
fn slowloris(addr: String, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(mut s) = TcpStream::connect(&addr).await else {
            return;
        };
        let head = b"POST /twilio/voice HTTP/1.1\r\nHost: kea\r\nX-Padding: ";
        for b in head.iter().chain(std::iter::repeat(&b'a')) {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Reads until the peer closes (Ok(bytes)) or `limit` passes (Err).
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, ()> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .map_err(|_| ())?;
    Ok(got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_is_answered_while_thousands_of_idle_and_slow_connections_are_held() {
    raise_open_file_limit();
    let db = admin().await;
    let m = merchant(&db, "").await;
    // Production caps and timeouts: nothing here times out during the test, so what keeps
    // Twilio answered is the cap shedding idle connections, not the timeouts.
    let gw = start_gateway_configured(&test_database_url(), |c| {
        c.max_connections = 1024;
        c.header_timeout_ms = 10_000;
        c.idle_timeout_ms = 5_000;
    })
    .await;
    let a = addr(&gw);
    let slow: Vec<_> = (0..SLOWLORIS)
        .map(|_| slowloris(a.clone(), Duration::from_millis(200)))
        .collect();
    let idle = open_idle(&a, IDLE).await;
    assert_eq!(idle.len(), IDLE);
    tokio::time::sleep(Duration::from_millis(200)).await;

    for i in 0..5 {
        let started = Instant::now();
        let health =
            tokio::time::timeout(ANSWER_WITHIN, reqwest::get(format!("{}/healthz", gw.url)))
                .await
                .unwrap_or_else(|_| panic!("/healthz {i} not answered within {ANSWER_WITHIN:?}"))
                .expect("GET /healthz");
        assert_eq!(health.status(), 200);
        let mut caller = kea_gateway::simulator::Caller::new(
            kea_gateway::simulator::CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
            |_, _| {},
        );
        let greeting = tokio::time::timeout(ANSWER_WITHIN, caller.post("/twilio/voice", &[]))
            .await
            .unwrap_or_else(|_| panic!("call start {i} not answered within {ANSWER_WITHIN:?}"))
            .expect("call start");
        assert!(greeting.contains("<Gather"), "{greeting}");
        assert!(started.elapsed() < ANSWER_WITHIN * 2);
    }
    let metrics = metrics(&gw).await;
    assert!(
        !metrics.contains("kea_gateway_connections_shed_total 0"),
        "idle connections made room: {metrics}"
    );
    for s in slow {
        s.abort();
    }
    drop(idle);
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_by_their_timeouts() {
    let gw = start_gateway_configured(&test_database_url(), |c| {
        c.header_timeout_ms = 1_500;
        c.idle_timeout_ms = 800;
        c.body_timeout_ms = 1_000;
    })
    .await;
    let a = addr(&gw);
    let limit = Duration::from_secs(5);

    // Never sends anything: closed by the idle timeout.
    let mut silent = TcpStream::connect(&a).await.unwrap();
    // Sends its head a byte at a time (so never idle): closed by the header timeout.
    let (mut trickle, mut trickle_w) = TcpStream::connect(&a).await.unwrap().into_split();
    let trickler = tokio::spawn(async move {
        let head = b"POST /twilio/voice HTTP/1.1\r\nHost: kea\r\nX-Padding: ";
        for b in head.iter().chain(std::iter::repeat(&b'a')) {
            if trickle_w.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    // A whole head, then a body that never comes: 408.
    let mut no_body = TcpStream::connect(&a).await.unwrap();
    no_body
        .write_all(b"POST /twilio/voice HTTP/1.1\r\nHost: kea\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nCallSid=CA")
        .await
        .unwrap();
    // One request answered, then silence on the kept-alive connection: closed when idle.
    let mut kept = TcpStream::connect(&a).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: kea\r\n\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    assert!(
        read_until_closed(&mut silent, limit).await.is_ok(),
        "a silent connection is closed"
    );
    let silent_after = started.elapsed();
    let answered = read_until_closed(&mut kept, limit)
        .await
        .expect("a kept-alive connection is closed once idle");
    assert!(
        answered.starts_with(b"HTTP/1.1 "),
        "the request was answered first"
    );
    let timed_out = read_until_closed(&mut no_body, limit)
        .await
        .expect("a request without its body is closed");
    assert!(
        timed_out.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&timed_out)
    );
    let trickled = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 256];
        while !matches!(trickle.read(&mut buf).await, Ok(0) | Err(_)) {}
    })
    .await;
    let trickle_after = started.elapsed();
    trickler.abort();
    assert!(trickled.is_ok(), "a slowloris connection is closed");
    assert!(silent_after < Duration::from_secs(3), "{silent_after:?}");
    // Not by the idle timeout (0.8 s): bytes kept arriving. By the header timeout (1.5 s).
    assert!(
        (Duration::from_millis(1_200)..Duration::from_secs(4)).contains(&trickle_after),
        "{trickle_after:?}"
    );
    let metrics = metrics(&gw).await;
    assert!(
        !metrics.contains("kea_gateway_connections_idle_closed_total 0"),
        "{metrics}"
    );
}
