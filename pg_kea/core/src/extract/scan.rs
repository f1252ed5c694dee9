//! Utterance -> units: each word run either matches a surface form (longest first), is a
//! number in digits, or stays a bare word (grammar or unknown).

use super::compile::Tables;
use super::lexicon;
use super::matcher::{surface_hash, Meaning, Sense, NO_WORD};
use super::normalise::{normalise, stem, Token};

#[derive(Debug, Clone)]
pub enum UnitKind<'a> {
    /// Surface form with its possible meanings; `confidence` folds in fuzzy word repairs.
    Match(&'a [Meaning], f32),
    /// A number written in digits.
    Digits(u32),
    /// A word with no meaning of its own: `function` when it is a grammar word.
    Word { function: bool },
}

#[derive(Debug, Clone)]
pub struct Unit<'a> {
    /// Token range.
    pub start: usize,
    pub end: usize,
    pub kind: UnitKind<'a>,
    /// Set once a pass has used the unit.
    pub used: bool,
    /// `surface_hash` of the words as spoken.
    pub surface: u64,
}

pub struct Scanned<'a> {
    pub text: String,
    pub tokens: Vec<Token>,
    /// Stemmed word ids (after fuzzy repair), per token.
    pub ids: Vec<u32>,
    /// Per token: the word was repaired by fuzzy matching (so it may be a name, not a dish).
    pub repaired: Vec<bool>,
    pub units: Vec<Unit<'a>>,
}

impl Scanned<'_> {
    pub fn word(&self, tok: usize) -> &str {
        let t = &self.tokens[tok];
        &self.text[t.start..t.end]
    }
}

/// Confidence of a word read as a clipped menu word ("guac").
const CLIP_CONFIDENCE: f32 = 0.8;

/// Words after an item's name that finish the full name of a pick the item does not take, begun
/// inside the item's name: "dirty dr pepper" for `Dirty Dr` beside a base pick `Dr Pepper` is the
/// drink named with its soda said out, not the drink and a build-your-own with that base. Returns
/// how many words past the name (`n` words from `ids[0]`) the pick runs, 0 when none does.
fn pick_said_past_name(tables: &Tables, ids: &[u32], n: usize, meanings: &[Meaning]) -> usize {
    let items: Vec<u32> = meanings
        .iter()
        .filter_map(|m| match m.sense {
            Sense::Item(it) if m.confidence >= 1.0 => Some(it),
            _ => None,
        })
        .collect();
    if items.is_empty() {
        return 0;
    }
    let foreign_pick = |m: &Meaning| match m.sense {
        Sense::Opt { group, .. } => {
            m.confidence >= 1.0
                && !tables.group_items[group as usize]
                    .iter()
                    .any(|it| items.contains(it))
        }
        _ => false,
    };
    (1..n)
        .filter_map(|k| {
            tables
                .trie
                .longest(&ids[k..], foreign_pick)
                .map(|(m, _)| k + m)
        })
        .map(|end| end.saturating_sub(n))
        .max()
        .unwrap_or(0)
}

pub fn scan<'a>(tables: &'a Tables, utterance: &str) -> Scanned<'a> {
    let (text, tokens) = normalise(utterance);
    let mut ids = Vec::with_capacity(tokens.len());
    let mut conf = Vec::with_capacity(tokens.len());
    for t in &tokens {
        let s = stem(&text[t.start..t.end]);
        let mut id = tables.vocab.get(&s);
        let mut c = 1.0f32;
        if id == NO_WORD {
            if let Some((fid, fc)) = tables.fuzzy.lookup(&s, &tables.vocab.words) {
                id = fid;
                c = fc;
            } else if let Some(cid) = tables.clip(&s) {
                id = cid;
                c = CLIP_CONFIDENCE;
            }
        }
        ids.push(id);
        conf.push(c);
    }
    let mut units = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let word = |k: usize| tokens.get(k).map_or("", |t| &text[t.start..t.end]);
        let big_order =
            lexicon::BIG_WORDS.contains(&word(i)) && lexicon::ORDER_WORDS.contains(&word(i + 1));
        if let Some((n, meanings)) = tables
            .trie
            .longest(&ids[i..], |_| true)
            .filter(|&(n, _)| !(big_order && n == 1))
        {
            let c = conf[i..i + n].iter().copied().fold(1.0f32, f32::min);
            let surface = surface_hash(&text[tokens[i].start..tokens[i + n - 1].end]);
            let end = i + n + pick_said_past_name(tables, &ids[i..], n, meanings);
            units.push(Unit {
                start: i,
                end,
                kind: UnitKind::Match(meanings, c),
                used: false,
                surface,
            });
            i = end;
            continue;
        }
        let w = &text[tokens[i].start..tokens[i].end];
        let kind = if let Ok(v) = w.parse::<u32>() {
            UnitKind::Digits(v)
        } else {
            let id = ids[i];
            UnitKind::Word {
                function: id != NO_WORD && tables.function[id as usize],
            }
        };
        units.push(Unit {
            start: i,
            end: i + 1,
            kind,
            used: false,
            surface: 0,
        });
        i += 1;
    }
    let repaired = conf.iter().map(|&c| c < 1.0).collect();
    Scanned {
        text,
        tokens,
        ids,
        repaired,
        units,
    }
}
