//! The open connections: a cap that sheds the connection least likely to be Twilio's, and the
//! timeouts that close connections which never send a request (or send it one byte at a time).
//!
//! A connection is always accepted first, then admitted: at the cap another is closed to make
//! room, in this order (docs/security.md, "Connection budgets and pools"):
//! 1. the oldest that has never completed a request (silent, or still sending its head), once it
//!    is [`FRESH`] old;
//! 2. the one that has been sending a request body the longest, at once (Twilio sends a
//!    webhook's few KB with its head: a body that trickles is not Twilio);
//! 3. the kept-alive connection idle the longest;
//! 4. the oldest connection accepted less than [`FRESH`] ago. A new connection's head is
//!    usually on its way: shedding the newest arrivals first would let a stream of attacking
//!    connections close Twilio's before its request is read.
//!
//! Only when every connection has a request being answered is the new one closed; the budgets in
//! `server` keep other requests from being all of them. So idle or slow sockets can never fill
//! the kernel's accept queue and keep Twilio out, which is what happened when the cap was a
//! semaphore taken before `accept`. Silent connections close after the idle timeout, slow request
//! heads after the header timeout (hyper's own, which runs from accept and from the end of each
//! response).

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// After a connection is told to close, how long it may take to finish writing its last
/// response before it is dropped.
pub const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// How long a new connection is given to send its request head before it is shed ahead of
/// slow bodies and kept-alive connections.
pub const FRESH: Duration = Duration::from_secs(1);

/// Milliseconds since the first call: a clock that fits in an atomic.
fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// Where a connection is in its request (`Conn::phase`).
const WAITING: u8 = 0; // no request in progress: idle, or its head is still arriving
const BODY: u8 = 1; // the head arrived, the body is arriving
const WORKING: u8 = 2; // the request is being answered (or streamed)
const DROPPED: u8 = 3; // shed mid-body: the connection is being closed at once

/// One open connection, as the cap and the idle timeout see it.
#[derive(Debug, Default)]
pub struct Conn {
    phase: AtomicU8,
    /// `now_ms()` when the phase began (for a connection never served, when it was accepted).
    phase_since: AtomicU64,
    /// Whether a request has been answered on it (a kept-alive connection).
    served: AtomicBool,
    /// `now_ms()` of the last byte received or response finished.
    last_activity: AtomicU64,
    /// Set once the connection has been asked to close.
    closing: AtomicBool,
    /// Wakes the connection's task to close it (shed, or the server is shutting down).
    close: Notify,
}

impl Conn {
    fn new() -> Conn {
        let c = Conn::default();
        c.touch();
        c.phase_since.store(now_ms(), Ordering::Relaxed);
        c
    }

    fn touch(&self) {
        self.last_activity.store(now_ms(), Ordering::Relaxed);
    }

    fn phase(&self) -> u8 {
        self.phase.load(Ordering::Acquire)
    }

    fn enter(&self, phase: u8) {
        self.phase_since.store(now_ms(), Ordering::Relaxed);
        self.phase.store(phase, Ordering::Release);
    }

    /// A request's head arrived at the service: the connection is busy until the guard is
    /// dropped (the response is ready, or hyper dropped the request), and then its idle clock
    /// starts. Until [`Serving::working`], its body is arriving and it may be shed.
    pub fn serving(self: &Arc<Self>) -> Serving {
        self.enter(BODY);
        Serving(self.clone())
    }

    /// Whether a request is in progress.
    pub fn busy(&self) -> bool {
        self.phase() != WAITING
    }

    /// Whether it was shed mid-body: its task drops it at once, request and all.
    pub fn dropped(&self) -> bool {
        self.phase() == DROPPED
    }

    /// How long the connection has been silent with nothing in progress (zero while busy).
    pub fn idle_for(&self) -> Duration {
        if self.busy() {
            return Duration::ZERO;
        }
        let last = self.last_activity.load(Ordering::Relaxed);
        Duration::from_millis(now_ms().saturating_sub(last))
    }

    /// Asks the connection's task to close it (gracefully: a response in progress finishes).
    pub fn request_close(&self) {
        self.closing.store(true, Ordering::Release);
        self.close.notify_one();
    }

