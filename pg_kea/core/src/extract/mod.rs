//! Menu-driven order extraction: utterance -> `Extraction`.
//!
//! `CompiledMenu::new` builds the matcher once per menu version; `CompiledMenu::extract` runs
//! per utterance. See docs/extraction.md.
//!
//! Pipeline: [`normalise`] (lower case, punctuation, stems) -> [`scan`] (longest match of every
//! surface form in one trie from [`compile`], with [`fuzzy`] repair of unknown words) ->
//! [`intents`] (dialog cues and [`details`]) -> [`lines`] (order lines) -> unmatched words.

#[cfg(test)]
mod class_tests;
mod compile;
mod confidence;
mod details;
mod flat;
mod fuzzy;
mod intents;
mod lexicon;
mod lines;
mod matcher;
mod menu_words;
mod names;
mod normalise;
mod plain_sizes;
mod scan;
#[cfg(test)]
mod tests;
mod types;

pub use fuzzy::set_interrupt_check;
pub use normalise::fold_accent;
pub use types::*;

/// The utterance as extraction reads it: the text every `Span` of an [`Extraction`] indexes.
pub fn normalised_utterance(utterance: &str) -> String {
    normalise::normalise(utterance).0
}

/// A number said as one word, in digits or letters ("12", "ten").
pub fn number_word(word: &str) -> Option<u32> {
    word.parse().ok().or_else(|| lexicon::number_value(word))
}

/// The ways a caller says a menu name, abbreviations spelled out ("Chkn Suqaar": "chicken
/// suqaar"), as extraction hears them.
pub fn spoken_forms(name: &str) -> Vec<String> {
    names::spoken_forms(name)
}

use crate::menu::Menu;
use compile::Tables;
use scan::UnitKind;

/// Most characters of one utterance that extraction reads. A phone order is said in well under
/// a minute (~150 words, ~900 characters); anything longer is cut, so one request cannot make a
/// turn run long.
pub const MAX_UTTERANCE_CHARS: usize = 2_000;
/// Most words (runs of letters or digits) of one utterance that extraction reads.
pub const MAX_UTTERANCE_WORDS: usize = 300;

/// `utterance` cut after [`MAX_UTTERANCE_CHARS`] characters or [`MAX_UTTERANCE_WORDS`] words,
/// whichever comes first, never in the middle of a word. Reads at most that many characters.
pub fn bounded(utterance: &str) -> &str {
    let mut words = 0;
    let mut in_word = false;
    for (n, (i, c)) in utterance.char_indices().enumerate() {
        let word_char = c.is_alphanumeric();
        if word_char && !in_word {
            words += 1;
        }
        if n == MAX_UTTERANCE_CHARS || words > MAX_UTTERANCE_WORDS {
            // A word cut in two would be repaired into something the caller never said.
            let end = if word_char {
                utterance[..i].trim_end_matches(char::is_alphanumeric).len()
            } else {
                i
            };
            return &utterance[..end];
        }
        in_word = word_char;
    }
    utterance
}

/// The (item, size) codes an option's name says, when it is a size of one item and the start
/// of that item's name ("1/2 Caesar": `Caesar Salad` in its `Half` size; see
/// `lines/sized_option.rs`): the dialog takes that item in that size as the option's answer.
pub fn sized_item_option(menu: &Menu, group: &str, option: &str) -> Option<(String, String)> {
    let g = menu.groups.iter().position(|g| g.code == group)?;
    let o = menu.groups[g]
        .options
        .iter()
        .position(|o| o.code == option)?;
    let (i, v) = lines::sized_option::sized_item(menu, g as u32, o as u32)?;
    let item = &menu.items[i as usize];
    Some((item.code.clone(), item.variations[v as usize].code.clone()))
}

/// A menu prepared for matching. Built once per menu version and cached per backend by pg_kea.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CompiledMenu {
    pub menu: Menu,
    tables: Tables,
}

impl CompiledMenu {
    pub fn new(menu: Menu) -> Self {
        let mut tables = compile::compile(&menu);
        // Flat from here on: what extraction reads and what a stored form holds.
        tables.trie.freeze();
        tables.fuzzy.freeze();
        CompiledMenu { menu, tables }
    }

