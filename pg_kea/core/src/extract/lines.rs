//! Line building: a left-to-right pass over the units that groups quantities, items, sizes and
//! options into order lines.
//!
//! A new line starts at a quantity once the current line has content, at a second item name,
//! and at any word the current line cannot take (an option only another item has). Negation
//! and qualifiers wait for the next option ("no onions", "extra cheese", "without a thin
//! crust"). Afterwards: an "a ..." fragment that fits the line before joins it ("a burrito
//! with rice and a bit of cheese"), "two pizzas, one with ham and one with olives" is split,
//! and each option is resolved to the group of the line's item.

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
    /// "a large one": the item is the one of the line before.
    pronoun: bool,
    /// Token after the last mention of the item's name.
    item_tok: usize,
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
        for k in 0..units.len() {
            let u = &units[k];
            if u.used {
                continue;
            }
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
                }
            }
            if let Some(strong) = change {
                if self.cur.has_content {
                    // "a pizza and make it large": the line being said is amended in place.
                    self.cur.amend = true;
                } else {
                    // Otherwise it changes a line of an earlier turn.
                    if self.cur.qty.is_some() {
                        self.start_line(u.start);
                    }
                    self.cur.change = true;
                    self.cur.change_strong = strong;
                }
            }
            let is_num = match &u.kind {
                UnitKind::Digits(_) => true,
                UnitKind::Match(ms, _) => {
                    ms.iter().any(|m| matches!(m.sense, Sense::Num { .. }))
                        && !ms.iter().any(|m| m.sense.is_content())
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
            let pronoun = is_num
                && sc.word(u.start) == "one"
                && !self.cur.item_named
                && (self.cur.qty.is_none() || self.cur.qty_article)
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
                    self.matched(ms, *conf, u.surface, u.start, u.end, prefix, suffix, at);
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
            self.matched(ms, 1.0, 0, u.start, u.end, None, None, None);
        }
    }

    /// Whether a matched unit counts here. A lone article ("a favor") or a menu word that is
    /// also a grammar word ("can i get") only counts next to order words.
    fn meaningful(&self, sc: &Scanned, k: usize) -> bool {
        let units = &sc.units;
        let UnitKind::Match(ms, _) = &units[k].kind else {
            return true;
        };
        let is_content = |u: &super::scan::Unit| {
            !u.used
                && matches!(&u.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
        };
        let is_quantity = |u: &super::scan::Unit| {
            !u.used
                && match &u.kind {
                    UnitKind::Digits(_) => true,
                    UnitKind::Match(m, _) => m
                        .iter()
                        .any(|x| matches!(x.sense, Sense::Num { .. } | Sense::Qual(_))),
                    _ => false,
                }
        };
        if ms.iter().any(|m| m.sense.is_content()) {
            let u = &units[k];
            let id = sc.ids[u.start];
            let weak = u.end - u.start == 1
                && id != super::matcher::NO_WORD
                && self.t.function[id as usize];
            // A participle of a longer alias right before another menu word describes that
            // word ("grilled chicken", "fried chicken"), not an option of its own.
            // Any describing piece does so before a full name of another kind of thing ("a
            // large sweet tea" when "sweet" is only a piece of "sweet potato fries"); before
            // one of the same item it may be a list ("pinto, fresh tomato").
            let describing = u.end - u.start == 1
                && ms
                    .iter()
                    .filter(|m| m.sense.is_content())
                    .all(|m| m.confidence == super::compile::PARTIAL_MODIFIER_CONFIDENCE);
            if describing {
                let participle = sc.word(u.start).ends_with("ed");
                let next_full = units.get(k + 1).filter(|n| {
                    !n.used
                        && matches!(&n.kind, UnitKind::Match(m, _)
                            if m.iter().any(|x| x.sense.is_content() && x.confidence == 1.0))
                });
                return match next_full {
                    None => true,
                    Some(_) if participle => false,
                    Some(_) => {
                        let here = self.items_of(ms);
                        let there = match &units[k + 1].kind {
                            UnitKind::Match(m, _) => self.items_of(m),
                            _ => Vec::new(),
                        };
                        here.iter().any(|i| there.contains(i))
                    }
                };
            }
            // "a cup of coffee", "an order of fries": a piece of a dish's name used as a
            // container or measure of the menu word after "of".
            let container = ms
                .iter()
                .filter(|m| m.sense.is_content())
                .all(|m| m.confidence < 1.0 && matches!(m.sense, Sense::Item(_)))
                && sc.word(u.end.min(sc.tokens.len() - 1)) == "of"
                && units
                    .iter()
                    .skip(k + 2)
                    .find(|x| !matches!(x.kind, UnitKind::Word { function: true }))
                    .is_some_and(is_content);
            if container {
                return false;
            }
            if !weak {
                return true;
            }
            let prev_ok = k > 0 && (is_quantity(&units[k - 1]) || is_content(&units[k - 1]));
            let next_ok = units.get(k + 1).is_some_and(is_content);
            return prev_ok || next_ok;
        }
        let article = ms
            .iter()
            .all(|m| matches!(m.sense, Sense::Num { article: true, .. }));
        if article {
            let mut j = k + 1;
            let mut skipped = 0;
            while j < units.len() && skipped < 2 {
                match &units[j].kind {
                    UnitKind::Word { function: true } => {
                        skipped += 1;
                        j += 1;
                    }
                    _ => break,
                }
            }
            return units
                .get(j)
                .is_some_and(|u| is_content(u) || is_quantity(u));
        }
        true
    }

    /// Items a unit's meanings name or take (options: the items of their group).
    fn items_of(&self, ms: &[Meaning]) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for m in ms {
            match m.sense {
                Sense::Item(i) | Sense::Var { item: i, .. } => out.push(i),
                Sense::Category(c) => out.extend(&self.t.category_items[c as usize]),
                Sense::Opt { group, .. } => out.extend(&self.t.group_items[group as usize]),
                _ => {}
            }
        }
        out
    }

    /// "two of each": a number followed by "of each".
    fn of_each(&self, sc: &Scanned, k: usize) -> bool {
        let t = sc.units[k].end;
        t + 1 < sc.tokens.len() && sc.word(t) == "of" && sc.word(t + 1) == "each"
    }

    /// "with two sugars": a count right before an option of a many-choice group of the line's
    /// item, that could not be a line of its own (no item or size said with it). A count of a
    /// single-choice option is a split instead ("three tacos, two chicken and one steak").
    fn counts_option(&self, sc: &Scanned, k: usize, v: u32) -> bool {
        let Some(next) = sc.units.get(k + 1) else {
            return false;
        };
        let UnitKind::Match(ms, _) = &next.kind else {
            return false;
        };
        if !self.cur.has_content
            || v < 2
            || ms.iter().any(|m| {
                matches!(
                    m.sense,
                    Sense::Item(_) | Sense::Category(_) | Sense::Var { .. }
                )
            })
        {
            return false;
        }
        // "two small diet sprites": the option describes what comes next, a new line.
        let described = sc.units.get(k + 2).is_some_and(
            |n| matches!(&n.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content())),
        );
        let Some(cands) = self.cur.cands.as_ref().filter(|_| !described) else {
            return false;
        };
        // Only add-ons counted in portions (groups that take "extra"/"light") have counts; a
        // count before a kind of thing ("three pepsis") is a line of its own.
        ms.iter().any(|m| match m.sense {
            Sense::Opt { group, .. } => {
                let g = &self.menu.groups[group as usize];
                g.max != 1
                    && g.qualified
                    && self.t.group_items[group as usize]
                        .iter()
                        .any(|i| cands.contains(i))
            }
            _ => false,
        })
    }

    /// Whether the next menu word after unit `k` names or implies only items the current line
    /// cannot be, some of which take `fits` (what unit `k` could be said of). The same test as
    /// `items_ahead` without building the list: it runs for every option in a list.
    fn next_starts_other_line(&self, sc: &Scanned, k: usize, fits: &[u32]) -> bool {
        let Some(ms) = self.content_ahead(sc, k) else {
            return false;
        };
        let in_line = |i: u32| self.cur.cands.as_ref().is_none_or(|c| c.contains(&i));
        let names = ms
            .iter()
            .any(|m| matches!(m.sense, Sense::Item(_) | Sense::Category(_)));
        let mut fit = false;
        for m in ms {
            let items: &[u32] = match m.sense {
                Sense::Item(ref i) => std::slice::from_ref(i),
                Sense::Category(c) => &self.t.category_items[c as usize],
                Sense::Opt { group, .. } if !names => &self.t.group_items[group as usize],
                _ => &[],
            };
            for &i in items {
                if in_line(i) {
                    return false;
                }
                fit |= fits.contains(&i);
            }
        }
        fit
    }

    /// The meanings of the next menu word after unit `k` (skipping up to two grammar words),
    /// unless it is only a describing piece ("eggs" of "Two Eggs Any Style"), which points
    /// nowhere.
    fn content_ahead<'s>(&self, sc: &'s Scanned, k: usize) -> Option<&'s [Meaning]> {
        let mut skipped = 0;
        for u in sc.units.iter().skip(k + 1) {
            if u.used {
                continue;
            }
            match &u.kind {
                UnitKind::Word { function: true } if skipped < 2 => skipped += 1,
                UnitKind::Match(ms, _) if ms.iter().any(|m| m.sense.is_content()) => {
                    let describing = ms
                        .iter()
                        .filter(|m| m.sense.is_content())
                        .all(|m| m.confidence <= super::compile::PARTIAL_MODIFIER_CONFIDENCE);
                    return (!describing).then_some(ms);
                }
                _ => return None,
            }
        }
        None
    }

    /// Items named or implied by the next menu word after unit `k` (skipping up to two
    /// grammar words), if it names or implies any.
    fn items_ahead(&self, sc: &Scanned, k: usize) -> Option<Vec<u32>> {
        let ms = self.content_ahead(sc, k)?;
        let mut items: Vec<u32> = Vec::new();
        for m in ms.iter() {
            match m.sense {
                Sense::Item(i) => items.push(i),
                Sense::Category(c) => items.extend(&self.t.category_items[c as usize]),
                _ => {}
            }
        }
        if items.is_empty() {
            for m in ms.iter() {
                if let Sense::Opt { group, .. } = m.sense {
                    items.extend(&self.t.group_items[group as usize]);
                }
            }
        }
        items.sort_unstable();
        items.dedup();
        (!items.is_empty()).then_some(items)
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

    #[allow(clippy::too_many_arguments)]
    fn matched(
        &mut self,
        ms: &[Meaning],
        conf: f32,
        surface: u64,
        start: usize,
        end: usize,
        prefix: Option<u32>,
        suffix: Option<u32>,
        at: Option<(&Scanned, usize)>,
    ) {
        // Items the next menu word names or implies; worked out only where a rule needs it.
        let next_items = |this: &Self| at.and_then(|(sc, k)| this.items_ahead(sc, k));
        let mut content: Vec<&Meaning> = ms.iter().filter(|m| m.sense.is_content()).collect();
        // One stem, several aliases ("veggie" / "veggies"): the form actually said wins.
        if content.len() > 1 && content.iter().any(|m| m.surface == surface) {
            let exact: Vec<Sense> = content
                .iter()
                .filter(|m| m.surface == surface)
                .map(|m| m.sense)
                .collect();
            // An item's own name in the plural ("burritos") is that item, even when the form
            // said is exactly its category's name ("Burritos").
            let keep_items = exact.iter().all(|s| matches!(s, Sense::Category(_)));
            content.retain(|m| {
                exact.contains(&m.sense)
                    || m.confidence < 1.0
                    || keep_items && matches!(m.sense, Sense::Item(_))
            });
        }
        if content.is_empty() {
            // Grammar: number, qualifier, negation (a cue not taken by the cue pass is a word).
            if let Some(m) = ms.iter().find(|m| matches!(m.sense, Sense::Num { .. })) {
                if let Sense::Num { value, article } = m.sense {
                    self.number(value, article, start, end);
                }
            } else if let Some(m) = ms.iter().find(|m| matches!(m.sense, Sense::Qual(_))) {
                if let Sense::Qual(q) = m.sense {
                    self.pending_qual = Some((q, end));
                }
            } else if ms.iter().any(|m| m.sense == Sense::Neg) {
                self.pending_neg = Some(end);
                self.neg_chain = false;
            }
            return;
        }
        let conf_of = |m: &Meaning| m.confidence * conf;
        let mut named: Vec<&&Meaning> = content
            .iter()
            .filter(|m| matches!(m.sense, Sense::Item(_) | Sense::Category(_)))
            .collect();
        // "a milk tea": the items whose names say it are narrower than the category.
        if named.iter().any(|m| matches!(m.sense, Sense::Item(_))) {
            named.retain(|m| matches!(m.sense, Sense::Item(_)));
        }
        let mut opts: Vec<(u32, u32, f32)> = content
            .iter()
            .filter_map(|m| match m.sense {
                Sense::Opt { group, opt } => Some((group, opt, conf_of(m))),
                _ => None,
            })
            .collect();
        opts.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
        opts.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        // A prefix/suffix marker picks the group ("side of guacamole", "chips on the side").
        for marker in [prefix, suffix].into_iter().flatten() {
            if opts.iter().any(|o| o.0 == marker) {
                opts.retain(|o| o.0 == marker);
            }
        }
        let mut vars: Vec<(u32, u32, f32)> = content
            .iter()
            .filter_map(|m| match m.sense {
                Sense::Var { item, var } => Some((item, var, conf_of(m))),
                _ => None,
            })
            .collect();
        vars.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);

        // An option the current (named) item takes wins over an item of the same name.
        // After "both", a word that is an item and an option ("both with home fries") is the
        // option of the lines before.
        let opt_fits_named = (self.cur.item_named || self.cur.shared)
            && opts
                .iter()
                .any(|o| !intersect(&self.cur.cands, &self.t.group_items[o.0 as usize]).is_empty());
        // A word that is both an item's name and an option of that same item ("coffee" as
        // the coffee order and as its drink type) is read as the option: it says more.
        let opt_implies_named = named.iter().any(|m| match m.sense {
            Sense::Item(i) => opts
                .iter()
                .any(|o| self.t.group_items[o.0 as usize].contains(&i)),
            _ => false,
        });
        // "a chicken taco", "two asada": a piece of a name that is also an option goes where the
        // utterance points: to the option when the next word names an item that takes it, or
        // when the option is the closer reading (its head noun against a describing word).
        let named_partial = named.iter().all(|m| m.confidence < 1.0);
        let opt_by_context = !opts.is_empty()
            && named_partial
            && (next_items(self).as_ref().is_some_and(|n| {
                opts.iter().any(|o| {
                    self.t.group_items[o.0 as usize]
                        .iter()
                        .any(|i| n.contains(i))
                })
            }) || {
                let best = |f: &dyn Fn(&Sense) -> bool| {
                    content
                        .iter()
                        .filter(|m| f(&m.sense))
                        .map(|m| m.confidence)
                        .fold(0.0f32, f32::max)
                };
                best(&|s| matches!(s, Sense::Opt { .. }))
                    > best(&|s| matches!(s, Sense::Item(_) | Sense::Category(_)))
            });
        // "poached eggs" on a line that already has its dish ("corned beef hash with ..."):
        // a describing piece of another dish's name describes, it orders nothing.
        // Right after options of a line with no dish yet, it describes only when its dish could
        // not take them ("american cheese" next to Ham & Cheese Omelette; "a hot chai" is a
        // chai).
        let named_takes_line = named.iter().any(|m| match m.sense {
            Sense::Item(i) => self.cur.cands.as_ref().is_none_or(|c| c.contains(&i)),
            _ => true,
        });
        let describes_only = named_partial
            && opts.is_empty()
            && self.cur.has_content
            && (self.cur.item_named
                || (self.prev_content && !self.cur.mods.is_empty() && !named_takes_line))
            && named
                .iter()
                .all(|m| m.confidence == super::compile::PARTIAL_MODIFIER_CONFIDENCE)
            && !content.iter().any(|m| matches!(m.sense, Sense::Var { .. }));
        if describes_only {
            return;
        }
        if !named.is_empty() && !opt_fits_named && !opt_implies_named && !opt_by_context {
            let mut items: Vec<u32> = Vec::new();
            let mut single = None;
            for m in &named {
                match m.sense {
                    Sense::Item(i) => {
                        items.push(i);
                        single = Some(i);
                    }
                    Sense::Category(c) => items.extend(&self.t.category_items[c as usize]),
                    _ => {}
                }
            }
            items.sort_unstable();
            items.dedup();
            let c = named.iter().map(|m| conf_of(m)).fold(1.0f32, f32::min);
            if self.pending_neg.is_some_and(|e| start <= e + PENDING_REACH) {
                // "no coke", "i don't want the pizza": take it off the order.
                self.pending_neg = None;
                let item = single.map(|i| self.menu.items[i as usize].code.clone());
                self.intents.push((start, Intent::Remove { item }));
                return;
            }
            // "a large hot chocolate" when hot chocolate comes in one size, "a large hot coffee"
            // when coffee has no hot/iced choice: what was said right before the name is for
            // this item; what it cannot take is dropped, the line kept (the dialog says what
            // there is; the confidence says something was dropped).
            let adjacent = !self
                .last_conj
                .is_some_and(|c| c >= self.cur.start && c < start);
            if !self.cur.item_named
                && self.cur.has_content
                && adjacent
                && intersect(&self.cur.cands, &items).is_empty()
                && items.len() == 1
            {
                let item = items[0];
                let takes: Vec<u32> = self.menu.items[item as usize]
                    .groups
                    .iter()
                    .filter_map(|g| self.menu.groups.iter().position(|x| &x.code == g))
                    .map(|g| g as u32)
                    .collect();
                let before = self.cur.mods.len();
                self.cur.mods.retain_mut(|m| {
                    m.cands.retain(|c| takes.contains(&c.0));
                    !m.cands.is_empty()
                });
                let var_fits = self
                    .cur
                    .var
                    .as_ref()
                    .is_some_and(|(vs, _)| vs.iter().any(|v| v.0 == item));
                if self.cur.var.is_some() && !var_fits {
                    self.cur.var = None;
                    self.cur.dropped = true;
                }
                if self.cur.mods.len() < before {
                    self.cur.dropped = true;
                }
                self.cur.cands = None;
            }
            // The same item named again without a new quantity ("five pies ... on all of those
            // pizzas", "a pie with pesto and ham pizza") is still the same line, unless it
            // repeats the shape of the first mention: "a pepperoni pizza and sausage pizza" is
            // two pizzas.
            let inter = intersect(&self.cur.cands, &items);
            let premods = match self.last_conj {
                Some(c)
                    if self.cur.item_named
                        && self.cur.named_after_options
                        && !inter.is_empty()
                        && c >= self.cur.item_tok
                        && !self
                            .cur
                            .mods
                            .iter()
                            .any(|m| m.start >= self.cur.item_tok && m.start < c) =>
                {
                    let k = self.cur.mods.iter().position(|m| m.start > c);
                    k.filter(|_| self.cur.mods.last().is_some_and(|m| m.end == start))
                }
                _ => None,
            };
            if let Some(k) = premods {
                let moved: Vec<Mod> = self.cur.mods.drain(k..).collect();
                self.start_line(moved[0].start);
                self.cur.cands = Some(items);
                self.cur.mods = moved;
                self.cur.has_content = true;
            } else if inter.is_empty() {
                self.start_line(start);
                self.cur.cands = Some(items);
            } else {
                self.cur.cands = Some(inter);
            }
            if let [only] = self.cur.cands.as_deref().unwrap_or(&[]) {
                self.cur.item = Some(*only);
            }
            if !self.cur.item_named {
                self.cur.named_after_options = !self.cur.mods.is_empty();
            }
            self.cur.item_named = true;
            self.cur.item_conf = c;
            self.cur.item_tok = end;
            self.touch(start, end);
            return;
        }

        if !vars.is_empty() && opts.is_empty() {
            let items: Vec<u32> = vars.iter().map(|v| v.0).collect();
            let inter = intersect(&self.cur.cands, &items);
            let differs = self.cur.var.as_ref().is_some_and(|(v, _)| {
                !v.iter()
                    .any(|x| vars.iter().any(|y| y.0 == x.0 && y.1 == x.1))
            });
            // "a medium lemonade large fries": a size right before a word that starts another
            // line belongs to that line.
            let for_next = (self.cur.item_named || self.cur.item.is_some())
                && at.is_some_and(|(sc, k)| self.next_starts_other_line(sc, k, &items));
            if inter.is_empty() || (differs && !self.cur.amend) || for_next {
                self.start_line(start);
                self.cur.cands = Some(items);
            } else {
                self.cur.cands = Some(inter);
            }
            let c = vars.iter().map(|v| v.2).fold(0.0f32, f32::max);
            self.cur.var = Some((vars.iter().map(|v| (v.0, v.1)).collect(), c));
            self.pending_neg = None;
            self.pending_qual = None;
            self.touch(start, end);
            return;
        }
        if opts.is_empty() {
            return;
        }
        let mut items: Vec<u32> = Vec::new();
        for o in &opts {
            for &i in &self.t.group_items[o.0 as usize] {
                if !items.contains(&i) {
                    items.push(i);
                }
            }
        }
        for v in &vars {
            if !items.contains(&v.0) {
                items.push(v.0);
            }
        }
        let inter = intersect(&self.cur.cands, &items);
        // A single-choice group already filled with another option: a new line ("a coke and
        // a sprite" on a menu whose drink group takes one).
        let full_group = opts.iter().all(|o| {
            let g = &self.menu.groups[o.0 as usize];
            g.max == 1
                && self
                    .cur
                    .mods
                    .iter()
                    .any(|m| !m.negated && m.cands.iter().any(|c| c.0 == o.0 && c.1 != o.1))
        });
        // "a medium lemonade small fries" where sizes are options: as for variations, an
        // option right before a word that starts another line belongs to that line.
        let for_next = (self.cur.item_named || self.cur.item.is_some())
            && self.pending_neg.is_none()
            && at.is_some_and(|(sc, k)| self.next_starts_other_line(sc, k, &items));
        // "a side of guac" where no side takes guacamole but one side is "Chips & Guacamole":
        // after a category word, an option's words inside one candidate's name name that item.
        if inter.is_empty() && self.cur.item.is_none() && self.cur.mods.is_empty() {
            if let (Some(cands), Some((sc, k))) = (self.cur.cands.as_ref(), at) {
                let u = &sc.units[k];
                let words = &sc.ids[u.start..u.end];
                let named_by: Vec<u32> = cands
                    .iter()
                    .copied()
                    .filter(|&i| {
                        words
                            .iter()
                            .all(|w| self.t.item_words[i as usize].contains(w))
                    })
                    .collect();
                if let [only] = named_by[..] {
                    self.cur.item = Some(only);
                    self.cur.cands = Some(vec![only]);
                    self.cur.item_conf = super::compile::PARTIAL_CONFIDENCE * conf;
                    self.pending_neg = None;
                    self.pending_qual = None;
                    self.touch(start, end);
                    return;
                }
            }
        }
        // "with wheat toast and hash browns, no wait, home fries": a correction that names
        // another option of a group just said on this line takes back only that option; the
        // line stays. The option it replaces is the last one said when it is of that group,
        // else the one a single-choice group already has. Not when the option is said for the
        // next line ("a chicken burrito, no wait, carnitas tacos").
        let replaced = self.retract_pending && !for_next && !inter.is_empty() && {
            let other_of_group = |m: &Mod| {
                !m.negated
                    && m.cands
                        .iter()
                        .any(|c| opts.iter().any(|o| o.0 == c.0 && o.1 != c.1))
            };
            let single = |m: &Mod| {
                m.cands.iter().any(|c| {
                    self.menu.groups[c.0 as usize].max == 1 && opts.iter().any(|o| o.0 == c.0)
                })
            };
            let target = match self.cur.mods.last() {
                Some(m) if other_of_group(m) => Some(self.cur.mods.len() - 1),
                _ => self
                    .cur
                    .mods
                    .iter()
                    .rposition(|m| other_of_group(m) && single(m)),
            };
            target.is_some_and(|i| {
                self.cur.mods.remove(i);
                true
            })
        };
        if inter.is_empty() || for_next || (full_group && !replaced) {
            self.start_line(start);
            self.cur.cands = Some(items);
        } else {
            self.cur.cands = Some(inter);
        }
        let negated = self.pending_neg.is_some_and(|e| start <= e + PENDING_REACH);
        let qual = self
            .pending_qual
            .filter(|&(_, e)| start <= e + PENDING_REACH)
            .map(|q| q.0);
        self.pending_neg = None;
        self.pending_qual = None;
        self.neg_chain = negated;
        let c = opts.iter().map(|o| o.2).fold(0.0f32, f32::max);
        let describer = ms
            .iter()
            .filter(|m| m.sense.is_content())
            .all(|m| m.confidence == super::compile::PARTIAL_MODIFIER_CONFIDENCE);
        // "a bottle of sparkling water": a describing word right before a full alias of the
        // same group only described it.
        if c == 1.0 {
            if let Some(last) = self.cur.mods.last() {
                if last.describer
                    && !last.in_list
                    && start <= last.end + 1
                    && !self.last_conj.is_some_and(|t| t >= last.end && t < start)
                    && last.cands.iter().any(|a| opts.iter().any(|o| o.0 == a.0))
                {
                    self.cur.mods.pop();
                }
            }
        }
        self.cur.mods.push(Mod {
            cands: opts.iter().map(|o| (o.0, o.1)).collect(),
            negated,
            qual,
            conf: c,
            start,
            end,
            describer,
            in_list: self.prev_content,
            count: self
                .pending_count
                .take()
                .filter(|&(_, e)| start <= e + PENDING_REACH)
                .map(|c| c.0),
        });
        if self.cur.item.is_none() {
            if let [only] = self.cur.cands.as_deref().unwrap_or(&[]) {
                self.cur.item = Some(*only);
                self.cur.item_conf = c;
            }
        }
        self.touch(start, end);
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
        self.merge_fragments();
        self.share();
        self.distribute();
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

    /// "a burrito with rice and a bit of cheese": an "a ..." fragment that names no item of
    /// its own and fits the line before joins it.
    fn merge_fragments(&mut self) {
        let mut i = 1;
        while i < self.lines.len() {
            let (a, b) = (&self.lines[i - 1], &self.lines[i]);
            let b_groups_new = b.mods.iter().filter(|m| !m.negated).all(|m| {
                !a.mods
                    .iter()
                    .any(|x| x.cands.iter().any(|c| m.cands.iter().any(|d| d.0 == c.0)))
            });
            let only_negations = !b.mods.is_empty() && b.mods.iter().all(|m| m.negated);
            let fits = a.item_named
                && !b.item_named
                && !b.shared
                && (b.qty.is_none() || b.qty_article)
                && !b.change
                && (b_groups_new
                    || only_negations
                    || b.cands.as_ref().is_some_and(|c| c.len() > 1))
                && !intersect(&b.cands, a.cands.as_deref().unwrap_or(&[])).is_empty()
                && (b.var.is_none() || a.var.is_none());
            // "a coke as a drink": the kind of the line before, named again.
            let names_kind = b.item_named
                && !a.item_named
                && b.mods.is_empty()
                && b.var.is_none()
                && (b.qty.is_none() || b.qty_article)
                && a.item
                    .is_some_and(|i| b.cands.as_ref().is_some_and(|c| c.contains(&i)));
            if names_kind {
                self.lines.remove(i);
                continue;
            }
            if fits {
                let b = self.lines.remove(i);
                let a = &mut self.lines[i - 1];
                a.cands = Some(intersect(&a.cands, b.cands.as_deref().unwrap_or(&[])));
                a.mods.extend(b.mods);
                if a.var.is_none() {
                    a.var = b.var;
                }
                a.end = b.end;
            } else {
                i += 1;
            }
        }
    }

    /// "a latte and a mocha, both large", "two teas, both with no ice": the attributes of a
    /// "both" fragment go to the lines it speaks of (the last line when it counts two, else
    /// the last two lines).
    fn share(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            if !self.lines[i].shared || self.lines[i].item_named || i == 0 {
                self.lines[i].shared = false;
                i += 1;
                continue;
            }
            let frag = self.lines.remove(i);
            let first = if self.lines[i - 1].qty.unwrap_or(1) >= 2 || i < 2 {
                i - 1
            } else {
                i - 2
            };
            for l in &mut self.lines[first..i] {
                let cands = intersect(&l.cands, frag.cands.as_deref().unwrap_or(&[]));
                if frag.cands.is_some() && cands.is_empty() {
                    continue;
                }
                if l.var.is_none() {
                    if let Some((vs, c)) = &frag.var {
                        l.var = Some((vs.clone(), *c));
                    }
                }
                l.mods.extend(frag.mods.iter().cloned());
            }
        }
    }

    /// "a small latte and a large one": the pronoun line takes the item of the line before.
    /// "two carne asada and one chicken taco": a line that left several items open takes the
    /// item of the next line when that one is among them (the head is said once, at the end).
    fn borrow_heads(&mut self) {
        for i in (0..self.lines.len().saturating_sub(1)).rev() {
            let next_item = self.lines[i + 1]
                .item
                .or(match self.lines[i + 1].cands.as_deref() {
                    Some([only]) => Some(*only),
                    _ => None,
                });
            let l = &mut self.lines[i];
            let open = l.item.is_none() && l.cands.as_ref().is_some_and(|c| c.len() > 1);
            if let Some(n) =
                next_item.filter(|n| open && l.cands.as_ref().is_some_and(|c| c.contains(n)))
            {
                l.item = Some(n);
                l.cands = Some(vec![n]);
                // Inferred, not said: as sure as a piece of a name.
                l.item_conf = l.item_conf.min(super::compile::PARTIAL_CONFIDENCE);
            }
        }
    }

    fn resolve_pronouns(&mut self) {
        for i in 1..self.lines.len() {
            let prev_item = self.lines[i - 1]
                .item
                .or(match self.lines[i - 1].cands.as_deref() {
                    Some([only]) => Some(*only),
                    _ => None,
                });
            let l = &mut self.lines[i];
            if l.pronoun && l.item.is_none() {
                if let Some(p) = prev_item {
                    if l.cands.as_ref().is_none_or(|c| c.contains(&p)) {
                        l.item = Some(p);
                        l.cands = Some(vec![p]);
                    }
                }
            }
        }
    }

    /// "two large pizzas, one with ham and one with olives" -> two lines of one large pizza.
    fn distribute(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            let q = self.lines[i].qty.unwrap_or(1);
            let known = self.lines[i].item_named || self.lines[i].item.is_some();
            if !known || q < 2 {
                i += 1;
                continue;
            }
            let item_cands = self.lines[i].cands.clone().unwrap_or_default();
            let mut sum = 0;
            let mut j = i + 1;
            while j < self.lines.len() && sum < q {
                let l = &self.lines[j];
                let parent = &self.lines[i];
                // A part only adds to the shared attributes: nothing of a kind already said.
                let adds_only = (l.var.is_none() || parent.var.is_none())
                    && l.mods.iter().all(|m| {
                        !parent
                            .mods
                            .iter()
                            .any(|p| p.cands.iter().any(|c| m.cands.iter().any(|d| d.0 == c.0)))
                    });
                let parts_ok = !l.item_named
                    && !l.shared
                    && adds_only
                    && l.qty.is_some()
                    && !l.change
                    && !intersect(&l.cands, &item_cands).is_empty();
                if !parts_ok {
                    break;
                }
                sum += l.qty.unwrap_or(1);
                j += 1;
            }
            if sum == q && j > i + 1 {
                let parent = self.lines[i].clone();
                for l in &mut self.lines[i + 1..j] {
                    let mut mods = parent.mods.clone();
                    mods.extend(std::mem::take(&mut l.mods));
                    l.mods = mods;
                    l.item = parent.item;
                    l.item_named = true;
                    // "three tacos, two chicken": the part's options may narrow the item.
                    l.cands = match &l.cands {
                        Some(c) => Some(intersect(&parent.cands, c)),
                        None => parent.cands.clone(),
                    };
                    if l.var.is_none() {
                        l.var = parent.var.clone();
                    }
                    l.item_conf = parent.item_conf;
                }
                self.lines.remove(i);
                i = j - 1;
            } else {
                i += 1;
            }
        }
    }

    fn mention(&self, line: &Line, sc: &Scanned) -> LineMention {
        let menu = self.menu;
        let item = line.item.or(match line.cands.as_deref() {
            Some([only]) => Some(*only),
            _ => None,
        });
        let item_groups: Option<Vec<u32>> = item.map(|i| {
            menu.items[i as usize]
                .groups
                .iter()
                .filter_map(|g| menu.groups.iter().position(|x| &x.code == g))
                .map(|g| g as u32)
                .collect()
        });
        let mut conf = if line.item_named || item.is_some() {
            line.item_conf.max(0.0)
        } else {
            1.0
        };
        if conf == 0.0 {
            conf = 1.0;
        }
        let variation = line.var.as_ref().and_then(|(vs, c)| {
            conf = conf.min(*c);
            let pick = match item {
                Some(i) => vs.iter().find(|v| v.0 == i),
                None => vs.first(),
            }?;
            Some(
                menu.items[pick.0 as usize].variations[pick.1 as usize]
                    .code
                    .clone(),
            )
        });
        let mut modifiers: Vec<ModMention> = Vec::with_capacity(line.mods.len());
        // Options said after "instead of" / "rather than": what the caller replaces.
        let mut replaced: Vec<(String, String)> = Vec::new();
        for m in &line.mods {
            let pick = m
                .cands
                .iter()
                .find(|c| match &item_groups {
                    Some(gs) => gs.contains(&c.0),
                    None => line.cands.as_ref().is_none_or(|cands| {
                        self.t.group_items[c.0 as usize]
                            .iter()
                            .any(|i| cands.contains(i))
                    }),
                })
                .or(m.cands.first());
            let Some(&(g, o)) = pick else { continue };
            let group = &menu.groups[g as usize];
            let mm = ModMention {
                group: group.code.clone(),
                option: group.options[o as usize].code.clone(),
                qualifier: m.qual,
                negated: m.negated,
                confidence: m.conf,
                quantity: m.count,
            };
            conf = conf.min(m.conf);
            if said_as_replaced(sc, m.start) {
                replaced.push((mm.group.clone(), mm.option.clone()));
            }
            // "a chicken bowl with extra chicken": one option, said twice, the second time
            // with its qualifier.
            match modifiers
                .iter_mut()
                .find(|x| x.group == mm.group && x.option == mm.option && x.negated == mm.negated)
            {
                Some(x) => {
                    x.qualifier = x.qualifier.or(mm.qualifier);
                    x.quantity = x.quantity.or(mm.quantity);
                }
                None => modifiers.push(mm),
            }
        }
        replace_within_groups(menu, &mut modifiers, &replaced);
        let (s, e) = (
            line.start,
            line.end.max(line.start + 1).min(sc.tokens.len()),
        );
        let unknown_nearby = sc.units.iter().any(|u| {
            !u.used
                && matches!(u.kind, UnitKind::Word { function: false })
                && u.start >= s
                && u.start <= e
        });
        let repeated_kind = modifiers.iter().enumerate().any(|(a, x)| {
            let g = menu.group(&x.group);
            g.is_some_and(|g| !g.qualified && !g.negatable && g.max != 1)
                && modifiers[a + 1..]
                    .iter()
                    .any(|y| y.group == x.group && y.option != x.option && !y.negated)
        });
        let conf = super::confidence::line_confidence(
            conf,
            super::confidence::Signals {
                unknown_nearby,
                repeated_kind,
                undecided: item.is_none(),
                dropped: line.dropped,
            },
        );
        let span = if sc.tokens.is_empty() || s >= sc.tokens.len() {
            Span::default()
        } else {
            let (a, b) = (sc.tokens[s].start, sc.tokens[e - 1].end);
            Span {
                start: a,
                end: b,
                text: sc.text[a..b].to_string(),
            }
        };
        // "actually two samosas" (a correction with a count of an item it names) says the whole
        // count too.
        let whole_count = line.qty.is_some()
            && !line.qty_article
            && (line.whole_count || (line.change && !line.change_strong));
        LineMention {
            whole_count,
            item: item.map(|i| menu.items[i as usize].code.clone()),
            quantity: line.qty.unwrap_or(1),
            quantity_explicit: line.qty.is_some(),
            variation,
            modifiers,
            confidence: conf,
            span,
            candidates: match (item, line.cands.as_deref()) {
                (None, Some(c)) if (2..=MAX_CANDIDATES).contains(&c.len()) => c
                    .iter()
                    .map(|&i| menu.items[i as usize].code.clone())
                    .collect(),
                _ => Vec::new(),
            },
        }
    }
}

