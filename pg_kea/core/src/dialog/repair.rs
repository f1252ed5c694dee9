//! The cart against the one definition of a valid order, `order_rules::validate`: the rules
//! `kea.validate_lines` and the database's completeness check apply at save. The dialog runs
//! them before every question about the cart, every read-back and every submit, so that what
//! the caller hears read back is what the database takes (docs/dialog.md, "One definition of a
//! valid order").
//!
//! What only the caller can decide is asked: a size, a required choice, and which one when a
//! choose-one group got two values ("Which bread would you like for the sandwich: white or
//! whole wheat?"). What the caller cannot have chosen is dropped without a word: an option of
//! a group the item does not take, "no" or "extra" on an option that does not allow it (words
//! heard as an option by mistake). What is sold out is taken off and said.

use super::state::{Asking, CartLine};
use super::{speech, Turn};
use crate::extract::LineMention;
use crate::order_rules::{self, Problem, RuleLine};

/// Problem codes the caller is asked about; every other code is repaired without a question.
const ASKED: [&str; 5] = [
    "size_required",
    "unknown_size",
    "size_sold_out",
    "choice_required",
    "too_many",
];

impl Turn<'_> {
    fn line_problems(&self, idx: usize) -> Vec<Problem> {
        let line = &self.state.cart[idx];
        order_rules::validate_line(&self.menu.menu, idx, &RuleLine::from(line))
    }

    /// Repairs what needs no question, line by line: the cart then breaks only rules in
    /// [`ASKED`]. Sold-out things taken off are kept in `sold_out` for this turn's answer.
    pub(super) fn tidy_cart(&mut self) {
        let mut idx = 0;
        while idx < self.state.cart.len() {
            let problems = self.line_problems(idx);
            let mut drop_line = false;
            for p in &problems {
                let line = &mut self.state.cart[idx];
                let is_it = |m: &crate::extract::ModMention| {
                    Some(&m.group) == p.group.as_ref() && Some(&m.option) == p.option.as_ref()
                };
                match p.code {
                    "unknown_item" => drop_line = true,
                    "item_sold_out" => {
                        drop_line = true;
                        self.sold_out.push(
                            self.menu
                                .menu
                                .item(&line.item)
                                .map_or_else(|| line.item.clone(), |i| i.name.clone()),
                        );
                    }
                    "bad_quantity" => {
                        line.quantity = line.quantity.clamp(1, order_rules::MAX_QUANTITY);
                    }
                    "group_not_on_item" | "unknown_group" | "unknown_option" | "not_negatable" => {
                        line.modifiers.retain(|m| !is_it(m));
                    }
                    "option_sold_out" => {
                        line.modifiers.retain(|m| !is_it(m));
                        let name = p.message.trim_end_matches(" is sold out").to_string();
                        self.sold_out.push(name);
                    }
                    "not_qualified" => {
                        for m in line.modifiers.iter_mut().filter(|m| is_it(m)) {
                            m.qualifier = None;
                        }
                    }
                    "unknown_size" | "size_sold_out" => {
                        // Asked again, among the sizes there are.
                        line.variation = None;
                    }
                    _ => {}
                }
            }
            // Nothing left to choose from: a size or a required choice all sold out.
            if !drop_line && self.nothing_to_choose(idx) {
                drop_line = true;
                let item = &self.state.cart[idx].item;
                let name = self
                    .menu
                    .menu
                    .item(item)
                    .map_or_else(|| item.clone(), |i| i.name.clone());
                self.sold_out.push(name);
            }
            if drop_line {
                let line = self.state.cart.remove(idx);
                self.notes.push(format!(
                    "line {idx} ({}) taken off: {problems:?}",
                    line.item
                ));
                self.state.focus = None;
                self.state.asking = None;
                continue;
            }
            if !problems.is_empty() {
                let left: Vec<&str> = self.line_problems(idx).iter().map(|p| p.code).collect();
                self.notes
                    .push(format!("line {idx} repaired, left: {left:?}"));
            }
            idx += 1;
        }
    }

    /// Whether the line needs a size or a choice none of whose values is available.
    fn nothing_to_choose(&self, idx: usize) -> bool {
        let menu = &self.menu.menu;
        let Some(item) = menu.item(&self.state.cart[idx].item) else {
            return false;
        };
        self.line_problems(idx).iter().any(|p| match p.code {
            "size_required" => !item.variations.iter().any(|v| v.available),
            "choice_required" => p
                .group
                .as_deref()
                .and_then(|g| menu.group(g))
                .is_some_and(|g| !g.options.iter().any(|o| o.available)),
            _ => false,
        })
    }

    /// The first thing the caller must decide for the cart to be valid: the first line's size,
    /// then its groups in the item's order (a missing choice, or too many values).
    pub(super) fn missing_choice(&self) -> Option<Asking> {
        (0..self.state.cart.len()).find_map(|idx| {
            self.line_problems(idx)
                .into_iter()
                .find(|p| ASKED.contains(&p.code))
                .map(|p| Asking {
                    line: idx,
                    group: match p.code {
                        "choice_required" | "too_many" => p.group,
                        _ => None,
                    },
                })
        })
    }

    /// Whether the question `asking` asks is answered now: the rules it was about hold.
    pub(super) fn answered(&self, asking: &Asking) -> bool {
        if asking.line >= self.state.cart.len() {
            return true;
        }
        !self
            .line_problems(asking.line)
            .iter()
            .any(|p| match &asking.group {
                None => matches!(p.code, "size_required" | "unknown_size" | "size_sold_out"),
                Some(g) => {
                    matches!(p.code, "choice_required" | "too_many") && p.group.as_ref() == Some(g)
                }
            })
    }

    /// Whether `line` has as many choices of group `g` as the group requires.
    pub(super) fn group_filled(&self, line: &CartLine, g: &str) -> bool {
        let Some(group) = self.menu.menu.group(g) else {
            return true;
        };
        let (chosen, defaults) =
            order_rules::chosen_in_group(group, &RuleLine::from(line).modifiers);
        chosen + defaults >= group.min
    }

    /// Whether line `idx` has more values of group `g` than the group allows: the question
    /// is then which of them the caller meant.
    pub(super) fn over_limit(&self, idx: usize, g: &str) -> bool {
        let (Some(line), Some(group)) = (self.state.cart.get(idx), self.menu.menu.group(g)) else {
            return false;
        };
        let (chosen, _) = order_rules::chosen_in_group(group, &RuleLine::from(line).modifiers);
        group.max > 0 && chosen > group.max
    }

    /// The values of group `g` line `idx` has, in the order they were said: what "which
    /// one?" offers when there are too many.
    pub(super) fn values_on_line(&self, idx: usize, g: &str) -> Vec<(String, String)> {
        let (Some(line), Some(group)) = (self.state.cart.get(idx), self.menu.menu.group(g)) else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for m in line.modifiers.iter().filter(|m| m.group == g && !m.negated) {
            if let Some(o) = group.option(&m.option) {
                if !out.iter().any(|(c, _)| *c == o.code) {
                    out.push((o.code.clone(), o.name.to_lowercase()));
                }
            }
        }
        out
    }

    /// The answer to "which of these?" for a group with too many values: keeps those the
    /// caller named now (by name, in what extraction heard about the line, or by position),
    /// drops the others. Returns whether it kept any.
    pub(super) fn keep_named_values(
        &mut self,
        text: &str,
        about_line: &[&LineMention],
        idx: usize,
        g: &str,
    ) -> bool {
        let offered = self.values_on_line(idx, g);
        let spoken = format!(" {} ", super::choices::normalised(text));
        let mut keep: Vec<String> = offered
            .iter()
            .filter(|(code, name)| {
                about_line
                    .iter()
                    .flat_map(|l| &l.modifiers)
                    .any(|m| m.group == g && m.option == *code && !m.negated)
                    || spoken.contains(&format!(" {} ", super::choices::normalised(name)))
            })
            .map(|(code, _)| code.clone())
            .collect();
        if keep.is_empty() {
            if let Some(p) = super::choices::position(text, offered.len()) {
                keep.push(offered[p].0.clone());
            }
        }
        if keep.is_empty() || keep.len() == offered.len() {
            return false;
        }
        self.state.cart[idx]
            .modifiers
            .retain(|m| m.group != g || m.negated || keep.contains(&m.option));
        self.notes
            .push(format!("kept {keep:?} of the {g} of line {idx}"));
        true
    }

    /// "Sorry, we're out of X." for what [`Self::tidy_cart`] took off this turn.
    pub(super) fn sold_out_notice(&self) -> Option<String> {
        let mut names = self.sold_out.clone();
        names.dedup();
        (!names.is_empty()).then(|| format!("Sorry, we're out of {}.", speech::list(&names)))
    }
}
