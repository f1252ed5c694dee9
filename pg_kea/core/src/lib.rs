//! kea_core: everything kea decides, without Postgres.
//!
//! Data flows through the modules in this order during a call:
//! - [`menu`]: the menu document a merchant publishes (items, sizes, modifier groups, prices).
//! - [`extract`]: caller's words -> order lines, dialog acts and details, against one menu.
//! - [`dialog`]: one turn of the phone conversation: state + input -> new state + what to say.
//! - [`twiml`]: what to say -> TwiML for Twilio.
//! - [`order_rules`]: after the call, the menu's rules for a line an agent edits or a stored order.
//! - [`square_catalog`]: a menu brought over from a merchant's Square catalog.
//! - [`lru`]: the bounded map pg_kea keeps each backend's compiled menus in.
//! - [`compiled_form`]: a compiled menu as bytes, stored at publish and loaded by backends.
//!
//! pg_kea wraps these in thin `#[pg_extern]` functions; everything here tests with `cargo test`.

pub mod compiled_form;
pub mod dialog;
pub mod extract;
pub mod foodordering;
pub mod lru;
pub mod menu;
pub mod order_rules;
pub mod square_catalog;
#[cfg(test)]
mod test_venues;
pub mod twiml;
