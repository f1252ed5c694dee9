//! The SQL surface of pg_kea. Each function parses its arguments, calls `kea_core`, and turns
//! the result into jsonb/text; bad arguments raise `invalid_parameter_value` (22023).

use kea_core::dialog::{self, CallState, TurnInput};
use kea_core::twiml::{self, Voice};
use pgrx::prelude::*;
use pgrx::{JsonB, PgSqlErrorCode};
use serde::de::DeserializeOwned;

use crate::error::raise;
use crate::menu_cache;

#[pg_schema]
mod kea {
    use super::*;

    /// What the caller said, understood against menu `menu_id`: order lines, dialog acts,
    /// details and unmatched words (see docs/extraction.md).
    #[pg_extern(stable, parallel_safe)]
    fn extract(menu_id: i64, utterance: &str) -> JsonB {
        let menu = menu_cache::compiled(menu_id);
        to_jsonb(&menu.extract(utterance))
    }

    /// One dialog turn: `state` is the call's state (`{}` for a new call), `input` the turn
    /// (`{"event": {...}, "turn": n, "caller": "+1...", "store": {...}}`). Returns
    /// `{state, say, next, twiml, understood, outcome}` (see docs/dialog.md).
    #[pg_extern(stable)]
    fn dialog_step(menu_id: i64, state: JsonB, input: JsonB) -> JsonB {
        let menu = menu_cache::compiled(menu_id);
        let state: CallState = parse("state", state);
        let input: TurnInput = parse("input", input);
        to_jsonb(&dialog::step(&menu, state, &input))
    }

    /// The same turn as `dialog_step`, for the hot path: the caller passes the menu version it
    /// read from `kea.menus` (so a cached menu needs no lookup) and the input as `json`, and
    /// gets the parts back as columns, with no JSON round trip for the TwiML and the prompt.
    #[pg_extern(stable)]
    fn dialog_turn(
        menu_id: i64,
        menu_version: i64,
        state: JsonB,
        input: pgrx::Json,
    ) -> TableIterator<
        'static,
        (
            name!(state, JsonB),
            name!(phase, String),
            name!(say, String),
            name!(twiml, String),
            name!(understood, JsonB),
            name!(outcome, Option<JsonB>),
        ),
    > {
        let menu = menu_cache::compiled_at(menu_id, menu_version);
        let state: CallState = parse("state", state);
        // json, not jsonb: built by SQL for this call only, so it is parsed once, here.
        let input: TurnInput = parse("input", JsonB(input.0));
        let out = dialog::step(&menu, state, &input);
        let phase = to_jsonb(&out.state.phase)
            .0
            .as_str()
            .unwrap_or_default()
            .to_string();
        TableIterator::once((
            to_jsonb(&out.state),
            phase,
            out.say,
            out.twiml,
            JsonB(out.understood),
            out.outcome.as_ref().map(to_jsonb),
        ))
    }

    /// Prices a cart (`[{item, variation, quantity, modifiers}]`) against menu `menu_id`:
    /// lines with unit prices, subtotal, tax and total. Used when an agent edits an order.
    #[pg_extern(stable)]
    fn price_order(menu_id: i64, cart: JsonB, details: default!(JsonB, "'{}'")) -> JsonB {
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
}

fn parse<T: DeserializeOwned>(what: &str, value: JsonB) -> T {
    serde_json::from_value(value.0).unwrap_or_else(|e| {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("kea: invalid {what}: {e}"),
            "See docs/dialog.md for the shapes of state and input.",
        )
    })
}

fn to_jsonb<T: serde::Serialize>(value: &T) -> JsonB {
    JsonB(serde_json::to_value(value).expect("kea_core types always serialise"))
}
