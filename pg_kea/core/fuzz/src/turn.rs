//! What every turn must hold, whatever the caller says and whatever state the call is in:
//! bytes become a menu, a dialog state, a store and a run of events (speech of every kind:
//! unicode, control characters, 10 kB, SSML-looking text, huge numbers), which go through
//! `dialog::step` turn after turn. Checked at every turn:
//!
//! - no panic;
//! - the TwiML parses as XML, with one `<Response>` at the root;
//! - every price is non-negative (the order the turn prices, and a submitted one);
//! - a read-back or a submitted order passes `order_rules::validate_cart`, the one definition
//!   of a valid order the database applies (for calls that began with a greeting: a state
//!   made up from bytes may carry a cart no call could have built, which is only held to the
//!   first three).
//!
//! Plain Rust with kea_core, serde_json and roxmltree only: the fuzz target (`cargo fuzz run
//! turn`), its corpus replayed by `pg_kea/core/tests/fuzz_corpus.rs` and the property test
//! `pg_kea/core/tests/turn_properties.rs` all run this one `check`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use kea_core::dialog::{
    self, price_order, Asking, CallState, CartLine, Event, OrderDetails, Outcome, PastLine,
    PastOption, Phase, Store, TurnInput, TurnOutput, Which,
};
use kea_core::extract::{CompiledMenu, Fulfillment, ModMention, Qualifier, RequestedTime};
use kea_core::menu::Menu;
use kea_core::order_rules;
use kea_core::twiml::Voice;

/// Turns run from one input at most (the first from the made-up state).
const MAX_TURNS: usize = 8;

/// The menus the checks run against: Tony's (the demo's) and two test venues with required
/// choices, limits and sold-out things (`MENUS` of them), then the same menus again with more
/// sold out (`sold_out`), which a call may switch to between two turns as when the merchant
/// marks something sold out mid-call.
pub fn menus() -> &'static [CompiledMenu] {
    static MENUS: OnceLock<Vec<CompiledMenu>> = OnceLock::new();
    MENUS.get_or_init(|| {
        let menus: Vec<Menu> = [
            include_str!("../../../../migrations/seed/tonys_pizza.menu.json"),
            include_str!("../../../../tests/venues/boba/menu.json"),
            include_str!("../../../../tests/venues/indian/menu.json"),
        ]
        .iter()
        .map(|text| serde_json::from_str(text).expect("a test menu parses"))
        .collect();
        let sold: Vec<Menu> = menus.iter().map(sold_out).collect();
        menus
            .into_iter()
            .chain(sold)
            .map(CompiledMenu::new)
            .collect()
    })
}

/// The menus of `menus()` before their sold-out copies.
pub const MENUS: usize = 3;

/// The menu with every third item, every third size and every fourth option sold out.
fn sold_out(menu: &Menu) -> Menu {
    let mut menu = menu.clone();
    for (i, item) in menu.items.iter_mut().enumerate() {
        item.available &= i % 3 != 1;
        for (j, v) in item.variations.iter_mut().enumerate() {
            v.available &= j % 3 != 2;
        }
    }
    for group in &mut menu.groups {
        for (k, option) in group.options.iter_mut().enumerate() {
            option.available &= k % 4 != 3;
        }
    }
    menu
}

/// Reads choices from the fuzzer's bytes; past the end, every read is zero.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.u8()) % n
        }
    }
    fn exhausted(&self) -> bool {
        self.pos >= self.data.len()
    }
    fn pick<'b>(&mut self, xs: &'b [String]) -> Option<&'b str> {
        if xs.is_empty() {
            None
        } else {
            Some(xs[self.below(xs.len())].as_str())
        }
    }
    /// A small count most of the time, any u32 now and then.
    fn quantity(&mut self) -> u32 {
        match self.u8() {
            0..=239 => u32::from(self.u8() % 6),
            _ => self.u32(),
        }
    }
    /// A confidence: usually in [0, 1], sometimes anything a float can be (NaN, infinities).
    fn confidence(&mut self) -> f32 {
        match self.u8() {
            0..=229 => f32::from(self.u8()) / 255.0,
            _ => f32::from_bits(self.u32()),
        }
    }
}

