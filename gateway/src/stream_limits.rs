//! How many `/events` streams may be open: per token subject, per peer address and in all
//! (docs/security.md). A stream lives as long as its token, so without these one token could
//! hold every connection the gateway has.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use prometheus_client::metrics::gauge::Gauge;

use crate::config::Budgets;

/// The limit a refused stream ran into (`kea_gateway_events_refused_total{limit}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Subject,
    Peer,
    Total,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Limit::Subject => "subject",
            Limit::Peer => "peer",
            Limit::Total => "total",
        }
    }
}

#[derive(Default)]
struct Open {
    by_subject: HashMap<String, usize>,
    by_peer: HashMap<IpAddr, usize>,
    total: usize,
}

pub struct StreamLimits {
    open: Mutex<Open>,
    per_subject: usize,
    /// 0: no limit.
    per_peer: usize,
    max: usize,
    /// `kea_gateway_events_streams`.
    gauge: Gauge,
}

/// An open stream's place; dropping it (the stream ended) gives it back.
pub struct Place {
    limits: Arc<StreamLimits>,
    subject: String,
    peer: IpAddr,
}

impl StreamLimits {
    pub fn new(b: &Budgets, gauge: Gauge) -> Arc<StreamLimits> {
        Arc::new(StreamLimits {
            open: Mutex::default(),
            per_subject: b.events_per_subject,
            per_peer: b.events_per_peer,
            max: b.events_max,
            gauge,
        })
    }

    /// A place for one more stream of `subject` from `peer`, or the first limit it is past.
    pub fn admit(self: &Arc<Self>, subject: &str, peer: IpAddr) -> Result<Place, Limit> {
        let mut open = self.open.lock().expect("stream limits lock");
        if open.by_subject.get(subject).copied().unwrap_or(0) >= self.per_subject {
            return Err(Limit::Subject);
        }
        if self.per_peer > 0 && open.by_peer.get(&peer).copied().unwrap_or(0) >= self.per_peer {
            return Err(Limit::Peer);
        }
        if open.total >= self.max {
            return Err(Limit::Total);
        }
        *open.by_subject.entry(subject.to_string()).or_default() += 1;
        *open.by_peer.entry(peer).or_default() += 1;
        open.total += 1;
        self.gauge.set(open.total as i64);
        Ok(Place {
            limits: self.clone(),
            subject: subject.to_string(),
            peer,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().expect("stream limits lock");
        // Emptied entries go, so the maps hold only subjects and peers with a stream open.
        fn release<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
            if let Some(n) = map.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    map.remove(key);
                }
            }
        }
        release(&mut open.by_subject, &self.subject);
        release(&mut open.by_peer, &self.peer);
        open.total -= 1;
        self.limits.gauge.set(open.total as i64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_subject: usize, per_peer: usize, max: usize) -> Arc<StreamLimits> {
        StreamLimits::new(
            &Budgets {
                other_connections: 1,
                events_max: max,
                events_per_subject: per_subject,
                events_per_peer: per_peer,
                pool_token: 1,
                pool_anon: 1,
                pool_queue: 1,
            },
            Gauge::default(),
        )
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn each_limit_in_turn_and_places_given_back() {
        let l = limits(2, 3, 4);
        let a = [l.admit("a", ip(1)).unwrap(), l.admit("a", ip(1)).unwrap()];
        assert_eq!(l.admit("a", ip(2)).err(), Some(Limit::Subject));
        let b = l.admit("b", ip(1)).unwrap();
        assert_eq!(l.admit("c", ip(1)).err(), Some(Limit::Peer));
        let c = l.admit("c", ip(2)).unwrap();
        assert_eq!(l.admit("d", ip(3)).err(), Some(Limit::Total));
        assert_eq!(l.gauge.get(), 4);
        drop(a);
        assert!(l.admit("a", ip(1)).is_ok(), "a's places came back");
        drop((b, c));
        let open = l.open.lock().unwrap();
        assert_eq!(
            (open.total, open.by_subject.len(), open.by_peer.len()),
            (0, 0, 0)
        );
    }

    #[test]
    fn no_peer_limit_behind_a_proxy() {
        let l = limits(1, 0, 10);
        let _open: Vec<_> = (0..10)
            .map(|i| l.admit(&i.to_string(), ip(1)).unwrap())
            .collect();
        assert_eq!(l.admit("x", ip(1)).err(), Some(Limit::Total));
    }
}
