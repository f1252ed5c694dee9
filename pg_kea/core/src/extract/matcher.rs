//! Surface-form index: every word sequence that means something (menu aliases, grammar words,
//! dialog cues) in one trie over stemmed word ids, matched longest-first left to right.

use std::collections::HashMap;

use super::lexicon::Cue;
use super::types::Qualifier;

/// What a surface form can mean. One surface may carry several senses ("chicken" in two
/// groups, "no" as negation and as a dialog "no"); the line builder picks by context.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Sense {
    /// A menu item by name or alias.
    Item(u32),
    /// A category word ("pizza", "drinks") naming a kind of item.
    Category(u32),
    /// A variation (size) of an item.
    Var {
        item: u32,
        var: u32,
    },
    /// An option of a modifier group.
    Opt {
        group: u32,
        opt: u32,
    },
    /// A group prefix/suffix marker ("side of", "on the side", "sized").
    Prefix(u32),
    Suffix(u32),
    Num {
        value: u32,
        article: bool,
    },
    Qual(Qualifier),
    Neg,
    Cue(Cue),
}

impl Sense {
    /// Senses that name something on the menu (as opposed to grammar words).
    pub fn is_content(&self) -> bool {
        matches!(
            self,
            Sense::Item(_) | Sense::Category(_) | Sense::Var { .. } | Sense::Opt { .. }
        )
    }
}

/// A sense with how sure we are that the words mean it (1.0 = a full alias; lower for a
/// partial alias such as "tomato salsa" for "fresh tomato salsa").
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meaning {
    pub sense: Sense,
    pub confidence: f32,
    /// Hash of the alias as written (before stemming), 0 for grammar words: when one stem
    /// covers aliases of different things ("veggie" / "veggies"), the exact form decides.
    pub surface: u64,
}

/// FNV-1a over the bytes of a normalised phrase.
pub fn surface_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Node {
    /// Sorted by word id for binary search.
    children: Vec<(u32, u32)>,
    meanings: Vec<Meaning>,
}

/// Word-id trie. Word ids come from `Vocab`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Trie {
    nodes: Vec<Node>,
}

impl Default for Trie {
    fn default() -> Self {
        Trie {
            nodes: vec![Node::default()],
        }
    }
}

impl Trie {
    /// Adds a meaning for a word-id sequence. A full alias beats a partial one of the same
    /// sense; duplicates are ignored.
    pub fn insert(&mut self, words: &[u32], meaning: Meaning) {
        if words.is_empty() {
            return;
        }
        let mut node = 0usize;
        for &w in words {
            let pos = self.nodes[node].children.binary_search_by_key(&w, |c| c.0);
            node = match pos {
                Ok(i) => self.nodes[node].children[i].1 as usize,
                Err(i) => {
                    let id = self.nodes.len() as u32;
                    self.nodes.push(Node::default());
                    self.nodes[node].children.insert(i, (w, id));
                    id as usize
                }
            };
        }
        let m = &mut self.nodes[node].meanings;
        if let Some(existing) = m
            .iter_mut()
            .find(|e| e.sense == meaning.sense && e.surface == meaning.surface)
        {
            if meaning.confidence > existing.confidence {
                existing.confidence = meaning.confidence;
            }
        } else {
            m.push(meaning);
        }
    }

    /// Meanings already stored for exactly this sequence.
    pub fn get(&self, words: &[u32]) -> &[Meaning] {
        let mut node = 0usize;
        for &w in words {
            match self.child(node, w) {
                Some(n) => node = n,
                None => return &[],
            }
        }
        &self.nodes[node].meanings
    }

    fn child(&self, node: usize, w: u32) -> Option<usize> {
        let ch = &self.nodes[node].children;
        ch.binary_search_by_key(&w, |c| c.0)
            .ok()
            .map(|i| ch[i].1 as usize)
    }

    /// Longest sequence starting at `words[0]` that has meanings, with its length, honouring
    /// `filter` (a meaning set is usable when at least one meaning passes).
    pub fn longest(
        &self,
        words: &[u32],
        filter: impl Fn(&Meaning) -> bool,
    ) -> Option<(usize, &[Meaning])> {
        let mut node = 0usize;
        let mut best = None;
        for (i, &w) in words.iter().enumerate() {
            if w == NO_WORD {
                break;
            }
            match self.child(node, w) {
                Some(n) => node = n,
                None => break,
            }
            let m = &self.nodes[node].meanings;
            if m.iter().any(&filter) {
                best = Some((i + 1, m.as_slice()));
            }
        }
        best
    }
}

/// Id for a word absent from the vocabulary.
pub const NO_WORD: u32 = u32::MAX;

/// Stemmed word -> id.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Vocab {
    ids: HashMap<String, u32>,
    pub words: Vec<String>,
}

impl Vocab {
    pub fn intern(&mut self, stem: &str) -> u32 {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(stem.to_string());
        self.ids.insert(stem.to_string(), id);
        id
    }

    pub fn get(&self, stem: &str) -> u32 {
        self.ids.get(stem).copied().unwrap_or(NO_WORD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_wins() {
        let mut t = Trie::default();
        let m = |s| Meaning {
            sense: s,
            confidence: 1.0,
            surface: 0,
        };
        t.insert(&[1], m(Sense::Neg));
        t.insert(&[1, 2, 3], m(Sense::Qual(Qualifier::Light)));
        let (n, ms) = t.longest(&[1, 2, 3, 4], |_| true).unwrap();
        assert_eq!(n, 3);
        assert_eq!(ms[0].sense, Sense::Qual(Qualifier::Light));
        let (n, _) = t.longest(&[1, 2, 4], |_| true).unwrap();
        assert_eq!(n, 1);
        assert!(t.longest(&[2], |_| true).is_none());
    }
}