/// Words of a menu a caller might say, and the small words around them.
fn vocabulary(menu: &Menu) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for item in &menu.items {
        words.push(item.name.to_lowercase());
        words.extend(item.variations.iter().map(|v| v.name.to_lowercase()));
    }
    for g in &menu.groups {
        words.extend(g.options.iter().map(|o| o.name.to_lowercase()));
    }
    for w in [
        "a",
        "two",
        "three",
        "and",
        "with",
        "no",
        "extra",
        "yes",
        "no",
        "that's all",
        "make that",
        "instead of",
        "remove the",
        "actually",
        "delivery",
        "pickup",
        "my name is",
        "the first one",
        "cancel",
        "operator",
        "repeat that",
        "how much is",
        "what's on",
        "0",
        "one hundred",
    ] {
        words.push(w.to_string());
    }
    words
}

/// Speech, of one of the kinds a phone line (or an attacker on Twilio's side) can bring.
fn speech(b: &mut Bytes, vocab: &[String], depth: u8) -> String {
    match b.u8() % 10 {
        // Menu words in any order.
        0..=2 => (0..1 + b.below(6))
            .filter_map(|_| b.pick(vocab).map(str::to_string))
            .collect::<Vec<_>>()
            .join(" "),
        // Raw bytes, as lossy UTF-8.
        3 => {
            let n = b.below(64);
            let raw: Vec<u8> = (0..n).map(|_| b.u8()).collect();
            String::from_utf8_lossy(&raw).into_owned()
        }
        // Any characters: controls, NUL, U+FFFE, right-to-left marks, emoji.
        4 => (0..b.below(32))
            .filter_map(|_| char::from_u32(b.u32() % 0x11_0000))
            .collect(),
        // SSML and TwiML-looking text.
        5 => {
            const MARKUP: [&str; 8] = [
                "<speak><prosody rate=\"x-slow\">{}</prosody></speak>",
                "</Say><Hangup/><Say>{}",
                "<![CDATA[{}]]>",
                "&amp; &#0; &lt;Dial&gt;+15550000000&lt;/Dial&gt; {}",
                "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"{}\">]>&e;",
                "{}\u{0}\u{1b}[31m\u{7f}",
                "<break time=\"10s\"/>{}<say-as interpret-as=\"digits\">123</say-as>",
                "\"{}\" ' > < &",
            ];
            let inner = b.pick(vocab).unwrap_or("pizza").to_string();
            MARKUP[b.below(MARKUP.len())].replace("{}", &inner)
        }
        // Huge and odd numbers.
        6 => {
            const NUMBERS: [&str; 8] = [
                "99999999999999999999999999",
                "4294967296",
                "18446744073709551616",
                "-5",
                "1e309",
                "two billion",
                "0.0000001",
                "nine hundred ninety nine thousand",
            ];
            let n = NUMBERS[b.below(NUMBERS.len())];
            format!("{n} {}", b.pick(vocab).unwrap_or("pizzas"))
        }
        // About 10 kB.
        7 => {
            let unit = b.pick(vocab).unwrap_or("pepperoni").to_string() + " and ";
            unit.repeat(10_000 / unit.len().max(1) + 1)
        }
        // Digits, spaces, nothing.
        8 => match b.u8() % 4 {
            0 => String::new(),
            1 => " \t\r\n ".into(),
            2 => b.u32().to_string(),
            _ => "5551234567".into(),
        },
        // Two of the above together.
        _ if depth < 2 => format!(
            "{} {}",
            speech(b, vocab, depth + 1),
            speech(b, vocab, depth + 1)
        ),
        _ => "uh".into(),
    }
}

