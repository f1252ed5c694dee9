//! Looking around a unit: whether it counts here, what the next menu word names, whether a
//! count is of an option.

use super::*;

impl Builder<'_> {
    /// Whether a matched unit counts here. A lone article ("a favor") or a menu word that is
    /// also a grammar word ("can i get") only counts next to order words.
    pub(super) fn meaningful(&self, sc: &Scanned, k: usize) -> bool {
        let units = &sc.units;
        let UnitKind::Match(ms, _) = &units[k].kind else {
            return true;
        };
        let is_content = |u: &crate::extract::scan::Unit| {
            !u.used
                && matches!(&u.kind, UnitKind::Match(m, _) if m.iter().any(|x| x.sense.is_content()))
        };
        let is_quantity = |u: &crate::extract::scan::Unit| {
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
                && id != crate::extract::matcher::NO_WORD
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
                    .all(|m| m.confidence == crate::extract::compile::PARTIAL_MODIFIER_CONFIDENCE);
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
    pub(super) fn items_of(&self, ms: &[Meaning]) -> Vec<u32> {
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
    pub(super) fn of_each(&self, sc: &Scanned, k: usize) -> bool {
        let t = sc.units[k].end;
        t + 1 < sc.tokens.len() && sc.word(t) == "of" && sc.word(t + 1) == "each"
    }

    /// "with two sugars": a count right before an option of a many-choice group of the line's
    /// item, that could not be a line of its own (no item or size said with it). A count of a
    /// single-choice option is a split instead ("three tacos, two chicken and one steak").
    pub(super) fn counts_option(&self, sc: &Scanned, k: usize, v: u32) -> bool {
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
    pub(super) fn next_starts_other_line(&self, sc: &Scanned, k: usize, fits: &[u32]) -> bool {
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
    pub(super) fn content_ahead<'s>(&self, sc: &'s Scanned, k: usize) -> Option<&'s [Meaning]> {
        let mut skipped = 0;
        for u in sc.units.iter().skip(k + 1) {
            if u.used {
                continue;
            }
            match &u.kind {
                UnitKind::Word { function: true } if skipped < 2 => skipped += 1,
                UnitKind::Match(ms, _) if ms.iter().any(|m| m.sense.is_content()) => {
                    let describing = ms.iter().filter(|m| m.sense.is_content()).all(|m| {
                        m.confidence <= crate::extract::compile::PARTIAL_MODIFIER_CONFIDENCE
                    });
                    return (!describing).then_some(ms);
                }
                _ => return None,
            }
        }
        None
    }

    /// Items named or implied by the next menu word after unit `k` (skipping up to two
    /// grammar words), if it names or implies any.
    pub(super) fn items_ahead(&self, sc: &Scanned, k: usize) -> Option<Vec<u32>> {
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
}

impl Builder<'_> {
    /// "a classic combo with a side salad and a water": right after "with" + an article (or
    /// "and" + an article inside such a list), a word that is an item and also an option the
    /// item of the line being listed takes is said for that line, not ordered on its own.
    pub(super) fn said_with_line_before(
        &self,
        s: &super::matched::Said,
        opts: &[(u32, u32, f32)],
    ) -> bool {
        if opts.is_empty() {
            return false;
        }
        let Some(pos) = self.with_list_line(s) else {
            return false;
        };
        let line = &self.lines[pos];
        // Not a second value of a single-choice group the line already has ("with home fries,
        // and a fruit cup" where "Sub Fruit Cup" is the other potato: the fruit cup is ordered).
        let said_for = self.lines[pos..].iter().flat_map(|l| l.mods.iter());
        let filled: Vec<u32> = said_for
            .flat_map(|m| m.cands.iter().map(|c| c.0))
            .filter(|&g| self.menu.groups[g as usize].max == 1)
            .collect();
        opts.iter().any(|o| {
            !intersect(&line.cands, &self.t.group_items[o.0 as usize]).is_empty()
                && !filled.contains(&o.0)
        })
    }

    /// The line a fresh "a ..." is listed for: right after "with" + an article, or "and" + an
    /// article in a list begun with "with", the last line that named its item, followed only
    /// by fragments of options.
    pub(super) fn with_list_line(&self, s: &super::matched::Said) -> Option<usize> {
        let (sc, k) = s.at?;
        if self.cur.has_content || !self.cur.qty_article || k < 2 {
            return None;
        }
        let article = &sc.units[k - 1];
        let is_article = matches!(&article.kind, UnitKind::Match(ms, _)
            if ms.iter().any(|m| matches!(m.sense, Sense::Num { article: true, .. })));
        let joiner = &sc.units[k - 2];
        if !is_article || !matches!(joiner.kind, UnitKind::Word { .. }) {
            return None;
        }
        let pos = self.lines.iter().rposition(|l| l.item_named)?;
        let line = &self.lines[pos];
        let fragments_only = self.lines[pos + 1..]
            .iter()
            .all(|l| !l.item_named && (l.qty.is_none() || l.qty_article) && l.var.is_none());
        let with_said = (line.start..joiner.start).any(|t| sc.word(t) == "with");
        let joined = match sc.word(joiner.start) {
            "with" => true,
            "and" => with_said,
            _ => false,
        };
        (fragments_only && joined).then_some(pos)
    }
}

impl Builder<'_> {
    /// "a side of queso" where queso is an option of the mains and "Side Queso (4oz)" an
    /// item: after "side (of)" on a line with no item yet, the items whose names hold "side"
    /// and every word said are named (the option's full name hid that piece of theirs).
    pub(super) fn side_item(&mut self, s: &super::matched::Said, opts: &[(u32, u32, f32)]) -> bool {
        let Some((sc, k)) = s.at else {
            return false;
        };
        if self.cur.item.is_some() || !self.cur.mods.is_empty() || k == 0 {
            return false;
        }
        let mut j = k;
        if matches!(sc.units[j - 1].kind, UnitKind::Word { .. })
            && sc.word(sc.units[j - 1].start) == "of"
        {
            j -= 1;
        }
        let Some(side) = j.checked_sub(1).map(|j| &sc.units[j]) else {
            return false;
        };
        if side.end - side.start != 1 || !matches!(sc.word(side.start), "side" | "sides") {
            return false;
        }
        // "a bowl with a side of queso": said for the line before.
        let with_before = (side.start.saturating_sub(2)..side.start).any(|t| sc.word(t) == "with");
        if with_before {
            return false;
        }
        let side_id = sc.ids[side.start];
        let words = &sc.ids[s.start..s.end];
        let items: Vec<u32> = (0..self.menu.items.len() as u32)
            .filter(|&i| {
                let w = &self.t.item_words[i as usize];
                w.contains(&side_id) && words.iter().all(|x| w.contains(x))
            })
            .collect();
        // An item of those that takes the option said is ordered with it ("side chips" where
        // chips is the side order's type).
        let takes = |i: &u32| {
            opts.iter()
                .any(|o| self.t.group_items[o.0 as usize].contains(i))
        };
        if items.is_empty() || items.iter().any(takes) {
            return false;
        }
        let narrowed = intersect(&self.cur.cands, &items);
        let items = if narrowed.is_empty() { items } else { narrowed };
        self.name_items_by_piece(items, s.start, s.end, s.conf);
        true
    }
}

impl Builder<'_> {
    /// "an extra pita", "two extra tartars" where the menu sells "Xtra Pita" and "Xtra Tartar
    /// (2oz)" as items: on a line with no item yet, "extra" right before words that are not
    /// an item's name of their own names the items called "Extra"/"Xtra" with those words.
    pub(super) fn extra_item(&mut self, s: &super::matched::Said, named: &[&Meaning]) -> bool {
        let Some((sc, _)) = s.at else {
            return false;
        };
        let extra_before = matches!(self.pending_qual, Some((Qualifier::Extra, e)) if e == s.start);
        if !extra_before
            || self.cur.item.is_some()
            || !self.cur.mods.is_empty()
            || named.iter().any(|m| matches!(m.sense, Sense::Item(_)))
        {
            return false;
        }
        let extra_ids = [self.t.vocab.get("extra"), self.t.vocab.get("xtra")];
        let words = &sc.ids[s.start..s.end];
        let items: Vec<u32> = (0..self.menu.items.len() as u32)
            .filter(|&i| {
                let w = &self.t.item_words[i as usize];
                extra_ids
                    .iter()
                    .any(|x| *x != crate::extract::matcher::NO_WORD && w.contains(x))
                    && words.iter().all(|x| w.contains(x))
            })
            .collect();
        if items.is_empty() {
            return false;
        }
        self.pending_qual = None;
        self.name_items_by_piece(items, s.start, s.end, s.conf);
        true
    }

    /// Names the current line's item among `items` (the one, when only one), heard from words
    /// `start..end` that are a piece of their names: at partial confidence.
    pub(super) fn name_items_by_piece(
        &mut self,
        items: Vec<u32>,
        start: usize,
        end: usize,
        conf: f32,
    ) {
        if let [only] = items[..] {
            self.cur.item = Some(only);
        }
        self.cur.cands = Some(items);
        self.cur.item_named = true;
        self.cur.item_conf = crate::extract::compile::PARTIAL_CONFIDENCE * conf;
        self.cur.item_tok = end;
        self.touch(start, end);
    }
}
