//! The open connections: a cap that sheds the oldest connection doing nothing, and the
//! timeouts that close connections which never send a request (or send it one byte at a time).
//!
//! A connection is always accepted first, then admitted: at the cap, the oldest connection with
//! no request in progress is closed to make room, and only when every connection is busy is
//! the new one closed at once. So idle or slow sockets can never fill the kernel's accept queue
//! and keep Twilio out, which is what happened when the cap was a semaphore taken before
//! `accept`. Silent connections close after the idle timeout, slow request heads after the
//! header timeout (hyper's own, which runs from accept and from the end of each response).

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// After a connection is told to close, how long it may take to finish writing its last
/// response before it is dropped.
pub const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Milliseconds since the first call: a clock that fits in an atomic.
fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// One open connection, as the cap and the idle timeout see it.
#[derive(Debug, Default)]
pub struct Conn {
    /// Requests being served right now (0 or 1 with HTTP/1.1).
    in_service: AtomicUsize,
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
        c
    }

    fn touch(&self) {
        self.last_activity.store(now_ms(), Ordering::Relaxed);
    }

    /// A request arrived at the service: the connection is busy until the guard is dropped
    /// (the response is ready, or hyper dropped the request), and then its idle clock starts.
    pub fn serving(self: &Arc<Self>) -> Serving {
        self.in_service.fetch_add(1, Ordering::AcqRel);
        Serving(self.clone())
    }

    /// Whether a request is being served.
    pub fn busy(&self) -> bool {
        self.in_service.load(Ordering::Acquire) > 0
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

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_service.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a new connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Room was free.
    Admitted,
    /// The oldest connection with nothing in progress was closed to make room.
    Shed,
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

impl Registry {
    /// Admits a new connection within `max` open ones, shedding the oldest connection that
    /// has no request in progress when at the cap. `None` (with `Refused`) when all are busy.
    pub fn admit(&self, max: usize) -> (Admission, Option<(u64, Arc<Conn>)>) {
        let mut open = self.open.lock().expect("registry lock");
        let mut admission = Admission::Admitted;
        if open.len() >= max.max(1) {
            let victim = open
                .iter()
                .find(|(_, c)| !c.busy() && !c.closing.load(Ordering::Acquire))
                .map(|(id, _)| *id);
            match victim.and_then(|id| open.remove(&id)) {
                Some(c) => {
                    c.request_close();
                    admission = Admission::Shed;
                }
                None => return (Admission::Refused, None),
            }
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

    #[test]
    fn at_the_cap_the_oldest_idle_connection_is_shed_and_busy_ones_kept() {
        let r = Registry::default();
        let (_, a) = r.admit(2);
        let (a_id, a) = a.unwrap();
        let (_, b) = r.admit(2);
        let (_, b) = b.unwrap();
        let a_busy = a.serving();
        // a is busy: b, the oldest idle one, makes room.
        let (admission, c) = r.admit(2);
        assert_eq!(admission, Admission::Shed);
        assert!(b.closing.load(Ordering::Acquire) && !a.closing.load(Ordering::Acquire));
        let (_, c) = c.unwrap();
        let _c_busy = c.serving();
        // Everyone busy: refused, nobody closed.
        assert_eq!(r.admit(2).0, Admission::Refused);
        assert_eq!(r.len(), 2);
        drop(a_busy);
        r.remove(a_id);
        assert_eq!(r.admit(2).0, Admission::Admitted);
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