fn short_text(b: &mut Bytes, vocab: &[String]) -> String {
    let s = speech(b, vocab, 1);
    s.chars().take(80).collect()
}

fn opt_text(b: &mut Bytes, vocab: &[String]) -> Option<String> {
    b.bool().then(|| short_text(b, vocab))
}

/// An item code: one of the menu's, or not.
fn item_code(b: &mut Bytes, menu: &Menu, vocab: &[String]) -> String {
    if b.u8() < 220 && !menu.items.is_empty() {
        menu.items[b.below(menu.items.len())].code.clone()
    } else {
        short_text(b, vocab)
    }
}

fn cart_line(b: &mut Bytes, menu: &Menu, vocab: &[String]) -> CartLine {
    let item = item_code(b, menu, vocab);
    let variations: Vec<String> = menu
        .item(&item)
        .map(|i| i.variations.iter().map(|v| v.code.clone()).collect())
        .unwrap_or_default();
    let variation = match b.u8() % 4 {
        0 => None,
        1 => Some(short_text(b, vocab)),
        _ => b.pick(&variations).map(str::to_string),
    };
    let modifiers = (0..b.below(5))
        .map(|_| {
            let (group, option) = if b.u8() < 220 && !menu.groups.is_empty() {
                let g = &menu.groups[b.below(menu.groups.len())];
                let o = if g.options.is_empty() {
                    String::new()
                } else {
                    g.options[b.below(g.options.len())].code.clone()
                };
                (g.code.clone(), o)
            } else {
                (short_text(b, vocab), short_text(b, vocab))
            };
            ModMention {
                group,
                option,
                qualifier: [
                    None,
                    Some(Qualifier::Extra),
                    Some(Qualifier::Light),
                    Some(Qualifier::Double),
                ][b.below(4)],
                negated: b.bool(),
                confidence: b.confidence(),
                quantity: b.bool().then(|| b.quantity()),
            }
        })
        .collect();
    CartLine {
        item,
        variation,
        quantity: b.quantity(),
        modifiers,
    }
}

const PHASES: [Phase; 15] = [
    Phase::Greeting,
    Phase::Ordering,
    Phase::AskChoice,
    Phase::AnythingElse,
    Phase::AskFulfillment,
    Phase::AskAddress,
    Phase::AskName,
    Phase::AskCallback,
    Phase::AskAreaCode,
    Phase::Confirm,
    Phase::Closed,
    Phase::Submitted,
    Phase::Transferred,
    Phase::TakeCallback,
    Phase::Ended,
];

/// Any state a `CallState` can hold, most of it in the menu's terms.
pub fn state(b: &mut Bytes, menu: &Menu, vocab: &[String]) -> CallState {
    let cart: Vec<CartLine> = (0..b.below(5)).map(|_| cart_line(b, menu, vocab)).collect();
    let index = |b: &mut Bytes| {
        if b.u8() < 240 {
            b.below(6)
        } else {
            b.u32() as usize
        }
    };
    let group_codes: Vec<String> = menu.groups.iter().map(|g| g.code.clone()).collect();
    let item_codes: Vec<String> = menu.items.iter().map(|i| i.code.clone()).collect();
    let details = OrderDetails {
        fulfillment: [None, Some(Fulfillment::Pickup), Some(Fulfillment::Delivery)][b.below(3)],
        name: opt_text(b, vocab),
        phone: opt_text(b, vocab),
        address: opt_text(b, vocab),
        time: match b.u8() % 4 {
            0 => None,
            1 => Some(RequestedTime::Asap),
            2 => Some(RequestedTime::InMinutes { minutes: b.u32() }),
            _ => Some(RequestedTime::At {
                hour: b.u8(),
                minute: b.u8(),
            }),
        },
    };
    let asking = b.bool().then(|| Asking {
        line: index(b),
        group: if b.bool() {
            b.pick(&group_codes).map(str::to_string)
        } else {
            None
        },
    });
    let which = (0..b.below(3))
        .map(|_| {
            let mut line = cart_line(b, menu, vocab);
            line.item = String::new();
            Which {
                candidates: (0..b.below(4)).map(|_| item_code(b, menu, vocab)).collect(),
                line,
            }
        })
        .collect();
    let mut prompts = BTreeMap::new();
    for _ in 0..b.below(3) {
        prompts.insert(short_text(b, vocab), b.u8());
    }
    CallState {
        phase: PHASES[b.below(PHASES.len())],
        cart,
        details,
        asking,
        focus: b.bool().then(|| index(b)),
        misses: b.u8() % 4,
        silences: b.u8() % 4,
        last_prompt: short_text(b, vocab),
        unconfirmed: opt_text(b, vocab),
        which,
        tries: b.u8() % 5,
        person_offered: b.bool(),
        offered: if b.bool() {
            b.pick(&item_codes).map(str::to_string)
        } else {
            None
        },
        offered_size: opt_text(b, vocab),
        prompts,
        usual_offered: b.bool(),
        usual_taken: b.bool(),
        local_phone: if b.bool() {
            Some(b.u32().to_string())
        } else {
            opt_text(b, vocab)
        },
    }
}

