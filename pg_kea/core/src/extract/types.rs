//! What extraction returns: the contract between `extract` and the dialog (and SQL, as jsonb).
//! Fields may be added (with `#[serde(default)]`); none may change meaning.

use serde::{Deserialize, Serialize};

/// Everything understood in one utterance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Extraction {
    /// Order lines mentioned, in the order spoken.
    #[serde(default)]
    pub lines: Vec<LineMention>,
    /// Dialog acts ("that's all", "yes", "remove the coke", "make that three"...), in the order spoken.
    #[serde(default)]
    pub intents: Vec<Intent>,
    /// Fulfilment details (pickup/delivery, name, phone, address, time); fields not heard are
    /// left out of the JSON.
    #[serde(default)]
    pub details: Details,
    /// Words that could not be placed (fillers excluded): never silently dropped, so the dialog
    /// can ask about them ("we don't have lasagna").
    #[serde(default)]
    pub unmatched: Vec<Span>,
}

/// One order line as spoken: "two large pepperoni pizzas with extra cheese".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LineMention {
    /// Menu item code; `None` when only attributes were heard ("a large", "with onions") and
    /// no single item could be inferred: the dialog applies them to the line it is asking about.
    pub item: Option<String>,
    pub quantity: u32,
    /// False when the quantity was implied (1 for "pizza with ham").
    #[serde(default)]
    pub quantity_explicit: bool,
    /// Variation code (size) when one was said.
    #[serde(default)]
    pub variation: Option<String>,
    #[serde(default)]
    pub modifiers: Vec<ModMention>,
    /// 0.0-1.0: 1.0 for exact alias matches, lower for fuzzy ones.
    pub confidence: f32,
    /// Where in the normalised utterance the line was said.
    #[serde(default)]
    pub span: Span,
    /// When `item` is `None` but the words fit a few items ("a quesadilla" on a menu with a
    /// chicken and a cheese one): their codes, so the dialog can ask which one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
    /// The count was said as the whole count wanted of the item ("just one pakora", "only two",
    /// "actually two samosas"): when the order already has a line of this item, the dialog
    /// sets that line's quantity instead of adding a line. False for "another pakora", "one
    /// more pakora", or a count said plainly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_count: bool,
    /// The item was not named: it is the only one the options said fit ("one on shells").
    /// The dialog reads such a line after an order of several of that item as one of them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub item_implied: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModMention {
    /// Modifier group code.
    pub group: String,
    /// Option code.
    pub option: String,
    #[serde(default)]
    pub qualifier: Option<Qualifier>,
    /// "no onions", "hold the cheese".
    #[serde(default)]
    pub negated: bool,
    pub confidence: f32,
    /// How many of the option when a count was said ("two sugars", "three pumps of vanilla");
    /// `None` = one. Pricing charges the option this many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Extra,
    Light,
    Double,
}

/// A dialog act. Serialised as `{"intent": "remove", "item": "coke"}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    /// "that's all", "that's it", "nothing else".
    Done,
    Yes,
    No,
    /// "remove the coke"; `item: None` = the line last talked about.
    Remove {
        #[serde(default)]
        item: Option<String>,
    },
    /// "make that three"; `item: None` = the line last talked about.
    SetQuantity {
        #[serde(default)]
        item: Option<String>,
        quantity: u32,
    },
    /// "actually a medium", "actually no onions": the changes ride in `changes`.
    Modify {
        #[serde(default)]
        item: Option<String>,
        changes: LineMention,
    },
    /// "can I talk to a person", "operator".
    Human,
    /// "can you repeat that", "what?".
    Repeat,
    /// "what pizzas do you have", "do you have wings"; `about` = item/category code if named.
    MenuQuestion {
        #[serde(default)]
        about: Option<String>,
    },
    /// "when are you open".
    Hours,
    /// "cancel my order", "start over".
    Cancel,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Details {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfillment: Option<Fulfillment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Digits only, as spoken ("five five five one two three four" -> "5551234").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<RequestedTime>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Fulfillment {
    Pickup,
    Delivery,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestedTime {
    Asap,
    /// "in 20 minutes".
    InMinutes {
        minutes: u32,
    },
    /// "at six thirty": local wall-clock time; the dialog resolves am/pm against opening hours.
    At {
        hour: u8,
        minute: u8,
    },
}

/// Byte range in the normalised utterance, with its text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub text: String,
}
