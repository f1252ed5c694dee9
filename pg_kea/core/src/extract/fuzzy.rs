//! Misrecognition repair: an utterance word that is not a known word is mapped to the menu
//! word closest in spelling (Damerau-Levenshtein, looked up through a deletion index, as in
//! SymSpell) or in sound (a coarse phonetic key), with a confidence below 1.0.
//!
//! The work per word is bounded whatever the caller (or an attacker) sends: words longer than
//! [`MAX_WORD_LEN`] are never repaired, and at most two deletions are tried, so one lookup
//! generates at most [`MAX_VARIANTS`] variants. (The first version recursed without a length
//! cap and deduplicated by linear search: about n^5 for an n-letter word, which let one
//! 20,000-letter word pin a database backend for minutes.)

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use strsim::damerau_levenshtein;

use super::flat::{StrIndex, Strings};

/// Index over the content words of one menu.
///
/// Built in hash maps, then frozen into sorted arrays (`flat.rs`): a compiled menu is loaded
/// from its stored form by every backend that meets it, and a thousand deletion variants
/// loaded as a thousand strings and lists, hashed one by one, were most of a load. Both read
/// the same.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub enum FuzzyIndex {
    Building {
        /// Deletion variant -> word ids whose variants include it.
        deletes: HashMap<String, Vec<u32>>,
        /// Phonetic key -> word ids.
        sounds: HashMap<String, Vec<u32>>,
        words: Vec<(u32, String)>,
    },
    Frozen {
        deletes: StrIndex,
        sounds: StrIndex,
        /// The words indexed (`ids[i]` is `words.get(i)`).
        ids: Vec<u32>,
        words: Strings,
    },
}

impl Default for FuzzyIndex {
    fn default() -> Self {
        FuzzyIndex::Building {
            deletes: HashMap::new(),
            sounds: HashMap::new(),
            words: Vec::new(),
        }
    }
}

/// Shown as the maps it was built from, frozen or not (`compile_time --dump` compares tables
/// across builds).
impl std::fmt::Debug for FuzzyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("FuzzyIndex");
        match self {
            FuzzyIndex::Building {
                deletes,
                sounds,
                words,
            } => out
                .field("deletes", deletes)
                .field("sounds", sounds)
                .field("words", words),
            FuzzyIndex::Frozen {
                deletes,
                sounds,
                ids,
                words,
            } => {
                let words: Vec<(u32, String)> = ids
                    .iter()
                    .zip(words.iter())
                    .map(|(&i, w)| (i, w.to_string()))
                    .collect();
                out.field("deletes", deletes)
                    .field("sounds", sounds)
                    .field("words", &words)
            }
        }
        .finish()
    }
}

/// Shortest word length tried at all; short words are too easy to confuse.
const MIN_LEN: usize = 4;

/// Longest word (in characters) repaired or indexed. Menu words are far shorter ("worcestershire"
/// is 14); a longer "word" is noise or an attack, and is left unmatched.
const MAX_WORD_LEN: usize = 24;

/// Most deletions tried per word: the edit budget.
const MAX_EDITS: usize = 2;

/// Upper bound of the variants one word generates: itself, then every way of deleting one or
/// two of its [`MAX_WORD_LEN`] characters (1 + 24 + 24*23/2).
const MAX_VARIANTS: usize = 1 + MAX_WORD_LEN + MAX_WORD_LEN * (MAX_WORD_LEN - 1) / 2;

fn max_distance(len: usize) -> usize {
    if len >= 8 {
        MAX_EDITS
    } else {
        1
    }
}

/// Called once per word looked up or indexed, so a host (pg_kea) can act on a query cancel in
/// the middle of long work. kea_core cannot call PostgreSQL itself.
static INTERRUPT_CHECK: OnceLock<fn()> = OnceLock::new();

/// Installs the host's interrupt check (PostgreSQL's `CHECK_FOR_INTERRUPTS`). The first one
/// installed stays: there is one host per process.
pub fn set_interrupt_check(check: fn()) {
    let _ = INTERRUPT_CHECK.set(check);
}

fn check_interrupts() {
    if let Some(check) = INTERRUPT_CHECK.get() {
        check();
    }
}

/// The word's characters, or `None` when it is outside what repair handles (too short, too
/// long, or not all letters). Stops reading after [`MAX_WORD_LEN`] + 1 characters, so a huge
/// word costs no more than a long one.
fn repairable(word: &str) -> Option<Vec<char>> {
    let mut chars = Vec::with_capacity(MAX_WORD_LEN);
    for c in word.chars() {
        if chars.len() == MAX_WORD_LEN || !c.is_alphabetic() {
            return None;
        }
        chars.push(c);
    }
    (chars.len() >= MIN_LEN).then_some(chars)
}