pub fn event(b: &mut Bytes, vocab: &[String]) -> Event {
    match b.u8() % 8 {
        0 => Event::Start,
        1 => Event::Silence,
        2 => Event::Digits {
            digits: if b.bool() {
                b.u32().to_string()
            } else {
                short_text(b, vocab)
            },
        },
        3 => Event::DialResult {
            status: ["completed", "busy", "no-answer", "failed", "canceled", ""][b.below(6)]
                .to_string(),
        },
        _ => Event::Speech {
            text: speech(b, vocab, 0),
            confidence: b.confidence(),
        },
    }
}

pub fn store(b: &mut Bytes, menu: &Menu, vocab: &[String]) -> Store {
    let hostile = b.u8() > 230;
    Store {
        name: if hostile {
            short_text(b, vocab)
        } else {
            "Tony's Pizza".into()
        },
        transfer_number: if b.u8() < 200 {
            Some("+15555550199".into())
        } else {
            opt_text(b, vocab)
        },
        voice: if hostile {
            Voice {
                voice: short_text(b, vocab),
                language: short_text(b, vocab),
            }
        } else {
            Voice::default()
        },
        greeting: if hostile { opt_text(b, vocab) } else { None },
        open_now: b.u8() < 220,
        hours_text: if hostile {
            short_text(b, vocab)
        } else {
            "We're open 11 to 10.".into()
        },
        accepts_orders_when_closed: b.bool(),
        offers_delivery: b.bool(),
        asks_name: b.bool(),
        prep_minutes: b.bool().then(|| b.u32()),
        offers_usual: b.bool(),
        usual: (0..b.below(4)).map(|_| past_line(b, menu, vocab)).collect(),
    }
}

/// A line of the caller's last order: mostly the menu's codes, some of them gone since.
fn past_line(b: &mut Bytes, menu: &Menu, vocab: &[String]) -> PastLine {
    let line = cart_line(b, menu, vocab);
    PastLine {
        item: line.item,
        name: short_text(b, vocab),
        variation: line.variation,
        quantity: line.quantity,
        modifiers: line
            .modifiers
            .into_iter()
            .map(|m| PastOption {
                group: m.group,
                option: m.option,
                name: short_text(b, vocab),
                qualifier: m.qualifier,
                negated: m.negated,
                quantity: m.quantity,
            })
            .collect(),
    }
}

