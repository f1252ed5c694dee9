//! Who may hold how much of the database pool (docs/security.md, "Connection budgets and
//! pools"). Webhooks take a connection straight from the pool (one that served their merchant
//! lately when one is free, `crate::lanes`); `/rpc` with a token and anonymous requests each
//! go through a share first, so together they never hold the last `KEA_POOL_WEBHOOKS`
//! connections, and a flood of sign-ins queues only behind itself.

use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use deadpool_postgres::ClientWrapper;

use crate::lanes::{Conn, Pool};
use tokio::sync::OwnedSemaphorePermit;

use crate::budget::{Full, Share};
use crate::config::Budgets;

/// How long a request may wait for its share (the pool's own wait is as long).
pub const SHARE_WAIT: Duration = Duration::from_secs(5);

/// Who is asking for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// `/rpc` with a valid token.
    Token,
    /// `/rpc` without a token, `/openapi.json`.
    Anonymous,
}

impl Who {
    /// The share's name in `kea_gateway_budget_refused_total{budget}`.
    pub fn share(self) -> &'static str {
        match self {
            Who::Token => "pool_rpc",
            Who::Anonymous => "pool_anon",
        }
    }
}

/// Why no connection was given.
#[derive(Debug)]
pub enum Refused {
    /// The share and its queue are full (503 at once).
    Busy(Who),
    /// The pool could not give one (database down, or its wait ran out).
    Pool(String),
}

pub struct Shares {
    token: Share,
    anon: Share,
}

/// A pooled connection and the place in its share, given back together.
pub struct Lease {
    client: Conn,
    _place: OwnedSemaphorePermit,
}

impl Deref for Lease {
    type Target = ClientWrapper;
    fn deref(&self) -> &ClientWrapper {
        &self.client
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut ClientWrapper {
        &mut self.client
    }
}

impl Shares {
    pub fn new(b: &Budgets) -> Shares {
        Shares {
            token: Share::new(b.pool_token, b.pool_queue, SHARE_WAIT),
            anon: Share::new(b.pool_anon, b.pool_queue, SHARE_WAIT),
        }
    }

    /// A connection within `who`'s share.
    pub async fn get(&self, pool: &Pool, who: Who) -> Result<Lease, Refused> {
        let share = match who {
            Who::Token => &self.token,
            Who::Anonymous => &self.anon,
        };
        let place = share.enter().await.map_err(|Full| Refused::Busy(who))?;
        let client = pool.get().await.map_err(|e| Refused::Pool(e.to_string()))?;
        Ok(Lease {
            client,
            _place: place,
        })
    }
}

/// `/healthz`'s answer, asked of the database at most once a second whatever the request rate.
/// While a check is in flight the others answer what the last one found without waiting, so a
/// flood of health checks holds no connection open (only the very first check is waited for).
#[derive(Default)]
pub struct Health {
    last: std::sync::Mutex<Option<(Instant, bool)>>,
    checking: tokio::sync::Mutex<()>,
}

impl Health {
    const FRESH: Duration = Duration::from_secs(1);

    fn last(&self) -> Option<(Instant, bool)> {
        *self.last.lock().expect("health lock")
    }

    pub async fn check(&self, pool: &Pool) -> bool {
        let known = self.last();
        if let Some((at, ok)) = known {
            if at.elapsed() < Self::FRESH {
                return ok;
            }
        }
        let _checking = match (self.checking.try_lock(), known) {
            (Ok(g), _) => g,
            (Err(_), Some((_, ok))) => return ok,
            (Err(_), None) => {
                let g = self.checking.lock().await;
                if let Some((_, ok)) = self.last() {
                    return ok;
                }
                g
            }
        };
        let ok = match tokio::time::timeout(Duration::from_secs(2), pool.get()).await {
            Ok(Ok(c)) => c.query_one("select 1", &[]).await.is_ok(),
            _ => false,
        };
        *self.last.lock().expect("health lock") = Some((Instant::now(), ok));
        ok
    }
}
