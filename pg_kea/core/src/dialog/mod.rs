//! One turn of the phone conversation: `(menu, state, input) -> (state, what to say, TwiML)`.
//!
//! Pure and deterministic: the same state and input always give the same output, which is what
//! lets SQL replay a call and answer Twilio retries with the stored TwiML. The states and their
//! transitions are drawn in docs/dialog.md; this module follows that diagram.

mod choices;
pub mod pricing;
mod questions;
mod repair;
pub mod speech;
pub mod state;

use serde::{Deserialize, Serialize};

pub use pricing::{price_order, PricedOrder};
pub use state::*;

use crate::extract::{CompiledMenu, Extraction, Intent};
use crate::twiml::{self, Next};
use choices::Place;

/// Speech recognised with less confidence than this is read back before it is acted on.
pub const LOW_CONFIDENCE: f32 = 0.4;
/// Consecutive misunderstood (or silent) turns before the call goes to a person.
pub const MAX_MISSES: u8 = 2;
/// Most times one prompt is said in a call: the next time, the call goes to a person.
pub const MAX_SAME_PROMPT: usize = 3;

/// What the turn decided. SQL stores `say`, `understood` and `state`, returns `twiml`, and acts
/// on `outcome` (saves the order, marks the call transferred...).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TurnOutput {
    pub state: CallState,
    pub say: String,
    pub next: Next,
    pub twiml: String,
    /// The extraction and what the turn did with it, for the turn log and analysis.
    pub understood: serde_json::Value,
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The caller confirmed: save this order as `pending_verification`.
    Submitted { order: PricedOrder },
    /// Sent to the store's number.
    Transferred { reason: String },
    /// Nobody picked up the transfer: the store should call back.
    Callback { phone: String },
    /// The caller cancelled.
    Cancelled,
    /// Closed and not taking orders for later.
    Closed,
}

/// Runs one turn.
pub fn step(menu: &CompiledMenu, state: CallState, input: &TurnInput) -> TurnOutput {
    let mut turn = Turn {
        menu,
        input,
        state,
        notes: Vec::new(),
        extraction: None,
        outcome: None,
        removed: Vec::new(),
        offered: None,
        offered_size: None,
        sold_out: Vec::new(),
    };
    let (say, next) = turn.run();
    turn.finish(say, next)
}

/// Working data of one turn.
struct Turn<'a> {
    menu: &'a CompiledMenu,
    input: &'a TurnInput,
    state: CallState,
    /// What the turn did, in order ("added pepperoni_pizza", "asked size"...).
    notes: Vec<String>,
    extraction: Option<Extraction>,
    outcome: Option<Outcome>,
    /// Names of lines removed this turn, for the confirmation.
    removed: Vec<String>,
    /// The item asked about in the previous turn (`CallState::offered`), taken for this one.
    offered: Option<String>,
    /// The size named in that question (`CallState::offered_size`).
    offered_size: Option<String>,
    /// Names of what this turn took off the cart because it is sold out, said first.
    sold_out: Vec<String>,
}

