//! Values between SQL and kea_core's types: jsonb and JSON text in (a malformed value raises
//! 22023 with what was wrong), jsonb out. Shared by the functions and the `kea.turn_result`
//! they build, so neither depends on the other.

use pgrx::{JsonB, PgSqlErrorCode};
use serde::de::DeserializeOwned;

use crate::error::raise;

/// Raises 22023 (invalid_parameter_value) naming what was malformed.
pub(crate) fn bad(what: &str, why: &str) -> ! {
    raise(
        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        format!("kea: invalid {what}: {why}"),
        "See docs/dialog.md for the shapes of state and input.",
    )
}

/// `what` from JSON text, straight into its Rust type.
pub(crate) fn parse_text<T: DeserializeOwned>(what: &str, text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| bad(what, &e.to_string()))
}

/// `what` from a jsonb argument, into its Rust type.
pub(crate) fn parse<T: DeserializeOwned>(what: &str, value: JsonB) -> T {
    serde_json::from_value(value.0).unwrap_or_else(|e| bad(what, &e.to_string()))
}

/// A kea_core value as jsonb, for a result.
pub(crate) fn to_jsonb<T: serde::Serialize>(value: &T) -> JsonB {
    JsonB(serde_json::to_value(value).expect("kea_core types always serialise"))
}
