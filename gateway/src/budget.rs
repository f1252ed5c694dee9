//! A share: how many requests of one kind may hold something at once (connections being
//! answered, database connections), with a short bounded queue in front of it. Past the queue a
//! request is turned away at once (503): a flood waits in front of no one and holds nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Share {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
}

/// The share is full and so is its queue, or the wait ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

impl Share {
    /// `size` holders at once; `queue` more may wait up to `wait` each.
    pub fn new(size: usize, queue: usize, wait: Duration) -> Share {
        Share {
            permits: Arc::new(Semaphore::new(size.max(1))),
            waiting: AtomicUsize::new(0),
            queue,
            wait,
        }
    }

    /// A place now, or none (no waiting).
    pub fn try_enter(&self) -> Result<OwnedSemaphorePermit, Full> {
        self.permits.clone().try_acquire_owned().map_err(|_| Full)
    }

    /// A place, waiting in line (first come, first served) when the queue has room.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, Full> {
        if let Ok(p) = self.try_enter() {
            return Ok(p);
        }
        self.waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| {
                (w < self.queue).then_some(w + 1)
            })
            .map_err(|_| Full)?;
        // Leaves the queue however the wait ends (a client that hangs up drops this future).
        struct InLine<'a>(&'a AtomicUsize);
        impl Drop for InLine<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let _in_line = InLine(&self.waiting);
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(Full),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holders_then_a_bounded_queue_then_turned_away() {
        let share = Arc::new(Share::new(1, 1, Duration::from_secs(5)));
        let held = share.enter().await.expect("the one place");
        assert_eq!(share.try_enter().unwrap_err(), Full);
        let waiter = tokio::spawn({
            let share = share.clone();
            async move { share.enter().await.map(drop) }
        });
        while share.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(share.enter().await.unwrap_err(), Full, "the queue is full");
        drop(held);
        assert_eq!(
            waiter.await.unwrap(),
            Ok(()),
            "the one in line got the place"
        );
        assert_eq!(share.waiting.load(Ordering::Acquire), 0);
        assert!(share.try_enter().is_ok());
    }

    #[tokio::test]
    async fn a_wait_ends_in_time() {
        let share = Share::new(1, 8, Duration::from_millis(100));
        let _held = share.try_enter().unwrap();
        assert_eq!(share.enter().await.unwrap_err(), Full);
        assert_eq!(share.waiting.load(Ordering::Acquire), 0);
    }
}
