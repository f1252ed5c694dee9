//! The database pool, as lanes of one connection each, so that a merchant's webhooks find the
//! connection that served its last ones (docs/scaling.md).
//!
//! Each PostgreSQL backend compiles a merchant's menu the first time a turn of that merchant
//! reaches it (pg_kea keeps compiled menus per backend), which costs far more than the turn. A
//! pool that hands out whichever connection is next spreads the five turns of a call over five
//! backends, and at thousands of merchants nearly every turn compiles. So a webhook starts
//! from its merchant's lane (a hash of the called number, `To`) and takes the first free lane
//! counting on from there, and each lane remembers the numbers it served last. A webhook takes
//! a free lane that served its number lately (its own first), else its own lane if free, else
//! any free lane, which then remembers the number too: a merchant called by several callers at
//! once gets as many lanes as it keeps busy, each compiling its menu once. In
//! `scripts/bench scale` at 10,000 merchants (16 callers, 16 lanes) the backends read
//! `kea.menus` 0.47 times per turn, against 0.88 with the plain pool (two reads per compile;
//! docs/benchmarks.md). `KEA_LANE_WAIT_MS` makes a webhook whose lanes are all held wait for
//! one of them instead: 0.40 reads per turn at 200 ms, but a merchant called by several
//! callers at once then queues behind itself (p50 at 10 merchants 22 ms against 17), so it is
//! off by default. Requests of no merchant (`/rpc`, health, the directory) take the first free
//! lane from the next in turn. When every lane is busy a request waits for whichever comes
//! free first: requests queue, first come first served, for one of the pool's `KEA_POOL_SIZE`
//! places ([`Conn`] holds one), and a request holding a place finds a lane free. (Waiting on
//! every lane at once instead, a task per lane, took a fifth of the gateway's CPU at 64 calls on
//! 16 lanes: docs/benchmarks.md, "The gateway against its floor at one offered rate".)
//!
//! The lanes are deadpool pools of one connection: connecting, recycling and the timeouts are
//! deadpool's; the pool holds at most `KEA_POOL_SIZE` connections, as before.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::{Manager, Object, PoolError, Timeouts};
use kea_core::lru::Lru;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many numbers each lane remembers having served: pg_kea's `kea.menu_cache_size`
/// default, the menus its backend keeps.
const REMEMBERED: usize = 64;

#[derive(Clone)]
pub struct Pool {
    lanes: Arc<[deadpool_postgres::Pool]>,
    /// Per lane, the numbers it served last: the merchants whose menus its backend likely holds.
    served: Arc<[Mutex<Lru<String, ()>>]>,
    next: Arc<AtomicUsize>,
    home_wait: Duration,
    /// One permit per lane: a request takes one before a lane, and gives it back after its
    /// connection went back to its lane ([`Conn`]), so one holding a permit finds a lane free.
    places: Arc<Semaphore>,
}

type Got = (usize, Result<Object, PoolError>);

/// A connection from a lane, with its place in the pool: dropped, the connection goes back to
/// its lane first, then the place to the next request waiting.
pub struct Conn {
    // Field order is drop order: the connection before the place.
    client: Object,
    _place: OwnedSemaphorePermit,
}

impl Conn {
    /// The connection itself, its place given back (`Object::take` it to close it).
    pub fn into_object(self) -> Object {
        self.client
    }
}

