//! Per-call dialog state (stored as `app.calls.state` jsonb) and per-turn input.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::extract::{Fulfillment, ModMention, RequestedTime};
use crate::twiml::Voice;

/// Where the conversation is. See the state diagram in docs/dialog.md.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before the first prompt.
    #[default]
    Greeting,
    /// Taking items (first prompt: "what can I get you?").
    Ordering,
    /// Asking for a required choice of `CallState::asking`.
    AskChoice,
    /// "Anything else?"
    AnythingElse,
    AskFulfillment,
    AskAddress,
    AskName,
    /// "Is the number you're calling from the best one to reach you?"
    AskCallback,
    /// A number for the text was said without its area code (seven digits): "What's the area
    /// code for ...?" (`CallState::local_phone` holds the seven).
    AskAreaCode,
    /// Read-back done; waiting for yes / a change.
    Confirm,
    /// Store closed and not taking orders for later: hours said, call ends.
    Closed,
    /// Order submitted, goodbye said.
    Submitted,
    /// Handed to the store with `<Dial>`.
    Transferred,
    /// Transfer failed: taking a callback number.
    TakeCallback,
    /// The call is over without an order (caller cancelled, callback noted).
    Ended,
}

impl Phase {
    /// The name SQL sees (`app.turns.phase`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Greeting => "greeting",
            Phase::Ordering => "ordering",
            Phase::AskChoice => "ask_choice",
            Phase::AnythingElse => "anything_else",
            Phase::AskFulfillment => "ask_fulfillment",
            Phase::AskAddress => "ask_address",
            Phase::AskName => "ask_name",
            Phase::AskCallback => "ask_callback",
            Phase::AskAreaCode => "ask_area_code",
            Phase::Confirm => "confirm",
            Phase::Closed => "closed",
            Phase::Submitted => "submitted",
            Phase::Transferred => "transferred",
            Phase::TakeCallback => "take_callback",
            Phase::Ended => "ended",
        }
    }
}

/// One line of the cart, as the caller built it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CartLine {
    pub item: String,
    #[serde(default)]
    pub variation: Option<String>,
    pub quantity: u32,
    #[serde(default)]
    pub modifiers: Vec<ModMention>,
}

/// A required choice being asked for: the line index, and the modifier group (None = size).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Asking {
    pub line: usize,
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct OrderDetails {
    #[serde(default)]
    pub fulfillment: Option<Fulfillment>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub time: Option<RequestedTime>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CallState {
    #[serde(default)]
    pub phase: Phase,
    #[serde(default)]
    pub cart: Vec<CartLine>,
    #[serde(default)]
    pub details: OrderDetails,
    #[serde(default)]
    pub asking: Option<Asking>,
    /// The line last added or changed: what "make that three" refers to.
    #[serde(default)]
    pub focus: Option<usize>,
    /// Consecutive turns not understood / silent: two of either transfer the call.
    #[serde(default)]
    pub misses: u8,
    #[serde(default)]
    pub silences: u8,
    /// What was last said, for "can you repeat that".
    #[serde(default)]
    pub last_prompt: String,
    /// A low-confidence utterance waiting for "yes" before it is acted on.
    #[serde(default)]
    pub unconfirmed: Option<String>,
    /// Lines whose words fit several items ("a quesadilla"): asked "which one?" before anything
    /// else, first to last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub which: Vec<Which>,
    /// Times in a row the current choice question went unanswered: the second time it is
    /// rephrased with its options numbered, the third time a person is offered.
    #[serde(default)]
    pub tries: u8,
    /// A person was offered at the last prompt: "yes" transfers.
    #[serde(default)]
    pub person_offered: bool,
    /// The item the caller last asked about ("how much is the horchata?"): what "a small one"
    /// or "yes" in the next turn orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<String>,
    /// The size named in that question ("how much is a large cold brew?").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_size: Option<String>,
    /// How many times each prompt was said (by a hash of its text): none is said more than
    /// [`super::MAX_SAME_PROMPT`] times in a call.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prompts: BTreeMap<String, u8>,
    /// The greeting offered the caller's last order ("Welcome back! Would you like the same as
    /// last time?"): "yes" in the next turn takes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub usual_offered: bool,
    /// The caller's last order is in the cart already: asking again adds nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub usual_taken: bool,
    /// A number for the text said without its area code: its seven digits, until the area
    /// code is said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_phone: Option<String>,
}

/// A line waiting for the caller to say which item it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Which {
    /// Item codes the words fit, in menu order.
    pub candidates: Vec<String>,
    /// Everything else said about the line (quantity, size, options); `item` is empty.
    pub line: CartLine,
}

/// What Twilio told us this turn.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The call just connected.
    Start,
    Speech {
        text: String,
        #[serde(default = "full_confidence")]
        confidence: f32,
    },
    Digits {
        digits: String,
    },
    /// The gather ended with no input.
    Silence,
    /// Result of a `<Dial>` transfer (`DialCallStatus`).
    DialResult {
        status: String,
    },
}

fn full_confidence() -> f32 {
    1.0
}

/// The merchant as the dialog needs it; assembled by SQL from `app.merchants` each turn.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Store {
    pub name: String,
    /// Where transfers go (the restaurant's own line).
    #[serde(default)]
    pub transfer_number: Option<String>,
    #[serde(default)]
    pub voice: Voice,
    /// Replaces the default greeting when set; `{store}` is replaced by the name.
    #[serde(default)]
    pub greeting: Option<String>,
    /// Computed in SQL in the merchant's time zone.
    #[serde(default = "yes")]
    pub open_now: bool,
    /// "We're open 11 AM to 10 PM every day", spoken when closed or asked.
    #[serde(default)]
    pub hours_text: String,
    /// Take orders for later while closed.
    #[serde(default)]
    pub accepts_orders_when_closed: bool,
    #[serde(default)]
    pub offers_delivery: bool,
    #[serde(default)]
    pub asks_name: bool,
    /// Minutes until a pickup order is ready, said at the end.
    #[serde(default)]
    pub prep_minutes: Option<u32>,
    /// The greeting offers a returning caller their last order (`app.merchants.offers_usual`).
    #[serde(default)]
    pub offers_usual: bool,
    /// The caller's last verified order with this merchant, as it was saved (SQL fills it at
    /// the call's start for the caller ID and this merchant only; empty for a new caller or a
    /// withheld number): what "the same as last time" orders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usual: Vec<PastLine>,
}

/// A line of the caller's last order, as `app.order_lines` keeps it: codes, and the names it
/// had then (said when the thing is no longer on the menu).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PastLine {
    pub item: String,
    pub name: String,
    #[serde(default)]
    pub variation: Option<String>,
    pub quantity: u32,
    #[serde(default)]
    pub modifiers: Vec<PastOption>,
}

/// An option of a [`PastLine`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PastOption {
    pub group: String,
    pub option: String,
    pub name: String,
    #[serde(default)]
    pub qualifier: Option<crate::extract::Qualifier>,
    #[serde(default)]
    pub negated: bool,
    #[serde(default)]
    pub quantity: Option<u32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TurnInput {
    pub event: Event,
    /// This turn's number; the next gather posts `turn + 1`.
    pub turn: u32,
    /// Caller ID (`From`), offered as the callback number.
    #[serde(default)]
    pub caller: Option<String>,
    pub store: Store,
}
