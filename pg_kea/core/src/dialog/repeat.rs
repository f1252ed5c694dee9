//! Repeat callers: "the same as last time", "my usual". The caller's last verified order with
//! this merchant comes with the store (`Store::usual`, filled by SQL for the caller ID); it is
//! put in the cart as the menu is now (current prices, what is sold out or gone said and left
//! out), and the call goes on as with any cart.

use super::*;
use crate::extract::{LineMention, ModMention};

/// Words that ask for the last order again. Matched on the normalised utterance, padded with
/// spaces, so "usual" does not match inside another word.
const REPEAT_CUES: [&str; 24] = [
    " same as last time ",
    " same as the last time ",
    " same as before ",
    " same as usual ",
    " same as always ",
    " same as my last ",
    " same as last week ",
    " same order as ",
    " same order again ",
    " same thing as ",
    " same thing again ",
    " same again ",
    " the usual ",
    " my usual ",
    " my regular order ",
    " my last order ",
    " repeat my order ",
    " repeat my last ",
    " what i had last ",
    " what i got last ",
    " what i ordered last ",
    " what i usually get ",
    " what i usually have ",
    " what i always get ",
];

/// Whether the caller asks for their last order again.
pub(super) fn asks_for_usual(text: &str) -> bool {
    let t = format!(" {} ", choices::normalised(text));
    REPEAT_CUES.iter().any(|c| t.contains(c))
}

/// What could not be taken from the last order, said before what was.
#[derive(Default)]
struct LeftOut {
    sold_out: Vec<String>,
    gone: Vec<String>,
}

impl LeftOut {
    /// "Sorry, the Garlic Knots are sold out today, and the Calzone is no longer on the menu,
    /// so I've left them out."
    fn notice(&self) -> Option<String> {
        let the = |names: &[String]| {
            speech::list(&names.iter().map(|n| format!("the {n}")).collect::<Vec<_>>())
        };
        // "the Coke is", "the Garlic Knots are": a name that ends in "s" is taken as a plural.
        let many = |names: &[String]| names.len() > 1 || names.iter().any(|n| n.ends_with('s'));
        let verb = |names: &[String]| if many(names) { "are" } else { "is" };
        let mut parts = Vec::new();
        if !self.sold_out.is_empty() {
            let v = verb(&self.sold_out);
            parts.push(format!("{} {v} sold out today", the(&self.sold_out)));
        }
        if !self.gone.is_empty() {
            let v = verb(&self.gone);
            parts.push(format!("{} {v} no longer on the menu", the(&self.gone)));
        }
        if parts.is_empty() {
            return None;
        }
        let all: Vec<String> = self.sold_out.iter().chain(&self.gone).cloned().collect();
        let them = if many(&all) { "them" } else { "it" };
        Some(format!(
            "Sorry, {}, so I've left {them} out.",
            parts.join(", and ")
        ))
    }
}

