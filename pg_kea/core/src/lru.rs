//! A map that keeps at most a given number of entries, dropping the least recently used, and
//! counts what it did. pg_kea keeps each backend's compiled menus in one (`kea.menu_cache_size`):
//! a compiled menu weighs 0.1-0.2 MB, so a backend that meets thousands of merchants' menus must
//! not keep them all.
//!
//! The bound is given at each insertion rather than fixed at construction because it is a
//! setting an operator (or a session) can change at any time; the recency order itself is the
//! `lru` crate's, kept unbounded, with the bound and the counting done here.

use std::hash::Hash;

/// What a cache did since it was created.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LruStats {
    /// Values inserted (for the menu cache: menus compiled), including those a bound of 0
    /// did not keep.
    pub inserts: u64,
    /// Entries dropped to stay within the bound.
    pub evictions: u64,
}

#[derive(Debug)]
pub struct Lru<K: Hash + Eq, V> {
    entries: lru::LruCache<K, V>,
    stats: LruStats,
}

impl<K: Hash + Eq, V> Default for Lru<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Hash + Eq, V> Lru<K, V> {
    pub fn new() -> Self {
        Self {
            entries: lru::LruCache::unbounded(),
            stats: LruStats::default(),
        }
    }

    /// The entry for `key`, marked as the most recently used.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.entries.get_mut(key)
    }

    /// Inserts (or replaces) `key` as the most recently used entry, first evicting the least
    /// recently used others so that at most `bound` entries remain. A bound of 0 keeps nothing.
    pub fn insert(&mut self, key: K, value: V, bound: usize) {
        self.stats.inserts += 1;
        self.entries.pop(&key);
        if bound == 0 {
            self.trim(0);
            return;
        }
        self.trim(bound - 1);
        self.entries.put(key, value);
    }

    /// Evicts the least recently used entries until at most `bound` remain (after the bound
    /// was lowered).
    pub fn trim(&mut self, bound: usize) {
        while self.entries.len() > bound {
            self.entries.pop_lru();
            self.stats.evictions += 1;
        }
    }

    /// Drops `key` (not counted as an eviction: the caller asked).
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.pop(key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `key` is held (without making it the most recently used).
    pub fn contains(&self, key: &K) -> bool {
        self.entries.contains(key)
    }

    pub fn stats(&self) -> LruStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(lru: &Lru<i64, &str>) -> Vec<i64> {
        let mut k: Vec<_> = lru.entries.iter().map(|(k, _)| *k).collect();
        k.sort();
        k
    }

    #[test]
    fn never_holds_more_than_the_bound() {
        let mut lru = Lru::new();
        for menu in 0..100 {
            lru.insert(menu, "compiled", 3);
            assert!(lru.len() <= 3, "{} entries after menu {menu}", lru.len());
        }
        assert_eq!(keys(&lru), [97, 98, 99], "the three most recent stay");
        assert_eq!(
            lru.stats(),
            LruStats {
                inserts: 100,
                evictions: 97
            }
        );
    }

    #[test]
    fn a_use_saves_an_entry_from_eviction() {
        let mut lru = Lru::new();
        lru.insert(1, "one", 2);
        lru.insert(2, "two", 2);
        assert_eq!(lru.get_mut(&1), Some(&mut "one"));
        lru.insert(3, "three", 2);
        assert_eq!(keys(&lru), [1, 3], "2 was the least recently used");
        assert_eq!(lru.stats().evictions, 1);
    }

    #[test]
    fn replacing_an_entry_evicts_nothing() {
        let mut lru = Lru::new();
        lru.insert(1, "v1", 2);
        lru.insert(2, "two", 2);
        lru.insert(1, "v2", 2);
        assert_eq!(keys(&lru), [1, 2]);
        assert_eq!(lru.get_mut(&1), Some(&mut "v2"));
        assert_eq!(
            lru.stats(),
            LruStats {
                inserts: 3,
                evictions: 0
            }
        );
    }

    #[test]
    fn a_lowered_bound_evicts_the_oldest_and_zero_keeps_nothing() {
        let mut lru = Lru::new();
        for menu in 1..=5 {
            lru.insert(menu, "compiled", 10);
        }
        lru.get_mut(&1);
        lru.trim(2);
        assert_eq!(keys(&lru), [1, 5]);
        lru.insert(6, "compiled", 0);
        assert!(
            lru.is_empty(),
            "a bound of 0 keeps nothing: {:?}",
            keys(&lru)
        );
        assert_eq!(
            lru.stats(),
            LruStats {
                inserts: 6,
                evictions: 5
            }
        );
    }

    #[test]
    fn remove_is_not_an_eviction() {
        let mut lru = Lru::new();
        lru.insert(1, "one", 2);
        assert_eq!(lru.remove(&1), Some("one"));
        assert!(!lru.contains(&1));
        assert_eq!(lru.stats().evictions, 0);
    }
}
