//! One menu word heard: an item or category name, a size, or an option, and where it goes.
//! `matched` sorts the readings of the unit, then one of `on_name`, `on_size`, `on_option`
//! places it on the line being said or starts a new one.

use super::*;

/// One matched unit as heard.
pub(super) struct Said<'s> {
    pub ms: &'s [Meaning],
    pub conf: f32,
    /// The form actually said (one stem may cover several aliases).
    pub surface: u64,
    pub start: usize,
    pub end: usize,
    /// Group markers right before and right after ("side of guac", "chips on the side").
    pub prefix: Option<u32>,
    pub suffix: Option<u32>,
    /// The utterance and the unit's index, for looking ahead; `None` for a unit read through
    /// coordination.
    pub at: Option<(&'s Scanned<'s>, usize)>,
}

/// The content readings of a unit, sorted by kind.
struct Readings<'m> {
    content: Vec<&'m Meaning>,
    /// Items and categories (items only, when an item's name says it).
    named: Vec<&'m Meaning>,
    /// (group, option, confidence), narrowed by a group marker.
    opts: Vec<(u32, u32, f32)>,
    /// (item, variation, confidence).
    vars: Vec<(u32, u32, f32)>,
}

impl Builder<'_> {
    pub(super) fn matched(&mut self, s: &Said) {
        let Some(r) = self.readings(s) else {
            return;
        };
        if self.describes_next_option(s, &r) {
            return;
        }
        if r.named.is_empty() && self.side_item(s, &r.opts) {
            return;
        }
        if self.extra_item(s, &r.named) {
            return;
        }
        if self.sized_item_said(s, &r) {
            return;
        }
        match self.name_reading(s, &r) {
            NameReading::Describes => {}
            NameReading::Orders => self.on_name(s, &r),
            NameReading::Not if !r.vars.is_empty() && r.opts.is_empty() => self.on_size(s, &r),
            NameReading::Not if !r.opts.is_empty() => self.on_option(s, &r),
            NameReading::Not => {}
        }
    }

    /// The content readings of the unit; `None` when it has none (a number, qualifier or
    /// negation, handled here).
    fn readings<'m>(&mut self, s: &Said<'m>) -> Option<Readings<'m>> {
        let (ms, conf, surface, start, end) = (s.ms, s.conf, s.surface, s.start, s.end);
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
            return None;
        }
        let conf_of = |m: &Meaning| m.confidence * conf;
        let mut named: Vec<&Meaning> = content
            .iter()
            .copied()
            .filter(|m| matches!(m.sense, Sense::Item(_) | Sense::Category(_)))
            .collect();
        // "a milk tea": the items whose names say it are narrower than the category. But
        // "a shrimp pupusa", the line's one item named before its category's name, which is
        // also a piece of other items' names: the word only says the item's kind.
        if named.iter().any(|m| matches!(m.sense, Sense::Item(_))) {
            let own_category = match self.cur.cands.as_deref() {
                Some(&[only]) if self.cur.item_named => {
                    named.iter().any(|m| {
                        matches!(m.sense, Sense::Category(c)
                            if m.confidence >= 1.0
                                && self.t.category_items[c as usize].contains(&only))
                    }) && named.iter().all(|m| match m.sense {
                        Sense::Item(i) => i != only && m.confidence < 1.0,
                        _ => true,
                    })
                }
                _ => false,
            };
            if own_category {
                named.retain(|m| matches!(m.sense, Sense::Category(_)));
            } else {
                named.retain(|m| matches!(m.sense, Sense::Item(_)));
            }
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
        // "tteokbokki with cheese" where "Cheese" is another item's option and the line's item
        // has "Mozz Cheese": the head piece of the line's own option, hidden at compile time
        // by the other option's full name, is what was meant.
        if self.cur.item_named && named.is_empty() && !opts.is_empty() {
            let fits =
                |g: u32| !intersect(&self.cur.cands, &self.t.group_items[g as usize]).is_empty();
            if !opts.iter().any(|o| fits(o.0)) {
                // A word of the line's item's own name ("half za'atar half cheese") is that name.
                let own_name = |sc: &Scanned| {
                    self.cur.cands.as_ref().is_some_and(|c| {
                        c.iter().any(|&i| {
                            sc.ids[start..end]
                                .iter()
                                .all(|w| self.t.item_words[i as usize].contains(w))
                        })
                    })
                };
                if let Some((sc, _)) = s.at.filter(|(sc, _)| !own_name(sc)) {
                    if let Some(hidden) = self.t.hidden_pieces.get(&sc.ids[start..end]) {
                        let own: Vec<(u32, u32, f32)> = hidden
                            .iter()
                            .filter(|h| fits(h.0))
                            .map(|h| (h.0, h.1, crate::extract::compile::PARTIAL_CONFIDENCE * conf))
                            .collect();
                        if !own.is_empty() {
                            opts = own;
                        }
                    }
                }
            }
            // "a milk tea with condensed milk" where the tea's option is "Condensed" in a group
            // named "Milk" and "Condensed Milk" is another item's option: the line's own option
            // followed by its group's name.
            if !opts.iter().any(|o| fits(o.0)) && end - start >= 2 {
                if let Some((sc, _)) = s.at {
                    if let Some((head, before)) = sc.ids[start..end].split_last() {
                        let own: Vec<(u32, u32, f32)> = self
                            .t
                            .trie
                            .get(before)
                            .iter()
                            .filter_map(|m| match m.sense {
                                Sense::Opt { group, opt }
                                    if m.confidence >= 1.0
                                        && fits(group)
                                        && self.t.group_heads[group as usize] == *head =>
                                {
                                    Some((group, opt, conf))
                                }
                                _ => None,
                            })
                            .collect();
                        if !own.is_empty() {
                            opts = own;
                        }
                    }
                }
            }
        }
        // "a chorizo sandwich with provolone and a fried egg" where "Fried Egg" is another
        // item's option and the sandwich has "Egg": after "with a" / "and a" in a "with" list,
        // the head piece of the listed line's own option, hidden at compile time by the other
        // option's full name, is what was meant (as on the line itself, above).
        if named.is_empty() && !opts.is_empty() && !self.cur.item_named && self.cur.item.is_none() {
            if let (Some(pos), Some((sc, _))) = (self.with_list_line(s), s.at) {
                let listed = &self.lines[pos].cands;
                let fits = |g: u32| !intersect(listed, &self.t.group_items[g as usize]).is_empty();
                if !opts.iter().any(|o| fits(o.0)) {
                    if let Some(hidden) = self.t.hidden_pieces.get(&sc.ids[start..end]) {
                        let own: Vec<(u32, u32, f32)> = hidden
                            .iter()
                            .filter(|h| fits(h.0))
                            .map(|h| (h.0, h.1, crate::extract::compile::PARTIAL_CONFIDENCE * conf))
                            .collect();
                        if !own.is_empty() {
                            opts = own;
                        }
                    }
                }
            }
        }
        // A prefix/suffix marker picks the group ("side of guacamole", "chips on the side").
        for marker in [s.prefix, s.suffix].into_iter().flatten() {
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
        // "a large soda" where the drinks' own size is "Lg" and "large" is also the plain word
        // for the sides' "Qt" (`plain_sizes.rs`, read below full names): unless an item in view
        // (on the line or named next) takes only the plain reading, the menu's own name is meant.
        let top = vars.iter().map(|v| v.2).fold(0.0, f32::max);
        if vars.iter().any(|v| v.2 < top) {
            let known = if self.cur.item_named || self.cur.item.is_some() {
                self.cur.cands.clone()
            } else {
                s.at.and_then(|(sc, k)| self.items_ahead(sc, k))
            };
            let plain_fits = known.is_some_and(|known| {
                vars.iter().any(|v| v.2 < top && known.contains(&v.0))
                    && !vars.iter().any(|v| v.2 >= top && known.contains(&v.0))
            });
            if !plain_fits {
                vars.retain(|v| v.2 >= top);
            }
        }
        // "a medium coffee" where "medium" is also a steak's doneness: a word that is a size
        // and an option is the one the line's item (or the item named next) takes.
        if !vars.is_empty() && !opts.is_empty() && !self.cur.shared {
            let item_in_view = self.cur.item_named || self.cur.item.is_some();
            // "side of coconut rice" where "coconut" is the size of Side Rice and the rice pick
            // of plates: with no item on the line, a word of the sized item's name said right
            // after it says the size (whatever other names that word is a piece of).
            let sized_next = !item_in_view
                && s.at.is_some_and(|(sc, k)| {
                    sc.units.get(k + 1).is_some_and(|u| {
                        let w = sc.ids[u.start];
                        vars.iter()
                            .any(|v| self.t.item_words[v.0 as usize].contains(&w))
                    })
                });
            let known = if item_in_view {
                self.cur.cands.clone()
            } else {
                s.at.and_then(|(sc, k)| self.items_ahead(sc, k))
            };
            if sized_next {
                opts.clear();
            } else if let Some(known) = known {
                let var_fits = vars.iter().any(|v| known.contains(&v.0));
                let opt_fits = opts.iter().any(|o| {
                    self.t.group_items[o.0 as usize]
                        .iter()
                        .any(|i| known.contains(i))
                });
                if var_fits && !opt_fits {
                    opts.clear();
                } else if opt_fits && !var_fits {
                    vars.clear();
                }
            }
        }

        Some(Readings {
            content,
            named,
            opts,
            vars,
        })
    }

    /// "huevos rancheros with the eggs over easy": a word that is only pieces of names, none
    /// of which the line's item takes, right before an option the line's item takes,
    /// describes that option ("eggs" over easy); it starts no line.
    fn describes_next_option(&self, s: &Said, r: &Readings) -> bool {
        let Some((sc, k)) = s.at else {
            return false;
        };
        if !self.cur.item_named || r.content.iter().any(|m| m.confidence >= 1.0) {
            return false;
        }
        let takes =
            |g: u32| !intersect(&self.cur.cands, &self.t.group_items[g as usize]).is_empty();
        if r.opts.iter().any(|o| takes(o.0))
            || r.vars
                .iter()
                .any(|v| self.cur.cands.as_ref().is_none_or(|c| c.contains(&v.0)))
        {
            return false;
        }
        sc.units.get(k + 1).is_some_and(|n| match &n.kind {
            UnitKind::Match(ms, _) => ms.iter().any(|m| {
                m.confidence >= 1.0 && matches!(m.sense, Sense::Opt { group, .. } if takes(group))
            }),
            _ => false,
        })
    }

    /// "half caesar" where `1/2 Caesar` is only a combo's pick: with no item on the line and
    /// the combo said nowhere before, an option named by a size of one item and that item's
    /// name (`Tables::sized_items`) orders the item in that size.
    fn sized_item_said(&mut self, s: &Said, r: &Readings) -> bool {
        if !r.named.is_empty()
            || !r.vars.is_empty()
            || r.opts.is_empty()
            || self.cur.item_named
            || self.cur.item.is_some()
            || r.content.iter().any(|m| m.confidence < 1.0)
        {
            return false;
        }
        let said_before = |g: u32| {
            let takers = &self.t.group_items[g as usize];
            self.lines
                .iter()
                .chain(std::iter::once(&self.cur))
                .any(|l| {
                    l.cands
                        .as_ref()
                        .is_some_and(|c| c.iter().any(|i| takers.contains(i)))
                })
        };
        let mut found = None;
        for &(g, o, _) in &r.opts {
            if said_before(g) {
                return false;
            }
            let Some(x) = self.t.sized_items[g as usize][o as usize] else {
                return false;
            };
            if found.is_some_and(|f| f != x) {
                return false;
            }
            found = Some(x);
        }
        let Some((item, var)) = found else {
            return false;
        };
        let m = Meaning {
            sense: Sense::Item(item),
            confidence: 1.0,
            surface: 0,
        };
        let name = Readings {
            content: vec![&m],
            named: vec![&m],
            opts: Vec::new(),
            vars: Vec::new(),
        };
        self.on_name(s, &name);
        let size = Readings {
            content: Vec::new(),
            named: Vec::new(),
            opts: Vec::new(),
            vars: vec![(item, var, s.conf)],
        };
        self.on_size(s, &size);
        true
    }

    /// Whether a name heard orders its item, only describes, or is read as something else
    /// (an option or size of the same words).
    fn name_reading(&self, s: &Said, r: &Readings) -> NameReading {
        let (content, named, opts) = (&r.content, &r.named, &r.opts);
        // Items the next menu word names or implies; worked out only where a rule needs it.
        let next_items = |this: &Self| s.at.and_then(|(sc, k)| this.items_ahead(sc, k));
        // An option the current (named) item takes wins over an item of the same name.
        // After "both", a word that is an item and an option ("both with home fries") is the
        // option of the lines before.
        let opt_fits_named = (self.cur.item_named || self.cur.shared)
            && opts
                .iter()
                .any(|o| !intersect(&self.cur.cands, &self.t.group_items[o.0 as usize]).is_empty());
        // Options named as an amount or swap of the word ("Xtra Beef") are no reading of the
        // bare word said as an item's name on a line with no item yet ("a beef, dry"): it is
        // what is ordered, not more of it. After "extra", or for a named line (also the line
        // before, "with fries and an egg roll"), they are.
        let extra_before = matches!(self.pending_qual, Some((Qualifier::Extra, e)) if e == s.start);
        // "one of those with an egg": after "with", what is named is added to a line.
        let with_before = s.at.is_some_and(|(sc, _)| {
            (0..s.start)
                .rev()
                .map(|k| sc.word(k))
                .find(|w| !matches!(*w, "a" | "an" | "some" | "the"))
                == Some("with")
        });
        let thing_opts: Vec<(u32, u32, f32)> = opts
            .iter()
            .copied()
            .filter(|o| {
                extra_before
                    || with_before
                    || named.is_empty()
                    || self.cur.item_named
                    || self.cur.shared
                    || !lexicon::name_is_amount_of(
                        &self.menu.groups[o.0 as usize].options[o.1 as usize].name,
                    )
            })
            .collect();
        let opts = &thing_opts;
        // A word that is both an item's name and an option of that same item ("coffee" as
        // the coffee order and as its drink type) is read as the option: it says more.
        // Not an option that is its group's default where the item is named in full
        // ("chicken rice" as the dish and as its default rice): it says no more than the item.
        let opt_implies_named = named.iter().any(|m| match m.sense {
            Sense::Item(i) => opts.iter().any(|o| {
                self.t.group_items[o.0 as usize].contains(&i)
                    && !(m.confidence >= 1.0
                        && self.menu.groups[o.0 as usize].options[o.1 as usize].default)
            }),
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
                .all(|m| m.confidence == crate::extract::compile::PARTIAL_MODIFIER_CONFIDENCE)
            && !content.iter().any(|m| matches!(m.sense, Sense::Var { .. }));
        // "two eggs with wheat toast" where Toast is also an item taking the toast choice:
        // an item named right after an option of a group both it and the line's item take
        // says what that option is ("wheat" toast), it orders nothing.
        let names_option_kind = self.cur.item_named
            && !named.is_empty()
            && self.cur.mods.last().is_some_and(|last| {
                last.end == s.start
                    && !last.negated
                    && last.cands.iter().any(|&(g, _)| {
                        let takers = &self.t.group_items[g as usize];
                        !intersect(&self.cur.cands, takers).is_empty()
                            && named.iter().all(|m| {
                                matches!(m.sense, Sense::Item(i)
                                    if takers.contains(&i)
                                        && self.cur.cands.as_ref().is_some_and(|c| !c.contains(&i)))
                            })
                    })
            });
        // "a burrito with spanish rice" where Rice is the group of "Spanish" and also a side
        // order's name: the group's own head word said right after its option names the
        // option's kind, it orders nothing.
        let names_option_group = self.cur.item_named
            && !named.is_empty()
            && s.end - s.start == 1
            && s.at.is_some_and(|(sc, _)| {
                let id = sc.ids[s.start];
                self.cur.mods.last().is_some_and(|last| {
                    last.end == s.start
                        && !last.negated
                        && last.cands.iter().any(|&(g, _)| {
                            self.t.group_heads[g as usize] == id
                                && !intersect(&self.cur.cands, &self.t.group_items[g as usize])
                                    .is_empty()
                        })
                })
            });
        if describes_only || names_option_kind || names_option_group {
            return NameReading::Describes;
        }
        if !named.is_empty()
            && !opt_fits_named
            && !opt_implies_named
            && !opt_by_context
            && !self.said_with_line_before(s, &r.opts)
        {
            NameReading::Orders
        } else {
            NameReading::Not
        }
    }

    /// An item or category named: narrows the line or starts a new one.
    fn on_name(&mut self, s: &Said, r: &Readings) {
        let (start, end, conf) = (s.start, s.end, s.conf);
        let named = &r.named;
        let conf_of = |m: &Meaning| m.confidence * conf;
        let mut items: Vec<u32> = Vec::new();
        let mut single = None;
        for m in named {
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
            let takes = self.menu.group_indexes(item as usize);
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
    }

    /// A size.
    fn on_size(&mut self, s: &Said, r: &Readings) {
        let (start, end, at) = (s.start, s.end, s.at);
        let vars = &r.vars;
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
        // "a medium fries, no wait, large": a correction that is only another size replaces
        // the size; the line stays.
        let resized = self.retract_pending && !inter.is_empty() && !for_next;
        if inter.is_empty() || (differs && !self.cur.amend && !resized) || for_next {
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
    }

    /// An option: on the line being said when it fits, else a line of its own.
    fn on_option(&mut self, s: &Said, r: &Readings) {
        let (ms, conf, start, end, at) = (s.ms, s.conf, s.start, s.end, s.at);
        let (opts, vars) = (&r.opts, &r.vars);
        let mut items: Vec<u32> = Vec::new();
        for o in opts {
            for &i in &self.t.group_items[o.0 as usize] {
                if !items.contains(&i) {
                    items.push(i);
                }
            }
        }
        for v in vars {
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
        // Not when the line's item takes the option and the word right after names an item
        // that takes it too ("with rye toast": the kind of the option, see `name_reading`).
        let kind_next = self.cur.item_named
            && !inter.is_empty()
            && at.is_some_and(|(sc, k)| {
                sc.units.get(k + 1).is_some_and(|n| match &n.kind {
                    UnitKind::Match(ms, _) => {
                        let named: Vec<u32> = ms
                            .iter()
                            .filter_map(|m| match m.sense {
                                Sense::Item(i) => Some(i),
                                _ => None,
                            })
                            .collect();
                        !named.is_empty()
                            && !named
                                .iter()
                                .any(|i| self.cur.cands.as_ref().is_none_or(|c| c.contains(i)))
                            && opts.iter().any(|o| {
                                named
                                    .iter()
                                    .all(|i| self.t.group_items[o.0 as usize].contains(i))
                            })
                    }
                    _ => false,
                })
            });
        // "with spanish rice" where Rice is the option's group: the group's head word next is
        // the option's kind too, whatever it names.
        let group_next = self.cur.item_named
            && at.is_some_and(|(sc, k)| {
                sc.units.get(k + 1).is_some_and(|n| {
                    n.end - n.start == 1
                        && opts.iter().any(|o| {
                            self.t.group_heads[o.0 as usize] == sc.ids[n.start]
                                && !intersect(&self.cur.cands, &self.t.group_items[o.0 as usize])
                                    .is_empty()
                        })
                })
            });
        let for_next = (self.cur.item_named || self.cur.item.is_some())
            && self.pending_neg.is_none()
            && !kind_next
            && !group_next
            && at.is_some_and(|(sc, k)| self.next_starts_other_line(sc, k, &items));
        // "six boneless" where "boneless" is read as a party pack's style but Boneless Wings
        // come in "6 pc": a count with words of an item's name that has a size of that count
        // names that item (the option reading did not fit the count).
        if let (Some(n), Some((sc, k))) = (self.cur.qty.filter(|_| !self.cur.qty_article), at) {
            let sized = |i: u32| self.t.size_counts[i as usize].iter().any(|c| c.1 == n);
            if !self.cur.has_content && !items.iter().any(|&i| sized(i)) {
                let u = &sc.units[k];
                let words = &sc.ids[u.start..u.end];
                let named_by: Vec<u32> = (0..self.menu.items.len() as u32)
                    .filter(|&i| {
                        sized(i)
                            && words
                                .iter()
                                .all(|w| self.t.item_words[i as usize].contains(w))
                    })
                    .collect();
                if !named_by.is_empty() {
                    self.name_items_by_piece(named_by, start, end, conf);
                    return;
                }
            }
        }
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
                    self.cur.item_conf = crate::extract::compile::PARTIAL_CONFIDENCE * conf;
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
        // "soy garlic, actually make it spicy": after a change cue inside the line, the same.
        let replaced = (self.retract_pending || self.cur.amend_replaces)
            && !for_next
            && !inter.is_empty()
            && {
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
                    Some(m) if other_of_group(m) && (self.retract_pending || single(m)) => {
                        Some(self.cur.mods.len() - 1)
                    }
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
            .all(|m| m.confidence == crate::extract::compile::PARTIAL_MODIFIER_CONFIDENCE);
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
}

/// What a name heard does.
enum NameReading {
    /// Orders its item (or narrows the line to it).
    Orders,
    /// A describing piece of another dish's name: orders nothing.
    Describes,
    /// Read as an option or size instead.
    Not,
}