/// The word and every string made by deleting up to `edits` of its characters, each once.
/// At most [`MAX_VARIANTS`] strings for a repairable word.
fn variants(chars: &[char], edits: usize) -> Vec<String> {
    let mut seen: HashSet<Vec<char>> = HashSet::with_capacity(MAX_VARIANTS);
    let mut level = vec![chars.to_vec()];
    seen.insert(chars.to_vec());
    for _ in 0..edits.min(MAX_EDITS) {
        let mut next = Vec::new();
        for w in &level {
            // Deleting down to two letters says nothing about the word any more.
            if w.len() <= 2 {
                continue;
            }
            for i in 0..w.len() {
                let mut d = w.clone();
                d.remove(i);
                if seen.insert(d.clone()) {
                    next.push(d);
                }
            }
        }
        level = next;
    }
    seen.into_iter().map(|w| w.into_iter().collect()).collect()
}

/// A coarse English phonetic key: first letter kept, then consonant classes with vowels and
/// repeats dropped ("peperoni" = "pepperoni", "filly" = "philly").
pub fn phonetic_key(word: &str) -> String {
    let w = word
        .replace("ph", "f")
        .replace("ck", "k")
        .replace("qu", "kw")
        .replace("x", "ks")
        .replace("wh", "w")
        .replace("kn", "n");
    let mut key = String::new();
    let mut last = ' ';
    for (i, c) in w.chars().enumerate() {
        let class = match c {
            'b' | 'p' => 'p',
            'c' | 'k' | 'q' | 'g' => 'k',
            'd' | 't' => 't',
            's' | 'z' => 's',
            'f' | 'v' => 'f',
            'm' | 'n' => 'n',
            'l' => 'l',
            'r' => 'r',
            'j' => 'j',
            'h' | 'w' | 'y' => '-',
            c if c.is_ascii_digit() => c,
            _ => '.',
        };
        if i == 0 {
            key.push(if class == '.' { 'a' } else { class });
            last = class;
            continue;
        }
        if class != last && class != '.' && class != '-' {
            key.push(class);
        }
        if class != '-' {
            last = class;
        }
    }
    key
}

impl FuzzyIndex {
    /// Indexes menu word `id`. Words outside [`MIN_LEN`]..=[`MAX_WORD_LEN`] letters are not
    /// repair targets.
    pub fn add(&mut self, id: u32, word: &str) {
        let FuzzyIndex::Building {
            deletes,
            sounds,
            words,
        } = self
        else {
            panic!("a frozen fuzzy index takes no words");
        };
        check_interrupts();
        let Some(chars) = repairable(word) else {
            return;
        };
        if words.iter().any(|(i, _)| *i == id) {
            return;
        }
        words.push((id, word.to_string()));
        for d in variants(&chars, max_distance(chars.len())) {
            let e = deletes.entry(d).or_default();
            if !e.contains(&id) {
                e.push(id);
            }
        }
        let key = phonetic_key(word);
        if key.len() >= 3 {
            let e = sounds.entry(key).or_default();
            if !e.contains(&id) {
                e.push(id);
            }
        }
    }

    /// The flat form of the same index.
    pub fn freeze(&mut self) {
        if let FuzzyIndex::Building {
            deletes,
            sounds,
            words,
        } = self
        {
            let mut flat_words = Strings::default();
            for (_, w) in words.iter() {
                flat_words.push(w);
            }
            *self = FuzzyIndex::Frozen {
                deletes: StrIndex::new(std::mem::take(deletes)),
                sounds: StrIndex::new(std::mem::take(sounds)),
                ids: words.iter().map(|(i, _)| *i).collect(),
                words: flat_words,
            };
        }
    }

    /// The word ids a deletion variant, or a phonetic key, stands for.
    fn by_variant(&self, variant: &str) -> &[u32] {
        match self {
            FuzzyIndex::Building { deletes, .. } => deletes.get(variant).map_or(&[], |v| v),
            FuzzyIndex::Frozen { deletes, .. } => deletes.get(variant),
        }
    }

    fn by_sound(&self, key: &str) -> &[u32] {
        match self {
            FuzzyIndex::Building { sounds, .. } => sounds.get(key).map_or(&[], |v| v),
            FuzzyIndex::Frozen { sounds, .. } => sounds.get(key),
        }
    }

