//! Required choices (size, crust...) and corrections ("make that two", "remove the coke",
//! "actually no onions") applied to the cart.

use super::state::{Asking, Phase};
use super::{speech, Turn};
use crate::extract::{Extraction, Intent, LineMention, ModMention};
use crate::twiml::Next;

impl Turn<'_> {
    /// The first line missing a required choice: asks for it and returns the prompt.
    pub(super) fn next_choice(&mut self) -> Option<(String, Next)> {
        let menu = &self.menu.menu;
        for (idx, line) in self.state.cart.iter().enumerate() {
            let Some(item) = menu.item(&line.item) else {
                continue;
            };
            // A size the item no longer has counts as none (the menu changed under the call).
            let sized = line
                .variation
                .as_deref()
                .and_then(|v| item.variation(v))
                .is_some();
            if !item.variations.is_empty() && !sized {
                self.state.asking = Some(Asking {
                    line: idx,
                    group: None,
                });
                break;
            }
            let missing = item.groups.iter().find(|g| {
                menu.group(g).is_some_and(|group| {
                    let chosen = line
                        .modifiers
                        .iter()
                        .filter(|m| &m.group == *g && !m.negated)
                        .count() as u32;
                    let defaults = group.options.iter().filter(|o| o.default).count() as u32;
                    group.min > 0 && chosen + defaults < group.min
                })
            });
            if let Some(g) = missing {
                self.state.asking = Some(Asking {
                    line: idx,
                    group: Some(g.clone()),
                });
                break;
            }
            self.state.asking = None;
        }
        let asking = self.state.asking.clone()?;
        if asking.line >= self.state.cart.len() {
            self.state.asking = None;
            return None;
        }
        self.state.phase = Phase::AskChoice;
        self.notes.push(format!(
            "asked {} for line {}",
            asking.group.as_deref().unwrap_or("size"),
            asking.line
        ));
        let say = self.choice_question();
        Some(self.ask(say))
    }

    /// "What size would you like for the pepperoni pizzas: small, medium or large?"
    pub(super) fn choice_question(&self) -> String {
        let Some(asking) = &self.state.asking else {
            return "What can I get for you?".into();
        };
        let menu = &self.menu.menu;
        let Some(line) = self.state.cart.get(asking.line) else {
            return "What can I get for you?".into();
        };
        let Some(item) = menu.item(&line.item) else {
            return "What can I get for you?".into();
        };
        let what = speech::plural(&item.name, line.quantity);
        let names = self.asked_options();
        match &asking.group {
            None => format!(
                "What size would you like for the {what}: {}?",
                speech::list_with(&names, "or")
            ),
            Some(g) => {
                let gname = menu.group(g).map_or(g.clone(), |g| g.name.to_lowercase());
                format!(
                    "Which {gname} would you like for the {what}: {}?",
                    speech::list_with(&names, "or")
                )
            }
        }
    }

    /// The available options of the choice being asked ("small", "medium", "large"), in
    /// lower case; empty when no choice is asked.
    pub(super) fn asked_options(&self) -> Vec<String> {
        let menu = &self.menu.menu;
        let Some(asking) = &self.state.asking else {
            return Vec::new();
        };
        let Some(item) = self
            .state
            .cart
            .get(asking.line)
            .and_then(|line| menu.item(&line.item))
        else {
            return Vec::new();
        };
        match &asking.group {
            None => item
                .variations
                .iter()
                .filter(|v| v.available)
                .map(|v| v.name.to_lowercase())
                .collect(),
            Some(g) => menu
                .group(g)
                .map(|g| {
                    g.options
                        .iter()
                        .filter(|o| o.available)
                        .map(|o| o.name.to_lowercase())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The caller answered a choice question ("large", "thin crust please").
    pub(super) fn answer_choice(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let asking = self.state.asking.clone()?;
        let menu = &self.menu.menu;
        let item = menu.item(&self.state.cart.get(asking.line)?.item)?.clone();
        let spoken = format!(" {} ", text.to_lowercase());
        let said = |code: &str, name: &str, aliases: &[String]| {
            std::iter::once(name.to_lowercase())
                .chain(std::iter::once(code.replace('_', " ")))
                .chain(aliases.iter().cloned())
                .any(|a| !a.is_empty() && spoken.contains(&format!(" {a} ")))
        };
        let answered = match &asking.group {
            None => ex
                .lines
                .iter()
                .find_map(|l| l.variation.clone())
                .or_else(|| {
                    item.variations
                        .iter()
                        .find(|v| said(&v.code, &v.name, &v.aliases))
                        .map(|v| v.code.clone())
                })
                .map(|v| {
                    self.state.cart[asking.line].variation = Some(v);
                }),
            Some(g) => {
                let group = menu.group(g)?.clone();
                let from_ex: Vec<ModMention> = ex
                    .lines
                    .iter()
                    .flat_map(|l| l.modifiers.iter())
                    .filter(|m| &m.group == g)
                    .cloned()
                    .collect();
                let picked = if from_ex.is_empty() {
                    group
                        .options
                        .iter()
                        .filter(|o| said(&o.code, &o.name, &o.aliases))
                        .map(|o| ModMention {
                            group: g.clone(),
                            option: o.code.clone(),
                            qualifier: None,
                            negated: false,
                            confidence: 1.0,
                            quantity: None,
                        })
                        .collect()
                } else {
                    from_ex
                };
                (!picked.is_empty()).then(|| {
                    self.state.cart[asking.line].modifiers.extend(picked);
                })
            }
        };
        if answered.is_none() {
            // Not an answer: maybe a new item or a correction; else ask again.
            self.state.phase = Phase::AnythingElse;
            if let Some(reply) = self.take_order(ex) {
                return Some(reply);
            }
            self.state.phase = Phase::AskChoice;
            return None;
        }
        self.state.misses = 0;
        self.state.asking = None;
        self.notes
            .push(format!("answered choice for line {}", asking.line));
        if let Some(q) = self.next_choice() {
            return Some(q);
        }
        let line = super::pricing::price_line(menu, &self.state.cart[asking.line])?;
        self.state.phase = Phase::AnythingElse;
        let say = format!("Got it: {}. Anything else?", speech::describe_line(&line));
        Some(self.ask(say))
    }

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
                    if let Some(idx) = self.find_line(item.as_deref()) {
                        self.state.focus = Some(idx);
                        changed |= self.apply_to_line(idx, changes);
                    }
                }
                _ => {}
            }
        }
        changed
    }

    /// A mention with no item ("a large", "with onions"): applies to the line in focus.
    pub(super) fn apply_attributes(&mut self, line: &LineMention) -> bool {
        if line.item.is_some() {
            return false;
        }
        match self.find_line(None) {
            Some(idx) => self.apply_to_line(idx, line),
            None => false,
        }
    }

    fn apply_to_line(&mut self, idx: usize, changes: &LineMention) -> bool {
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
            let mods = &mut self.state.cart[idx].modifiers;
            // A later word about the same option replaces the earlier one ("actually no onions").
            mods.retain(|x| !(x.group == m.group && x.option == m.option));
            mods.push(m.clone());
            changed = true;
        }
        if changed {
            self.notes.push(format!("changed line {idx}"));
        }
        changed
    }

    /// The cart line a correction refers to: the named item (last such line), else the focus,
    /// else the last line.
    fn find_line(&self, item: Option<&str>) -> Option<usize> {
        let cart = &self.state.cart;
        match item {
            Some(code) => cart.iter().rposition(|l| l.item == code),
            None => self
                .state
                .focus
                .filter(|&i| i < cart.len())
                .or_else(|| cart.len().checked_sub(1)),
        }
    }
}
