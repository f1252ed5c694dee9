//! Corrections applied to the cart: "make that two", "remove the coke", "actually no onions",
//! a whole count restated ("just one pakora"), and which line a change is about.

use super::choices::*;
use super::*;
use crate::extract::LineMention;

impl Turn<'_> {
    /// Remove / set-quantity / modify intents. Returns whether the cart changed.
    pub(super) fn apply_corrections(&mut self, ex: &Extraction) -> bool {
        let mut changed = false;
        for intent in &ex.intents {
            match intent {
                Intent::Remove { item } => {
                    if let Some(idx) = self.find_line(item.as_deref()) {
                        let line = self.state.cart.remove(idx);
                        self.notes.push(format!("removed {}", line.item));
                        if let Some(i) = self.menu.menu.item(&line.item) {
                            self.removed.push(i.name.clone());
                        }
                        self.state.focus = None;
                        self.state.asking = None;
                        changed = true;
                    }
                }
                Intent::SetQuantity { item, quantity } => {
                    if let Some(idx) = self.find_line(item.as_deref()) {
                        self.state.cart[idx].quantity = (*quantity).max(1);
                        self.state.focus = Some(idx);
                        self.notes
                            .push(format!("quantity of line {idx} set to {quantity}"));
                        changed = true;
                    }
                }
                Intent::Modify { item, changes } => {
                    // "change the rice to a large": a piece of a name finds its line as the
                    // order did, through the items it fits.
                    if item.is_none() {
                        if let Some((idx, rest)) = self.line_called(changes) {
                            self.state.focus = Some(idx);
                            changed |= self.apply_to_line(idx, &rest);
                            continue;
                        }
                    }
                    let idx = match item {
                        Some(code) => self.find_line(Some(code)),
                        None => self.line_for(changes),
                    };
                    if let Some(idx) = idx.filter(|_| item.is_some() && self.replaced(changes, ex))
                    {
                        // The line goes; the item said after it is added as any line is.
                        let line = self.state.cart.remove(idx);
                        self.notes.push(format!("replaced {}", line.item));
                        self.state.focus = None;
                        self.state.asking = None;
                        changed = true;
                        continue;
                    }
                    if let Some(idx) = idx {
                        self.state.focus = Some(idx);
                        changed |= self.apply_to_line(idx, changes);
                    }
                }
                _ => {}
            }
        }
        changed
    }

    /// The line a change without a named item is about: the line in focus or the last line
    /// whose item the words fit (`candidates`) and that takes the change, else the focus.
    pub(super) fn line_for(&self, changes: &LineMention) -> Option<usize> {
        let cart = &self.state.cart;
        let menu = &self.menu.menu;
        let fits = |i: usize| {
            (changes.candidates.is_empty() || changes.candidates.contains(&cart[i].item))
                && menu
                    .item(&cart[i].item)
                    .is_some_and(|it| takes(it, changes))
        };
        let focus = self.state.focus.filter(|&i| i < cart.len());
        if !changes.candidates.is_empty() {
            if let Some(i) = focus.filter(|&i| fits(i)) {
                return Some(i);
            }
            if let Some(i) = (0..cart.len()).rev().find(|&i| fits(i)) {
                return Some(i);
            }
            return self.find_line(None);
        }
        // No items fit the words ("make the pizza a medium": "pizza" names too many to list),
        // so the change itself says which line: the focus when it takes it, else the one line
        // that takes it, else the one of those whose item shares a word with what was said.
        // Several left: the focus, as before (the change then does not apply and kea asks again).
        let taking: Vec<usize> = (0..cart.len()).filter(|&i| fits(i)).collect();
        if let Some(i) = focus.filter(|i| taking.contains(i)) {
            return Some(i);
        }
        let said: Vec<String> = words(&changes.span.text)
            .into_iter()
            .filter(|w| w.len() >= 3)
            .collect();
        let named: Vec<usize> = taking
            .iter()
            .copied()
            .filter(|&i| {
                menu.item(&cart[i].item)
                    .is_some_and(|it| words(&it.name).iter().any(|w| said.contains(w)))
            })
            .collect();
        match (taking.as_slice(), named.as_slice()) {
            ([one], _) | (_, [one]) => Some(*one),
            _ => self.find_line(None),
        }
    }

    /// "make the cheese one a small" with a Pepperoni Pizza and a Cheese Pizza in the cart: words
    /// said as "the X one" that are all words of a cart line's item name point at that line (the
    /// focus if it is one of them, else the last), and are no option of it, though "cheese" is
    /// also the topping Extra Cheese. Returns the line and the change without the options those
    /// words named.
    fn line_called(&self, changes: &LineMention) -> Option<(usize, LineMention)> {
        let Event::Speech { text, .. } = &self.input.event else {
            return None;
        };
        let said = words(&changes.span.text);
        let phrase = said.join(" ");
        let spoken = normalised(text);
        if said.is_empty()
            || ![" one", " ones"]
                .iter()
                .any(|one| format!(" {spoken} ").contains(&format!(" the {phrase}{one} ")))
        {
            return None;
        }
        let menu = &self.menu.menu;
        let cart = &self.state.cart;
        let named = |i: usize| {
            menu.item(&cart[i].item).is_some_and(|it| {
                let name = words(&it.name);
                said.iter().all(|w| name.contains(w))
            })
        };
        let idx = self
            .state
            .focus
            .filter(|&i| i < cart.len() && named(i))
            .or_else(|| (0..cart.len()).rev().find(|&i| named(i)))?;
        let mut rest = changes.clone();
        rest.modifiers.retain(|m| {
            let name = menu
                .group(&m.group)
                .and_then(|g| g.option(&m.option))
                .map(|o| words(&o.name))
                .unwrap_or_default();
            !name.iter().any(|w| said.contains(w))
        });
        Some((idx, rest))
    }

    /// "make the lamb a pork and apple", "change the lamb to a pork and apple": a change that
    /// names a line's item and says nothing of it (no size, option or count) but another item
    /// right after, joined by no more than "to", "into", "for" or an article, replaces the line
    /// with that item. Read as a change of nothing, the lamb stayed beside the pork and apple the
    /// caller wanted instead.
    fn replaced(&self, changes: &LineMention, ex: &Extraction) -> bool {
        let [line] = ex.lines.as_slice() else {
            return false;
        };
        let Some(said) = &line.item else {
            return false;
        };
        if changes.variation.is_some()
            || !changes.modifiers.is_empty()
            || changes.quantity_explicit
            || changes.item.as_deref() == Some(said.as_str())
            || line.span.start < changes.span.end
        {
            return false;
        }
        let Event::Speech { text, .. } = &self.input.event else {
            return false;
        };
        // The spans index the text as extraction normalised it (accents folded), not ours.
        let spoken = crate::extract::normalised_utterance(text);
        let between = spoken.get(changes.span.end..line.span.start).unwrap_or("x");
        words(between)
            .iter()
            .all(|w| ["to", "into", "for", "a", "an", "the"].contains(&w.as_str()))
    }

    pub(super) fn apply_to_line(&mut self, idx: usize, changes: &LineMention) -> bool {
        let menu = &self.menu.menu;
        let Some(item) = menu.item(&self.state.cart[idx].item) else {
            return false;
        };
        let mut changed = false;
        if let Some(v) = &changes.variation {
            if item.variation(v).is_some() {
                self.state.cart[idx].variation = Some(v.clone());
                changed = true;
            }
        }
        // "actually a medium" carries its article as quantity 1: only a real count changes the
        // quantity here ("make that one" is a SetQuantity intent).
        if changes.quantity_explicit && changes.quantity > 1 {
            self.state.cart[idx].quantity = changes.quantity;
            changed = true;
        }
        for m in &changes.modifiers {
            if !item.groups.contains(&m.group) {
                continue;
            }
            let single = menu.group(&m.group).is_some_and(|g| g.max == 1);
            let mods = &mut self.state.cart[idx].modifiers;
            // A later word about the same option replaces the earlier one ("actually no
            // onions"); a new choice of a one-choice group replaces the old one ("change it
            // to hot").
            mods.retain(|x| {
                !(x.group == m.group
                    && (x.option == m.option || (single && !x.negated && !m.negated)))
            });
            mods.push(m.clone());
            changed = true;
        }
        if changed {
            self.notes.push(format!("changed line {idx}"));
        }
        changed
    }

    /// "take off the chips" when extraction picked Chips & Guacamole and the cart has Chips &
    /// Salsa: the one cart line whose item's name shares a word with the named item's name
    /// (words of three letters or more). `None` when no line or several lines do.
    pub(super) fn line_sharing_words(&self, code: &str) -> Option<usize> {
        let menu = &self.menu.menu;
        let named: Vec<String> = words(&menu.item(code)?.name)
            .into_iter()
            .filter(|w| w.len() >= 3)
            .collect();
        let sharing: Vec<usize> = self
            .state
            .cart
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                menu.item(&l.item)
                    .is_some_and(|i| words(&i.name).iter().any(|w| named.contains(w)))
            })
            .map(|(i, _)| i)
            .collect();
        match sharing.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// "just one pakora", "actually two samosas" when the order has pakoras / samosas: the line
    /// whose quantity the count replaces (the line in focus when it is of that item, else the
    /// last line of it). `None` when the count is not said as the whole count, or the order
    /// has no line of exactly that item (then it is a new line: "just one mango lassi").
    pub(super) fn restates(&self, line: &LineMention) -> Option<usize> {
        let code = line.item.as_deref().filter(|_| line.whole_count)?;
        let cart = &self.state.cart;
        self.state
            .focus
            .filter(|&i| cart.get(i).is_some_and(|l| l.item == code))
            .or_else(|| cart.iter().rposition(|l| l.item == code))
    }

    /// "with swiss" after a breakfast sandwich: extraction names the only item that takes
    /// swiss, but said without a count, about the item of the line in focus, and only adding
    /// to it, it is more about that line, not a new one. Returns the line.
    pub(super) fn amends_focus(&self, line: &LineMention) -> Option<usize> {
        let code = line.item.as_deref()?;
        if line.quantity_explicit || !has_attributes(line) {
            return None;
        }
        let idx = self.state.focus.filter(|&i| i < self.state.cart.len())?;
        let current = &self.state.cart[idx];
        if current.item != code {
            return None;
        }
        let menu = &self.menu.menu;
        let conflicts_size = line
            .variation
            .as_deref()
            .is_some_and(|v| current.variation.as_deref().is_some_and(|c| c != v));
        let conflicts_option = line.modifiers.iter().any(|m| {
            menu.group(&m.group).is_some_and(|g| g.max == 1)
                && current
                    .modifiers
                    .iter()
                    .any(|c| c.group == m.group && c.option != m.option && !c.negated)
        });
        (!conflicts_size && !conflicts_option).then_some(idx)
    }

    /// "two family size classic macs" - "one on shells": a count of an item said only by its
    /// options, smaller than (or, for the rest of a line this utterance split, equal to) the
    /// count of a line the order had before, whose choices it does not contradict, is one of
    /// those, not one more. Returns that line.
    pub(super) fn splits_line(
        &self,
        line: &LineMention,
        before: usize,
        split: Option<usize>,
    ) -> Option<usize> {
        // The item implied by the options, or one of the few they fit.
        let code = line.item.as_deref().filter(|_| line.item_implied);
        if code.is_none() && (line.item.is_some() || line.candidates.is_empty()) {
            return None;
        }
        if !line.quantity_explicit || line.whole_count || !has_attributes(line) {
            return None;
        }
        let menu = &self.menu.menu;
        let q = line.quantity.max(1);
        let fits = |i: usize| {
            let l = &self.state.cart[i];
            let room = l.quantity > q || (l.quantity == q && split == Some(i));
            let size_free = line.variation.is_none() || l.variation == line.variation;
            let options_free = line.modifiers.iter().all(|m| {
                !l.modifiers.iter().any(|c| {
                    c.group == m.group
                        && !c.negated
                        && menu.group(&m.group).is_some_and(|g| g.max == 1)
                })
            });
            let same = match code {
                Some(c) => l.item == c,
                None => line.candidates.contains(&l.item),
            };
            // Every option said must be one this item takes, or the split line gets nothing.
            let takes_all = menu.item(&l.item).is_some_and(|it| {
                line.modifiers.iter().all(|m| it.groups.contains(&m.group))
                    && line
                        .variation
                        .as_ref()
                        .is_none_or(|v| it.variation(v).is_some())
            });
            same && room && size_free && options_free && takes_all
        };
        let cart = before.min(self.state.cart.len());
        self.state
            .focus
            .filter(|&i| i < cart && fits(i))
            .or_else(|| (0..cart).rev().find(|&i| fits(i)))
    }

    /// The focus line, when `line` names its item again with no count and nothing else.
    pub(super) fn names_focus_again(&self, line: &LineMention) -> Option<usize> {
        let code = line.item.as_deref()?;
        if line.quantity_explicit || has_attributes(line) {
            return None;
        }
        let idx = self.state.focus.filter(|&i| i < self.state.cart.len())?;
        (self.state.cart[idx].item == code).then_some(idx)
    }

    /// The cart line a correction refers to: the named item (last such line), else the focus,
    /// else the last line.
    pub(super) fn find_line(&self, item: Option<&str>) -> Option<usize> {
        let cart = &self.state.cart;
        match item {
            Some(code) => cart
                .iter()
                .rposition(|l| l.item == code)
                .or_else(|| self.line_sharing_words(code)),
            None => self
                .state
                .focus
                .filter(|&i| i < cart.len())
                .or_else(|| cart.len().checked_sub(1)),
        }
    }
}
