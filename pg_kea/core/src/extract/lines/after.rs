//! Passes over the built lines: fragments joined, "both" shared, pronouns and heads borrowed,
//! "one with ham and one with olives" split.

use super::*;

impl Builder<'_> {
    /// "a brisket sandwich" where Brisket is sold alone and one sandwich is named after it: an
    /// item named right before a category word that leaves several items open is the one of
    /// them whose name has the item's words, on one line.
    pub(super) fn name_then_kind(&mut self, sc: &Scanned) {
        let mut i = 1;
        while i < self.lines.len() {
            let (a, b) = (&self.lines[i - 1], &self.lines[i]);
            let joined = match (a.item, b.item, b.cands.as_deref()) {
                (Some(named), None, Some(cands))
                    if a.item_named
                        && b.item_named
                        && a.mods.is_empty()
                        && a.var.is_none()
                        && b.qty.is_none()
                        && !b.change
                        && b.start == a.end
                        && cands.len() > 1 =>
                {
                    let said: Vec<u32> = (a.start..a.end)
                        .map(|t| sc.ids[t])
                        .filter(|w| self.t.item_words[named as usize].contains(w))
                        .collect();
                    let by: Vec<u32> = cands
                        .iter()
                        .copied()
                        .filter(|&c| {
                            !said.is_empty()
                                && said
                                    .iter()
                                    .all(|w| self.t.item_words[c as usize].contains(w))
                        })
                        .collect();
                    match by[..] {
                        [only] => Some(only),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(only) = joined {
                let a = self.lines.remove(i - 1);
                let b = &mut self.lines[i - 1];
                b.item = Some(only);
                b.cands = Some(vec![only]);
                b.start = a.start;
                b.qty = a.qty;
                b.qty_article = a.qty_article;
                b.whole_count = a.whole_count;
            } else {
                i += 1;
            }
        }
    }

    /// "a reuben with cole slaw instead of sauerkraut" where Cole Slaw is an item and the
    /// reuben takes "Sub Cole Slaw": an item named right before "instead of" / "rather than",
    /// on a line of its own after a line whose item is named, is the one option that item
    /// takes whose name holds every word said (a swap is said of the line, not ordered); so
    /// are words read as options only other items take ("sour cherry" a soda's flavour).
    pub(super) fn swapped_in_option(&mut self, sc: &Scanned) {
        let mut i = 1;
        while i < self.lines.len() {
            let (a, b) = (&self.lines[i - 1], &self.lines[i]);
            let before_replaced = b.end + 1 < sc.tokens.len()
                && matches!(
                    (sc.word(b.end), sc.word(b.end + 1)),
                    ("instead", "of") | ("rather", "than")
                );
            // Or read as options only other items take ("sour cherry" a drink's flavour).
            let others_options = !b.item_named
                && !b.mods.is_empty()
                && b.mods.iter().all(|m| {
                    !m.negated
                        && m.cands.iter().all(|c| {
                            intersect(&a.cands, &self.t.group_items[c.0 as usize]).is_empty()
                        })
                });
            if !before_replaced
                || !a.item_named
                || !(b.item_named && b.mods.is_empty() || others_options)
                || b.var.is_some()
                || b.change
                || (b.qty.is_some() && !b.qty_article)
            {
                i += 1;
                continue;
            }
            let said: Vec<u32> = (b.start..b.end)
                .map(|t| sc.ids[t])
                .filter(|&w| w != crate::extract::matcher::NO_WORD && !self.t.function[w as usize])
                .collect();
            let mut found: Vec<(u32, u32)> = Vec::new();
            for (g, takers) in self.t.group_items.iter().enumerate() {
                if intersect(&a.cands, takers).is_empty() {
                    continue;
                }
                for (o, words) in self.t.option_words[g].iter().enumerate() {
                    if !said.is_empty() && said.iter().all(|w| words.contains(w)) {
                        found.push((g as u32, o as u32));
                    }
                }
            }
            let [only] = found[..] else {
                i += 1;
                continue;
            };
            let b = self.lines.remove(i);
            let a = &mut self.lines[i - 1];
            a.mods.push(Mod {
                cands: vec![only],
                negated: false,
                qual: None,
                conf: b.item_conf,
                start: b.start,
                end: b.end,
                describer: false,
                in_list: false,
                count: None,
            });
            a.end = a.end.max(b.end);
        }
    }

    /// "onion rings instead of the fries", "a side salad instead of the pasta": what follows
    /// "instead of" / "rather than" is what the caller does not want, never a line of its own.
    /// Its options the line before takes stay there (and are replaced, `mention`: "instead of
    /// the regular mayo" takes the mayo off); the rest
    /// (an item, a size, another item's option) is dropped.
    pub(super) fn drop_replaced(&mut self, sc: &Scanned) {
        let mut i = 1;
        while i < self.lines.len() {
            if !mention::said_as_replaced(sc, self.lines[i].start) {
                i += 1;
                continue;
            }
            let b = self.lines.remove(i);
            let a = &mut self.lines[i - 1];
            let takes = |m: &Mod| {
                m.cands.iter().any(|c| {
                    self.t.group_items[c.0 as usize]
                        .iter()
                        .any(|it| a.cands.as_ref().is_none_or(|cs| cs.contains(it)))
                })
            };
            let (keep, gone): (Vec<Mod>, Vec<Mod>) = b.mods.into_iter().partition(|m| takes(m));
            a.mods.extend(keep);
            a.dropped |= !gone.is_empty();
            a.end = a.end.max(b.end);
        }
    }

    /// "a burrito with rice and a bit of cheese": an "a ..." fragment that names no item of
    /// its own and fits the line before joins it.
    pub(super) fn merge_fragments(&mut self) {
        let mut i = 1;
        while i < self.lines.len() {
            let (a, b) = (&self.lines[i - 1], &self.lines[i]);
            // A group the line before already has a value in takes this one too when it
            // takes several ("with ramen noodles and a boiled egg").
            let b_groups_new = b.mods.iter().filter(|m| !m.negated).all(|m| {
                !a.mods.iter().any(|x| {
                    x.cands.iter().any(|c| {
                        m.cands.iter().any(|d| {
                            d.0 == c.0 && (d.1 == c.1 || self.menu.groups[c.0 as usize].max == 1)
                        })
                    })
                })
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
    pub(super) fn share(&mut self) {
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
    pub(super) fn borrow_heads(&mut self) {
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
                l.item_conf = l.item_conf.min(crate::extract::compile::PARTIAL_CONFIDENCE);
            }
        }
    }

    pub(super) fn resolve_pronouns(&mut self) {
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

    /// "two elotes, no mayo on one", "two shrimp cocktails, extra cocktail sauce on one of
    /// them": the options said right before "on one" / "for one" are that one's, not both's.
    /// They move to the part "one" opened, which `distribute` then counts out of the line.
    pub(super) fn said_on_one(&mut self, sc: &Scanned) {
        let n = sc.tokens.len();
        let w = |t: usize| if t < n { sc.word(t) } else { "" };
        for i in 1..self.lines.len() {
            let (before, after) = self.lines.split_at_mut(i);
            let (parent, part) = (&mut before[i - 1], &mut after[0]);
            let on_one = part.start >= 1
                && part.start < n
                && matches!(w(part.start - 1), "on" | "for")
                && w(part.start) == "one"
                && part.qty == Some(1)
                && !part.qty_article;
            let empty = part.item.is_none()
                && part.cands.is_none()
                && part.var.is_none()
                && part.mods.is_empty()
                && !part.item_named;
            let known = parent.item_named || parent.item.is_some();
            if !on_one || !empty || !known || parent.qty.unwrap_or(1) < 2 {
                continue;
            }
            // The run of options that ends right before "on": each within two words of the next.
            let mut edge = part.start - 1;
            let mut moved: Vec<Mod> = Vec::new();
            while let Some(k) = parent
                .mods
                .iter()
                .rposition(|m| m.end <= edge && edge - m.end <= 2 && m.start >= parent.item_tok)
            {
                let m = parent.mods.remove(k);
                edge = m.start;
                moved.insert(0, m);
            }
            if moved.is_empty() {
                continue;
            }
            part.mods = moved;
            part.cands = parent.cands.clone();
        }
    }

    /// "two large pizzas, one with ham and one with olives" -> two lines of one large pizza.
    /// Parts counted in numbers that add up to less ("two heros, one with peppers", "four
    /// cornbreads, one with no butter", "two pitas one plain one without onions") leave the
    /// rest as the parent said it; an article ("two burritos and a side of rice") is no part.
    pub(super) fn distribute(&mut self) {
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
            let counted = self.lines[i + 1..j].iter().all(|l| !l.qty_article);
            let rest = if sum < q && j > i + 1 && counted {
                q - sum
            } else {
                0
            };
            if (sum == q || rest > 0) && j > i + 1 {
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
                    l.parent_item_tok = Some(parent.item_tok);
                }
                if rest > 0 {
                    self.lines[i].qty = Some(rest);
                    i = j;
                } else {
                    self.lines.remove(i);
                    i = j - 1;
                }
            } else {
                i += 1;
            }
        }
    }

    /// A line with nothing in it after a line with its item: "a ramune, the melon one", "curry
    /// goat, the big one" (the words between "the" and "one" went to the line before, "one"
    /// orders nothing more), and "phoenix claws two orders", "egg tarts, nine of them" (the
    /// count is the line before's, said after it).
    pub(super) fn trailing_counts(&mut self, sc: &Scanned) {
        let n = sc.tokens.len();
        let w = |t: usize| if t < n { sc.word(t) } else { "" };
        let mut i = 1;
        while i < self.lines.len() {
            let l = &self.lines[i];
            let prev = &self.lines[i - 1];
            let empty = l.item.is_none()
                && l.cands.is_none()
                && l.var.is_none()
                && l.mods.is_empty()
                && !l.pronoun
                && (prev.item.is_some() || prev.item_named);
            if !empty || l.start >= n {
                i += 1;
                continue;
            }
            let descriptor = w(l.start) == "one"
                && (prev.item_tok..l.start).any(|t| matches!(w(t), "the" | "that"));
            let count_after = match (l.qty, prev.qty) {
                (Some(c), p) if !l.qty_article && (p.is_none() || prev.qty_article) => {
                    let next = w(l.start + 1);
                    (lexicon::ORDER_WORDS.contains(&next)
                        || next == "of" && matches!(w(l.start + 2), "them" | "those"))
                    .then_some(c)
                }
                _ => None,
            };
            if let Some(c) = count_after {
                let prev = &mut self.lines[i - 1];
                prev.qty = Some(c);
                prev.qty_article = false;
                self.lines.remove(i);
            } else if descriptor {
                self.lines.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// "ten wings", "twenty boneless" where the sizes are "10 pc", "20 pc": a count that is the
    /// name of one of the item's sizes is that size, and the line is one order of it.
    pub(super) fn sizes_by_count(&mut self, sc: &Scanned) {
        for l in &mut self.lines {
            // "four pieces of nigiri" with Nigiri 2 pc: pieces counted, two orders of the size.
            let pieces = (l.start..l.end.min(sc.tokens.len()))
                .any(|t| lexicon::PIECE_WORDS.contains(&sc.word(t)));
            if let (true, Some(n), Some((vars, _))) = (pieces, l.qty, &l.var) {
                let counts: Vec<u32> = vars
                    .iter()
                    .filter_map(|&(i, v)| {
                        let size = &self.menu.items[i as usize].variations[v as usize];
                        super::super::names::piece_count(&size.name)
                    })
                    .collect();
                if let Some(&c) = counts.first() {
                    if counts.len() == vars.len()
                        && counts.iter().all(|&x| x == c)
                        && c > 0
                        && n % c == 0
                    {
                        l.qty = Some(n / c);
                        l.qty_article = false;
                    }
                }
                continue;
            }
            let (Some(n), None) = (l.qty, &l.var) else {
                continue;
            };
            if l.qty_article {
                continue;
            }
            let cands: Vec<u32> = match (l.item, &l.cands) {
                (Some(i), _) => vec![i],
                (None, Some(c)) => c.clone(),
                (None, None) => continue,
            };
            // "a 32 dirty coke" with sizes "16oz (sm)" / "32oz (lg)": a number right after an
            // article is no count of the item; the size measured by it is meant.
            let after_article = l.start + 1 < sc.tokens.len()
                && matches!(sc.word(l.start), "a" | "the")
                && sc.word(l.start + 1).parse::<u32>() == Ok(n);
            let measured: Vec<(u32, u32)> = cands
                .iter()
                .filter(|_| after_article)
                .filter_map(|&i| {
                    let vs = &self.menu.items[i as usize].variations;
                    vs.iter()
                        .position(|v| {
                            super::super::names::measure_apart(&v.name).is_some_and(|m| {
                                m.split_whitespace().next().and_then(|w| w.parse().ok()) == Some(n)
                            })
                        })
                        .map(|v| (i, v as u32))
                })
                .collect();
            if !measured.is_empty() {
                let items: Vec<u32> = measured.iter().map(|s| s.0).collect();
                if let [only] = items[..] {
                    l.item = Some(only);
                }
                l.cands = Some(items);
                l.var = Some((measured, 1.0));
                l.qty = Some(1);
                l.qty_article = true;
                continue;
            }
            let sized: Vec<(u32, u32)> = cands
                .iter()
                .filter_map(|&i| {
                    self.t.size_counts[i as usize]
                        .iter()
                        .find(|&&(_, count)| count == n)
                        .map(|&(v, _)| (i, v))
                })
                .collect();
            if sized.is_empty() {
                // "an order of", "two plates": orders counted, never pieces.
                if (l.start..l.end.min(sc.tokens.len()))
                    .any(|t| lexicon::ORDER_WORDS.contains(&sc.word(t)))
                {
                    continue;
                }
                // "two dozen biscuits": a count said in dozens is of the dozen pack.
                let dozens = (l.start..l.end.min(sc.tokens.len()))
                    .any(|t| matches!(sc.word(t), "dozen" | "doz" | "dz"));
                Self::pieces_by_count(self.t, self.menu, l, n, &cands, dozens);
                continue;
            }
            let items: Vec<u32> = sized.iter().map(|s| s.0).collect();
            if let [only] = items[..] {
                l.item = Some(only);
            }
            l.cands = Some(items);
            l.var = Some((sized, 1.0));
            l.qty = Some(1);
            l.qty_article = true;
        }
    }

    /// "eight har gow" where an order is "Har Gow 4pc", "sixteen pork and chive" with sizes
    /// "8 pc" / "12 pc": a count of pieces that is a multiple (two or more) of what one order
    /// holds, and no size's own count, is that many orders (of the largest size it fills).
    /// A count equal to one order's pieces stays a count of orders ("two samosas" of
    /// "Samosa (2 pcs)": the caller may mean either, and two orders is what was said).
    fn pieces_by_count(t: &Tables, menu: &Menu, l: &mut Line, n: u32, cands: &[u32], dozens: bool) {
        // Sizes first: the largest whose count divides the pieces, the same for every
        // candidate that has sizes by count. An item also sold one at a time ("1 Stick", "ea")
        // is not: "six pork sticks" beside "3 Sticks" is six singles, as said; but a count
        // said in dozens ("two dozen biscuits" beside `Single` / `Doz (12)`) is of the dozen.
        let per_size: Vec<(u32, u32, u32)> = cands
            .iter()
            .filter(|&&i| {
                (dozens
                    && n.is_multiple_of(12)
                    && t.size_counts[i as usize].iter().any(|&(_, c)| c == 12))
                    || !menu.items[i as usize]
                        .variations
                        .iter()
                        .any(|v| super::super::names::is_single_size(&v.name))
            })
            .filter_map(|&i| {
                t.size_counts[i as usize]
                    .iter()
                    .filter(|&&(_, c)| c >= 2 && n > c && n.is_multiple_of(c))
                    .max_by_key(|&&(_, c)| c)
                    .map(|&(v, c)| (i, v, c))
            })
            .collect();
        if let Some(&(_, _, c)) = per_size.first() {
            if per_size.iter().all(|s| s.2 == c) {
                let items: Vec<u32> = per_size.iter().map(|s| s.0).collect();
                if let [only] = items[..] {
                    l.item = Some(only);
                }
                l.cands = Some(items);
                l.var = Some((per_size.iter().map(|s| (s.0, s.1)).collect(), 1.0));
                l.qty = Some(n / c);
                l.qty_article = true;
            }
            return;
        }
        // Then an item whose name counts its pieces ("Egg Tarts (3)").
        let Some(i) = l.item else { return };
        if !menu.items[i as usize].variations.is_empty() {
            return;
        }
        if let Some(k) = super::super::names::name_piece_count(&menu.items[i as usize].name) {
            if n > k && n.is_multiple_of(k) {
                l.qty = Some(n / k);
                l.qty_article = true;
            }
        }
    }

    /// "a diet coke" where Diet Coke is a flavour of the fountain soda and a drink of five
    /// combos: options heard with no item name the item they are the kind of, the one
    /// candidate whose only group has them and is used by no other item (an item with more
    /// groups, a breakfast sandwich's bread, is a dish the option is only part of).
    pub(super) fn own_kinds(&mut self) {
        for l in &mut self.lines {
            // Only what is ordered as a thing, with a count or an article ("a sprite"), not
            // "with shrimp" (an answer about the item being talked of).
            if l.item.is_some() || l.item_named || l.mods.is_empty() || l.qty.is_none() {
                continue;
            }
            let Some(cands) = l.cands.as_ref().filter(|c| c.len() > 1) else {
                continue;
            };
            let own: Vec<u32> = cands
                .iter()
                .copied()
                .filter(|&c| {
                    self.menu.items[c as usize].groups.len() == 1
                        && l.mods.iter().all(|m| {
                            m.cands
                                .iter()
                                .any(|&(g, _)| self.t.group_items[g as usize] == [c])
                        })
                })
                .collect();
            if let [only] = own[..] {
                l.item = Some(only);
                l.cands = Some(vec![only]);
            }
        }
    }

    /// "a short stack" among Buttermilk and Lemon Ricotta pancakes, "a large coffee" beside
    /// Drip and Iced Coffee: a name said that leaves two items open means the one whose
    /// words beyond those the candidates share are all plain words (`lexicon::PLAIN_WORDS`),
    /// POS codes ("P2") or its category's words, when exactly one is; the confidence says it
    /// was chosen so the read-back names it.
    pub(super) fn plain_members(&mut self, sc: &Scanned) {
        let words = |i: u32| item_name_stems(self.menu, i);
        // Words of an item's category name ("pie" of Pies): a name made of them and plain
        // words only is the category's plain member ("Cheese Pie" among Specialty Pies).
        let category_words = |i: u32| -> Vec<String> {
            let item = &self.menu.items[i as usize];
            let Some(cat) = item
                .category
                .as_ref()
                .and_then(|c| self.menu.categories.iter().find(|k| &k.code == c))
            else {
                return Vec::new();
            };
            super::super::normalise::normalise(&cat.name)
                .0
                .split_whitespace()
                .map(super::super::normalise::stem)
                .collect()
        };
        for l in &mut self.lines {
            let Some(cands) = l
                .cands
                .as_ref()
                .filter(|c| c.len() >= 2 && l.item.is_none())
            else {
                continue;
            };
            // Additions only (options of groups nothing requires), ordered with a count or an
            // article and pointing at nothing said before: "a large pepperoni", "a medium pie
            // with mushrooms" build on the plain base. A bare "large, with X", "a large one",
            // "one of those, medium" speak of a line already said (the dialog's to place).
            let additions = l.qty.is_some()
                && !l.pronoun
                && !(l.start..l.end.min(sc.tokens.len()))
                    .any(|t| lexicon::POINTING_WORDS.contains(&sc.word(t)))
                && l.mods.iter().any(|m| !m.negated)
                && l.mods.iter().all(|m| {
                    m.cands
                        .iter()
                        .all(|&(g, _)| self.menu.groups[g as usize].min == 0)
                });
            // Nothing named: only with additions, and the plain member is the one named by
            // its category and plain words ("Cheese Pie" in Pies).
            if !l.item_named && !additions {
                continue;
            }
            // Named: one plain member beside one variant; a family of three or more is asked
            // about ("a naan" among plain, garlic and cheese naan: the caller may want any),
            // unless additions were said for it, or one member is named as the house's own
            // version in the language the dish is named in ("Raclette Classique" among four
            // other raclettes: "a raclette" is that one, as a person behind the counter would
            // take it). An English "Classic Milk Tea" among four milk teas is one flavour
            // among flavours, and "a milk tea" there is still asked.
            let family = l.item_named && cands.len() > 2 && !additions;
            // A word said right after the name that the menu does not know may be a longer
            // name said loosely ("a raclette sandwich" for the baguette): asked.
            if family && loose_word_after(self.t, sc, l.item_tok) {
                continue;
            }
            let names: Vec<Vec<String>> = cands.iter().map(|&i| words(i)).collect();
            let shared: Vec<String> = if l.item_named {
                let shared: Vec<String> = names[0]
                    .iter()
                    .filter(|w| names.iter().all(|n| n.contains(w)))
                    .cloned()
                    .collect();
                if shared.is_empty() {
                    continue;
                }
                shared
            } else {
                Vec::new()
            };
            let plain: Vec<u32> = cands
                .iter()
                .zip(&names)
                .filter(|(&i, n)| {
                    // Named, the rest may be its category's word too ("za'atar" among
                    // "Za'atar Man'oushe" and "1/2 Za'atar 1/2 Cheese" in Man'oushe), unless
                    // what was said is the last word of another one's name ("an italian"
                    // beside "Italian Hoagie" is also the Roast Pork Italian: asked).
                    let head_of_other = l.item_named
                        && cands
                            .iter()
                            .zip(&names)
                            .any(|(&j, o)| j != i && o.last().is_some_and(|w| shared.contains(w)));
                    let cat = if head_of_other || family {
                        Vec::new()
                    } else {
                        category_words(i)
                    };
                    let plain = |w: &str| {
                        if family {
                            said_in_english_as(w, lexicon::HOUSE_VERSION_WORDS)
                        } else {
                            lexicon::PLAIN_WORDS.contains(&w)
                                || said_in_english_as(w, lexicon::PLAIN_WORDS)
                        }
                    };
                    n.iter().all(|w| {
                        shared.contains(w)
                            || cat.contains(w)
                            // A POS code or number ("P2 Pho Tai" beside "P3 Pho Tai Nam") is
                            // never said as part of the name.
                            || w.chars().any(|c| c.is_ascii_digit())
                            || plain(w)
                            || (additions && lexicon::PLAIN_BASE_WORDS.contains(&w.as_str()))
                    }) && (!family || n.iter().any(|w| plain(w)))
                })
                .map(|(&i, _)| i)
                .collect();
            // "Ćevapi u Somunu" beside "Ćevapi Tanjir": a name that is the words said, then a
            // joining word of the dish's language and what it is served in or with, is the dish
            // itself; the other is a kind of it ("a plate of").
            let plain = if plain.is_empty() && l.item_named && cands.len() == 2 && !additions {
                let served: Vec<u32> = cands
                    .iter()
                    .zip(&names)
                    .filter(|(_, n)| {
                        n.len() > shared.len() + 1
                            && n[..shared.len()] == shared[..]
                            && lexicon::SERVED_WITH_WORDS.contains(&n[shared.len()].as_str())
                    })
                    .map(|(&i, _)| i)
                    .collect();
                if loose_word_after(self.t, sc, l.item_tok) {
                    Vec::new()
                } else {
                    served
                }
            } else {
                plain
            };
            if let [only] = plain[..] {
                l.item = Some(only);
                l.cands = Some(vec![only]);
                l.item_conf = l.item_conf.min(crate::extract::compile::PARTIAL_CONFIDENCE);
            }
        }
    }

    /// "a sando, hot" beside "Hot Chkn Sando" and "#2 Sando Combo": a name said that leaves a
    /// single dish open beside combos of it, with no combo word said on the line, is the dish,
    /// when its name (before any parenthesis) ends in the word said and the combos' names hold
    /// that word. The head-word guard keeps the rule off names that only describe.
    pub(super) fn combo_not_said(&mut self, sc: &Scanned) {
        for l in &mut self.lines {
            let Some(cands) = l
                .cands
                .as_ref()
                .filter(|c| c.len() >= 2 && l.item.is_none() && l.item_named)
            else {
                continue;
            };
            let said = said_stems(l, sc);
            if said
                .iter()
                .any(|w| lexicon::COMBO_WORDS.contains(&w.as_str()))
            {
                continue;
            }
            // Each candidate's name words, once.
            let names: Vec<(u32, Vec<String>)> = cands
                .iter()
                .map(|&i| (i, item_name_stems(self.menu, i)))
                .collect();
            let single: Vec<&(u32, Vec<String>)> = names
                .iter()
                .filter(|(_, w)| !w.iter().any(|w| lexicon::COMBO_WORDS.contains(&w.as_str())))
                .collect();
            // The combos must name the dish in their own name ("Sando Combo"), not only in
            // what they hold: "a sausage" beside "Combo (beef + char sausage)" is asked, as a
            // caller naming a part of the combo may be asking about it.
            if let [(only, only_words)] = single[..] {
                let head = only_words.last().filter(|h| said.contains(h));
                if head.is_some_and(|h| {
                    names
                        .iter()
                        .filter(|(i, _)| i != only)
                        .all(|(_, w)| w.contains(h))
                }) {
                    let only = *only;
                    l.item = Some(only);
                    l.cands = Some(vec![only]);
                    l.item_conf = l.item_conf.min(crate::extract::compile::PARTIAL_CONFIDENCE);
                }
            }
        }
    }
}

/// A word of another language whose English is one of `words` ("classique" is "classic").
fn said_in_english_as(w: &str, words: &[&str]) -> bool {
    super::super::menu_words::english_forms(w)
        .iter()
        .any(|e| words.contains(&e.as_str()))
}

/// Whether the word at `tok` is one the menu and the grammar do not know (not a count or
/// order word either): said right after a name, it may make a longer name of it.
fn loose_word_after(t: &Tables, sc: &Scanned, tok: usize) -> bool {
    let Some(&id) = sc.ids.get(tok) else {
        return false;
    };
    let word = super::super::normalise::stem(sc.word(tok));
    let known =
        id != super::super::matcher::NO_WORD && (t.function[id as usize] || t.content[id as usize]);
    !known
        && !lexicon::ORDER_WORDS.contains(&word.as_str())
        && !lexicon::PIECE_WORDS.contains(&word.as_str())
}

/// A line's words and the last word of the name as said, stemmed: a line shared out ("two
/// sandos, one hot one mild") keeps the name said before its own words. What `combo_not_said`
/// and `family_base` compare with the names left open.
pub(super) fn said_stems(l: &Line, sc: &Scanned) -> Vec<String> {
    (l.start..l.end.min(sc.tokens.len()))
        .chain(
            l.parent_item_tok
                .unwrap_or(l.item_tok)
                .checked_sub(1)
                .filter(|&t| t < sc.tokens.len()),
        )
        .map(|t| super::super::normalise::stem(sc.word(t)))
        .collect()
}

/// An item's name before any parenthesis, normalised and stemmed word by word ("#2 Sando Combo
/// (w/ side)" -> "#2", "sando", "combo"): what `plain_members` and `combo_not_said` compare.
pub(super) fn item_name_stems(menu: &Menu, item: u32) -> Vec<String> {
    let name = &menu.items[item as usize].name;
    let name = name.split('(').next().unwrap_or(name);
    super::super::normalise::normalise(name)
        .0
        .split_whitespace()
        .map(super::super::normalise::stem)
        .collect()
}
