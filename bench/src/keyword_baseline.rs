//! The keyword baseline of `scripts/bench extract`: what a quick catalog keyword matcher gets,
//! so every extraction figure reads as a margin over it. Not product code, and deliberately
//! simple:
//!
//! - surface forms are only what the menu document gives: item, variation and option names and
//!   their aliases (FoodOrdering: entity names and alias-file forms), plus number words (the
//!   menu lexicon's, digits, "a"/"an", "one".."twelve");
//! - the utterance is normalised as the surface forms are: lower case, punctuation to spaces,
//!   apostrophes dropped, accents folded, plural "s"/"es"/"ies" folded;
//! - greedy longest match left to right; words that match nothing are skipped;
//! - a number starts a new line (or sets the quantity of a line that has nothing yet); an item
//!   fills the current line if it has no item, else starts a new one; sizes and options attach
//!   to the current line (a line of their own if there is none);
//! - when a form has several readings: a size or option the current line's item takes, else an
//!   item, else a number, else the first size or option listed;
//! - nothing else: no negation, no qualifiers beyond what a surface form itself says, no fuzzy
//!   repair, no derived names, no dialog cues, no splitting or sharing of attributes.
//!
//! Its output is an [`Extraction`], scored by the same scorer as kea's.

use std::collections::HashMap;

use kea_core::extract::{fold_accent, Extraction, LineMention, ModMention};
use kea_core::menu::Menu;

#[derive(Debug, Clone, PartialEq)]
enum Reading {
    Item(String),
    /// (item code, variation code).
    Variation(String, String),
    /// (group code, option code).
    Option(String, String),
    Number(u32),
}

pub struct KeywordBaseline {
    /// Normalised phrase (words joined by one space) -> its readings, in menu order.
    forms: HashMap<String, Vec<Reading>>,
    longest: usize,
    /// Item code -> its groups.
    groups: HashMap<String, Vec<String>>,
}

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

impl KeywordBaseline {
    pub fn new(menu: &Menu) -> Self {
        let mut b = KeywordBaseline {
            forms: HashMap::new(),
            longest: 1,
            groups: HashMap::new(),
        };
        for item in &menu.items {
            b.groups.insert(item.code.clone(), item.groups.clone());
            for s in std::iter::once(&item.name).chain(&item.aliases) {
                b.add(s, Reading::Item(item.code.clone()));
            }
            for v in &item.variations {
                for s in std::iter::once(&v.name).chain(&v.aliases) {
                    b.add(s, Reading::Variation(item.code.clone(), v.code.clone()));
                }
            }
        }
        for g in &menu.groups {
            for o in &g.options {
                for s in std::iter::once(&o.name).chain(&o.aliases) {
                    b.add(s, Reading::Option(g.code.clone(), o.code.clone()));
                }
            }
        }
        for n in &menu.lexicon.numbers {
            b.add(&n.phrase, Reading::Number(n.value));
        }
        for (w, n) in NUMBER_WORDS {
            b.add(w, Reading::Number(*n));
        }
        b
    }

    fn add(&mut self, surface: &str, r: Reading) {
        let words = words(surface);
        if words.is_empty() {
            return;
        }
        self.longest = self.longest.max(words.len());
        let readings = self.forms.entry(words.join(" ")).or_default();
        if !readings.contains(&r) {
            readings.push(r);
        }
    }

    pub fn extract(&self, utterance: &str) -> Extraction {
        let words = words(utterance);
        let mut lines: Vec<LineMention> = Vec::new();
        let mut cur = Building::default();
        let mut i = 0;
        while i < words.len() {
            let mut hit: Option<(usize, &[Reading])> = None;
            for len in (1..=self.longest.min(words.len() - i)).rev() {
                if let Some(rs) = self.forms.get(&words[i..i + len].join(" ")) {
                    hit = Some((len, rs));
                    break;
                }
            }
            let digit = words[i].parse::<u32>().ok();
            let (len, reading) = match (hit, digit) {
                (Some((len, rs)), _) => (len, self.choose(&cur, rs)),
                (None, Some(n)) => (1, Reading::Number(n)),
                (None, None) => {
                    i += 1;
                    continue;
                }
            };
            i += len;
            match reading {
                Reading::Number(n) => {
                    if !cur.is_empty() {
                        self.finish(&mut cur, &mut lines);
                    }
                    cur.quantity = Some(n);
                }
                Reading::Item(code) => {
                    if cur.item.is_some() {
                        self.finish(&mut cur, &mut lines);
                    }
                    cur.item = Some(code);
                }
                Reading::Variation(..) | Reading::Option(..) => cur.attrs.push(reading),
            }
        }
        self.finish(&mut cur, &mut lines);
        Extraction {
            lines,
            ..Default::default()
        }
    }

    /// One reading of a form with several: a size or option the current item takes, else an
    /// item, else a number, else the first listed.
    fn choose(&self, cur: &Building, rs: &[Reading]) -> Reading {
        if let Some(item) = &cur.item {
            if let Some(r) = rs.iter().find(|r| self.fits(item, r)) {
                return r.clone();
            }
        }
        rs.iter()
            .find(|r| matches!(r, Reading::Item(_)))
            .or_else(|| rs.iter().find(|r| matches!(r, Reading::Number(_))))
            .unwrap_or(&rs[0])
            .clone()
    }

