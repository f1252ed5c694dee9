//! Surface-form index: every word sequence that means something (menu aliases, grammar words,
//! dialog cues) in one trie over stemmed word ids, matched longest-first left to right.

use super::flat::{Lists, Slots};
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
pub struct Node {
    /// Sorted by word id for binary search.
    children: Vec<(u32, u32)>,
    meanings: Vec<Meaning>,
}

/// Word-id trie. Word ids come from `Vocab`.
///
/// Built nested (an insert may land under any node), then frozen flat: a compiled menu is
/// loaded from its stored form by every backend that meets it, and a flat trie loads as a few
/// arrays instead of two per node (`flat.rs`). Both read the same.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub enum Trie {
    Building(Vec<Node>),
    /// Node `n`'s children (sorted by word id) and meanings, as in its `Node`.
    Frozen {
        children: Lists<(u32, u32)>,
        meanings: Lists<Meaning>,
    },
}

impl Default for Trie {
    fn default() -> Self {
        Trie::Building(vec![Node::default()])
    }
}

/// Shown as the nodes it was built from, frozen or not (`compile_time --dump` compares tables
/// across builds).
impl std::fmt::Debug for Trie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nodes: Vec<Node> = (0..self.len())
            .map(|n| Node {
                children: self.children(n).to_vec(),
                meanings: self.meanings(n).to_vec(),
            })
            .collect();
        f.debug_struct("Trie").field("nodes", &nodes).finish()
    }
}

impl Trie {
    /// Adds a meaning for a word-id sequence. A full alias beats a partial one of the same
    /// sense; duplicates are ignored. Only while building (compilation freezes it last).
    pub fn insert(&mut self, words: &[u32], meaning: Meaning) {
        let Trie::Building(nodes) = self else {
            panic!("a frozen trie takes no inserts");
        };
        if words.is_empty() {
            return;
        }
        let mut node = 0usize;
        for &w in words {
            let pos = nodes[node].children.binary_search_by_key(&w, |c| c.0);
            node = match pos {
                Ok(i) => nodes[node].children[i].1 as usize,
                Err(i) => {
                    let id = nodes.len() as u32;
                    nodes.push(Node::default());
                    nodes[node].children.insert(i, (w, id));
                    id as usize
                }
            };
        }
        let m = &mut nodes[node].meanings;
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

    /// The flat form of the same trie, node for node.
    pub fn freeze(&mut self) {
        if let Trie::Building(nodes) = self {
            *self = Trie::Frozen {
                children: Lists::new(nodes.iter().map(|n| n.children.as_slice())),
                meanings: Lists::new(nodes.iter().map(|n| n.meanings.as_slice())),
            };
        }
    }

    fn len(&self) -> usize {
        match self {
            Trie::Building(nodes) => nodes.len(),
            Trie::Frozen { children, .. } => children.len(),
        }
    }

    fn children(&self, node: usize) -> &[(u32, u32)] {
        match self {
            Trie::Building(nodes) => &nodes[node].children,
            Trie::Frozen { children, .. } => children.get(node),
        }
    }

    fn meanings(&self, node: usize) -> &[Meaning] {
        match self {
            Trie::Building(nodes) => &nodes[node].meanings,
            Trie::Frozen { meanings, .. } => meanings.get(node),
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
        self.meanings(node)
    }

    fn child(&self, node: usize, w: u32) -> Option<usize> {
        let ch = self.children(node);
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
            let m = self.meanings(node);
            if m.iter().any(&filter) {
                best = Some((i + 1, m));
            }
        }
        best
    }
}

/// Id for a word absent from the vocabulary.
pub const NO_WORD: u32 = u32::MAX;

/// Stemmed word -> id.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Vocab {
    /// The words' hash table, stored: a hash map of words loaded with an allocation and a
    /// hash per word.
    slots: Slots,
    pub words: Vec<String>,
}

/// Shown as the map it stands for (`compile_time --dump` compares tables across builds).
impl std::fmt::Debug for Vocab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: std::collections::BTreeMap<&str, u32> =
            self.words.iter().map(String::as_str).zip(0..).collect();
        f.debug_struct("Vocab")
            .field("ids", &ids)
            .field("words", &self.words)
            .finish()
    }
}

impl Vocab {
    pub fn intern(&mut self, stem: &str) -> u32 {
        match self.slots.find(stem, |i| &self.words[i]) {
            Ok(id) => id as u32,
            Err(slot) => {
                let id = self.words.len();
                self.words.push(stem.to_string());
                let words = &self.words;
                self.slots.insert(slot, id, words.len(), |i| &words[i]);
                id as u32
            }
        }
    }

    pub fn get(&self, stem: &str) -> u32 {
        self.slots
            .find(stem, |i| &self.words[i])
            .map_or(NO_WORD, |id| id as u32)
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
        t.insert(&[1, 2, 3], m(Sense::Qual(Qualifier::Light)));
        t.insert(&[1, 4], m(Sense::Neg));
        let built = format!("{t:?}");
        for frozen in [false, true] {
            if frozen {
                t.freeze();
                assert!(matches!(t, Trie::Frozen { .. }));
                assert_eq!(format!("{t:?}"), built, "frozen node for node");
            }
            let (n, ms) = t.longest(&[1, 2, 3, 4], |_| true).unwrap();
            assert_eq!(n, 3);
            assert_eq!(ms.len(), 1, "a duplicate is ignored");
            assert_eq!(ms[0].sense, Sense::Qual(Qualifier::Light));
            let (n, _) = t.longest(&[1, 2, 4], |_| true).unwrap();
            assert_eq!(n, 1);
            assert_eq!(t.longest(&[1, 4], |_| true).unwrap().0, 2);
            assert!(t.longest(&[2], |_| true).is_none());
            assert_eq!(t.get(&[1, 2]), &[]);
            assert_eq!(t.get(&[1]).len(), 1);
        }
    }

    #[test]
    fn vocab_ids_are_given_in_order_of_first_use() {
        let mut v = Vocab::default();
        let words = ["pizza", "cheese", "a", "pizza", "zucchini", "cheese"];
        let ids: Vec<u32> = words.iter().map(|w| v.intern(w)).collect();
        assert_eq!(ids, [0, 1, 2, 0, 3, 1]);
        for (w, id) in words.iter().zip(&ids) {
            assert_eq!(v.get(w), *id, "{w}");
        }
        assert_eq!(v.get("pizzas"), NO_WORD);
        assert_eq!(v.get(""), NO_WORD);
        // Past what the first table holds, and again.
        let many: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        for w in &many {
            v.intern(w);
        }
        for (i, w) in many.iter().enumerate() {
            assert_eq!(v.get(w), 4 + i as u32, "{w}");
        }
        assert_eq!(v.get("cheese"), 1);
        assert_eq!(v.get("w300"), NO_WORD);
    }
}
