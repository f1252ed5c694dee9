//! Required choices (size, crust...), "which one?" when words fit several items, and
//! corrections ("make that two", "remove the coke", "actually no onions") applied to the cart.
//!
//! A choice question that goes unanswered is not asked the same way forever: the second time
//! its options are listed with their positions ("first, mild; second, medium..."), which the
//! caller may answer with ("the second one"); the third time a person is offered; after that the
//! call goes to one.

use super::state::{Asking, Phase};
use super::{speech, Turn};
use crate::extract::{Extraction, Intent, LineMention, ModMention};
use crate::menu::Item;
use crate::twiml::Next;

/// Where a heard line goes.
pub(super) enum Place {
    /// A new cart line of this item.
    New(String),
    /// Attributes of this cart line ("a large", "with onions").
    Existing(usize),
    /// The words fit several items: ask which one.
    Which,
    Nowhere,
}

/// The heard lines, without a bare mention of an item that the same utterance then orders
/// with a count ("your tacos are the best, so let me get three carnitas tacos": one line, of
/// three): a mention without count, size or option is talk about the dish, the counted one
/// is the order.
pub(super) fn ordered_lines(lines: &[LineMention]) -> Vec<&LineMention> {
    lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            let bare = l.item.is_some()
                && !l.quantity_explicit
                && l.variation.is_none()
                && l.modifiers.is_empty();
            !(bare
                && lines[i + 1..]
                    .iter()
                    .any(|m| m.item == l.item && m.quantity_explicit))
        })
        .map(|(_, l)| l)
        .collect()
}

/// Whether `item` can take what `line` says about it: its size, and every option's group.
pub(super) fn takes(item: &Item, line: &LineMention) -> bool {
    line.variation
        .as_deref()
        .is_none_or(|v| item.variation(v).is_some())
        && line
            .modifiers
            .iter()
            .all(|m| item.groups.contains(&m.group))
}

pub(super) fn has_attributes(line: &LineMention) -> bool {
    line.variation.is_some() || !line.modifiers.is_empty()
}

/// The position an answer names among `n` options: "the first one", "the second", "number
/// three", "the last one", "2". `None` when it names none.
pub(super) fn position(text: &str, n: usize) -> Option<usize> {
    const ORDINALS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    const NUMBERS: [&str; 10] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    let number = |w: &str| -> Option<usize> {
        w.parse::<usize>()
            .ok()
            .filter(|&d| d >= 1)
            .map(|d| d - 1)
            .or_else(|| NUMBERS.iter().position(|x| *x == w))
    };
    let mut found = None;
    for (i, w) in words.iter().enumerate() {
        let at = if let Some(p) = ORDINALS.iter().position(|o| o == w) {
            Some(p)
        } else if w == "last" {
            n.checked_sub(1)
        } else if matches!(w.as_str(), "number" | "option" | "no") {
            words.get(i + 1).and_then(|x| number(x))
        } else if words.len() == 1 {
            // "2" alone; a lone "one" is a pronoun ("a large one"), not a position.
            w.parse::<usize>().ok().filter(|&d| d >= 1).map(|d| d - 1)
        } else {
            None
        };
        if at.is_some() {
            found = at;
            break;
        }
    }
    found.filter(|&p| p < n)
}