impl Turn<'_> {
    /// "The same as last time": the last order into the cart, then what else was said in the
    /// same breath ("the usual, and a coke"), then "anything else?" with the lines and their
    /// prices now.
    pub(super) fn take_usual(&mut self, text: &str, ex: &Extraction) -> (String, Next) {
        if self.store().usual.is_empty() {
            self.notes.push("asked for the last order: none".into());
            // "It's the usual, a grape pecan sandwich and a sweet tea": what was said with it is
            // the order, taken as in any turn; only the missing history is said.
            if !ex.lines.is_empty() {
                if let Some((say, next)) = self.order_and_question(text, ex) {
                    return (
                        format!("I don't have an earlier order from this number. {say}"),
                        next,
                    );
                }
            }
            let say = format!(
                "Sorry, I don't have an earlier order from this number. {}",
                self.reprompt()
            );
            return self.ask(say);
        }
        if self.state.usual_taken {
            self.notes
                .push("asked for the last order: already taken".into());
            let say = format!(
                "Your last order is in already. {}",
                if self.state.cart.is_empty() {
                    "What can I get for you?"
                } else {
                    "Anything else?"
                }
            );
            return self.ask(say);
        }
        self.state.usual_taken = true;
        let (added, left_out) = self.add_usual();
        let notice = left_out.notice();
        if added.is_empty() {
            self.state.phase = if self.state.cart.is_empty() {
                Phase::Ordering
            } else {
                Phase::AnythingElse
            };
            let say = format!(
                "{} {}",
                notice.unwrap_or_default(),
                if self.state.cart.is_empty() {
                    "What can I get for you today?"
                } else {
                    "Anything else?"
                }
            );
            return self.ask(say);
        }
        self.state.phase = Phase::AnythingElse;
        self.state.misses = 0;
        let intro = match &notice {
            Some(n) => format!("{n} Otherwise, the same as last time"),
            None => "Sure, the same as last time".to_string(),
        };
        // Anything else said with it ("my usual, and a coke", "the usual, that's all") is taken
        // as in any turn; the lines of the last order were said by then or are read back next.
        // A line of the last order said again ("it's the usual, a grape pecan sandwich and a
        // sweet tea") tells what the usual is: it is in the cart once.
        let usual_items: Vec<String> = self.store().usual.iter().map(|l| l.item.clone()).collect();
        let restated = |l: &LineMention| {
            let named = l.item.iter().chain(&l.candidates);
            named.clone().next().is_some() && named.clone().all(|c| usual_items.contains(c))
        };
        let ex = &Extraction {
            lines: ex.lines.iter().filter(|l| !restated(l)).cloned().collect(),
            ..ex.clone()
        };
        if !ex.lines.is_empty()
            || has(ex, |i| {
                matches!(
                    i,
                    Intent::Done | Intent::Remove { .. } | Intent::SetQuantity { .. }
                )
            })
        {
            if let Some((say, next)) = self.order_and_question(text, ex) {
                return (format!("{intro}. {say}"), next);
            }
        }
        if let Some(q) = self.next_choice() {
            return (format!("{intro}. {}", q.0), q.1);
        }
        let said: Vec<String> = added
            .iter()
            .filter_map(|&i| self.state.cart.get(i))
            .filter_map(|l| pricing::price_line(&self.menu.menu, l))
            .map(|l| {
                format!(
                    "{}, {}",
                    speech::describe_line(&l),
                    speech::money(l.line_total_cents)
                )
            })
            .collect();
        let say = format!("{intro}: {}. Anything else?", said.join("; "));
        self.ask(say)
    }

    /// Puts the lines of the last order that the menu still has into the cart (an option no
    /// longer there is left off its line; a line whose item or size is gone or sold out is
    /// left out). Returns the new lines' indexes, and what was left out.
    fn add_usual(&mut self) -> (Vec<usize>, LeftOut) {
        let compiled = self.menu;
        let menu = &compiled.menu;
        let mut left = LeftOut::default();
        let mut lines = Vec::new();
        for past in &self.store().usual {
            let Some(item) = menu.item(&past.item) else {
                left.gone.push(past.name.clone());
                continue;
            };
            if !item.available {
                left.sold_out.push(item.name.clone());
                continue;
            }
            let variation = match past.variation.as_deref() {
                None => None,
                Some(code) => match item.variation(code) {
                    None => {
                        left.gone.push(item.name.clone());
                        continue;
                    }
                    Some(v) if !v.available => {
                        let size = v.name.split(" (").next().unwrap_or(&v.name);
                        left.sold_out
                            .push(format!("{} {}", size.to_lowercase(), item.name));
                        continue;
                    }
                    Some(v) => Some(v.code.clone()),
                },
            };
            let mut modifiers = Vec::new();
            for o in &past.modifiers {
                let option = item
                    .groups
                    .contains(&o.group)
                    .then(|| menu.group(&o.group))
                    .flatten()
                    .and_then(|g| g.option(&o.option));
                match option {
                    None => left.gone.push(o.name.clone()),
                    // Leaving out an option that is sold out takes nothing away.
                    Some(opt) if !opt.available && !o.negated => {
                        left.sold_out.push(opt.name.clone());
                    }
                    Some(_) => modifiers.push(ModMention {
                        group: o.group.clone(),
                        option: o.option.clone(),
                        qualifier: o.qualifier,
                        negated: o.negated,
                        confidence: 1.0,
                        quantity: o.quantity,
                    }),
                }
            }
            lines.push(CartLine {
                item: item.code.clone(),
                variation: variation.or_else(|| item.default_variation.clone()),
                quantity: past.quantity.clamp(1, crate::order_rules::MAX_QUANTITY),
                modifiers,
            });
        }
        left.sold_out.dedup();
        left.gone.dedup();
        let mut added = Vec::new();
        for line in lines {
            self.notes
                .push(format!("added {} from the last order", line.item));
            self.state.cart.push(line);
            added.push(self.state.cart.len() - 1);
        }
        self.state.focus = added.last().copied();
        (added, left)
    }
}