    fn fits(&self, item: &str, r: &Reading) -> bool {
        match r {
            Reading::Variation(i, _) => i == item,
            Reading::Option(g, _) => self.groups.get(item).is_some_and(|gs| gs.contains(g)),
            _ => false,
        }
    }

    /// Closes the line being built: each size or option said takes the reading that fits the
    /// line's item when one does (the same form can name the large of several items).
    fn finish(&self, cur: &mut Building, lines: &mut Vec<LineMention>) {
        let b = std::mem::take(cur);
        if b.item.is_none() && b.attrs.is_empty() {
            return;
        }
        let mut line = LineMention {
            item: b.item.clone(),
            quantity: b.quantity.unwrap_or(1),
            quantity_explicit: b.quantity.is_some(),
            confidence: 1.0,
            ..Default::default()
        };
        for said in &b.attrs {
            let r = match &b.item {
                Some(item) => self
                    .alternatives(said)
                    .into_iter()
                    .find(|r| self.fits(item, r))
                    .unwrap_or_else(|| said.clone()),
                None => said.clone(),
            };
            match r {
                Reading::Variation(_, v) => {
                    line.variation.get_or_insert(v);
                }
                Reading::Option(group, option) => line.modifiers.push(ModMention {
                    group,
                    option,
                    confidence: 1.0,
                    ..Default::default()
                }),
                _ => {}
            }
        }
        lines.push(line);
    }

    /// Every reading of the forms that produced `r` (the other items' sizes of the same name).
    fn alternatives(&self, r: &Reading) -> Vec<Reading> {
        self.forms
            .values()
            .filter(|rs| rs.contains(r))
            .flat_map(|rs| rs.iter().cloned())
            .collect()
    }
}

#[derive(Default)]
struct Building {
    quantity: Option<u32>,
    item: Option<String>,
    /// Sizes and options as first read, in the order said.
    attrs: Vec<Reading>,
}

impl Building {
    fn is_empty(&self) -> bool {
        self.item.is_none() && self.attrs.is_empty()
    }
}

/// Normalised words: lower case, accents folded, apostrophes dropped, anything else that is
/// not a letter or digit splits words; plural endings folded.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut w = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c).unwrap_or(c);
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_alphanumeric() {
            w.push(c);
        } else if !w.is_empty() {
            out.push(fold_plural(&std::mem::take(&mut w)));
        }
    }
    if !w.is_empty() {
        out.push(fold_plural(&w));
    }
    out
}

fn fold_plural(w: &str) -> String {
    if w.len() <= 3 || !w.chars().all(char::is_alphabetic) {
        return w.to_string();
    }
    if let Some(base) = w.strip_suffix("ies").filter(|b| b.len() > 1) {
        return format!("{base}y");
    }
    if let Some(base) = w.strip_suffix("es") {
        if ["ss", "sh", "ch", "x", "z", "o"]
            .iter()
            .any(|e| base.ends_with(e))
        {
            return base.to_string();
        }
    }
    match w.strip_suffix('s') {
        Some(base) if !base.ends_with('s') && !base.ends_with('u') && !base.ends_with('i') => {
            base.to_string()
        }
        _ => w.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kea_core::menu::{Item, ModOption, ModifierGroup, Variation};

    fn menu() -> Menu {
        let var = |code: &str| Variation {
            code: code.into(),
            name: code.into(),
            available: true,
            ..Default::default()
        };
        Menu {
            items: vec![
                Item {
                    code: "lemonade".into(),
                    name: "Lemonade".into(),
                    variations: vec![var("medium"), var("large")],
                    available: true,
                    ..Default::default()
                },
                Item {
                    code: "fries".into(),
                    name: "French Fries".into(),
                    aliases: vec!["fries".into()],
                    variations: vec![var("large")],
                    groups: vec!["dip".into()],
                    available: true,
                    ..Default::default()
                },
            ],
            groups: vec![ModifierGroup {
                code: "dip".into(),
                name: "Dip".into(),
                options: vec![ModOption {
                    code: "ranch".into(),
                    name: "Ranch".into(),
                    available: true,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn keys(e: &Extraction) -> Vec<String> {
        e.lines
            .iter()
            .map(|l| {
                let mods: Vec<String> = l.modifiers.iter().map(|m| m.option.clone()).collect();
                format!(
                    "{} {}@{} {}",
                    l.quantity,
                    l.item.clone().unwrap_or_default(),
                    l.variation.clone().unwrap_or_default(),
                    mods.join(",")
                )
            })
            .collect()
    }

    #[test]
    fn numbers_start_lines_and_attributes_attach() {
        let b = KeywordBaseline::new(&menu());
        let e = b.extract("Two lemonades, and a large order of fries with ranch");
        assert_eq!(keys(&e), ["2 lemonade@ ", "1 fries@large ranch"]);
        // No negation: "no ranch" is ranch.
        let e = b.extract("fries no ranch lemonade");
        assert_eq!(keys(&e), ["1 fries@ ranch", "1 lemonade@ "]);
        assert!(b.extract("hello there").lines.is_empty());
    }
}