    /// Best menu word for an unknown word, with confidence; `None` when nothing is close or
    /// two words are equally close. Bounded work: at most [`MAX_VARIANTS`] index probes and
    /// one edit distance per distinct menu word they reach.
    pub fn lookup(&self, word: &str, words: &[String]) -> Option<(u32, f32)> {
        check_interrupts();
        let chars = repairable(word)?;
        let len = chars.len();
        let maxd = max_distance(len);
        let mut best: Option<(usize, u32)> = None;
        let mut tie = false;
        let mut seen: HashSet<u32> = HashSet::new();
        for v in variants(&chars, maxd) {
            for &id in self.by_variant(&v) {
                if !seen.insert(id) {
                    continue;
                }
                let cand = &words[id as usize];
                let cand_len = cand.chars().count();
                let d = damerau_levenshtein(word, cand);
                // The longer word must still be recognisably the other one.
                if d == 0 || d > maxd || d > len.min(cand_len) / 3 {
                    continue;
                }
                match best {
                    Some((bd, _)) if d > bd => {}
                    Some((bd, _)) if d == bd => tie = true,
                    _ => {
                        best = Some((d, id));
                        tie = false;
                    }
                }
            }
        }
        if let (Some((d, id)), false) = (best, tie) {
            let cand_len = words[id as usize].chars().count();
            let conf = 1.0 - d as f32 / len.max(cand_len) as f32;
            return Some((id, conf.clamp(0.5, 0.9)));
        }
        let key = phonetic_key(word);
        if key.len() >= 3 {
            // Same first letter too: the key alone is coarse ("great" ~ "carrot").
            if let [id] = self.by_sound(&key) {
                let onset = |w: &str| w.replacen("ph", "f", 1).chars().next();
                if onset(&words[*id as usize]) == onset(word) {
                    return Some((*id, 0.7));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_spelling_and_sound() {
        let words: Vec<String> = ["pepperoni", "mushroom", "olive", "philadelphia"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut ix = FuzzyIndex::default();
        for (i, w) in words.iter().enumerate() {
            ix.add(i as u32, w);
        }
        // The lines of the maps, sorted: a hash map's order is per process.
        let lines = |ix: &FuzzyIndex| {
            let text = format!("{ix:#?}");
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            lines.sort_unstable();
            lines
        };
        let built = lines(&ix);
        for frozen in [false, true] {
            if frozen {
                ix.freeze();
                assert!(matches!(ix, FuzzyIndex::Frozen { .. }));
                assert_eq!(lines(&ix), built, "frozen, the same index");
            }
            assert_eq!(ix.lookup("peperoni", &words).map(|x| x.0), Some(0));
            assert_eq!(ix.lookup("mushrom", &words).map(|x| x.0), Some(1));
            assert_eq!(ix.lookup("filadelfia", &words).map(|x| x.0), Some(3));
            assert!(ix.lookup("banana", &words).is_none());
            let (_, c) = ix.lookup("peperoni", &words).unwrap();
            assert!((0.5..1.0).contains(&c));
        }
    }

    /// Pseudo-random letters from `alphabet`: distinct neighbours, so deletions do not
    /// collapse into a few variants the way "aaaa..." would.
    fn letters(n: usize, alphabet: &[char]) -> String {
        let mut x: u32 = 0x2545_f491;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                alphabet[(x >> 16) as usize % alphabet.len()]
            })
            .collect()
    }

    fn menu_index() -> (FuzzyIndex, Vec<String>) {
        let words: Vec<String> = ["pepperoni", "mushroom", "worcestershire", "margherita"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut ix = FuzzyIndex::default();
        for (i, w) in words.iter().enumerate() {
            ix.add(i as u32, w);
        }
        ix.freeze();
        (ix, words)
    }

    /// Runs `f` on its own thread and fails if it has not finished within `limit`: without
    /// this a regression would hang the suite instead of failing it.
    fn within<T: Send + 'static>(
        limit: std::time::Duration,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(limit)
            .unwrap_or_else(|_| panic!("still running after {limit:?}"))
    }

    #[test]
    fn huge_words_are_given_up_on_at_once() {
        let latin: Vec<char> = ('a'..='z').collect();
        let cjk: Vec<char> = "披萨饮料大中小芝士蘑菇辣香肠".chars().collect();
        for word in [
            letters(100, &latin),
            letters(160, &latin),
            letters(160, &cjk),
            letters(20_000, &latin),
        ] {
            let n = word.chars().count();
            let found = within(std::time::Duration::from_secs(2), move || {
                let (ix, words) = menu_index();
                ix.lookup(&word, &words)
            });
            assert_eq!(found, None, "a {n}-character word");
        }
    }

    #[test]
    fn variants_per_word_are_bounded() {
        let latin: Vec<char> = ('a'..='z').collect();
        let longest: Vec<char> = letters(MAX_WORD_LEN, &latin).chars().collect();
        let v = variants(&longest, MAX_EDITS);
        assert!(v.len() <= MAX_VARIANTS, "{} variants", v.len());
        assert!(v.len() > MAX_VARIANTS / 2, "deletions still generated");
        // More edits than the budget are not tried.
        assert_eq!(variants(&longest, 10).len(), v.len());
        // Past the cap nothing is generated at all.
        assert!(repairable(&letters(MAX_WORD_LEN + 1, &latin)).is_none());
        assert!(repairable(&letters(20_000, &latin)).is_none());
    }

    #[test]
    fn long_menu_words_are_still_repaired() {
        let (ix, words) = menu_index();
        assert_eq!(ix.lookup("worcestershre", &words).map(|x| x.0), Some(2));
        assert_eq!(ix.lookup("margarita", &words).map(|x| x.0), Some(3));
    }
}