impl Turn<'_> {
    /// Where a heard line goes. A named item is a new line. Words that name no single item
    /// ("a small one", "a quesadilla", "hot") go, in this order, to the item the caller just
    /// asked about, to the line in focus or the last line whose item they fit (when they say
    /// something about it), and otherwise, when they fit several items, to a "which one?".
    pub(super) fn place(&self, line: &LineMention) -> Place {
        if let Some(code) = &line.item {
            return Place::New(code.clone());
        }
        let menu = &self.menu.menu;
        let fits =
            |code: &str| line.candidates.is_empty() || line.candidates.iter().any(|c| c == code);
        let fits_item = |code: &str| fits(code) && menu.item(code).is_some_and(|i| takes(i, line));
        if let Some(code) = self.offered.as_deref().filter(|c| fits_item(c)) {
            return Place::New(code.to_string());
        }
        let cart = &self.state.cart;
        if has_attributes(line) {
            if line.candidates.is_empty() {
                return self.find_line(None).map_or(Place::Nowhere, Place::Existing);
            }
            let focus = self.state.focus.filter(|&i| i < cart.len());
            let found = focus
                .filter(|&i| fits_item(&cart[i].item))
                .or_else(|| cart.iter().rposition(|l| fits_item(&l.item)));
            if let Some(idx) = found {
                return Place::Existing(idx);
            }
        }
        // Attributes heard only by approximation ("great" repaired into "grits") with nothing
        // to go to are not worth a question.
        let heard_well = line.modifiers.iter().all(|m| m.confidence >= 0.8);
        match line.candidates.as_slice() {
            [] => Place::Nowhere,
            _ if !heard_well => Place::Nowhere,
            [one] => Place::New(one.clone()),
            _ => Place::Which,
        }
    }

    /// When `line` names, without a count or anything else, an item that is also an option of
    /// a required choice cart line `idx` still lacks, fills that choice. Returns whether it did.
    pub(super) fn fill_choice_with_item(&mut self, idx: usize, line: &LineMention) -> bool {
        let menu = &self.menu.menu;
        let (Some(code), Some(cart_line)) = (&line.item, self.state.cart.get(idx)) else {
            return false;
        };
        if line.quantity_explicit || has_attributes(line) {
            return false;
        }
        let (Some(named), Some(item)) = (menu.item(code), menu.item(&cart_line.item)) else {
            return false;
        };
        let found = item.groups.iter().find_map(|g| {
            let group = menu.group(g)?;
            if group.min == 0 || self.group_filled(cart_line, g) {
                return None;
            }
            group
                .options
                .iter()
                .find(|o| {
                    o.available
                        && (o.code == named.code || o.name.eq_ignore_ascii_case(&named.name))
                })
                .map(|o| (g.clone(), o.code.clone()))
        });
        let Some((g, o)) = found else {
            return false;
        };
        self.state.cart[idx].modifiers.push(mention(&g, &o));
        self.notes
            .push(format!("{code} taken as the {g} of line {idx}"));
        true
    }

    /// The first line missing something: which item it is, its size or a required option.
    /// Asks for it and returns the prompt.
    pub(super) fn next_choice(&mut self) -> Option<(String, Next)> {
        // Whatever needs no question is repaired first (docs/dialog.md, "One definition of a
        // valid order"), so the questions are only about what the caller must decide.
        self.tidy_cart();
        let before = (self.state.asking.clone(), self.state.which.len());
        if !self.state.which.is_empty() {
            self.state.asking = None;
        } else {
            self.state.asking = self.missing_choice();
        }
        if (self.state.asking.clone(), self.state.which.len()) != before {
            // A new question: the caller has not failed to answer it yet.
            self.state.tries = 0;
        }
        if self.state.which.is_empty() && self.state.asking.is_none() {
            return None;
        }
        self.state.phase = Phase::AskChoice;
        let what = match &self.state.asking {
            None => "which item".to_string(),
            Some(a) => format!(
                "{} for line {}",
                a.group.as_deref().unwrap_or("size"),
                a.line
            ),
        };
        self.notes.push(format!("asked {what}"));
        let say = self.choice_question();
        Some(self.ask(say))
    }

    /// "What size would you like for the pepperoni pizzas: small, medium or large?"
    pub(super) fn choice_question(&self) -> String {
        if !self.state.which.is_empty() {
            let names: Vec<String> = self.asked_choices().into_iter().map(|(_, n)| n).collect();
            return format!(
                "Which one would you like: {}?",
                speech::list_with(&names, "or")
            );
        }
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
        if let Some(g) = asking
            .group
            .as_deref()
            .filter(|g| self.over_limit(asking.line, g))
        {
            let max = menu.group(g).map_or(1, |g| g.max);
            if max > 1 {
                return format!(
                    "The {what} can have up to {max} {}. Which would you like: {}?",
                    self.group_word(g),
                    speech::list_with(&names, "or")
                );
            }
        }
        match &asking.group {
            None => format!(
                "What size would you like for the {what}: {}?",
                speech::list_with(&names, "or")
            ),
            Some(g) => format!(
                "Which {} would you like for the {what}: {}?",
                self.group_word(g),
                speech::list_with(&names, "or")
            ),
        }
    }

    fn group_word(&self, g: &str) -> String {
        self.menu
            .menu
            .group(g)
            .map_or(g.to_string(), |g| g.name.to_lowercase())
    }

    /// The question again, its options listed with their positions, for a caller who did not
    /// answer it: "For the Palak Paneer, the spice level can be: first, mild; second, medium...".
    fn numbered_question(&self) -> String {
        let options: Vec<String> = self.asked_choices().into_iter().map(|(_, n)| n).collect();
        let listed: Vec<String> = options
            .iter()
            .enumerate()
            .map(|(i, o)| match speech::ordinal(i + 1) {
                Some(ord) => format!("{ord}, {o}"),
                None => o.clone(),
            })
            .collect();
        let listed = listed.join("; ");
        if !self.state.which.is_empty() {
            return format!("I have: {listed}. Which one would you like?");
        }
        let Some(asking) = &self.state.asking else {
            return "What can I get for you?".into();
        };
        let menu = &self.menu.menu;
        let name = self
            .state
            .cart
            .get(asking.line)
            .and_then(|l| menu.item(&l.item))
            .map_or(String::new(), |i| i.name.clone());
        let what = match &asking.group {
            None => "size".to_string(),
            Some(g) => self.group_word(g),
        };
        format!("For the {name}, the {what} can be: {listed}. Which one would you like?")
    }

    /// The choice question got no answer ("hmm", "what do you recommend?", "that's all"):
    /// rephrased with its options numbered, then a person offered, then the call transferred.
    pub(super) fn choice_not_answered(&mut self, asked_about_it: bool) -> (String, Next) {
        self.state.tries = self.state.tries.saturating_add(1);
        self.notes
            .push(format!("choice not answered ({})", self.state.tries));
        match self.state.tries {
            1 => {
                // "What kind of bread is there?" is answered, "hmm" apologised for.
                let lead = if asked_about_it {
                    "Sure."
                } else {
                    "Sorry, let me list them."
                };
                let say = format!("{lead} {}", self.numbered_question());
                self.ask(say)
            }
            2 => {
                self.state.person_offered = true;
                let say = format!(
                    "I can put you through to someone at the restaurant if you like: just say yes. Or tell me which one: {}",
                    speech::list_with(
                        &self
                            .asked_choices()
                            .into_iter()
                            .map(|(_, n)| n)
                            .collect::<Vec<_>>(),
                        "or"
                    )
                );
                self.ask(format!("{say}?"))
            }
            _ => self.transfer("choice_not_answered"),
        }
    }

    /// The available options of the question being asked ("small", "medium", "large"), in
    /// lower case; the candidate items' names for "which one?"; empty when nothing is asked.
    pub(super) fn asked_options(&self) -> Vec<String> {
        self.asked_choices()
            .into_iter()
            .map(|(_, n)| {
                if self.state.which.is_empty() {
                    n.to_lowercase()
                } else {
                    n
                }
            })
            .collect()
    }

    /// (code, name) of what the question being asked offers, in the order it is said.
    fn asked_choices(&self) -> Vec<(String, String)> {
        let menu = &self.menu.menu;
        if let Some(w) = self.state.which.first() {
            return w
                .candidates
                .iter()
                .filter_map(|c| menu.item(c))
                .map(|i| (i.code.clone(), i.name.clone()))
                .collect();
        }
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
        if let Some(g) = asking
            .group
            .as_deref()
            .filter(|g| self.over_limit(asking.line, g))
        {
            // Two values where the group takes one: which of those two, not the whole list.
            return self.values_on_line(asking.line, g);
        }
        match &asking.group {
            None => item
                .variations
                .iter()
                .filter(|v| v.available)
                .map(|v| (v.code.clone(), v.name.to_lowercase()))
                .collect(),
            Some(g) => menu
                .group(g)
                .map(|g| {
                    g.options
                        .iter()
                        .filter(|o| o.available)
                        .map(|o| (o.code.clone(), o.name.to_lowercase()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The caller answered (or not) a choice question ("large", "thin crust please", "the
    /// second one", "carnitas, grande and a horchata"). Everything said about the asked line
    /// goes to it, whatever the question was; other items and corrections are taken as usual.
    pub(super) fn answer_choice(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        if !self.state.which.is_empty() {
            return self.answer_which(text, ex);
        }
        let asking = self.state.asking.clone()?;
        let idx = asking.line;
        let menu = &self.menu.menu;
        let item = menu.item(&self.state.cart.get(idx)?.item)?.clone();
        let before = self.state.cart[idx].clone();
        if let Some(g) = asking.group.as_deref().filter(|g| self.over_limit(idx, g)) {
            let about: Vec<&LineMention> = ex
                .lines
                .iter()
                .filter(|l| l.item.as_ref().is_none_or(|c| *c == item.code))
                .collect();
            self.keep_named_values(text, &about, idx, g);
        }
        let about = |l: &LineMention| match &l.item {
            None => l.candidates.is_empty() || l.candidates.contains(&item.code),
            // "the carnitas burrito" answering "which protein for the burrito?"
            Some(c) => *c == item.code && !(l.quantity_explicit && l.quantity > 1),
        };
        // "two classic burgers" - "which temp?" - "one medium and one well done": counts said
        // with their options that add up to the line's count share it out, one line each.
        let shares: Vec<&LineMention> = ex
            .lines
            .iter()
            .filter(|l| about(l) && l.quantity_explicit && has_attributes(l))
            .collect();
        let whole = self.state.cart[idx].quantity;
        let split = shares.len() >= 2 && shares.iter().map(|l| l.quantity).sum::<u32>() == whole;
        let mut rest: Vec<LineMention> = Vec::new();
        for l in &ex.lines {
            if about(l) {
                let share = shares.iter().position(|s| std::ptr::eq(*s, l));
                match share {
                    // The last share stays on the asked line; the others are lines of their own.
                    Some(k) if split && k + 1 < shares.len() => {
                        let mut own = before.clone();
                        own.quantity = l.quantity;
                        self.state.cart[idx].quantity -= l.quantity;
                        self.state.cart.push(own);
                        let at = self.state.cart.len() - 1;
                        self.apply_to_line(at, l);
                        self.notes.push(format!("line {idx} split"));
                    }
                    _ if has_attributes(l) => {
                        self.apply_to_line(idx, l);
                    }
                    _ => {}
                }
            } else {
                rest.push(l.clone());
            }
        }
        if let Some(g) = &asking.group {
            // An option that is also a menu item ("a coke" for the combo's drink, "rice" for
            // the platter's side) fills the choice and orders nothing of its own.
            let group = menu.group(g)?.clone();
            rest.retain(|l| {
                let Some(code) = &l.item else {
                    return true;
                };
                let Some(named) = menu.item(code) else {
                    return true;
                };
                let option = group.options.iter().find(|o| {
                    o.available
                        && (o.code == named.code || o.name.eq_ignore_ascii_case(&named.name))
                });
                // "half turkey club" for the combo's `1/2 Turkey Club`: the item in the size
                // the option's name says is that option.
                let sized = || {
                    group.options.iter().find(|o| {
                        o.available
                            && l.modifiers.is_empty()
                            && crate::extract::sized_item_option(menu, g, &o.code).is_some_and(
                                |(i, v)| i == named.code && l.variation.as_deref() == Some(&v),
                            )
                    })
                };
                match option.filter(|_| !has_attributes(l)).or_else(sized) {
                    Some(o) => {
                        self.state.cart[idx].modifiers.push(mention(g, &o.code));
                        false
                    }
                    None => true,
                }
            });
        }
        if !self.answered(&asking) {
            self.answer_by_words(text, &asking, &item);
        }
        if !self.answered(&asking) && asking.group.is_none() {
            // "chico or grande?" - "large": the dearer one, whatever the sizes are called.
            if let Some(v) = plain_size_answer(text, &item) {
                self.state.cart[idx].variation = Some(v);
                // Read as the size of other items, "large" opened a line of its own: it was
                // this answer.
                rest.retain(|l| {
                    !(l.item.is_none() && l.modifiers.is_empty() && l.variation.is_some())
                });
            }
        }
        let answered = self.answered(&asking);
        let progressed = self.state.cart[idx] != before;
        let rest_ex = Extraction {
            lines: rest,
            ..ex.clone()
        };
        if !answered && !progressed {
            // Not an answer: maybe a new item or a correction, else no answer at all.
            return self.other_than_answer(&rest_ex);
        }
        self.state.misses = 0;
        self.notes.push(format!("answered choice for line {idx}"));
        self.state.focus = Some(idx);
        self.state.phase = Phase::AnythingElse;
        let answered_line = super::pricing::price_line(menu, &self.state.cart[idx])?;
        if !rest_ex.lines.is_empty() || !rest_ex.intents.is_empty() {
            if let Some((say, next)) = self.take_order(&rest_ex) {
                // "hot, and also a cheese naan": both are acknowledged.
                let say = match say.strip_prefix("Got it: ") {
                    Some(more) => format!(
                        "Got it: {}, and {more}",
                        speech::describe_line(&answered_line)
                    ),
                    None => say,
                };
                return Some((say, next));
            }
        }
        if let Some(q) = self.next_choice() {
            return Some(q);
        }
        let line = answered_line;
        self.state.phase = Phase::AnythingElse;
        let say = format!("Got it: {}. Anything else?", speech::describe_line(&line));
        Some(self.ask(say))
    }

    /// What the caller said instead of answering the question being asked: new items and
    /// corrections are taken (and the question comes back after them); `None` when there were
    /// none ("hmm", "that's all"): the question is then not answered.
    fn other_than_answer(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let corrects = ex.intents.iter().any(|i| {
            matches!(
                i,
                Intent::Remove { .. } | Intent::SetQuantity { .. } | Intent::Modify { .. }
            )
        });
        if ex.lines.is_empty() && !corrects {
            return None;
        }
        let before = (self.state.cart.clone(), self.state.which.len());
        let asking = self.state.asking.clone();
        self.state.phase = Phase::AnythingElse;
        let reply = self.take_order(ex);
        if (self.state.cart.clone(), self.state.which.len()) != before {
            return reply;
        }
        self.state.phase = Phase::AskChoice;
        self.state.asking = asking;
        None
    }

    /// The asked choice from the words themselves (an option's name or code said anywhere) or
    /// from its position ("the second one").
    fn answer_by_words(&mut self, text: &str, asking: &Asking, item: &Item) {
        let spoken = format!(" {} ", normalised(text));
        // A name as it is said counts too: "medium" for `Med`, "chicken" for `Pollo`.
        let said = |code: &str, name: &str, aliases: &[String]| {
            std::iter::once(name.to_lowercase())
                .chain(std::iter::once(code.replace('_', " ")))
                .chain(aliases.iter().cloned())
                .chain(crate::extract::spoken_forms(name))
                .map(|a| normalised(&a))
                .any(|a| !a.is_empty() && spoken.contains(&format!(" {a} ")))
        };
        let choices = self.asked_choices();
        let by_position = position(text, choices.len()).map(|p| choices[p].0.clone());
        let menu = &self.menu.menu;
        let idx = asking.line;
        match &asking.group {
            None => {
                let v = item
                    .variations
                    .iter()
                    .find(|v| v.available && said(&v.code, &v.name, &v.aliases))
                    .map(|v| v.code.clone())
                    .or_else(|| counted_size_answer(text, item))
                    .or(by_position);
                if let Some(v) = v {
                    self.state.cart[idx].variation = Some(v);
                }
            }
            Some(g) => {
                let Some(group) = menu.group(g) else {
                    return;
                };
                let mut picked: Vec<String> = group
                    .options
                    .iter()
                    .filter(|o| o.available && said(&o.code, &o.name, &o.aliases))
                    .map(|o| o.code.clone())
                    .collect();
                if picked.is_empty() {
                    picked.extend(one_option_word(text, item, &group.options));
                }
                if picked.is_empty() {
                    picked.extend(by_position);
                }
                let mods = &mut self.state.cart[idx].modifiers;
                for o in picked {
                    if !mods.iter().any(|m| m.group == *g && m.option == o) {
                        mods.push(mention(g, &o));
                    }
                }
            }
        }
    }

    /// The caller said which item a "which one?" meant: an item among the candidates, a word
    /// only one candidate's name has ("garlic" of Plain / Garlic / Cheese Naan), or a position.
    fn answer_which(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let w = self.state.which.first()?.clone();
        let menu = &self.menu.menu;
        let from_lines = ex.lines.iter().find(|l| {
            l.item.as_ref().is_some_and(|c| w.candidates.contains(c))
                || (l.item.is_none()
                    && l.candidates.len() == 1
                    && w.candidates.contains(&l.candidates[0]))
        });
        let mut pick =
            from_lines.and_then(|l| l.item.clone().or_else(|| l.candidates.first().cloned()));
        if pick.is_none() {
            // Every word of the name as it is said: "chicken" picks `Chkn Suqaar` from `Beef Suqaar`.
            let names: Vec<Vec<String>> = w
                .candidates
                .iter()
                .map(|c| menu.item(c).map_or_else(Vec::new, |i| said_words(&i.name)))
                .collect();
            let spoken = words(text);
            let hits: Vec<usize> = (0..names.len())
                .filter(|&i| {
                    names[i].iter().any(|word| {
                        spoken.contains(word) && !names.iter().all(|other| other.contains(word))
                    })
                })
                .collect();
            if let [one] = hits.as_slice() {
                pick = Some(w.candidates[*one].clone());
            }
        }
        if pick.is_none() {
            pick = position(text, w.candidates.len()).map(|p| w.candidates[p].clone());
        }
        let Some(code) = pick else {
            return self.other_than_answer(ex);
        };
        self.state.which.remove(0);
        let mut line = w.line.clone();
        line.item = code.clone();
        if let Some(l) = from_lines {
            if l.variation.is_some() {
                line.variation.clone_from(&l.variation);
            }
            line.modifiers.extend(l.modifiers.iter().cloned());
            if l.quantity_explicit && l.quantity > 1 {
                line.quantity = l.quantity;
            }
        }
        let item = menu.item(&code)?;
        if line
            .variation
            .as_deref()
            .is_some_and(|v| item.variation(v).is_none())
        {
            line.variation = None;
        }
        if line.variation.is_none() {
            line.variation.clone_from(&item.default_variation);
        }
        line.modifiers.retain(|m| item.groups.contains(&m.group));
        self.state.cart.push(line);
        let idx = self.state.cart.len() - 1;
        self.state.focus = Some(idx);
        self.state.misses = 0;
        self.notes.push(format!("added {code} (which one)"));
        // Anything else said with the answer: other items, corrections, "that's all".
        let rest: Vec<LineMention> = ex
            .lines
            .iter()
            .filter(|l| l.item.as_ref().is_some_and(|c| !w.candidates.contains(c)))
            .cloned()
            .collect();
        let rest_ex = Extraction {
            lines: rest,
            ..ex.clone()
        };
        self.state.phase = Phase::AnythingElse;
        if !rest_ex.lines.is_empty() || !rest_ex.intents.is_empty() {
            if let Some(reply) = self.take_order(&rest_ex) {
                return Some(reply);
            }
        }
        if let Some(q) = self.next_choice() {
            return Some(q);
        }
        // The rest of the answer may have tidied the cart (the pick sold out since the question):
        // the line is gone and what was said about it is in the notices.
        let Some(line) = self.state.cart.get(idx) else {
            return Some(self.ask("Anything else?".to_string()));
        };
        let priced = super::pricing::price_line(&self.menu.menu, line)?;
        let say = format!("Got it: {}. Anything else?", speech::describe_line(&priced));
        Some(self.ask(say))
    }
}

/// The words of a menu name as written and as callers say it ("Chkn Suqaar": "chkn", "suqaar",
/// "chicken").
fn said_words(name: &str) -> Vec<String> {
    let mut ws = words(name);
    for form in crate::extract::spoken_forms(name) {
        ws.extend(words(&form));
    }
    ws
}

/// The option a word of the answer names when no option was said whole: a word of four letters
/// or more that is in exactly one option's name as it is said, and not in the item's own name
/// ("ranch" for `Jalapeño Ranch` among the flavours). No option whose name negates ("not
/// spicy") is picked this way: "spicy" does not mean it.
fn one_option_word(text: &str, item: &Item, options: &[crate::menu::ModOption]) -> Option<String> {
    const NEGATING: &[&str] = &["no", "not", "without", "non", "sin"];
    let own = said_words(&item.name);
    let named: Vec<(&str, Vec<String>)> = options
        .iter()
        .filter(|o| o.available)
        .map(|o| (o.code.as_str(), said_words(&o.name)))
        .collect();
    let mut hits: Vec<&str> = Vec::new();
    for w in words(text) {
        if w.len() < 4 || own.contains(&w) {
            continue;
        }
        let with: Vec<&(&str, Vec<String>)> =
            named.iter().filter(|(_, ws)| ws.contains(&w)).collect();
        if let [(code, ws)] = with.as_slice() {
            if !ws.iter().any(|x| NEGATING.contains(&x.as_str())) && !hits.contains(code) {
                hits.push(code);
            }
        }
    }
    match hits.as_slice() {
        [one] => Some((*one).to_string()),
        _ => None,
    }
}

/// The item's size a number answers when sizes are named by their count or measure ("6 pc or
/// 10 pc?" - "ten"; "12 oz or 16 oz?" - "the twelve"): the one size whose name starts with that
/// number.
fn counted_size_answer(text: &str, item: &Item) -> Option<String> {
    let said: Vec<u32> = words(text)
        .iter()
        .filter_map(|w| crate::extract::number_word(w))
        .collect();
    let leading = |name: &str| -> Option<u32> {
        let digits: String = name
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    let mut fits = item
        .variations
        .iter()
        .filter(|v| v.available && leading(&v.name).is_some_and(|n| said.contains(&n)));
    match (fits.next(), fits.next()) {
        (Some(v), None) => Some(v.code.clone()),
        _ => None,
    }
}

/// The item's size a plain word answers when the menu names its sizes otherwise ("large" for
/// `Chico` / `Grande`): the cheapest for small, the dearest for large or big, the middle one of
/// three for medium; none when two sizes cost the same (they are kinds, not sizes).
fn plain_size_answer(text: &str, item: &Item) -> Option<String> {
    let mut sizes: Vec<&crate::menu::Variation> =
        item.variations.iter().filter(|v| v.available).collect();
    sizes.sort_by_key(|v| v.price_cents);
    if sizes.len() < 2
        || sizes
            .windows(2)
            .any(|w| w[0].price_cents == w[1].price_cents)
    {
        return None;
    }
    let said = words(text);
    let says = |ws: &[&str]| said.iter().any(|w| ws.contains(&w.as_str()));
    let at = if says(&["small", "smaller", "smallest", "little"]) {
        0
    } else if says(&["large", "larger", "largest", "big", "bigger", "biggest"]) {
        sizes.len() - 1
    } else if says(&["medium", "middle"]) && sizes.len() == 3 {
        1
    } else {
        return None;
    };
    Some(sizes[at].code.clone())
}

pub(super) fn mention(group: &str, option: &str) -> ModMention {
    ModMention {
        group: group.to_string(),
        option: option.to_string(),
        qualifier: None,
        negated: false,
        confidence: 1.0,
        quantity: None,
    }
}

/// Lower case, letters and digits only, one space between words: "Pico de Gallo" and
/// "pico-de-gallo" compare equal.
pub(super) fn normalised(s: &str) -> String {
    words(s).join(" ")
}

pub(super) fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '%')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}
