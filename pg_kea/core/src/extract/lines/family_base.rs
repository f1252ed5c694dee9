//! "a chicken kottu" among `Kottu Roti`, `String Hopper Kottu` and `Chz Kottu`: the word said
//! is the head of a family of names that put a word before it (kinds of kottu) and the first
//! word of one name only; a person takes that one, the base the others are kinds of.

use super::after::{item_name_stems, said_stems};
use super::*;

impl Builder<'_> {
    /// A named line left open among three or more items whose names (before any parenthesis)
    /// all hold the words said: when exactly one name starts with those words and every other
    /// ends with them after words of its own that were not said (a modifier the caller left
    /// out), the line is the one that starts with them. Two kinds of the word are needed: one
    /// name beside one other ("Wiener Schnitzel", "Schnitzel Sandwich") shows no family.
    pub(super) fn family_base(&mut self, sc: &Scanned) {
        for l in &mut self.lines {
            let Some(cands) = l
                .cands
                .as_ref()
                .filter(|c| c.len() >= 3 && l.item.is_none() && l.item_named)
            else {
                continue;
            };
            let said = said_stems(l, sc);
            let names: Vec<(u32, Vec<String>)> = cands
                .iter()
                .map(|&i| (i, item_name_stems(self.menu, i)))
                .collect();
            let shared: Vec<String> = names[0]
                .1
                .iter()
                .filter(|w| names.iter().all(|(_, n)| n.contains(w)) && said.contains(w))
                .cloned()
                .collect();
            if shared.is_empty() {
                continue;
            }
            let k = shared.len();
            let starts = |n: &[String]| n.len() >= k && n[..k] == shared[..];
            let kind_of = |n: &[String]| {
                n.len() > k
                    && n[n.len() - k..] == shared[..]
                    && n[..n.len() - k].iter().all(|w| !said.contains(w))
            };
            let base: Vec<u32> = names
                .iter()
                .filter(|(_, n)| starts(n))
                .map(|(i, _)| *i)
                .collect();
            let [only] = base[..] else {
                continue;
            };
            if names
                .iter()
                .filter(|(i, _)| *i != only)
                .all(|(_, n)| kind_of(n))
            {
                l.item = Some(only);
                l.cands = Some(vec![only]);
                l.item_conf = l.item_conf.min(crate::extract::compile::PARTIAL_CONFIDENCE);
            }
        }
    }
}
