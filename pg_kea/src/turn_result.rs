//! `kea.turn_result`: what one dialog turn gives SQL back, as a single composite value.
//!
//! One value rather than a set of columns because PL/pgSQL evaluates an assignment from a
//! non-set function as a simple expression, skipping the executor and the function scan a
//! `select * from f()` needs; on the webhook path that is most of a turn's fixed cost.

use std::cell::Cell;

use kea_core::dialog::{Outcome, TurnOutput};
use pgrx::heap_tuple::PgHeapTuple;
use pgrx::prelude::*;
use pgrx::{AllocatedByRust, IntoDatum, PgTupleDesc};

use crate::json::to_jsonb;

pgrx::extension_sql!(
    r#"
-- One dialog turn's result (kea.dialog_turn).
create type kea.turn_result as (
    state        json,   -- the call's state after the turn
    phase        text,   -- the dialog phase it is in now
    say          text,   -- what was said
    twiml        text,   -- the answer to Twilio
    understood   json,   -- the extraction and what the turn did with it
    call_outcome text,   -- app.calls.outcome when the turn decided one, else null
    "order"      jsonb   -- the priced order when the caller confirmed one, else null
);
"#,
    name = "turn_result",
);

thread_local! {
    static TYPE_OID: Cell<Option<pg_sys::Oid>> = const { Cell::new(None) };
}

fn type_oid() -> pg_sys::Oid {
    // The cached oid dies with the type when the extension is recreated (scripts/migrate does
    // that for a new build), while pooled backends live on: check it still names a type.
    if let Some(oid) = TYPE_OID.get().filter(|&oid| type_exists(oid)) {
        return oid;
    }
    let oid = PgTupleDesc::for_composite_type("kea.turn_result")
        .expect("kea.turn_result is created with the extension")
        .oid();
    TYPE_OID.set(Some(oid));
    oid
}

fn type_exists(oid: pg_sys::Oid) -> bool {
    let none = pg_sys::Datum::from(0);
    // SAFETY: a syscache probe by oid; it only reads the catalog cache.
    unsafe {
        pg_sys::SearchSysCacheExists(
            pg_sys::SysCacheIdentifier::TYPEOID as i32,
            oid.into(),
            none,
            none,
            none,
        )
    }
}

pub fn build(out: TurnOutput) -> PgHeapTuple<'static, AllocatedByRust> {
    let phase = out.state.phase.as_str();
    let (call_outcome, order) = match &out.outcome {
        None => (None, None),
        Some(Outcome::Submitted { order }) => (Some("ordered"), Some(to_jsonb(order))),
        Some(Outcome::Transferred { .. }) => (Some("transferred"), None),
        Some(Outcome::Callback { .. }) => (Some("callback"), None),
        Some(Outcome::Cancelled) => (Some("cancelled"), None),
        Some(Outcome::Closed) => (Some("closed"), None),
    };
    let datums = [
        text(&out.state).into_datum(),
        phase.into_datum(),
        out.say.into_datum(),
        out.twiml.into_datum(),
        text(&out.understood).into_datum(),
        call_outcome.into_datum(),
        order.into_datum(),
    ];
    let tupdesc = PgTupleDesc::for_composite_type_by_oid(type_oid())
        .expect("kea.turn_result is a composite type");
    // SAFETY: the datums are in the order and of the types of kea.turn_result's attributes.
    unsafe { PgHeapTuple::from_datums(tupdesc, datums) }.expect("seven attributes")
}

/// JSON text for a `json` attribute (a json datum is a text datum): no parse, unlike jsonb.
fn text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("kea_core types always serialise")
}