impl Deref for Conn {
    type Target = Object;
    fn deref(&self) -> &Object {
        &self.client
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Object {
        &mut self.client
    }
}

impl Pool {
    /// `size` lanes (at least one), each connecting with a manager from `manager`; a webhook
    /// waits up to `home_wait` for a lane that served its merchant when others hold them all.
    pub fn new(
        size: usize,
        home_wait: Duration,
        manager: impl Fn() -> Manager,
    ) -> Result<Pool, deadpool_postgres::BuildError> {
        let lanes = (0..size.max(1))
            .map(|_| {
                deadpool_postgres::Pool::builder(manager())
                    .max_size(1)
                    .wait_timeout(Some(Duration::from_secs(5)))
                    .create_timeout(Some(Duration::from_secs(5)))
                    .runtime(deadpool_postgres::Runtime::Tokio1)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let served = (0..lanes.len()).map(|_| Mutex::new(Lru::new())).collect();
        Ok(Pool {
            places: Arc::new(Semaphore::new(lanes.len())),
            lanes: lanes.into(),
            served,
            next: Arc::new(AtomicUsize::new(0)),
            home_wait,
        })
    }

    /// A place in the pool: waits, first come first served, while every lane is held.
    async fn place(&self) -> Result<OwnedSemaphorePermit, PoolError> {
        self.places
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PoolError::Closed)
    }

    /// A connection for a request of no merchant in particular.
    pub async fn get(&self) -> Result<Conn, PoolError> {
        let place = self.place().await?;
        let start = self.next.fetch_add(1, Ordering::Relaxed) % self.lanes.len();
        let client = self.any(start).await.1?;
        Ok(Conn {
            client,
            _place: place,
        })
    }

    /// A connection for a webhook to the number `to`: a free lane that served it lately
    /// (its home lane first), else its home lane if free; when only lanes that served it are
    /// worth having and all are held, the first of them to come free within `home_wait`; else
    /// any.
    pub async fn get_for(&self, to: &str) -> Result<Conn, PoolError> {
        let place = self.place().await?;
        let home = home(to, self.lanes.len());
        // One String for the lookups in every lane (the Lru's keys are Strings).
        let key = to.to_string();
        let warm: Vec<usize> = order(home, self.lanes.len())
            .filter(|&l| self.served[l].lock().expect("lanes").contains(&key))
            .collect();
        let mut got = self.first_free(warm.iter().copied().chain([home])).await;
        if got.is_none() && !warm.is_empty() && !self.home_wait.is_zero() {
            got = self.first_to_come_free(&warm, Some(self.home_wait)).await;
        }
        let (lane, client) = match got {
            Some(g) => g,
            None => self.any(home).await,
        };
        if client.is_ok() {
            let mut served = self.served[lane].lock().expect("lanes");
            if served.get_mut(&key).is_none() {
                served.insert(key, (), REMEMBERED);
            }
        }
        Ok(Conn {
            client: client?,
            _place: place,
        })
    }

    /// The first free lane from `start` on. With a place held one is free; should none be (a
    /// lane still connecting), the first to come free.
    async fn any(&self, start: usize) -> Got {
        if let Some(got) = self.first_free(order(start, self.lanes.len())).await {
            return got;
        }
        let all: Vec<usize> = order(start, self.lanes.len()).collect();
        match self.first_to_come_free(&all, None).await {
            Some(got) => got,
            None => (start, Err(PoolError::Closed)),
        }
    }

    /// The first of `lanes` free now (or failing to connect), without waiting.
    async fn first_free(&self, lanes: impl Iterator<Item = usize>) -> Option<Got> {
        for lane in lanes {
            let pool = &self.lanes[lane];
            let now = Timeouts {
                wait: Some(Duration::ZERO),
                ..pool.timeouts()
            };
            match pool.timeout_get(&now).await {
                Err(PoolError::Timeout(deadpool_postgres::TimeoutType::Wait)) => continue,
                got => return Some((lane, got)),
            }
        }
        None
    }

    /// The first of `lanes` to come free, within `within` (else each lane's own wait).
    async fn first_to_come_free(&self, lanes: &[usize], within: Option<Duration>) -> Option<Got> {
        let mut waits = tokio::task::JoinSet::new();
        for &lane in lanes {
            let pool = self.lanes[lane].clone();
            waits.spawn(async move { (lane, pool.get().await) });
        }
        let first = async {
            let mut failed = None;
            while let Some(done) = waits.join_next().await {
                match done {
                    Ok((lane, Ok(client))) => return Some((lane, Ok(client))),
                    Ok(got) => failed = Some(got),
                    Err(_) => {}
                }
            }
            failed
        };
        match within {
            Some(t) => tokio::time::timeout(t, first).await.ok().flatten(),
            None => first.await,
        }
    }
}

/// The lane of the number `to` among `lanes` (FNV-1a: the same on every gateway and run).
pub fn home(to: &str, lanes: usize) -> usize {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in to.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    (h % lanes.max(1) as u64) as usize
}

/// The lanes tried, in order: `start`, then each following one, wrapping around.
fn order(start: usize, lanes: usize) -> impl Iterator<Item = usize> {
    (0..lanes).map(move |i| (start + i) % lanes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_has_one_lane_and_numbers_spread_over_all() {
        let n = 16;
        assert_eq!(home("+15552000017", n), home("+15552000017", n));
        let mut used = vec![0; n];
        for i in 0..1600 {
            used[home(&format!("+15552{i:06}"), n)] += 1;
        }
        assert!(
            used.iter().all(|&u| (50..=150).contains(&u)),
            "1,600 numbers over 16 lanes: {used:?}"
        );
        assert_eq!(home("+15552000017", 1), 0);
    }

    #[test]
    fn every_lane_is_tried_once_from_the_start() {
        assert_eq!(order(14, 16).take(4).collect::<Vec<_>>(), [14, 15, 0, 1]);
        let mut all: Vec<usize> = order(5, 16).collect();
        all.sort();
        assert_eq!(all, (0..16).collect::<Vec<_>>());
    }
}