/// The checks on one turn's output. `reachable`: the call began at the greeting, so a cart
/// it reads back or submits is one the dialog built, and must be valid.
fn check_turn(menu: &CompiledMenu, out: &TurnOutput, reachable: bool, said: &[String]) {
    let doc = roxmltree::Document::parse(&out.twiml)
        .unwrap_or_else(|e| panic!("TwiML does not parse ({e}) after {said:?}: {}", out.twiml));
    assert_eq!(
        doc.root_element().tag_name().name(),
        "Response",
        "TwiML root after {said:?}: {}",
        out.twiml
    );
    let priced = price_order(&menu.menu, &out.state.cart, &out.state.details);
    assert_priced(&priced, said);
    if let Some(Outcome::Submitted { order }) = &out.outcome {
        assert_priced(order, said);
        assert!(
            !order.lines.is_empty(),
            "submitted an empty order after {said:?}"
        );
    }
    if !reachable {
        return;
    }
    if out.state.phase == Phase::Confirm {
        let problems = order_rules::validate_cart(&menu.menu, &out.state.cart);
        assert!(
            problems.is_empty(),
            "read back {:?} breaking {problems:?} after {said:?}",
            out.say
        );
        assert!(
            !out.state.cart.is_empty(),
            "read back an empty cart after {said:?}"
        );
    }
    if let Some(Outcome::Submitted { .. }) = &out.outcome {
        let problems = order_rules::validate_cart(&menu.menu, &out.state.cart);
        assert!(problems.is_empty(), "submitted {problems:?} after {said:?}");
    }
}

fn assert_priced(order: &dialog::PricedOrder, said: &[String]) {
    assert!(
        order.subtotal_cents >= 0
            && order.tax_cents >= 0
            && order.total_cents >= order.subtotal_cents,
        "negative totals {} + {} = {} after {said:?}",
        order.subtotal_cents,
        order.tax_cents,
        order.total_cents
    );
    for l in &order.lines {
        assert!(
            l.unit_price_cents >= 0 && l.line_total_cents >= 0,
            "negative line {l:?} after {said:?}"
        );
        assert!(
            l.modifiers.iter().all(|m| m.price_cents >= 0),
            "negative option in {l:?}"
        );
    }
}

fn describe(e: &Event) -> String {
    let s = format!("{e:?}");
    if s.len() > 300 {
        format!(
            "{}… ({} chars)",
            &s[..s.char_indices().nth(300).map_or(s.len(), |(i, _)| i)],
            s.len()
        )
    } else {
        s
    }
}

/// Runs one input: the first byte picks the menu and whether the call starts from a made-up
/// state or from its greeting; the rest is the state (if any), the store and the events.
pub fn check(data: &[u8]) {
    let mut b = Bytes::new(data);
    let menus = menus();
    let which = b.below(menus.len());
    let mut menu = &menus[which];
    // From this turn on (if below MAX_TURNS), the call's menu has more sold out.
    let sells_out_at = if which < MENUS {
        b.below(2 * MAX_TURNS)
    } else {
        MAX_TURNS
    };
    let vocab = vocabulary(&menu.menu);
    let made_up = b.bool();
    let mut state = if made_up {
        state(&mut b, &menu.menu, &vocab)
    } else {
        CallState::default()
    };
    let store = store(&mut b, &menu.menu, &vocab);
    let caller = if b.u8() < 200 {
        Some("+15551234567".to_string())
    } else {
        opt_text(&mut b, &vocab)
    };
    let mut turn: u32 = if made_up {
        b.u32() % (i32::MAX as u32)
    } else {
        0
    };
    let mut said = Vec::new();
    for n in 0..MAX_TURNS {
        if n == sells_out_at {
            menu = &menus[which + MENUS];
        }
        let event = if n == 0 && !made_up {
            Event::Start
        } else {
            event(&mut b, &vocab)
        };
        said.push(describe(&event));
        let input = TurnInput {
            event,
            turn,
            caller: caller.clone(),
            store: store.clone(),
        };
        let out = dialog::step(menu, state, &input);
        check_turn(menu, &out, !made_up, &said);
        if b.exhausted() {
            break;
        }
        state = out.state;
        turn = turn.saturating_add(1).min(i32::MAX as u32);
    }
}
