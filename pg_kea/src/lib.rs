//! pg_kea: kea's logic as SQL functions. Thin wrappers only: the logic is in `kea_core`.
//!
//! - `sql/pg_kea/menus.sql`: `kea.menus`, the published menu documents, and `kea.publish_menu()`.
//! - [`menu_form`]: `kea.compile_menu`, the compiled form `kea.menus` stores with each document.
//! - [`menu_cache`]: loads (or compiles) each published menu once per backend, keeping at most
//!   `kea.menu_cache_size`; told of changes by relcache invalidations of `kea.menus`.
//! - [`functions`]: `kea.extract`, `kea.dialog_step`, `kea.dialog_turn`, `kea.price_order`,
//!   `kea.twiml_apology`; [`turn_result`]: the `kea.turn_result` type `kea.dialog_turn` returns;
//!   [`json`]: their arguments from JSON and results to jsonb.
//! - [`order_rules`]: `kea.validate_lines`, `kea.price_lines` (agent edits, submitted orders);
//!   [`sms`]: `kea.twiml_message` (answers to inbound texts).

use pgrx::prelude::*;

mod error;
mod functions;
mod json;
mod menu_cache;
mod menu_form;
mod order_rules;
mod sms;
mod turn_result;

::pgrx::pg_module_magic!(name, version);

/// Runs when a backend loads the library: lets kea_core's per-word loops see a query cancel,
/// `statement_timeout` or `pg_terminate_backend` while they run.
#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    kea_core::extract::set_interrupt_check(functions::check_interrupts);
    menu_cache::define_settings();
}

extension_sql_file!("../../sql/pg_kea/menus.sql", name = "menus", bootstrap);
