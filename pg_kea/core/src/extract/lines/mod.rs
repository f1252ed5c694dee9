//! Line building: a left-to-right pass over the units that groups quantities, items, sizes and
//! options into order lines.
//!
//! A new line starts at a quantity once the current line has content, at a second item name,
//! and at any word the current line cannot take (an option only another item has). Negation
//! and qualifiers wait for the next option ("no onions", "extra cheese", "without a thin
//! crust"). Afterwards: an "a ..." fragment that fits the line before joins it ("a burrito
//! with rice and a bit of cheese"), "two pizzas, one with ham and one with olives" is split,
//! and each option is resolved to the group of the line's item.

mod after;
mod context;
mod family_base;
mod group_default;
mod heat;
mod matched;
mod mention;
mod one_pick;
pub(super) mod sized_option;

use super::compile::Tables;
use super::lexicon;
use super::matcher::{Meaning, Sense};
use super::scan::{Scanned, UnitKind};
use super::types::{Intent, LineMention, ModMention, Qualifier, Span};
use crate::menu::Menu;

/// How many words a pending "no"/"extra" may wait for its option ("i don't want it on thin
/// crust").
const PENDING_REACH: usize = 4;

/// Most items a line lists as candidates for the dialog to ask about; more is no question.
const MAX_CANDIDATES: usize = 8;

#[derive(Debug, Clone)]
struct Mod {
    /// (group, option) readings, narrowed when the item is known.
    cands: Vec<(u32, u32)>,
    negated: bool,
    qual: Option<Qualifier>,
    conf: f32,
    start: usize,
    end: usize,
    /// From a describing partial alias ("bottle" of "bottle of water").
    describer: bool,
    /// Said right after another menu word, as in a bare list ("black beans romaine cheese").
    in_list: bool,
    /// "two sugars", "three pumps of vanilla".
    count: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Line {
    qty: Option<u32>,
    qty_article: bool,
    item_named: bool,
    item: Option<u32>,
    item_conf: f32,
    /// Items the line can still be; `None` = any.
    cands: Option<Vec<u32>>,
    var: Option<(Vec<(u32, u32)>, f32)>,
    mods: Vec<Mod>,
    start: usize,
    end: usize,
    has_content: bool,
    /// Said after "make that"/"actually": a change to the last line.
    pub change: bool,
    change_strong: bool,
    /// "make it large" inside the line: a new size replaces the old one.
    amend: bool,
    /// The cue inside the line was "make it"/"change it to" (not "actually", "instead"):
    /// a value of a single-choice group said after it replaces the one before.
    amend_replaces: bool,
    /// "a large one": the item is the one of the line before.
    pronoun: bool,
    /// Token after the last mention of the item's name.
    item_tok: usize,
    /// For a part shared out of a line ("two sandos, one hot"): the token after the name of
    /// the line it came from.
    parent_item_tok: Option<usize>,
    /// The item was first named after options ("pepperoni pizza"), not before ("pizza with").
    named_after_options: bool,
    /// "both with extra cheese": attributes for the lines just said, not a line of its own.
    shared: bool,
    /// A size or option was said that the item does not take.
    dropped: bool,
    /// The count was said as the whole count wanted ("just one", "only two").
    whole_count: bool,
}

fn intersect(a: &Option<Vec<u32>>, b: &[u32]) -> Vec<u32> {
    match a {
        None => b.to_vec(),
        Some(a) => a.iter().copied().filter(|x| b.contains(x)).collect(),
    }
}

pub struct Builder<'a> {
    t: &'a Tables,
    menu: &'a Menu,
    pub lines: Vec<Line>,
    cur: Line,
    pending_neg: Option<usize>,
    pending_qual: Option<(Qualifier, usize)>,
    /// The last option was negated and an "or" followed: negate the next one too.
    neg_chain: bool,
    pub intents: Vec<(usize, Intent)>,
    /// The unit before the current one named something on the menu.
    prev_content: bool,
    /// Token of the last "and"/"or".
    last_conj: Option<usize>,
    /// Unknown words read through coordination ("black and pinto beans").
    pub consumed: Vec<usize>,
    /// (token, strong): "make that" is strong, "actually" only when no item is named.
    changes: Vec<(usize, bool)>,
    next_change: usize,
    /// Tokens after "no wait", "i mean": what follows replaces what was just said.
    retracts: Vec<usize>,
    next_retract: usize,
    retract_pending: bool,
    /// A count waiting for its option ("two sugars", "three pumps of"): (count, token end).
    pending_count: Option<(u32, usize)>,
    /// "two of each": the quantity of every line said.
    each: Option<u32>,
    /// Token of a count said after "just"/"only" ("just one pakora").
    whole_count_at: Option<usize>,
}