impl Turn<'_> {
    fn store(&self) -> &Store {
        &self.input.store
    }

    fn run(&mut self) -> (String, Next) {
        match self.input.event.clone() {
            Event::Start => self.greet(),
            Event::Silence => self.silence(),
            Event::Digits { digits } => self.digits(&digits),
            Event::DialResult { status } => self.dial_result(&status),
            Event::Speech { text, confidence } => self.speech(&text, confidence),
        }
    }

    fn finish(mut self, say: String, next: Next) -> TurnOutput {
        let say = match self.sold_out_notice() {
            Some(notice) if !say.is_empty() => format!("{notice} {say}"),
            _ => say,
        };
        // What was said is stored (`app.turns.said`) and repeated as well as rendered: it
        // carries no character the TwiML could not.
        let say = twiml::xml_safe(&say).into_owned();
        if matches!(next, Next::Gather { .. }) {
            self.state.last_prompt = say.clone();
        }
        let twiml = twiml::render(&self.store().voice, &say, &next);
        let understood = serde_json::json!({
            "extraction": self.extraction,
            "did": self.notes,
        });
        TurnOutput {
            state: self.state,
            say,
            next,
            twiml,
            understood,
            outcome: self.outcome,
        }
    }

    fn gather(&self) -> Next {
        Next::Gather {
            turn: self.input.turn + 1,
            hints: self.hints(),
            number_entry: matches!(self.state.phase, Phase::AskCallback | Phase::TakeCallback),
        }
    }

    /// Asks `say` and listens. A prompt already said [`MAX_SAME_PROMPT`] times in this call
    /// is not said again: whatever the path that led back to it, the call is going in circles
    /// and goes to a person instead (or, while a callback number is being taken, ends).
    fn ask(&mut self, say: String) -> (String, Next) {
        let key = prompt_key(&say);
        let said = self.state.prompts.get(&key).copied().unwrap_or(0);
        if usize::from(said) >= MAX_SAME_PROMPT {
            self.notes.push("prompt said too often".into());
            if matches!(self.state.phase, Phase::TakeCallback | Phase::AskCallback) {
                self.state.phase = Phase::Ended;
                return (
                    "Sorry, I couldn't get that. Please call the restaurant again. Goodbye!".into(),
                    Next::Hangup,
                );
            }
            return self.transfer("repeated_prompt");
        }
        self.state.prompts.insert(key, said + 1);
        (say, self.gather())
    }

    fn greet(&mut self) -> (String, Next) {
        let store = self.store().clone();
        if !store.open_now && !store.accepts_orders_when_closed {
            self.state.phase = Phase::Closed;
            self.outcome = Some(Outcome::Closed);
            let say = format!(
                "Thanks for calling {}. We're closed right now. {} Please call again then. Goodbye!",
                store.name, store.hours_text
            );
            return (say, Next::Hangup);
        }
        self.state.phase = Phase::Ordering;
        let mut say = match &store.greeting {
            Some(g) if !g.trim().is_empty() => g.replace("{store}", &store.name),
            _ => format!("Thanks for calling {}!", store.name),
        };
        if !store.open_now {
            say.push_str(" We're closed right now, but I can take your order for later.");
        }
        say.push_str(" What can I get for you today?");
        self.ask(say)
    }

    fn silence(&mut self) -> (String, Next) {
        self.state.silences += 1;
        if self.state.silences >= MAX_MISSES {
            return self.transfer("silence");
        }
        let say = format!("Are you still there? {}", self.reprompt());
        self.ask(say)
    }

    fn digits(&mut self, digits: &str) -> (String, Next) {
        self.state.silences = 0;
        if digits.starts_with('0') {
            return self.transfer("pressed_0");
        }
        match self.state.phase {
            Phase::AskCallback | Phase::TakeCallback if digits.len() >= 7 => {
                self.take_phone(digits.to_string())
            }
            _ => self.miss(),
        }
    }

    fn dial_result(&mut self, status: &str) -> (String, Next) {
        if status == "completed" || status == "answered" {
            self.notes.push("transfer completed".into());
            return (String::new(), Next::Hangup);
        }
        self.notes.push(format!("transfer failed: {status}"));
        self.state.phase = Phase::TakeCallback;
        let say = match &self.input.caller {
            Some(c) => format!(
                "Sorry, nobody could pick up right now. Shall the restaurant call you back at {}? Say yes, or tell me another number.",
                spoken_phone(c)
            ),
            None => "Sorry, nobody could pick up right now. What number can the restaurant call you back on?".into(),
        };
        self.ask(say)
    }

    /// Leaves the call to the store. Without a number to dial, takes a callback instead.
    fn transfer(&mut self, reason: &str) -> (String, Next) {
        self.notes.push(format!("transfer: {reason}"));
        match self.store().transfer_number.clone() {
            Some(number) if !number.is_empty() => {
                self.state.phase = Phase::Transferred;
                self.outcome = Some(Outcome::Transferred {
                    reason: reason.to_string(),
                });
                (
                    "Let me put you through to someone at the restaurant. One moment please."
                        .into(),
                    Next::Dial {
                        number,
                        turn: self.input.turn + 1,
                    },
                )
            }
            _ => self.dial_result("no-number"),
        }
    }

    fn miss(&mut self) -> (String, Next) {
        self.state.misses += 1;
        self.notes.push("not understood".into());
        if self.state.misses >= MAX_MISSES {
            return self.transfer("not_understood");
        }
        let say = format!("Sorry, I didn't catch that. {}", self.reprompt());
        self.ask(say)
    }

    /// The question of the current phase, asked again.
    fn reprompt(&self) -> String {
        match self.state.phase {
            Phase::Greeting | Phase::Ordering => "What can I get for you?".into(),
            Phase::AnythingElse => "Would you like anything else?".into(),
            Phase::AskChoice => self.choice_question(),
            Phase::AskFulfillment => "Is that for pickup or delivery?".into(),
            Phase::AskAddress => "What's the delivery address?".into(),
            Phase::AskName => "What name should I put the order under?".into(),
            Phase::AskCallback | Phase::TakeCallback => {
                "What's the best number to reach you?".into()
            }
            Phase::Confirm => {
                "Shall I place the order? Please say yes, or tell me what to change.".into()
            }
            _ => "How can I help?".into(),
        }
    }

    fn speech(&mut self, text: &str, confidence: f32) -> (String, Next) {
        // Bounded here too, not only in extraction: the text is also echoed ("I think you
        // said"), kept as an address or name, and searched by the answers below.
        let text = crate::extract::bounded(text);
        self.state.silences = 0;
        let mut confirmed = false;
        let text = if let Some(pending) = self.state.unconfirmed.take() {
            // The last utterance was heard with low confidence; this one confirms it or not.
            let ex = self.menu.extract(text);
            if has(&ex, |i| matches!(i, Intent::Yes)) {
                self.notes.push("low-confidence utterance confirmed".into());
                confirmed = true;
                crate::extract::bounded(&pending).to_string()
            } else if has(&ex, |i| matches!(i, Intent::No)) || ex.lines.is_empty() {
                let say = "Sorry about that. Could you say it again?".to_string();
                return self.ask(say);
            } else {
                text.to_string()
            }
        } else {
            text.to_string()
        };
        let ex = self.menu.extract(&text);
        self.extraction = Some(ex.clone());
        // Details volunteered at any point ("for delivery to 12 Main Street, it's for John")
        // are kept, so the questions about them are skipped later.
        if !matches!(self.state.phase, Phase::AskCallback | Phase::TakeCallback) {
            self.absorb_details(&ex);
        }

        if has(&ex, |i| matches!(i, Intent::Human)) {
            return self.transfer("asked_for_person");
        }
        if has(&ex, |i| matches!(i, Intent::Cancel)) {
            self.state.phase = Phase::Ended;
            self.outcome = Some(Outcome::Cancelled);
            return (
                "Okay, I've cancelled that. Thanks for calling, goodbye!".into(),
                Next::Hangup,
            );
        }
        if has(&ex, |i| matches!(i, Intent::Repeat)) {
            let say = self.state.last_prompt.clone();
            return self.ask(say);
        }
        if confidence < LOW_CONFIDENCE && !confirmed && !ex.lines.is_empty() {
            self.state.unconfirmed = Some(text.clone());
            let say = format!("I think you said: {text}. Is that right?");
            return self.ask(say);
        }

        // A person was offered at the last prompt: "yes" takes it up.
        let person_offered = std::mem::take(&mut self.state.person_offered);
        if person_offered && ex.lines.is_empty() && has(&ex, |i| matches!(i, Intent::Yes)) {
            return self.transfer("accepted_person");
        }
        // What the caller asked about last turn is what "a small one" or "yes" orders now,
        // for this turn only.
        self.offered = self.state.offered.take();
        self.offered_size = self.state.offered_size.take();

        let reply = match self.state.phase {
            Phase::AskChoice => self.answer_choice(&text, &ex),
            Phase::AskFulfillment => self.answer_fulfillment(&ex),
            Phase::AskAddress => self.answer_address(&text, &ex),
            Phase::AskName => self.answer_name(&text, &ex),
            Phase::AskCallback | Phase::TakeCallback => self.answer_phone(&ex),
            Phase::Confirm => self.answer_confirm(&ex),
            _ => self.order_and_question(&text, &ex),
        };
        reply.unwrap_or_else(|| {
            if has(&ex, |i| matches!(i, Intent::Hours)) {
                let say = format!("{} {}", self.store().hours_text, self.reprompt());
                return self.ask(say);
            }
            if self.state.phase == Phase::AskChoice {
                // A question about one thing on the menu is answered; anything else while a
                // choice is asked ("what do you recommend?", "hmm") is no answer to it.
                let named = ex
                    .intents
                    .iter()
                    .any(|i| matches!(i, Intent::MenuQuestion { about: Some(_) }));
                if named {
                    if let Some(reply) = self.menu_answer(&text, &ex) {
                        return reply;
                    }
                }
                let asked = has(&ex, |i| matches!(i, Intent::MenuQuestion { .. }))
                    || questions::is_wh_question(&text);
                return self.choice_not_answered(asked);
            }
            if let Some(reply) = self.menu_answer(&text, &ex) {
                return reply;
            }
            self.miss()
        })
    }

    /// Lines and a question in one utterance ("a mango lassi and, uh, what desserts do you
    /// have"): the lines are taken, then the question answered. A bare mention inside the
    /// question (a category word read as its only item) orders nothing.
    fn order_and_question(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
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
    fn take_order(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let mut added = Vec::new();
        let mut refused = Vec::new();
        let mut changed = self.apply_corrections(ex);
        let mut asked_which = false;
        // The line this utterance last added to or changed.
        let mut last: Option<usize> = None;
        for line in choices::ordered_lines(&ex.lines) {
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
            let said: Vec<String> = added
                .iter()
                .filter_map(|&i| pricing::price_line(&self.menu.menu, &self.state.cart[i]))
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

    fn absorb_details(&mut self, ex: &Extraction) {
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
            d.phone = Some(p.clone());
        }
        if heard.time.is_some() {
            d.time.clone_from(&heard.time);
        }
        if heard != &crate::extract::Details::default() {
            self.notes.push("details noted".into());
        }
    }

    /// After "that's all": the missing choices and details, then the read-back. A line still
    /// missing a size or a required option is asked for again, however the caller got here
    /// ("that's all" while kea asked for the size): it never reaches the read-back.
    fn proceed(&mut self) -> (String, Next) {
        if let Some(q) = self.next_choice() {
            return q;
        }
        let store = self.store().clone();
        let d = &self.state.details;
        if store.offers_delivery && d.fulfillment.is_none() {
            self.state.phase = Phase::AskFulfillment;
            return self.ask("Is that for pickup or delivery?".into());
        }
        if d.fulfillment == Some(crate::extract::Fulfillment::Delivery) && d.address.is_none() {
            self.state.phase = Phase::AskAddress;
            return self.ask("What's the delivery address?".into());
        }
        if store.asks_name && d.name.is_none() {
            self.state.phase = Phase::AskName;
            return self.ask("What name should I put the order under?".into());
        }
        if d.phone.is_none() {
            match self
                .input
                .caller
                .clone()
                .filter(|c| digits_of(c).len() >= 7)
            {
                Some(c) => self.state.details.phone = Some(c),
                None => {
                    self.state.phase = Phase::AskCallback;
                    return self.ask("What's the best number to reach you?".into());
                }
            }
        }
        self.read_back()
    }

    fn read_back(&mut self) -> (String, Next) {
        if let Some(reply) = self.not_ready() {
            return reply;
        }
        self.state.phase = Phase::Confirm;
        let order = price_order(&self.menu.menu, &self.state.cart, &self.state.details);
        let mut say = speech::read_back(&order);
        match self.state.details.fulfillment {
            Some(crate::extract::Fulfillment::Delivery) => {
                if let Some(a) = &self.state.details.address {
                    say.push_str(&format!(" For delivery to {a}."));
                }
            }
            _ => say.push_str(" For pickup."),
        }
        say.push_str(" Shall I place the order?");
        self.notes.push("read back".into());
        self.ask(say)
    }

    /// The last guard before a read-back or a submit, after every question was asked: an
    /// empty cart goes back to ordering, and a cart the shared validation still refuses (a
    /// rule no repair knows) goes to a person rather than be read back or saved.
    fn not_ready(&mut self) -> Option<(String, Next)> {
        if self.state.cart.is_empty() {
            self.state.phase = Phase::Ordering;
            return Some(
                self.ask("You haven't ordered anything yet. What can I get for you?".into()),
            );
        }
        let problems = crate::order_rules::validate_cart(&self.menu.menu, &self.state.cart);
        if problems.is_empty() {
            return None;
        }
        self.notes.push(format!("cart refused: {problems:?}"));
        Some(self.transfer("invalid_cart"))
    }

    fn answer_confirm(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let changes = !ex.lines.is_empty()
            || ex.intents.iter().any(|i| {
                matches!(
                    i,
                    Intent::Remove { .. } | Intent::SetQuantity { .. } | Intent::Modify { .. }
                )
            });
        if changes {
            self.state.phase = Phase::AnythingElse;
            let reply = self.take_order(ex)?;
            if self.state.phase == Phase::AnythingElse {
                // A change at the read-back goes straight back to the read-back.
                return Some(self.proceed());
            }
            return Some(reply);
        }
        if has(ex, |i| matches!(i, Intent::Yes)) {
            return Some(self.submit());
        }
        if has(ex, |i| matches!(i, Intent::No)) {
            self.state.phase = Phase::AnythingElse;
            return Some(self.ask("Okay, what would you like to change?".into()));
        }
        None
    }

    fn submit(&mut self) -> (String, Next) {
        // The read-back was complete, but the state may come from an older version or the menu
        // may have changed since: an incomplete line is never submitted.
        if let Some(q) = self.next_choice() {
            return q;
        }
        if let Some(reply) = self.not_ready() {
            return reply;
        }
        let order = price_order(&self.menu.menu, &self.state.cart, &self.state.details);
        let store = self.store().clone();
        self.state.phase = Phase::Submitted;
        self.notes.push("order submitted".into());
        let ready = match (self.state.details.fulfillment, store.prep_minutes) {
            (Some(crate::extract::Fulfillment::Delivery), _) => String::new(),
            (_, Some(m)) => format!(" It'll be ready for pickup in about {m} minutes."),
            _ => String::new(),
        };
        let say = format!(
            "Great, your order is in.{ready} We'll text you a confirmation. Thanks for calling {}, goodbye!",
            store.name
        );
        self.outcome = Some(Outcome::Submitted { order });
        (say, Next::Hangup)
    }

    fn answer_fulfillment(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        let f = ex.details.fulfillment?;
        self.state.details.fulfillment = Some(f);
        if ex.details.address.is_some() {
            self.state.details.address = ex.details.address.clone();
        }
        Some(self.proceed())
    }

    fn answer_address(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let address = ex.details.address.clone().or_else(|| {
            // An answer to "what's the address?" is the address, if it has a house number.
            text.split_whitespace()
                .any(|w| w.chars().all(|c| c.is_ascii_digit()))
                .then(|| text.trim().to_string())
        })?;
        self.state.details.address = Some(address);
        Some(self.proceed())
    }

    fn answer_name(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let name = ex.details.name.clone().or_else(|| {
            let words: Vec<&str> = text.split_whitespace().collect();
            (words.len() <= 3 && !words.is_empty()).then(|| title_case(text))
        })?;
        self.state.details.name = Some(name);
        Some(self.proceed())
    }

    fn answer_phone(&mut self, ex: &Extraction) -> Option<(String, Next)> {
        if let Some(phone) = ex.details.phone.clone().filter(|p| p.len() >= 7) {
            return Some(self.take_phone(phone));
        }
        if has(ex, |i| matches!(i, Intent::Yes)) {
            if let Some(c) = self.input.caller.clone() {
                return Some(self.take_phone(c));
            }
        }
        if has(ex, |i| matches!(i, Intent::No)) {
            return Some(self.ask("What number should we use?".into()));
        }
        None
    }

    fn take_phone(&mut self, phone: String) -> (String, Next) {
        self.state.details.phone = Some(phone.clone());
        if self.state.phase == Phase::TakeCallback {
            self.state.phase = Phase::Ended;
            self.outcome = Some(Outcome::Callback {
                phone: phone.clone(),
            });
            let say = format!(
                "Thanks. The restaurant will call you back at {} as soon as they can. Goodbye!",
                spoken_phone(&phone)
            );
            return (say, Next::Hangup);
        }
        self.proceed()
    }

    pub(super) fn alternatives(&self, sold_out_name: &str) -> String {
        let menu = &self.menu.menu;
        let Some(item) = menu.items.iter().find(|i| i.name == sold_out_name) else {
            return String::new();
        };
        let names: Vec<String> = menu
            .items
            .iter()
            .filter(|i| i.available && i.code != item.code && i.category == item.category)
            .take(2)
            .map(|i| i.name.clone())
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" We do have {}.", speech::list(&names))
        }
    }
}

