//! The SQL surface of pg_kea. Each function parses its arguments, calls `kea_core`, and turns
//! the result into jsonb/text; bad arguments raise `invalid_parameter_value` (22023).

use kea_core::dialog::{self, CallState, Event, TurnInput};
use kea_core::twiml::{self, Voice};
use pgrx::prelude::*;
use pgrx::JsonB;

use crate::json::{bad, parse, parse_text, to_jsonb};
use crate::menu_cache;
use crate::turn_result;

#[pg_schema]
mod kea {
    use super::*;

    /// What the caller said, understood against menu `menu_id`: order lines, dialog acts,
    /// details and unmatched words (see docs/extraction.md).
    #[pg_extern(stable, parallel_safe)]
    fn extract(menu_id: i64, utterance: &str) -> JsonB {
        check_interrupts();
        let menu = menu_cache::compiled(menu_id);
        to_jsonb(&menu.extract(utterance))
    }

    /// One dialog turn: `state` is the call's state (`{}` for a new call), `input` the turn
    /// (`{"event": {...}, "turn": n, "caller": "+1...", "store": {...}}`). Returns
    /// `{state, say, next, twiml, understood, outcome}` (see docs/dialog.md).
    #[pg_extern(stable)]
    fn dialog_step(menu_id: i64, state: JsonB, input: JsonB) -> JsonB {
        check_interrupts();
        let menu = menu_cache::compiled(menu_id);
        let state: CallState = parse("state", state);
        let input: TurnInput = parse("input", input);
        to_jsonb(&dialog::step(&menu, state, &input))
    }

    /// The same turn as `dialog_step`, shaped for the webhook hot path: the event comes as the
    /// columns `app.turns` stores (kind, speech, confidence, digits, dial status), the merchant
    /// as the call's settings snapshot, and the result is one `kea.turn_result` value, so
    /// PL/pgSQL evaluates `r := kea.dialog_turn(...)` as a plain expression: no function scan,
    /// no executor start. State and settings come as JSON text (`app.calls.state::text`, free
    /// for a `json` column) and state and `understood` go back as `json`: serde alone reads and
    /// writes them, where jsonb conversions were most of this function's time.
    #[pg_extern(stable, requires = ["turn_result"])]
    #[allow(clippy::too_many_arguments)]
    fn dialog_turn(
        menu_id: i64,
        state: &str,
        store: &str,
        turn: i32,
        caller: Option<&str>,
        event: &str,
        speech: Option<&str>,
        confidence: Option<f32>,
        digits: Option<&str>,
        dial_status: Option<&str>,
    ) -> pgrx::composite_type!('static, "kea.turn_result") {
        check_interrupts();
        let menu = menu_cache::compiled(menu_id);
        let state: CallState = parse_text("state", state);
        let input = TurnInput {
            event: turn_event(event, speech, confidence, digits, dial_status),
            turn: u32::try_from(turn).unwrap_or_else(|_| bad("turn", "must not be negative")),
            caller: caller.map(str::to_string),
            store: parse_text("store", store),
        };
        let out = dialog::step(&menu, state, &input);
        turn_result::build(out)
    }

    /// Prices a cart (`[{item, variation, quantity, modifiers}]`) against menu `menu_id`:
    /// lines with unit prices, subtotal, tax and total. Used when an agent edits an order.
    #[pg_extern(stable)]
    fn price_order(menu_id: i64, cart: JsonB, details: default!(JsonB, "'{}'")) -> JsonB {
        check_interrupts();
        let menu = menu_cache::compiled(menu_id);
        let cart: Vec<dialog::CartLine> = parse("cart", cart);
        let details: dialog::OrderDetails = parse("details", details);
        to_jsonb(&dialog::price_order(&menu.menu, &cart, &details))
    }

    /// TwiML that apologises and transfers to `store_number` (or hangs up when it is null):
    /// what a webhook answers when anything goes wrong.
    #[pg_extern(immutable, parallel_safe)]
    fn twiml_apology(
        store_number: Option<&str>,
        voice: default!(Option<&str>, "NULL"),
        language: default!(Option<&str>, "NULL"),
    ) -> String {
        let mut v = Voice::default();
        if let Some(voice) = voice {
            v.voice = voice.to_string();
        }
        if let Some(language) = language {
            v.language = language.to_string();
        }
        twiml::apology(&v, store_number)
    }

    /// Forgets this backend's compiled copy of a menu (the next call recompiles it).
    #[pg_extern(volatile)]
    fn forget_menu(menu_id: i64) {
        menu_cache::forget(menu_id)
    }

    /// Tells every backend's menu cache that `kea.menus` changed (a relcache invalidation,
    /// delivered at commit). Called by the statement trigger on `kea.menus`.
    #[pg_extern(volatile)]
    fn invalidate_menu_caches() {
        menu_cache::invalidate_all()
    }
}

/// PostgreSQL's `CHECK_FOR_INTERRUPTS`: a pending cancel or terminate raises here (as an
/// ERROR that unwinds through kea_core), so no pg_kea call outlives `statement_timeout` by
/// more than one word's work. Called on entry and, through kea_core's hook, per word.
pub(crate) fn check_interrupts() {
    pgrx::check_for_interrupts!();
}

/// The dialog event for a turn's stored columns (`app.turns.event` and friends).
fn turn_event(
    kind: &str,
    speech: Option<&str>,
    confidence: Option<f32>,
    digits: Option<&str>,
    dial_status: Option<&str>,
) -> Event {
    match kind {
        "start" => Event::Start,
        "silence" => Event::Silence,
        "speech" => Event::Speech {
            text: speech.unwrap_or_default().to_string(),
            confidence: confidence.unwrap_or(1.0),
        },
        "digits" => Event::Digits {
            digits: digits.unwrap_or_default().to_string(),
        },
        "dial_result" => Event::DialResult {
            status: dial_status.unwrap_or_default().to_string(),
        },
        other => bad(
            "event",
            &format!("{other:?} is not start, speech, digits, silence or dial_result"),
        ),
    }
}