/// Whether the option starting at token `start` follows "instead of" or "rather than" (an
/// article between is allowed: "instead of the white").
fn said_as_replaced(sc: &Scanned, start: usize) -> bool {
    let mut i = start;
    while i > 0 && matches!(sc.word(i - 1), "the" | "a" | "an" | "any" | "my") {
        i -= 1;
    }
    i >= 2
        && matches!(
            (sc.word(i - 2), sc.word(i - 1)),
            ("instead", "of") | ("rather", "than")
        )
}

/// "rye instead of white", "rye, not white", "no ranch, blue cheese": in a group of one choice
/// the positive option is the choice and the other goes (a negated option there says nothing
/// the choice does not); in a group of several, the option replaced is taken off
/// ("spinach instead of lettuce": spinach, no lettuce).
fn replace_within_groups(menu: &Menu, mods: &mut Vec<ModMention>, replaced: &[(String, String)]) {
    let single = |g: &str| menu.group(g).is_some_and(|g| g.max == 1);
    let chosen = |mods: &[ModMention], g: &str, except: &str| {
        mods.iter()
            .any(|x| x.group == g && x.option != except && !x.negated)
    };
    for (g, o) in replaced {
        let other = chosen(mods, g, o);
        if single(g) && other {
            mods.retain(|x| !(x.group == *g && x.option == *o));
        } else if let Some(x) = mods.iter_mut().find(|x| x.group == *g && x.option == *o) {
            x.negated = true;
            x.qualifier = None;
        }
    }
    let snapshot = mods.clone();
    mods.retain(|x| !(x.negated && single(&x.group) && chosen(&snapshot, &x.group, &x.option)));
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
