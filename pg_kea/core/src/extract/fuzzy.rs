//! Misrecognition repair: an utterance word that is not a known word is mapped to the menu
//! word closest in spelling (Damerau-Levenshtein, looked up through a deletion index, as in
//! SymSpell) or in sound (a coarse phonetic key), with a confidence below 1.0.

use std::collections::HashMap;

use strsim::damerau_levenshtein;

/// Index over the content words of one menu.
#[derive(Debug, Clone, Default)]
pub struct FuzzyIndex {
    /// Deletion variant -> word ids whose variants include it.
    deletes: HashMap<String, Vec<u32>>,
    /// Phonetic key -> word ids.
    sounds: HashMap<String, Vec<u32>>,
    words: Vec<(u32, String)>,
}

/// Shortest word length tried at all; short words are too easy to confuse.
const MIN_LEN: usize = 4;

fn max_distance(len: usize) -> usize {
    if len >= 8 {
        2
    } else {
        1
    }
}

fn deletions(word: &str, depth: usize, out: &mut Vec<String>) {
    let chars: Vec<char> = word.chars().collect();
    if depth == 0 || chars.len() <= 2 {
        return;
    }
    for i in 0..chars.len() {
        let d: String = chars
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, c)| c)
            .collect();
        if !out.contains(&d) {
            deletions(&d, depth - 1, out);
            out.push(d);
        }
    }
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
    pub fn add(&mut self, id: u32, word: &str) {
        if word.chars().count() < MIN_LEN || !word.chars().all(|c| c.is_alphabetic()) {
            return;
        }
        if self.words.iter().any(|(i, _)| *i == id) {
            return;
        }
        self.words.push((id, word.to_string()));
        let mut v = vec![word.to_string()];
        deletions(word, max_distance(word.len()), &mut v);
        for d in v {
            let e = self.deletes.entry(d).or_default();
            if !e.contains(&id) {
                e.push(id);
            }
        }
        let key = phonetic_key(word);
        if key.len() >= 3 {
            let e = self.sounds.entry(key).or_default();
            if !e.contains(&id) {
                e.push(id);
            }
        }
    }

    /// Best menu word for an unknown word, with confidence; `None` when nothing is close or
    /// two words are equally close.
    pub fn lookup(&self, word: &str, words: &[String]) -> Option<(u32, f32)> {
        let len = word.chars().count();
        if len < MIN_LEN || !word.chars().all(|c| c.is_alphabetic()) {
            return None;
        }
        let maxd = max_distance(len);
        let mut variants = vec![word.to_string()];
        deletions(word, maxd, &mut variants);
        let mut best: Option<(usize, u32)> = None;
        let mut tie = false;
        let mut seen: Vec<u32> = Vec::new();
        for v in &variants {
            let Some(ids) = self.deletes.get(v) else {
                continue;
            };
            for &id in ids {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                let cand = &words[id as usize];
                let d = damerau_levenshtein(word, cand);
                // The longer word must still be recognisably the other one.
                if d == 0 || d > maxd || d > len.min(cand.len()) / 3 {
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
            let conf = 1.0 - d as f32 / len.max(words[id as usize].len()) as f32;
            return Some((id, conf.clamp(0.5, 0.9)));
        }
        let key = phonetic_key(word);
        if key.len() >= 3 {
            if let Some(ids) = self.sounds.get(&key) {
                // Same first letter too: the key alone is coarse ("great" ~ "carrot").
                if let [id] = ids[..] {
                    let onset = |w: &str| w.replacen("ph", "f", 1).chars().next();
                    if onset(&words[id as usize]) == onset(word) {
                        return Some((id, 0.7));
                    }
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
        assert_eq!(ix.lookup("peperoni", &words).map(|x| x.0), Some(0));
        assert_eq!(ix.lookup("mushrom", &words).map(|x| x.0), Some(1));
        assert_eq!(ix.lookup("filadelfia", &words).map(|x| x.0), Some(3));
        assert!(ix.lookup("banana", &words).is_none());
        let (_, c) = ix.lookup("peperoni", &words).unwrap();
        assert!((0.5..1.0).contains(&c));
    }
}
