//! `kea.validate_lines` and `kea.price_lines`: the menu's rules and prices for order lines made
//! or changed after the call (agent edits, the database's check of a submitted order); and
//! `kea.menu_from_square`, a menu brought over from the merchant's POS.
//! The logic is `kea_core::order_rules`.

use kea_core::dialog::{self, OrderDetails};
use kea_core::order_rules::{self, RuleLine};
use pgrx::prelude::*;
use pgrx::{JsonB, PgSqlErrorCode};

use crate::error::raise;
use crate::json::to_jsonb;
use crate::menu_cache;

fn lines(value: JsonB) -> Vec<RuleLine> {
    serde_json::from_value(value.0).unwrap_or_else(|e| {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("kea: invalid lines: {e}"),
            "Lines are [{\"item\", \"variation\", \"quantity\", \"modifiers\": [{\"group\", \"option\", ...}]}] (docs/workflow.md).",
        )
    })
}

#[pg_schema]
mod kea {
    use super::*;

    /// Every menu rule the lines break (`[{line, code, message}]`, lines 0-based); `[]` when
    /// each line is complete (sizes and required choices), available and within min/max.
    #[pg_extern(stable, parallel_safe)]
    fn validate_lines(menu_id: i64, lines: JsonB) -> JsonB {
        let menu = menu_cache::compiled(menu_id);
        to_jsonb(&order_rules::validate(&menu.menu, &super::lines(lines)))
    }

    /// Prices lines given as stored or edited (`app.order_lines` as JSON, or the cart's shape)
    /// against the menu: the same figures as `kea.price_order`.
    #[pg_extern(stable, parallel_safe)]
    fn price_lines(menu_id: i64, lines: JsonB, details: default!(JsonB, "'{}'")) -> JsonB {
        let menu = menu_cache::compiled(menu_id);
        let cart: Vec<_> = super::lines(lines).iter().map(RuleLine::to_cart).collect();
        let details: OrderDetails = serde_json::from_value(details.0).unwrap_or_default();
        to_jsonb(&dialog::price_order(&menu.menu, &cart, &details))
    }

    /// A menu document (for `api.import_menu`) from a Square `ListCatalog` export, with
    /// Square's ids kept as `pos_id`; `notes` says what could not be carried over exactly.
    #[pg_extern(immutable, parallel_safe)]
    fn menu_from_square(catalog: JsonB, location_id: default!(Option<&str>, "NULL")) -> JsonB {
        let out = kea_core::square_catalog::import(&catalog.0, location_id);
        JsonB(serde_json::json!({"document": out.document, "notes": out.notes}))
    }
}
