//! One turn of the phone conversation: `(menu, state, input) -> (state, what to say, TwiML)`.
//!
//! Pure and deterministic: the same state and input always give the same output, which is what
//! lets SQL replay a call and answer Twilio retries with the stored TwiML. The states and their
//! transitions are drawn in docs/dialog.md; this module follows that diagram.

mod checkout;
mod choices;
mod corrections;
mod order;
pub mod pricing;
mod questions;
mod repair;
mod repeat;
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
        if let Some(reply) = self.menu_changed_under_read_back() {
            return reply;
        }
        match self.input.event.clone() {
            Event::Start => self.greet(),
            Event::Silence => self.silence(),
            Event::Digits { digits } => self.digits(&digits),
            Event::DialResult { status } => self.dial_result(&status),
            Event::Speech { text, confidence } => self.speech(&text, confidence),
        }
    }

    /// The caller heard a read-back, and the menu changed since (something in it sold out): a
    /// "yes" now would agree to an order that no longer exists. The cart is tidied, and what
    /// was taken off is said before what is left is read back (or its missing choice asked).
    fn menu_changed_under_read_back(&mut self) -> Option<(String, Next)> {
        let answering = matches!(
            self.input.event,
            Event::Speech { .. } | Event::Silence | Event::Digits { .. }
        );
        if self.state.phase != Phase::Confirm
            || !answering
            || crate::order_rules::validate_cart(&self.menu.menu, &self.state.cart).is_empty()
        {
            return None;
        }
        self.notes.push("menu changed under the read-back".into());
        self.tidy_cart();
        Some(self.proceed())
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
            number_entry: matches!(
                self.state.phase,
                Phase::AskCallback | Phase::AskAreaCode | Phase::TakeCallback
            ),
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
        if store.offers_usual && !store.usual.is_empty() {
            self.state.usual_offered = true;
            self.notes.push("offered the last order".into());
            say.push_str(" Welcome back! Would you like the same as last time?");
        } else {
            say.push_str(" What can I get for you today?");
        }
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
            Phase::AskAreaCode => self.answer_area_code(digits).unwrap_or_else(|| self.miss()),
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
            Phase::AskAreaCode => self.area_code_question(),
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
        if !matches!(
            self.state.phase,
            Phase::AskCallback | Phase::AskAreaCode | Phase::TakeCallback
        ) {
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
        // "Welcome back! Would you like the same as last time?" - "yes please".
        let usual_offered = std::mem::take(&mut self.state.usual_offered);
        if matches!(
            self.state.phase,
            Phase::Ordering | Phase::AnythingElse | Phase::Greeting
        ) {
            if repeat::asks_for_usual(&text)
                || (usual_offered && ex.lines.is_empty() && has(&ex, |i| matches!(i, Intent::Yes)))
            {
                return self.take_usual(&text, &ex);
            }
            if usual_offered && ex.lines.is_empty() && has(&ex, |i| matches!(i, Intent::No)) {
                self.notes.push("last order declined".into());
                return self.ask("Okay. What can I get for you?".into());
            }
        }

        let reply = match self.state.phase {
            Phase::AskChoice => self.answer_choice(&text, &ex),
            Phase::AskFulfillment => self.answer_fulfillment(&ex),
            Phase::AskAddress => self.answer_address(&text, &ex),
            Phase::AskName => self.answer_name(&text, &ex),
            Phase::AskCallback | Phase::TakeCallback => self.answer_phone(&ex),
            Phase::AskAreaCode => self.answer_area_code(&spoken_digits(&text)),
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
            Phase::AskAddress
            | Phase::AskName
            | Phase::AskCallback
            | Phase::AskAreaCode
            | Phase::TakeCallback => Vec::new(),
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

/// Whether two numbers are one: the same digits, or a full national number said without the
/// country code of the other ("555 123 4567" and "+15551234567"). Comparison only: numbers are
/// made E.164 in SQL (`app.e164`) when the order is saved.
fn same_phone(a: &str, b: &str) -> bool {
    let (a, b) = (digits_of(a), digits_of(b));
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short == long || (short.len() >= 10 && long.ends_with(short.as_str()))
}

/// The digits said in an answer: digits and digit words ("five five five", "oh").
fn spoken_digits(text: &str) -> String {
    const WORDS: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let mut out = String::new();
    for w in choices::words(text) {
        if w.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&w);
        } else if w == "oh" || w == "o" {
            out.push('0');
        } else if let Some(d) = WORDS.iter().position(|n| *n == w) {
            out.push(char::from(b'0' + d as u8));
        }
    }
    out
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
mod repeat_tests;
#[cfg(test)]
mod tests;
