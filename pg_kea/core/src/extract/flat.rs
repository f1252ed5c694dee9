//! Flat tables for what a compiled menu keeps: many short lists and strings, each stored in
//! one array with offsets instead of one allocation apiece. A compiled menu is loaded from its
//! stored form by every backend that meets it (`compiled_form`), and the load was mostly
//! allocating: a list of n lists loads with two allocations, not n + 1 (docs/benchmarks.md,
//! "Compiled form made cheaper to load").

use serde::{Deserialize, Serialize};

/// A list of lists: list `i` is `items[ends[i - 1]..ends[i]]` (from 0 for the first).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Lists<T> {
    items: Vec<T>,
    ends: Vec<u32>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            items: Vec::new(),
            ends: Vec::new(),
        }
    }
}

impl<T: Clone> Lists<T> {
    /// The lists, in order.
    pub fn new<'a>(lists: impl IntoIterator<Item = &'a [T]>) -> Self
    where
        T: 'a,
    {
        let mut out = Lists::default();
        for l in lists {
            out.items.extend_from_slice(l);
            out.ends.push(out.items.len() as u32);
        }
        out
    }
}

impl<T> Lists<T> {
    pub fn get(&self, i: usize) -> &[T] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.items[start..self.ends[i] as usize]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &[T]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Lists<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Strings in one buffer: string `i` is `text[ends[i - 1]..ends[i]]`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// String -> list of ids, in flat arrays with their hash table: a hash map of n strings loads
/// with n allocations and n hashes, this with five allocations.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrIndex {
    /// Sorted (so that a menu's form is the same bytes at every compilation).
    keys: Strings,
    /// `ids.get(i)` belongs to `keys.get(i)`.
    ids: Lists<u32>,
    slots: Slots,
}

impl StrIndex {
    pub fn new(map: std::collections::HashMap<String, Vec<u32>>) -> Self {
        let mut entries: Vec<(String, Vec<u32>)> = map.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut keys = Strings::default();
        for (k, _) in &entries {
            keys.push(k);
        }
        let ids = Lists::new(entries.iter().map(|(_, ids)| ids.as_slice()));
        let slots = Slots::new(keys.len(), |i| keys.get(i));
        StrIndex { keys, ids, slots }
    }

    /// The ids of `key`, empty when it is not a key.
    pub fn get(&self, key: &str) -> &[u32] {
        self.slots
            .find(key, |i| self.keys.get(i))
            .map_or(&[], |i| self.ids.get(i))
    }
}

/// A hash table of indices into strings kept elsewhere (open addressing, linear probing, at
/// most half full): it is stored with the strings, so a load reads one array instead of
/// hashing every string into a new map. The hash is FNV-1a, unseeded: the table is read by
/// other processes than the one that built it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Slots {
    /// 0 for an empty slot, else the index + 1. A power of two long (or empty).
    slots: Vec<u32>,
}

impl Slots {
    /// A table of the strings `at(0)..at(n)`.
    pub fn new<'a>(n: usize, at: impl Fn(usize) -> &'a str) -> Self {
        let mut t = Slots {
            slots: vec![0; (2 * n).next_power_of_two().max(8)],
        };
        for i in 0..n {
            if let Err(s) = t.find(at(i), &at) {
                t.slots[s] = i as u32 + 1;
            }
        }
        t
    }

    /// The index of `key`, or the empty slot where it would go (`usize::MAX` when there are
    /// no slots yet).
    pub fn find<'a>(&self, key: &str, at: impl Fn(usize) -> &'a str) -> Result<usize, usize> {
        if self.slots.is_empty() {
            return Err(usize::MAX);
        }
        let mask = self.slots.len() - 1;
        let mut s = super::matcher::surface_hash(key) as usize & mask;
        loop {
            match self.slots[s] {
                0 => return Err(s),
                i if at(i as usize - 1) == key => return Ok(i as usize - 1),
                _ => s = (s + 1) & mask,
            }
        }
    }

    /// Records index `i` (whose string was not there) at slot `s` from [`Slots::find`], or
    /// rebuilds the table for `n` strings when it would be more than half full.
    pub fn insert<'a>(&mut self, s: usize, i: usize, n: usize, at: impl Fn(usize) -> &'a str) {
        if 2 * n > self.slots.len() {
            *self = Slots::new(n, at);
        } else {
            self.slots[s] = i as u32 + 1;
        }
    }
}

/// Shown as the map it stands for (`compile_time --dump` compares tables across builds).
impl std::fmt::Debug for StrIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.keys.iter().zip(self.ids.iter()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_strings_and_index_give_back_what_went_in() {
        let lists: Vec<Vec<u32>> = vec![vec![3, 1], vec![], vec![7]];
        let flat = Lists::new(lists.iter().map(|l| l.as_slice()));
        assert_eq!(flat.iter().collect::<Vec<_>>(), lists);
        let mut s = Strings::default();
        for w in ["pepperoni", "", "olive"] {
            s.push(w);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), ["pepperoni", "", "olive"]);
        let map: std::collections::HashMap<String, Vec<u32>> = [
            ("olive", vec![2]),
            ("pepperoni", vec![0, 5]),
            ("mushroom", vec![1]),
            ("a", vec![9]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let ix = StrIndex::new(map.clone());
        for (k, v) in &map {
            assert_eq!(ix.get(k), v.as_slice(), "{k}");
        }
        for missing in ["", "b", "olives", "zzz", "mushroo"] {
            assert!(ix.get(missing).is_empty(), "{missing}");
        }
        assert!(StrIndex::default().get("olive").is_empty(), "no keys");
    }
}