fn has(ex: &Extraction, pred: impl Fn(&Intent) -> bool) -> bool {
    ex.intents.iter().any(pred)
}

/// At most this many speech hints per gather.
const MAX_HINTS: usize = 60;

impl Turn<'_> {
    /// Speech hints for Twilio: the words the caller is likely to say next. Item names while
    /// ordering (they help with unusual names), the options first when a choice is asked, the
    /// two answers to "pickup or delivery", and none for an address, a name or a number, where
    /// menu words would only pull recognition the wrong way.
    fn hints(&self) -> Vec<String> {
        let items = || {
            self.menu
                .menu
                .items
                .iter()
                .filter(|i| i.available)
                .map(|i| i.name.to_lowercase())
        };
        match self.state.phase {
            Phase::AskFulfillment => vec!["pickup".into(), "delivery".into()],
            Phase::AskAddress | Phase::AskName | Phase::AskCallback | Phase::TakeCallback => {
                Vec::new()
            }
            Phase::AskChoice => self
                .asked_options()
                .into_iter()
                .chain(items())
                .take(MAX_HINTS)
                .collect(),
            _ => items().take(MAX_HINTS).collect(),
        }
    }
}

/// A short stable key for a prompt's text (FNV-1a, 64 bits): the state counts prompts
/// without storing them.
fn prompt_key(say: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in say.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// "+15555550199" -> "5 5 5, 5 5 5, 0 1 9 9": read digit by digit, in groups.
fn spoken_phone(phone: &str) -> String {
    let d = digits_of(phone);
    let d = d.strip_prefix('1').filter(|r| r.len() == 10).unwrap_or(&d);
    let spaced = |s: &str| s.chars().map(String::from).collect::<Vec<_>>().join(" ");
    if d.len() == 10 {
        format!(
            "{}, {}, {}",
            spaced(&d[..3]),
            spaced(&d[3..6]),
            spaced(&d[6..])
        )
    } else {
        spaced(d)
    }
}

fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(speech::capitalise)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the caller was asking for something ("can I get...", "do you have..."): what makes
/// unplaced words an unknown item rather than noise.
pub(super) fn asks_for_something(text: &str) -> bool {
    const CUES: [&str; 14] = [
        "can i get",
        "can i have",
        "could i get",
        "could i have",
        "i want",
        "i'd like",
        "i would like",
        "i'll have",
        "i will have",
        "give me",
        "let me get",
        "let me have",
        "do you have",
        "do you guys have",
    ];
    let t = text.to_lowercase();
    CUES.iter().any(|c| t.contains(c))
}

#[cfg(test)]
mod tests;