    /// Resolves once `request_close` has been called (also if it was called before).
    pub async fn close_requested(&self) {
        self.close.notified().await;
    }
}

/// A request in service on a connection (see [`Conn::serving`]).
pub struct Serving(Arc<Conn>);

impl Serving {
    /// The body has arrived (or there is none): the request is being answered and the
    /// connection is no longer shed for room.
    pub fn working(&self) {
        let c = &self.0;
        if c.phase
            .compare_exchange(BODY, WORKING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            c.phase_since.store(now_ms(), Ordering::Relaxed);
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let c = &self.0;
        c.touch();
        c.served.store(true, Ordering::Release);
        // A dropped connection stays dropped: its task is closing it.
        let _ = c
            .phase
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                (p != DROPPED).then_some(WAITING)
            });
    }
}

/// What became of a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Room was free.
    Admitted,
    /// A connection with nothing in progress was closed to make room.
    ShedIdle,
    /// The connection sending its body the longest was closed to make room.
    ShedBody,
    /// Every connection is serving a request: the new one is closed.
    Refused,
}

/// Every open connection, oldest first.
#[derive(Debug, Default)]
pub struct Registry {
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
    /// Notified when the last connection is removed.
    emptied: Notify,
}

/// The connection to close for room, in the order the module describes, and how it is closed.
/// `now` is `now_ms()`.
fn victim(open: &BTreeMap<u64, Arc<Conn>>, now: u64) -> Option<(u64, Admission)> {
    let mut body: Option<(u64, u64)> = None; // (phase_since, id)
    let mut kept: Option<(u64, u64)> = None; // (last_activity, id)
    let mut young: Option<u64> = None;
    let fresh_since = now.saturating_sub(FRESH.as_millis() as u64);
    let open = open
        .iter()
        .filter(|(_, c)| !c.closing.load(Ordering::Acquire));
    for (&id, c) in open {
        match c.phase() {
            // Ids grow with time: the first one found is the oldest.
            WAITING if !c.served.load(Ordering::Acquire) => {
                if c.phase_since.load(Ordering::Relaxed) < fresh_since {
                    return Some((id, Admission::ShedIdle));
                }
                young = young.or(Some(id));
            }
            WAITING => {
                let last = c.last_activity.load(Ordering::Relaxed);
                if kept.is_none_or(|(l, _)| last < l) {
                    kept = Some((last, id));
                }
            }
            BODY => {
                let since = c.phase_since.load(Ordering::Relaxed);
                if body.is_none_or(|(s, _)| since < s) {
                    body = Some((since, id));
                }
            }
            _ => {}
        }
    }
    body.map(|(_, id)| (id, Admission::ShedBody))
        .or(kept.map(|(_, id)| (id, Admission::ShedIdle)))
        .or(young.map(|id| (id, Admission::ShedIdle)))
}

