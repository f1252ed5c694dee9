//! Taking the order: lines heard placed in the cart (new line, choice filled, change to a
//! line), details absorbed, and a question asked with an order answered after it.

use super::*;

impl Turn<'_> {
    /// Lines and a question in one utterance ("a mango lassi and, uh, what desserts do you
    /// have"): the lines are taken, then the question answered. A bare mention inside the
    /// question (a category word read as its only item) orders nothing.
    pub(super) fn order_and_question(
        &mut self,
        text: &str,
        ex: &Extraction,
    ) -> Option<(String, Next)> {
        let asks = has(ex, |i| matches!(i, Intent::MenuQuestion { .. }));
        if !asks || ex.lines.is_empty() {
            return self.take_order(ex);
        }
        let ordered = Extraction {
            lines: ex
                .lines
                .iter()
                .filter(|l| l.quantity_explicit || l.variation.is_some() || !l.modifiers.is_empty())
                .cloned()
                .collect(),
            ..ex.clone()
        };
        let Some((said, _)) = self.take_order(&ordered) else {
            return self.menu_answer(text, ex);
        };
        if self.state.phase == Phase::AskChoice {
            return Some(self.ask(said));
        }
        let got = said
            .strip_suffix(" Anything else?")
            .unwrap_or(&said)
            .to_string();
        match self.menu_answer(text, ex) {
            Some((answer, next)) => Some((format!("{got} {answer}"), next)),
            None => Some(self.ask(said)),
        }
    }

    /// Applies lines and corrections. `None` when nothing in `ex` concerned the order.
    pub(super) fn take_order(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let mut added = Vec::new();
        let mut refused = Vec::new();
        let mut changed = self.apply_corrections(ex);
        let mut asked_which = false;
        // The line this utterance last added to or changed.
        let mut last: Option<usize> = None;
        // Lines the order had before this utterance, and the one it split ("one hot and one
        // medium" after "two buffalo macs": the rest of the two is the second one said).
        let before = self.state.cart.len();
        let mut split: Option<usize> = None;
        for line in choices::ordered_lines(&ex.lines) {
            if let Some(idx) = self.splits_line(line, before, split) {
                let q = line.quantity.max(1);
                let target = if self.state.cart[idx].quantity > q {
                    self.state.cart[idx].quantity -= q;
                    let mut one = self.state.cart[idx].clone();
                    one.quantity = q;
                    self.state.cart.push(one);
                    split = Some(idx);
                    self.state.cart.len() - 1
                } else {
                    idx
                };
                self.apply_to_line(target, line);
                self.state.focus = Some(target);
                self.notes.push(format!("line {idx} split"));
                changed = true;
                last = Some(target);
                continue;
            }
            // "three samosas, two pakoras" - "actually just one pakora": the whole count of an
            // item the order has sets that line's quantity; "another pakora" adds one.
            if let Some(idx) = self.restates(line) {
                self.state.cart[idx].quantity = line.quantity.max(1);
                self.apply_to_line(idx, line);
                self.state.focus = Some(idx);
                self.notes
                    .push(format!("quantity of line {idx} set to {}", line.quantity));
                changed = true;
                last = Some(idx);
                continue;
            }
            if let Some(idx) = last {
                // "a western omelette with an english muffin and hash browns": an item said
                // without a count that is also an option of a choice the line before still
                // needs fills that choice and orders nothing of its own.
                if self.fill_choice_with_item(idx, line) {
                    changed = true;
                    continue;
                }
            }
            if self.state.phase == Phase::AnythingElse {
                // "the char one, the italian" right after it was added: the item said again
                // with no count and nothing else confirms it; it orders no second one.
                if let Some(idx) = self.names_focus_again(line) {
                    changed = true;
                    last = Some(idx);
                    continue;
                }
                if let Some(idx) = self.amends_focus(line) {
                    changed |= self.apply_to_line(idx, line);
                    last = Some(idx);
                    continue;
                }
            }
            match self.place(line) {
                Place::New(code) => match self.menu.menu.item(&code) {
                    Some(item) if !item.available => refused.push(item.name.clone()),
                    Some(item) => {
                        // "How much is a large cold brew?" - "one of those": a large one.
                        let asked_size = self
                            .offered_size
                            .clone()
                            .filter(|_| self.offered.as_deref() == Some(code.as_str()));
                        let variation = line
                            .variation
                            .clone()
                            .or(asked_size)
                            .filter(|v| item.variation(v).is_some())
                            .or_else(|| item.default_variation.clone());
                        self.state.cart.push(CartLine {
                            item: code.clone(),
                            variation,
                            quantity: line.quantity.max(1),
                            modifiers: line.modifiers.clone(),
                        });
                        let idx = self.state.cart.len() - 1;
                        self.state.focus = Some(idx);
                        self.notes.push(format!("added {code}"));
                        added.push(idx);
                        last = Some(idx);
                    }
                    None => {}
                },
                Place::Existing(idx) => {
                    changed |= self.apply_to_line(idx, line);
                    last = Some(idx);
                }
                Place::Which => {
                    self.state.which.push(Which {
                        candidates: line.candidates.clone(),
                        line: CartLine {
                            item: String::new(),
                            variation: line.variation.clone(),
                            quantity: line.quantity.max(1),
                            modifiers: line.modifiers.clone(),
                        },
                    });
                    self.notes.push("asked which item".into());
                    asked_which = true;
                }
                Place::Nowhere => {}
            }
        }
        // "Do you have horchata?" - "Yes, ... Would you like one?" - "yes": one of it.
        if added.is_empty() && !changed && !asked_which && has(ex, |i| matches!(i, Intent::Yes)) {
            if let Some(code) = self.offered.clone() {
                let default_variation = self
                    .menu
                    .menu
                    .item(&code)
                    .and_then(|i| i.default_variation.clone());
                self.state.cart.push(CartLine {
                    item: code.clone(),
                    variation: default_variation,
                    quantity: 1,
                    modifiers: Vec::new(),
                });
                let idx = self.state.cart.len() - 1;
                self.state.focus = Some(idx);
                self.notes.push(format!("added {code} (asked about)"));
                added.push(idx);
            }
        }
        changed |= asked_which;
        if !refused.is_empty() {
            let alternatives = self.alternatives(&refused[0]);
            self.state.misses = 0;
            let say = format!(
                "Sorry, we're out of {} today.{} What else can I get you?",
                speech::list(&refused),
                alternatives
            );
            self.state.phase = if self.state.cart.is_empty() {
                Phase::Ordering
            } else {
                Phase::AnythingElse
            };
            return Some(self.ask(say));
        }
        let done = has(ex, |i| matches!(i, Intent::Done))
            || (self.state.phase == Phase::AnythingElse
                && added.is_empty()
                && !changed
                && has(ex, |i| matches!(i, Intent::No)));
        if !added.is_empty() || changed {
            self.state.misses = 0;
            if let Some(q) = self.next_choice() {
                return Some(q);
            }
            if done {
                return Some(self.proceed());
            }
            // The repairs before a question may have taken a line off (sold out): an index
            // past the cart is skipped.
            let said: Vec<String> = added
                .iter()
                .filter_map(|&i| self.state.cart.get(i))
                .filter_map(|l| pricing::price_line(&self.menu.menu, l))
                .map(|l| speech::describe_line(&l))
                .collect();
            self.state.phase = Phase::AnythingElse;
            let say = if !said.is_empty() {
                format!("Got it: {}. Anything else?", speech::list(&said))
            } else if let Some(line) = self
                .state
                .focus
                .and_then(|i| self.state.cart.get(i))
                .and_then(|l| pricing::price_line(&self.menu.menu, l))
            {
                format!(
                    "Okay, that's {}. Anything else?",
                    speech::describe_line(&line)
                )
            } else if !self.removed.is_empty() {
                format!(
                    "Okay, I've taken off the {}. Anything else?",
                    speech::list(&self.removed)
                )
            } else {
                "Okay, I've changed that. Anything else?".to_string()
            };
            return Some(self.ask(say));
        }
        if done {
            if self.state.cart.is_empty() {
                self.state.phase = Phase::Ordering;
                return Some(
                    self.ask("You haven't ordered anything yet. What can I get for you?".into()),
                );
            }
            self.state.misses = 0;
            return Some(self.proceed());
        }
        None
    }

    pub(super) fn absorb_details(&mut self, ex: &Extraction) {
        let heard = &ex.details;
        let d = &mut self.state.details;
        if heard.fulfillment.is_some() {
            d.fulfillment = heard.fulfillment;
        }
        for (mine, theirs) in [(&mut d.name, &heard.name), (&mut d.address, &heard.address)] {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        if let Some(p) = heard.phone.as_ref().filter(|p| p.len() >= 7) {
            if p.len() == super::checkout::LOCAL_DIGITS {
                // Asked for its area code before the read-back.
                self.state.local_phone = Some(p.clone());
            } else {
                d.phone = Some(p.clone());
                self.state.local_phone = None;
            }
        }
        if heard.time.is_some() {
            d.time.clone_from(&heard.time);
        }
        if heard != &crate::extract::Details::default() {
            self.notes.push("details noted".into());
        }
    }
}