    /// Everything understood in one utterance (its first [`MAX_UTTERANCE_CHARS`] characters and
    /// [`MAX_UTTERANCE_WORDS`] words: see [`bounded`]).
    pub fn extract(&self, utterance: &str) -> Extraction {
        let mut sc = scan::scan(&self.tables, bounded(utterance));
        let acts = intents::read_acts(&mut sc, &self.tables, &self.menu);
        let mut builder =
            lines::Builder::new(&self.tables, &self.menu, acts.changes, acts.retracts);
        builder.run(&sc);
        for &tok in &builder.consumed {
            if let Some(u) = sc.units.iter_mut().find(|u| u.start == tok) {
                u.used = true;
            }
        }
        let (lines, more_intents) = builder.finish(&sc);
        let mut intents = acts.intents;
        intents.extend(more_intents);
        intents.sort_by_key(|(pos, _)| *pos);
        let mut out_intents: Vec<Intent> = Vec::with_capacity(intents.len());
        for (_, i) in intents {
            if !out_intents.contains(&i) {
                out_intents.push(i);
            }
        }
        Extraction {
            lines,
            intents: out_intents,
            details: acts.details,
            unmatched: {
                let mut u = self.unmatched(&sc);
                u.extend(acts.asked);
                u.sort_by_key(|s| s.start);
                u
            },
        }
    }

    /// The units the scan found in an utterance with their readings, one per line (for
    /// `venue_eval --show`: why a word was read as it was).
    pub fn explain(&self, utterance: &str) -> String {
        let mut sc = scan::scan(&self.tables, bounded(utterance));
        intents::read_acts(&mut sc, &self.tables, &self.menu);
        let menu = &self.menu;
        let mut out = String::new();
        for u in &sc.units {
            let words: Vec<&str> = (u.start..u.end).map(|i| sc.word(i)).collect();
            let readings: Vec<String> = match &u.kind {
                UnitKind::Match(ms, c) => ms
                    .iter()
                    .map(|m| {
                        let what = match m.sense {
                            matcher::Sense::Item(i) => {
                                format!("item {}", menu.items[i as usize].code)
                            }
                            matcher::Sense::Category(c) => {
                                format!("category {}", menu.categories[c as usize].code)
                            }
                            matcher::Sense::Var { item, var } => {
                                let it = &menu.items[item as usize];
                                format!("size {}@{}", it.code, it.variations[var as usize].code)
                            }
                            matcher::Sense::Opt { group, opt } => {
                                let g = &menu.groups[group as usize];
                                format!("option {}={}", g.code, g.options[opt as usize].code)
                            }
                            other => format!("{other:?}"),
                        };
                        format!("{what} ({:.2})", m.confidence * c)
                    })
                    .collect(),
                other => vec![format!("{other:?}")],
            };
            let used = if u.used { " [used by a cue]" } else { "" };
            out.push_str(&format!(
                "{:?}{used}: {}\n",
                words.join(" "),
                readings.join("; ")
            ));
        }
        out
    }

    /// Unknown words not used by any pass, merged into spans.
    fn unmatched(&self, sc: &scan::Scanned) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        let mut last_end_tok = usize::MAX;
        for u in &sc.units {
            if u.used || !matches!(u.kind, UnitKind::Word { function: false }) {
                continue;
            }
            let (a, b) = (sc.tokens[u.start].start, sc.tokens[u.end - 1].end);
            match out.last_mut() {
                Some(last) if last_end_tok == u.start => {
                    last.end = b;
                    last.text = sc.text[last.start..b].to_string();
                }
                _ => out.push(Span {
                    start: a,
                    end: b,
                    text: sc.text[a..b].to_string(),
                }),
            }
            last_end_tok = u.end;
        }
        out
    }

    /// Menu items closest to `text` (an unknown item the caller asked for), best first.
    pub fn suggest(&self, text: &str, limit: usize) -> Vec<String> {
        let (norm, _) = normalise::normalise(text);
        let words: Vec<String> = normalise::phrase_stems(&norm);
        let mut scored: Vec<(f64, usize)> = Vec::new();
        for (i, item) in self.menu.items.iter().enumerate() {
            if !item.available {
                continue;
            }
            let mut best = 0.0f64;
            let mut names = vec![item.name.clone()];
            names.extend(item.aliases.iter().cloned());
            if let Some(cat) = item
                .category
                .as_ref()
                .and_then(|c| self.menu.categories.iter().find(|x| &x.code == c))
            {
                names.push(cat.name.clone());
                names.extend(cat.aliases.iter().cloned());
            }
            for n in names {
                let (nn, _) = normalise::normalise(&n);
                let whole = strsim::jaro_winkler(&norm, &nn);
                let nw = normalise::phrase_stems(&nn);
                // Shared words weigh more than spelling: "veggie pizza" is near "cheese pizza".
                let shared = words.iter().filter(|w| nw.contains(w)).count() as f64;
                let overlap = shared / (words.len().max(nw.len()).max(1) as f64);
                best = best.max(0.6 * whole + 0.4 * overlap);
            }
            scored.push((best, i));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, i)| self.menu.items[i].code.clone())
            .collect()
    }
}