impl Registry {
    /// Admits a new connection within `max` open ones, closing another when at the cap (see the
    /// module). `None` (with `Refused`) when every connection has a request being answered.
    pub fn admit(&self, max: usize) -> (Admission, Option<(u64, Arc<Conn>)>) {
        let mut open = self.open.lock().expect("registry lock");
        let mut admission = Admission::Admitted;
        while open.len() >= max.max(1) {
            let Some((id, how)) = victim(&open, now_ms()) else {
                return (Admission::Refused, None);
            };
            let c = open.get(&id).expect("the victim is open").clone();
            // It may have moved on since it was chosen (a body arrived, a request came in): then
            // it is being answered, and another is looked for.
            let still = match how {
                Admission::ShedBody => c
                    .phase
                    .compare_exchange(BODY, DROPPED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok(),
                _ => !c.busy(),
            };
            if !still {
                continue;
            }
            open.remove(&id);
            c.request_close();
            admission = how;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn::new());
        open.insert(id, conn.clone());
        (admission, Some((id, conn)))
    }

    /// Forgets a closed connection.
    pub fn remove(&self, id: u64) {
        let mut open = self.open.lock().expect("registry lock");
        open.remove(&id);
        if open.is_empty() {
            self.emptied.notify_one();
        }
    }

    /// Open connections right now.
    pub fn len(&self) -> usize {
        self.open.lock().expect("registry lock").len()
    }

    /// Whether no connection is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Asks every connection to close and waits until they all have.
    pub async fn close_all(&self) {
        loop {
            let emptied = self.emptied.notified();
            {
                let open = self.open.lock().expect("registry lock");
                if open.is_empty() {
                    return;
                }
                for c in open.values() {
                    c.request_close();
                }
            }
            // Re-checked at least every 100 ms: a removal may race the notification.
            let _ = tokio::time::timeout(Duration::from_millis(100), emptied).await;
        }
    }
}

/// A socket that records when bytes arrive, so a connection trickling its headers is not
/// mistaken for an idle one (the header timeout is what limits those).
pub struct Watched<S> {
    inner: S,
    conn: Arc<Conn>,
}

impl<S> Watched<S> {
    pub fn new(inner: S, conn: Arc<Conn>) -> Self {
        Watched { inner, conn }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.conn.touch();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admit(r: &Registry, max: usize) -> (Admission, Arc<Conn>) {
        let (admission, c) = r.admit(max);
        (admission, c.expect("admitted").1)
    }

    #[test]
    fn at_the_cap_the_oldest_idle_connection_is_shed_and_busy_ones_kept() {
        let r = Registry::default();
        let (_, a) = admit(&r, 2);
        let (_, b) = admit(&r, 2);
        let a_busy = a.serving();
        a_busy.working();
        // a is busy: b, the oldest idle one, makes room.
        let (admission, c) = admit(&r, 2);
        assert_eq!(admission, Admission::ShedIdle);
        assert!(b.closing.load(Ordering::Acquire) && !a.closing.load(Ordering::Acquire));
        let c_busy = c.serving();
        c_busy.working();
        // Everyone busy: refused, nobody closed.
        assert_eq!(r.admit(2).0, Admission::Refused);
        assert_eq!(r.len(), 2);
        drop(a_busy);
        assert_eq!(r.admit(2).0, Admission::ShedIdle, "a is idle again");
    }

    #[test]
    fn the_order_connections_are_shed_in() {
        let r = Registry::default();
        let (_, kept) = admit(&r, 10);
        drop(kept.serving()); // answered one request, now idle
        let (_, slow) = admit(&r, 10);
        let slow_body = slow.serving(); // its body is arriving
        let (_, silent) = admit(&r, 10);
        let (_, working) = admit(&r, 10);
        let busy = working.serving();
        busy.working();
        let id = |c: &Arc<Conn>| {
            let open = r.open.lock().unwrap();
            *open.iter().find(|(_, o)| Arc::ptr_eq(o, c)).unwrap().0
        };
        let shed =
            |later: Duration| victim(&r.open.lock().unwrap(), now_ms() + later.as_millis() as u64);
        // Just accepted, the silent one may still send its head: the slow body goes first...
        assert_eq!(shed(Duration::ZERO), Some((id(&slow), Admission::ShedBody)));
        // ...but not once it has been silent for FRESH.
        assert_eq!(shed(FRESH * 2), Some((id(&silent), Admission::ShedIdle)));
        // No body arriving: the kept-alive one, then the new one, then none.
        slow_body.working();
        assert_eq!(shed(Duration::ZERO), Some((id(&kept), Admission::ShedIdle)));
        let kept_busy = kept.serving();
        kept_busy.working();
        assert_eq!(
            shed(Duration::ZERO),
            Some((id(&silent), Admission::ShedIdle))
        );
        let silent_busy = silent.serving();
        silent_busy.working();
        assert_eq!(shed(FRESH * 10), None, "every connection is being answered");
    }

    #[test]
    fn a_connection_shed_mid_body_is_dropped_at_once() {
        let r = Registry::default();
        let (_, slow) = admit(&r, 1);
        let _body = slow.serving();
        let (admission, _) = admit(&r, 1);
        assert_eq!(admission, Admission::ShedBody);
        assert!(slow.dropped() && slow.closing.load(Ordering::Acquire));
        drop(_body);
        assert!(
            slow.dropped(),
            "its request ending does not make it idle again"
        );
    }

    #[test]
    fn a_busy_connection_is_never_idle() {
        let c = Arc::new(Conn::new());
        let busy = c.serving();
        assert_eq!(c.idle_for(), Duration::ZERO);
        drop(busy);
        assert!(!c.busy());
    }
}