impl<'a> Builder<'a> {
    pub fn new(
        t: &'a Tables,
        menu: &'a Menu,
        changes: Vec<(usize, bool)>,
        retracts: Vec<usize>,
    ) -> Self {
        Builder {
            t,
            menu,
            lines: Vec::new(),
            cur: Line::default(),
            pending_neg: None,
            pending_qual: None,
            neg_chain: false,
            intents: Vec::new(),
            consumed: Vec::new(),
            last_conj: None,
            prev_content: false,
            changes,
            next_change: 0,
            retracts,
            next_retract: 0,
            retract_pending: false,
            pending_count: None,
            each: None,
            whole_count_at: None,
        }
    }

    fn close(&mut self) {
        let line = std::mem::take(&mut self.cur);
        if self.retract_pending {
            // "a burrito, no wait, a bowl": the line being said when the caller took it back
            // goes, or the last one if nothing was being said.
            self.retract_pending = false;
            if !line.has_content && line.qty.is_none() {
                self.lines.pop();
            }
            return;
        }
        if line.has_content || (line.qty.is_some() && !line.qty_article) {
            self.lines.push(line);
        }
    }

    fn start_line(&mut self, tok: usize) {
        self.close();
        self.cur.start = tok;
        self.cur.end = tok;
    }

    pub fn run(&mut self, sc: &Scanned) {
        let units = &sc.units;
        // A retract just heard on a line with content, still true over fillers ("actually just").
        let mut after_retract = false;
        for k in 0..units.len() {
            let u = &units[k];
            if u.used {
                continue;
            }
            let filler = matches!(u.kind, UnitKind::Word { function: true });
            let mut retracted_here = after_retract;
            after_retract &= filler;
            let mut change = None;
            while self.next_change < self.changes.len()
                && self.changes[self.next_change].0 <= u.start
            {
                change = Some(self.changes[self.next_change].1);
                self.next_change += 1;
            }
            while self.next_retract < self.retracts.len()
                && self.retracts[self.next_retract] <= u.start
            {
                self.next_retract += 1;
                if !self.cur.has_content && self.cur.qty.is_some() {
                    // "two, i mean three": only the number is taken back.
                    self.cur.qty = None;
                    self.cur.qty_article = false;
                } else {
                    self.retract_pending = true;
                    retracted_here = self.cur.has_content;
                    after_retract = retracted_here && filler;
                }
            }
            if self.group_default(sc, k) || self.group_after_option(sc, k) {
                continue;
            }
            if let Some(strong) = change {
                if self.cur.has_content {
                    // "a pizza and make it large": the line being said is amended in place.
                    self.cur.amend = true;
                    self.cur.amend_replaces |= strong;
                } else {
                    // Otherwise it changes a line of an earlier turn.
                    if self.cur.qty.is_some() {
                        self.start_line(u.start);
                    }
                    self.cur.change = true;
                    self.cur.change_strong = strong;
                }
            }
            // "two" as an alias of "2% Milk": before another menu word it is a count ("two
            // medium coffees").
            let count_before_content = |ms: &[Meaning]| {
                u.end - u.start == 1
                    && units.get(k + 1).is_some_and(|n| {
                        matches!(&n.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
                    })
                    && ms
                        .iter()
                        .any(|m| matches!(m.sense, Sense::Num { article: false, .. }))
            };
            let is_num = match &u.kind {
                UnitKind::Digits(_) => true,
                UnitKind::Match(ms, _) => {
                    ms.iter().any(|m| matches!(m.sense, Sense::Num { .. }))
                        && (!ms.iter().any(|m| m.sense.is_content()) || count_before_content(ms))
                }
                _ => false,
            };
            // "just one pakora", "only 2 samosas": the whole count wanted.
            let whole_word = |i: usize| lexicon::WHOLE_COUNT.contains(&sc.word(i));
            let whole = is_num
                && (whole_word(u.start)
                    || k.checked_sub(1).is_some_and(|p| {
                        matches!(units[p].kind, UnitKind::Word { .. }) && whole_word(units[p].start)
                    }));
            self.whole_count_at = whole.then_some(u.start);
            let measure = is_num
                && self.cur.has_content
                && units.get(k + 1).is_some_and(|n| {
                    !n.used && matches!(n.kind, UnitKind::Word { function: false })
                });
            // "a large one": the pronoun, not a second line; the line is of the kind just said.
            // "the char one": after the item's own name with no count, too.
            let pronoun = is_num
                && sc.word(u.start) == "one"
                && (!self.cur.item_named && (self.cur.qty.is_none() || self.cur.qty_article)
                    || self.cur.item_named && self.cur.qty.is_none())
                && k > 0
                && matches!(&units[k - 1].kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
                && !units.get(k + 1).is_some_and(|n| {
                    matches!(&n.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
                });
            if pronoun {
                self.cur.pronoun = true;
                continue;
            }
            let value = match &u.kind {
                UnitKind::Digits(v) => Some(*v),
                UnitKind::Match(ms, _) => ms.iter().find_map(|m| match m.sense {
                    Sense::Num { value, article } if !article || value > 1 => Some(value),
                    _ => None,
                }),
                _ => None,
            };
            if let Some(v) = value.filter(|_| is_num) {
                if self.of_each(sc, k) {
                    self.each = Some(v);
                    continue;
                }
                if measure || self.counts_option(sc, k, v) {
                    // "a latte with two pumps of vanilla", "a coffee with two sugars": a count
                    // of the option, not a new line.
                    self.pending_count = Some((v, u.end));
                    continue;
                }
            }
            if measure {
                continue;
            }
            // "two cubanas, actually three", "four beefs, sorry five, dry": a count said right
            // after a retract, counting no item or kind named after it, only changes the count.
            if let Some(v) = value.filter(|_| is_num && retracted_here && self.cur.has_content) {
                let names_next = units.get(k + 1).is_some_and(|n| {
                    matches!(&n.kind, UnitKind::Match(m, _) if m.iter().any(|x| matches!(x.sense, Sense::Item(_) | Sense::Category(_))))
                });
                if !names_next {
                    self.retract_pending = false;
                    self.cur.qty = Some(v);
                    self.cur.qty_article = false;
                    self.cur.end = u.end;
                    continue;
                }
            }
            // "a ham and cheese on a bagel, actually make it two": a count said right after a
            // change cue inside the line, with no menu word after it, is the line's count.
            if let Some(v) =
                value.filter(|_| is_num && change == Some(true) && self.cur.has_content)
            {
                let content_after = units[k + 1..].iter().any(|n| {
                    !n.used
                        && matches!(&n.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
                });
                if !content_after {
                    self.cur.qty = Some(v);
                    self.cur.qty_article = false;
                    self.cur.end = u.end;
                    continue;
                }
            }
            if let (Some(v), UnitKind::Match(..)) = (value.filter(|_| is_num), &u.kind) {
                self.number(v, false, u.start, u.end);
                continue;
            }
            match &u.kind {
                UnitKind::Digits(v) => self.number(*v, false, u.start, u.end),
                UnitKind::Word { function } => {
                    let id = sc.ids[u.start];
                    if self.neg_chain && self.t.or_words.contains(&id) {
                        self.pending_neg = Some(u.end);
                    }
                    if !self.t.or_words.contains(&id) {
                        self.neg_chain = false;
                    }
                    if self.t.or_words.contains(&id) || sc.word(u.start) == "and" {
                        self.last_conj = Some(u.start);
                    }
                    if !function {
                        self.coordinated(sc, k);
                    } else if sc.word(u.start) == "both"
                        && (self.cur.has_content || !self.lines.is_empty())
                    {
                        // "a latte and a mocha, both large": what follows is for both.
                        self.close();
                        self.cur.shared = true;
                        self.cur.start = u.start;
                        self.cur.end = u.end;
                    }
                }
                UnitKind::Match(ms, conf) => {
                    if !self.meaningful(sc, k) {
                        continue;
                    }
                    let prev = k.checked_sub(1).map(|p| &units[p]);
                    let next = units.get(k + 1);
                    self.prev_content = prev.is_some_and(|p| {
                        matches!(&p.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
                    });
                    let prefix = prev.and_then(|p| marker(p, true));
                    let suffix = next.and_then(|n| marker(n, false));
                    let at = Some((sc, k));
                    self.matched(&matched::Said {
                        ms,
                        conf: *conf,
                        surface: u.surface,
                        start: u.start,
                        end: u.end,
                        prefix,
                        suffix,
                        at,
                    });
                }
            }
        }
        self.close();
    }

    /// "black and pinto beans": an unknown word, "and"/"or", then a multi-word alias whose
    /// last word completes the first one into another alias ("black beans").
    fn coordinated(&mut self, sc: &Scanned, k: usize) {
        let units = &sc.units;
        let (Some(conj), Some(next)) = (units.get(k + 1), units.get(k + 2)) else {
            return;
        };
        if !matches!(conj.kind, UnitKind::Word { .. })
            || !self.t.or_words.contains(&sc.ids[conj.start]) && sc.word(conj.start) != "and"
            || next.end - next.start < 2
            || !matches!(next.kind, UnitKind::Match(..))
        {
            return;
        }
        let head = sc.ids[next.end - 1];
        let ms = self.t.trie.get(&[sc.ids[units[k].start], head]);
        if ms.iter().any(|m| matches!(m.sense, Sense::Opt { .. })) {
            let u = &units[k];
            self.consumed.push(u.start);
            self.matched(&matched::Said {
                ms,
                conf: 1.0,
                surface: 0,
                start: u.start,
                end: u.end,
                prefix: None,
                suffix: None,
                at: None,
            });
        }
    }

    fn number(&mut self, v: u32, article: bool, start: usize, end: usize) {
        if self.pending_reaches(start) {
            // "without a thin crust", "with a little cheese": an article, not a new line.
            return;
        }
        if self.cur.has_content {
            self.start_line(start);
        } else if self.cur.qty.is_none() {
            self.cur.start = start;
        }
        // "one on a bagel": the article after an explicit count adds nothing.
        if article && self.cur.qty.is_some() && !self.cur.qty_article {
            self.cur.end = end;
            return;
        }
        self.cur.qty = Some(v);
        self.cur.qty_article = article;
        self.cur.whole_count = !article && self.whole_count_at == Some(start);
        self.cur.end = end;
        self.neg_chain = false;
    }

    fn pending_reaches(&self, start: usize) -> bool {
        self.pending_neg.is_some_and(|e| start <= e + PENDING_REACH)
            || self
                .pending_qual
                .is_some_and(|(_, e)| start <= e + PENDING_REACH)
    }

    fn touch(&mut self, start: usize, end: usize) {
        // "a burrito with chicken, no wait, with steak": the correction amends this line.
        self.retract_pending = false;
        if !self.cur.has_content && self.cur.qty.is_none() {
            self.cur.start = start;
        }
        self.cur.has_content = true;
        self.cur.end = end;
    }

    /// Post-processing and conversion to the public type.
    pub fn finish(mut self, sc: &Scanned) -> (Vec<LineMention>, Vec<(usize, Intent)>) {
        // One item reached by two words ("pieces" and "nigiri", each a size of it) is one
        // candidate, not a choice between it and itself.
        for l in &mut self.lines {
            if let Some(c) = l.cands.as_mut() {
                let mut seen = Vec::with_capacity(c.len());
                c.retain(|i| {
                    let new = !seen.contains(i);
                    seen.push(*i);
                    new
                });
            }
        }
        self.name_then_kind(sc);
        self.swapped_in_option(sc);
        self.drop_replaced(sc);
        self.merge_fragments();
        self.share();
        self.said_on_one(sc);
        self.distribute();
        self.trailing_counts(sc);
        self.sizes_by_count(sc);
        self.own_kinds();
        self.one_pick_names_dish(sc);
        self.plain_members(sc);
        self.combo_not_said(sc);
        self.family_base(sc);
        self.heat_words(sc);
        if let Some(n) = self.each {
            for l in &mut self.lines {
                if l.qty.is_none() || l.qty_article {
                    l.qty = Some(n);
                }
            }
        }
        self.resolve_pronouns();
        self.borrow_heads();
        let mut out = Vec::with_capacity(self.lines.len());
        let mut intents = std::mem::take(&mut self.intents);
        for line in &self.lines {
            let lm = self.mention(line, sc);
            if line.change && (line.change_strong || !line.item_named) {
                intents.push((line.start, change_intent(lm)));
            } else {
                out.push(lm);
            }
        }
        (out, intents)
    }
}

/// A prefix (`before`) or suffix marker carried by a unit.
fn marker(u: &super::scan::Unit, before: bool) -> Option<u32> {
    match &u.kind {
        UnitKind::Match(ms, _) => ms.iter().find_map(|m| match (m.sense, before) {
            (Sense::Prefix(g), true) | (Sense::Suffix(g), false) => Some(g),
            _ => None,
        }),
        _ => None,
    }
}

/// "make that three" -> SetQuantity; "actually a medium" / "make it no onions" -> Modify.
fn change_intent(lm: LineMention) -> Intent {
    if lm.variation.is_none() && lm.modifiers.is_empty() && lm.quantity_explicit {
        return Intent::SetQuantity {
            item: lm.item,
            quantity: lm.quantity,
        };
    }
    Intent::Modify {
        item: lm.item.clone(),
        changes: lm,
    }
}
